"""Rewrite the ground truth from a fresh run of the sample reports (see README.md here).

    .venv/bin/python -m tests.backtests.update_ground_truth
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from analysis.cli import main as zaitaku
from analysis.ingest import ingest
from tests.backtests.compare import GROUND_TRUTH
from tests.conftest import BACKTEST_PARAMS, ROOT


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        processed = Path(tmp) / "processed"
        reports = Path(tmp) / "reports"
        ingest(ROOT / "data" / "raw" / "sample", processed)
        params = [str(ROOT / "params" / name) for name in BACKTEST_PARAMS]
        code = zaitaku(["run", *params, "--jobs", "2", "--processed", str(processed), "--reports", str(reports),
                        "--notebooks", str(ROOT / "notebooks")])
        if code != 0:
            print("the sample run failed; ground truth left as it was", file=sys.stderr)
            return code
        for name in BACKTEST_PARAMS:
            folder = Path(name).stem
            target = GROUND_TRUTH / folder
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for csv in sorted((reports / folder).glob("*.csv")):
                shutil.copy2(csv, target / csv.name)
            print(f"{target}: {len(list(target.glob('*.csv')))} CSV")
    return 0


if __name__ == "__main__":
    sys.exit(main())
