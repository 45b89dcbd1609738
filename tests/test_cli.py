"""The `zaitaku` command: options are checked before anything runs, and errors are one line."""

from __future__ import annotations

import pytest

from analysis.batch.runner import BatchOptions
from analysis.cli import main as zaitaku
from tests.batch.tiny import cli_command, tiny_batch, write_params


@pytest.mark.parametrize("jobs", ["0", "-1", "two", "1.5"])
def test_jobs_must_be_a_whole_number_of_one_or_more(jobs, capsys):
    with pytest.raises(SystemExit) as stopped:
        zaitaku(["run", "--all", "--jobs", jobs])
    assert stopped.value.code == 2
    assert f"argument --jobs: 1 以上の整数を指定してください（指定された値: {jobs}）" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--cell-timeout", "--municipality-timeout"])
@pytest.mark.parametrize("value", ["0", "-5", "nan", "soon"])
def test_time_limits_must_be_seconds_above_zero(option, value, capsys):
    with pytest.raises(SystemExit) as stopped:
        zaitaku(["run", "--all", option, value])
    assert stopped.value.code == 2
    assert f"0 より大きい秒数を指定してください（指定された値: {value}）" in capsys.readouterr().err


def test_batch_options_refuse_no_workers(tmp_path):
    with pytest.raises(ValueError, match="jobs must be 1 or more"):
        BatchOptions(notebooks_dir=tmp_path, processed_dir=tmp_path, reports_dir=tmp_path, jobs=0)


def test_params_check_gives_one_line_with_line_and_column_per_broken_file(tmp_path, capsys):
    (tmp_path / "40201_tab.yaml").write_text('code: "40201"\nname: タブ\nplan:\n\tvision: x\n', encoding="utf-8")
    (tmp_path / "40202_flow.yaml").write_text('code: "40202"\nname: [閉じていない\n', encoding="utf-8")
    assert zaitaku(["params", "check", "--dir", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "エラー 40201_tab.yaml: line 4, column 1: a tab character is used for indentation; "
        "YAML indents with spaces only (replace the tab with spaces)",
        "エラー 40202_flow.yaml: line 3, column 1: not valid YAML: expected ',' or ']', but got '<stream end>' "
        "(while parsing a flow sequence)",
        "0/2 ファイルが有効です",
    ]


def test_a_file_where_the_reports_folder_should_be_is_one_line(tmp_path, capsys):
    tiny_batch(tmp_path)
    params = write_params(tmp_path / "params", "40201_a")
    (tmp_path / "reports").write_text("not a folder", encoding="utf-8")
    assert zaitaku(cli_command([params], tmp_path)[3:]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [f"エラー: {tmp_path / 'reports'}: フォルダを作れません（同じ名前のファイルがあります）"]


def test_sources_and_params_new_say_what_is_missing_and_where_to_get_it(tmp_path, sample_raw, capsys):
    import shutil

    from analysis.cli import main as zaitaku

    raw = tmp_path / "raw"
    for folder in ("soumu", "kaigo", "iryou"):
        shutil.copytree(sample_raw / folder, raw / folder)
    assert zaitaku(["ingest", "--raw", str(raw), "--out", str(tmp_path / "processed")]) == 0
    said = capsys.readouterr().out
    assert "まだ取り込んでいないデータ" in said and "suikei_kekka.xlsx" in said
    assert zaitaku(["sources", "--processed", str(tmp_path / "processed")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("○ 介護サービス情報公表システム") for line in lines)
    assert any(line.startswith("× 社人研") and "将来需要" in line for line in lines)
    assert zaitaku(["params", "new", "40942", "--processed", str(tmp_path / "processed"), "--dir", str(tmp_path / "params")]) == 0
    said = capsys.readouterr().out
    assert "人口のデータがありません" in said and "指標のデータがありません" in said and "施設のデータがありません" not in said


def test_params_new_for_a_medical_area_writes_medical_area_and_checks_its_members(tmp_path, processed_sample, capsys):
    from analysis.reporting.params import load_params

    assert zaitaku(["params", "new", "4009", "--processed", str(processed_sample), "--dir", str(tmp_path)]) == 0
    said = capsys.readouterr().out
    written = tmp_path / "4009_架空中央医療圏.yaml"
    assert load_params(written).medical_area == "4009" and load_params(written).name == "架空中央医療圏"
    # its members have population, facilities and indicators in the sample: only the plan is missing
    assert "人口のデータがありません" not in said and "施設のデータがありません" not in said and "指標のデータがありません" not in said
    assert zaitaku(["params", "new", "4012", "--processed", str(processed_sample), "--dir", str(tmp_path)]) == 2
    assert "4012 is not in the processed data" in capsys.readouterr().err


@pytest.mark.parametrize("name, written", [("筑水市: 東部 #1", True), ("筑水市\ndisclosure:\n  tiers: []", False)])
def test_params_new_writes_the_name_as_one_string_and_refuses_one_with_a_line_break(tmp_path, processed_sample, capsys, name, written):
    import shutil

    import pandas as pd
    import yaml

    from analysis.reporting.params import load_params

    processed = tmp_path / "processed"
    shutil.copytree(processed_sample, processed)
    table = pd.read_parquet(processed / "municipalities.parquet")
    table.loc[table["code"] == "40901", "name"] = name
    table.to_parquet(processed / "municipalities.parquet", index=False)
    code = zaitaku(["params", "new", "40901", "--processed", str(processed), "--dir", str(tmp_path / "params"), "--slug", "x"])
    target = tmp_path / "params" / "40901_x.yaml"
    if written:
        assert code == 0
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        assert data["name"] == name and data["code"] == "40901" and "disclosure" not in data
        assert load_params(target).name == name
    else:
        assert code == 2 and "line break" in capsys.readouterr().err
        assert not target.exists()
