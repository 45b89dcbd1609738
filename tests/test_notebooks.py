"""Committed notebooks: no outputs, a tagged parameters cell pointing at a sample subject, thin cells."""

import ast
import json
from pathlib import Path

import papermill
import pytest

from analysis.catalogue import ALL_REPORTS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [ROOT / "notebooks" / nb for _, nb, _ in ALL_REPORTS]
EXPECTED_PARAMETERS = {"params_file", "processed_dir", "output_dir", "disclosure_control"}
MAX_LOGIC_LINES = 15


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name}: a code cell carries outputs"
            assert cell.get("execution_count") is None, f"{path.name}: a code cell carries an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_defaults_point_at_a_sample_municipality(path):
    params = papermill.inspect_notebook(str(path))
    assert set(params) == EXPECTED_PARAMETERS
    params_file = params["params_file"]["default"].strip("'\"")
    assert (path.parent / params_file).resolve().exists(), params_file


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_cells_stay_thin(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        # statements, not physical lines: a long Japanese explanation string is one statement
        statements = sum(isinstance(node, ast.stmt) for node in ast.walk(tree))
        assert statements <= MAX_LOGIC_LINES, f"{path.name}: a cell has {statements} statements"
