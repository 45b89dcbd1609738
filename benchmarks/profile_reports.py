"""Where one subject's reports spend their time: each cell of each notebook, and each export step.

Runs the reports a parameter file lists through papermill (a new kernel for each; a batch worker
keeps one warm kernel instead, so "kernel start and round trips" is larger here than in a batch),
reads each cell's duration from the metadata papermill writes, then times the HTML export of each
executed notebook. Prints the slowest cells and the totals per report.

    .venv/bin/python benchmarks/profile_reports.py params/40901_chikusui.yaml [--processed data/processed] [--top 15]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _seconds(cell: dict) -> float:
    timing = cell.get("metadata", {}).get("papermill", {})
    if not timing.get("start_time") or not timing.get("end_time"):
        return 0.0
    return (dt.datetime.fromisoformat(timing["end_time"]) - dt.datetime.fromisoformat(timing["start_time"])).total_seconds()


def _first_line(cell: dict) -> str:
    source = "".join(cell.get("source", "")).strip().splitlines()
    return (source[0] if source else "")[:90]


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser()
    parser.add_argument("params")
    parser.add_argument("--processed", default=str(ROOT / "data" / "processed"))
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)

    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    from analysis.catalogue import REPORTS
    from analysis.reporting.params import load_params

    notebooks = {key: notebook for key, notebook, _title in REPORTS}
    params = Path(args.params).resolve()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="zaitaku-profile-") as work:
        for report in load_params(params).reports:
            source = ROOT / "notebooks" / notebooks[report]
            executed = Path(work) / source.name
            started = time.perf_counter()
            papermill.execute_notebook(str(source), str(executed), cwd=str(ROOT / "notebooks"), progress_bar=False,
                                       parameters={"params_file": str(params), "processed_dir": str(Path(args.processed).resolve()),
                                                   "output_dir": str(Path(work) / "out")})
            run = time.perf_counter() - started
            notebook = nbformat.read(executed, as_version=4)
            cells = [(_seconds(cell), _first_line(cell)) for cell in notebook.cells if cell.cell_type == "code"]
            started = time.perf_counter()
            HTMLExporter(exclude_input=True).from_notebook_node(notebook)
            export = time.perf_counter() - started
            in_cells = sum(seconds for seconds, _ in cells)
            print(f"{source.name}: papermill {run:.2f} s (cells {in_cells:.2f} s, kernel start and round trips "
                  f"{run - in_cells:.2f} s), HTML export {export:.2f} s")
            rows += [{"report": source.name, "seconds": seconds, "cell": line} for seconds, line in cells]
    print(f"\nslowest {args.top} cells:")
    for row in sorted(rows, key=lambda r: -r["seconds"])[: args.top]:
        print(f"  {row['seconds']:6.2f} s  {row['report']}  {row['cell']}")
    return rows


if __name__ == "__main__":
    main()
