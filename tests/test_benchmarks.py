"""Every benchmark runs end to end at a small size, so none of them can rot unnoticed, and README's
speed table is written from their output by rules tested at their thresholds."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import readme_table  # noqa: E402

SMALL_COUNTRY = 94  # two municipalities in each prefecture


def _run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def small_country(tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    printed = _run("national_ingest.py", "--out", str(out), "--municipalities", str(SMALL_COUNTRY),
                   "--json", str(out / "figures.json"))
    return out, printed


@pytest.mark.slow
def test_the_national_ingest_benchmark_writes_a_country_of_the_asked_size(small_country):
    out, printed = small_country
    municipalities = pd.read_parquet(out / "processed" / "municipalities.parquet")
    assert (municipalities["kind"] != "prefecture").sum() == SMALL_COUNTRY
    assert municipalities["code"].str[:2].nunique() == 47
    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    assert figures["municipalities"] == SMALL_COUNTRY and figures["seconds"] > 0
    assert f"ingest of {SMALL_COUNTRY} municipalities: {figures['seconds']:.1f} s" in printed


@pytest.mark.slow
def test_the_batch_benchmark_runs_every_comparison_and_its_figures_make_the_readme_table(small_country, processed_sample, tmp_path):
    national, _ = small_country
    figures_file = tmp_path / "batch.json"
    history = {p: p.read_bytes() for p in (ROOT / "params" / "history").rglob("*") if p.is_file()}
    printed = _run("batch_speed.py", "--jobs", "2", "--repeat", "1", "--synthetic", "1", "--subjects", "40942_nangi",
                   "--processed", str(processed_sample), "--national", str(national / "processed"), "--json", str(figures_file))
    figures = json.loads(figures_file.read_text(encoding="utf-8"))
    # the runs keep their checks beside copies of the parameter files, never in the repository's params/history
    assert {p: p.read_bytes() for p in (ROOT / "params" / "history").rglob("*") if p.is_file()} == history
    assert figures["subjects"] == 1
    # the ratio is the naive loop's seconds over the fresh run's median, as printed
    assert figures["ratio"] == pytest.approx(figures["naive_seconds"] / figures["fresh_median_seconds"])
    assert f"throughput ratio naive/fresh: {figures['ratio']:.1f}×" in printed
    assert 0 < figures["nothing_changed_seconds"] < figures["fresh_median_seconds"]
    for part in ("synthetic", "national"):
        assert figures[part]["municipalities"] == 1
        assert figures[part]["core_seconds_per_municipality"] == pytest.approx(figures[part]["seconds"] * 2)
        assert figures[part]["memory"]["slot_pss_mb"] > 0, "the memory of a worker and its kernel was measured"

    readme = tmp_path / "README.md"
    readme.write_text(f"# 前\n{readme_table.START}\n古い表\n{readme_table.END}\n# 後\n", encoding="utf-8")
    ingest_file = national / "figures.json"
    readme_table.main(["--batch", str(figures_file), "--national-ingest", str(ingest_file), "--readme", str(readme)])
    written = readme.read_text(encoding="utf-8")
    assert "古い表" not in written and written.startswith("# 前\n") and written.endswith("# 後\n")
    assert f"コミット `{figures['commit']}`" in written
    assert f"**{int(figures['ratio'] * 10) / 10:.1f} 倍**" in written
    readme_table.main(["--batch", str(figures_file), "--national-ingest", str(ingest_file), "--readme", str(readme)])
    assert readme.read_text(encoding="utf-8") == written, "a second run replaces the table, it does not add one"


@pytest.mark.slow
def test_the_real_files_benchmark_runs(real_ingest):
    # the run at one repeat that tests/ingest/test_real_files.py reads too (conftest's real_ingest): one ingest of the real files
    folder, done = real_ingest
    assert done.returncode == 0, f"real_files_ingest.py failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    printed = done.stdout
    figures = json.loads((folder / "real.json").read_text(encoding="utf-8"))
    assert len(figures["wall_seconds"]) == 1
    assert f"median {figures['median_wall_seconds']:.1f} s wall" in printed


def _figures(**changes) -> dict:
    memory = {"worker_mb": 150.0, "kernel_mb": 300.0, "slot_rss_mb": 450.0, "slot_pss_mb": 350.0}
    figures = {"date": "2026-12-06", "commit": "abc1234", "cores": 2, "memory_gib": 24, "python": "3.11.7", "jobs": 2,
               "subjects": 8, "command": "benchmarks/batch_speed.py --jobs 2", "naive_seconds": 240.0,
               "fresh_seconds": [16.0, 17.0, 18.0], "fresh_median_seconds": 16.0, "ratio": 15.0,
               "nothing_changed_seconds": 0.99, "sample_memory": memory,
               "synthetic": {"municipalities": 12, "seconds": 24.0, "core_seconds_per_municipality": 4.0,
                             "projected_minutes_16_cores": 7.25, "memory": memory},
               "national": {"municipalities": 12, "seconds": 26.4, "core_seconds_per_municipality": 4.4,
                            "projected_minutes_16_cores": 1741 * 4.4 / 16 / 60, "memory": memory}}
    figures.update(changes)
    return figures


def _row(body: str, starts: str) -> str:
    return next(line for line in body.splitlines() if line.startswith(starts))


def test_a_goal_met_exactly_reads_as_met_and_one_short_of_it_as_not():
    body = readme_table.table(_figures())
    assert "**15.0 倍**" in body and _row(body, "| 同：`zaitaku run").endswith("| 15 倍以上 | 達成 |")  # 240 / 16 = 15 exactly
    assert _row(body, "| 同：変更なし").endswith("| 達成 |")  # 0.99 s < 1 s
    # 1,741 × 4.4 ÷ 16 ÷ 60 = 7.98 minutes
    assert "＝ **7.98 分**" in body and _row(body, "| 全国 1,741").endswith("| 8 分未満 | 達成 |")
    short = readme_table.table(_figures(ratio=14.99, nothing_changed_seconds=1.0, national={
        **_figures()["national"], "core_seconds_per_municipality": 4.42, "projected_minutes_16_cores": 1741 * 4.42 / 16 / 60}))
    assert "**14.9 倍**" in short and _row(short, "| 同：`zaitaku run").endswith("| **未達** |")
    assert _row(short, "| 同：変更なし").endswith("| **未達** |")  # exactly 1 s is not under 1 s
    assert _row(short, "| 全国 1,741").endswith("| **未達** |")  # 8.02 minutes


def test_the_memory_goal_is_per_worker_and_kernel_pss():
    memory = {"worker_mb": 150.0, "kernel_mb": 300.0, "slot_rss_mb": 640.0, "slot_pss_mb": 500.0}
    body = readme_table.table(_figures(sample_memory=memory))
    assert _row(body, "| ピークメモリ（サンプル）").endswith("| **未達** |")  # 500 MB is not under 500 MB
    assert "1並列分 640 MB（RSS）・500 MB（PSS）" in body


def test_the_table_goes_between_its_markers_or_says_what_is_missing(tmp_path):
    with pytest.raises(SystemExit, match="expected one line"):
        readme_table.replace_between_markers("# no markers\n", "body")
    with pytest.raises(SystemExit, match="expected one line"):
        readme_table.replace_between_markers(f"{readme_table.END}\n{readme_table.START}\n", "body")
