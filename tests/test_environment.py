"""The conda environment and the pip package name the same dependencies."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge splits dask[distributed] into two packages; pip's pyyaml is conda's pyyaml.
CONDA_EQUIVALENTS = {"dask[distributed]": {"dask", "distributed"}}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ]", requirement.strip(), maxsplit=1)[0].lower()


def _pip_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    return {_name(r): r.strip() for r in reqs}


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    return {_name(d): d.strip() for d in deps if _name(d) not in {"python", "pip"}}


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    pip_names = set()
    for name in _pip_requirements():
        pip_names |= CONDA_EQUIVALENTS.get(name, {name})
    assert pip_names == set(_conda_requirements())


def test_minimum_versions_agree():
    conda = _conda_requirements()
    for name, requirement in _pip_requirements().items():
        lower = re.search(r">=\s*([\w.]+)", requirement)
        for conda_name in CONDA_EQUIVALENTS.get(name, {name}):
            assert lower and f">={lower.group(1)}" in conda[conda_name], (name, conda[conda_name])


def test_python_floor_is_311_in_both():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python>=3.11" in env["dependencies"]
