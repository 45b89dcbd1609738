"""Parameter files (`params/<code>_<name>.yaml`): one per municipality, validated before anything runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from analysis.codes import CodeError, normalize_code
from analysis.measures.demand import DemandOptions
from analysis.measures.disclosure import DisclosureOptions
from analysis.errors import InputError
from analysis.measures.pdca import Plan

ReportKey = Literal["resources", "demand", "scene_trends", "pdca"]


class Comparison(BaseModel):
    """Which areas the reports compare the municipality with."""

    model_config = ConfigDict(extra="forbid")
    medical_area: bool = True
    prefecture: bool = True
    national: bool = True
    peers: int = Field(default=5, ge=0, le=20)


class MunicipalityParams(BaseModel):
    """The whole parameter file."""

    model_config = ConfigDict(extra="forbid")
    code: str
    name: str = Field(min_length=1)
    comparison: Comparison = Field(default_factory=Comparison)
    reports: list[ReportKey] = Field(default_factory=lambda: ["resources", "demand", "scene_trends", "pdca"])
    demand: DemandOptions = Field(default_factory=DemandOptions)
    disclosure: DisclosureOptions = Field(default_factory=DisclosureOptions)
    plan: Plan | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: object) -> str:
        if not isinstance(value, str):
            # YAML reads 01101 as an octal number and 40203 as an int: insist on quotes.
            raise ValueError(f"write the code in quotes, e.g. code: \"40203\" (got {value!r})")
        try:
            return normalize_code(value)
        except CodeError as exc:
            raise ValueError(str(exc)) from None


def _key_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


class _DatesAsText(yaml.SafeLoader):
    """YAML without implicit timestamps: a date stays text, so an impossible one (2024-13-01) is
    reported by validation with its key instead of failing inside the YAML parser."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_params(path: str | Path) -> MunicipalityParams:
    """Read and validate one parameter file; InputError naming the file and key on any problem."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "parameter file not found")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsText)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not valid UTF-8 YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise InputError(path, "expected a YAML mapping with at least `code` and `name`")
    try:
        return MunicipalityParams.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = _key_path(err["loc"])
            message = "unknown key (not allowed here)" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append((key, message))
        key, message = problems[0]
        more = f" (and {len(problems) - 1} more problem(s): " + "; ".join(f"{k}: {m}" for k, m in problems[1:4]) + ")" if len(problems) > 1 else ""
        raise InputError(path, message + more, key=key) from None


def params_files(directory: str | Path) -> list[Path]:
    """All parameter files in a folder, in name order."""
    return sorted(p for p in Path(directory).glob("*.yaml") if not p.name.startswith("_"))


def slug(name: str) -> str:
    """A file-name-safe ASCII-or-kana part for `<code>_<slug>` folder names."""
    cleaned = re.sub(r"[\\/:*?\"<>|\s]+", "", name)
    return cleaned or "municipality"
