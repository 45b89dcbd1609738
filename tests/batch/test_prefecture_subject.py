"""A prefecture as the subject: a parameter file for 40000 runs all four reports (peers are other prefectures)."""

from __future__ import annotations

import pytest

from analysis.cli import main as zaitaku
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_a_prefecture_parameter_file_runs_all_four_reports(tmp_path, processed_sample, sample_batch):
    text = (ROOT / "params" / "40901_chikusui.yaml").read_text(encoding="utf-8")
    text = text.replace('code: "40901"', 'code: "40000"').replace("name: 筑水市", "name: 架空県").replace("筑水市", "架空県")
    params = tmp_path / "40000_kakuu.yaml"
    params.write_text(text, encoding="utf-8")
    reports = tmp_path / "reports"
    code = zaitaku(["run", str(params), "--processed", str(processed_sample), "--reports", str(reports),
                    "--notebooks", str(ROOT / "notebooks")])
    assert code == 0
    folder = reports / "40000_kakuu"
    for report in ("01_resources", "02_demand", "03_scene_trends", "04_pdca_check"):
        page = (folder / f"{report}.html").read_text(encoding="utf-8")
        assert "架空県" in page, report
    # the sample has one prefecture: no other prefecture to compare with, and no municipality offered as a peer
    resources = (folder / "01_resources.html").read_text(encoding="utf-8")
    assert "類似の都道府県との比較は、設定（comparison.peers）またはデータの都合により行っていません" in resources
    # its municipalities are the comparison below it: one row each, the prefecture last
    from bs4 import BeautifulSoup

    heading = BeautifulSoup(resources, "html.parser").find(id="members")
    assert heading is not None, "report 01 of a prefecture compares its municipalities"
    rows = heading.find_next("table").find("tbody").find_all("tr")
    assert len(rows) == 19 and rows[-1].find("td").get_text("") == "架空県"

    # its indicators are the prefecture cells 筑水市's report shows, labelled as its own, not compared with itself
    import pandas as pd

    columns = ["指標", "年度", "値", "人口あたりの値", "秘匿"]
    own = pd.read_csv(folder / "scene_trends.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    city = pd.read_csv(next(sample_batch[1].glob("40901_*")) / "scene_trends.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert set(own["地域の区分"]) == {"当該都道府県", "全国"}
    subject = own[own["地域の区分"] == "当該都道府県"][columns].sort_values(["指標", "年度"]).reset_index(drop=True)
    from_city = city[city["地域の区分"] == "都道府県"][columns].sort_values(["指標", "年度"]).reset_index(drop=True)
    assert len(subject) > 50
    pd.testing.assert_frame_equal(subject, from_city)
