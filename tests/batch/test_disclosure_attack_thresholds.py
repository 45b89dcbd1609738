"""The attack of test_disclosure_attack.py on a batch whose parameter files set other thresholds.

A file of its own because its batch is a second run of all 18 sample municipalities (about a minute): pytest-xdist
keeps a file on one worker (--dist loadfile), so apart from test_disclosure_attack.py's batch it can run on the other.
"""

from __future__ import annotations

import re

import pytest

from analysis.ingest.processed import ProcessedData
from tests.batch.test_disclosure_attack import _all_params, _narrowed, _published_cells, _ranges_needed, _recoverable, _run

pytestmark = pytest.mark.slow


def test_other_thresholds_from_the_parameter_files_pass_the_same_attack(tmp_path, processed_sample):
    tiers = "disclosure:\n  tiers:\n    - {population_below: 5000, hide_below: null}\n    - {population_below: .inf, hide_below: 40}\n"
    params = _all_params(tmp_path / "params", processed_sample, tiers=tiers)
    for path in params:
        text = re.sub(r"^reports: .*$", "reports: [scene_trends]", path.read_text(encoding="utf-8"), flags=re.M)
        path.write_text(text, encoding="utf-8")
    _run(params, processed_sample, tmp_path / "reports")
    municipalities = ProcessedData(processed_sample).municipalities
    cells = _published_cells(tmp_path / "reports", municipalities)
    assert cells["suppressed"].mean() > 0.05
    assert _recoverable(cells, municipalities) == []
    widths = {key: 38.0 for key in _ranges_needed(processed_sample, municipalities)}  # 1–39 hidden (all, under 5,000)
    assert _narrowed(cells, municipalities, widths) == []
