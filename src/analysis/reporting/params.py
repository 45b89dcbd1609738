"""Parameter files (`params/<code>_<name>.yaml`): one per municipality, validated before anything runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analysis import typed_text
from analysis.typed_text import OneLine
from analysis.codes import CodeError, is_area_code, normalize_code, validate_prefecture
from analysis.errors import InputError
from analysis.measures.demand import DemandOptions
from analysis.measures.disclosure import DisclosureOptions
from analysis.measures.pdca import Plan

ReportKey = Literal["resources", "demand", "scene_trends", "pdca", "overview"]


class Comparison(BaseModel):
    """Which areas the reports compare the municipality with."""

    model_config = ConfigDict(extra="forbid")
    medical_area: bool = True
    prefecture: bool = True
    national: bool = True
    peers: int = Field(default=5, ge=0, le=20)
    # an area of areas.csv the municipality belongs to (a 医師会区域 …), compared as one more level; none by default
    area: str | None = None

    @field_validator("area", mode="before")
    @classmethod
    def _area(cls, value: object) -> str | None:
        return None if value is None else _area_code(value, "comparison.area")


def _area_code(value: object, key: str) -> str:
    """An area code of areas.csv (codes.AREA_CODE), as written in the parameter file."""
    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not is_area_code(text):
        raise ValueError(f"write the area code of areas.csv: A and 1–15 capitals, digits or hyphens, e.g. {key}: A-CHIKUSUI "
                         f"(got {value!r})")
    return text


class TimeLimits(BaseModel):
    """Time limits of this municipality's run, in seconds; unset ones come from `zaitaku run`'s options."""

    model_config = ConfigDict(extra="forbid")
    cell_seconds: float | None = Field(default=None, gt=0, allow_inf_nan=False)  # any one cell of a report notebook
    municipality_seconds: float | None = Field(default=None, gt=0, allow_inf_nan=False)  # all reports together


class MunicipalityParams(BaseModel):
    """The whole parameter file."""

    model_config = ConfigDict(extra="forbid")
    # a municipality or prefecture code (5 digits), or instead `medical_area:` for a 二次医療圏 (4 digits)
    code: str = ""
    medical_area: str | None = None
    area: str | None = None  # instead an area of areas.csv (A…): reports on its members' sums, as for a 二次医療圏
    name: OneLine = Field(min_length=1)  # one line, nothing invisible: it heads every page and names the folder
    comparison: Comparison = Field(default_factory=Comparison)
    reports: list[ReportKey] = Field(default_factory=lambda: ["resources", "demand", "scene_trends", "pdca"])
    demand: DemandOptions = Field(default_factory=DemandOptions)
    disclosure: DisclosureOptions = Field(default_factory=DisclosureOptions)
    plan: Plan | None = None
    time_limits: TimeLimits = Field(default_factory=TimeLimits)

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

    @field_validator("medical_area", mode="before")
    @classmethod
    def _medical_area(cls, value: object) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}", value.strip()):
            raise ValueError(f"write the 二次医療圏 code as 4 digits in quotes (prefecture code + area number, "
                             f"as in the データ集), e.g. medical_area: \"4009\" (got {value!r})")
        try:
            validate_prefecture(value.strip())
        except CodeError as exc:
            raise ValueError(str(exc)) from None
        return value.strip()

    @field_validator("area", mode="before")
    @classmethod
    def _area(cls, value: object) -> str | None:
        return None if value is None else _area_code(value, "area")

    @model_validator(mode="after")
    def _one_subject(self) -> MunicipalityParams:
        """Exactly one of code, medical_area and area; a 二次医療圏's code is its 4-digit code, an area's its A… code."""
        if sum(bool(x) for x in (self.code, self.medical_area, self.area)) > 1:
            raise ValueError("write only one subject, code (a municipality or prefecture), medical_area (a 二次医療圏) or area "
                             "(an area of areas.csv), not both")
        if not self.medical_area and not self.code and not self.area:
            raise ValueError("code is missing: write code: \"<5-digit code>\" (or medical_area: \"<4-digit code>\" for a 二次医療圏, "
                             "area: <code in areas.csv> for an area)")
        if self.medical_area:
            self.code = self.medical_area
        if self.area:
            self.code = self.area
        if self.comparison.area and (self.area or self.medical_area or self.code.endswith("000")):
            raise ValueError("comparison.area adds an area to a municipality's report; a 二次医療圏, prefecture or area "
                             "compares with the levels above it")
        if "overview" in self.reports and not (len(self.code) == 5 and self.code.endswith("000")):
            raise ValueError("the report overview (管内の市区町村の概要) is a prefecture's: list it only in a file whose code "
                             "is a prefecture's (e.g. code: \"40000\")")
        return self


def _key_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


class _DatesAsText(yaml.SafeLoader):
    """YAML without implicit timestamps: a date stays text, so an impossible one (2024-13-01) is
    reported by validation with its key instead of failing inside the YAML parser."""


class _FastDatesAsText(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same through libyaml where PyYAML has it (ten times faster: a batch reads every parameter
    file before it knows nothing changed); a file it refuses is read again by _DatesAsText, whose
    messages are the ones the documentation and tests quote."""


for _loader in (_DatesAsText, _FastDatesAsText):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

_MERGE_TAG = "tag:yaml.org,2002:merge"


def _duplicate_key(node: yaml.Node, path: tuple = (), seen: set | None = None) -> tuple[str, yaml.Node, yaml.Node] | None:
    """The first key written twice in one mapping: (key path, first, second); PyYAML keeps the last silently."""
    seen = set() if seen is None else seen
    if id(node) in seen:  # an alias to a node already walked
        return None
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: dict[tuple, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # `<<: *defaults` may be overridden on purpose
            if isinstance(key_node, yaml.ScalarNode):
                ident = (key_node.tag, key_node.value)
                if ident in keys:
                    return ".".join(map(str, (*path, key_node.value))), keys[ident], key_node
                keys[ident] = key_node
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            found = _duplicate_key(value_node, (*path, name), seen)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = _duplicate_key(item, (*path, index), seen)
            if found:
                return found
    return None


def _where(mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    """One line for a YAML syntax error: where, what, and for the common tab mistake what to do."""
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return f"not valid YAML ({str(exc).splitlines()[0]})"
    line = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" in indent:
        column = indent.index("\t") + 1
        return (f"line {mark.line + 1}, column {column}: a tab character is used for indentation; "
                "YAML indents with spaces only (replace the tab with spaces)")
    if "'\\t'" in str(getattr(exc, "problem", "")):
        return f"{_where(mark)}: a tab character is not allowed here; use spaces (YAML takes no tabs for layout)"
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    return f"{_where(mark)}: not valid YAML: {problem}" + (f" ({context})" if context else "")


def _read_yaml(path: Path) -> object:
    """The file's YAML document; InputError with the line and column of any problem."""
    if path.is_dir():
        raise InputError(path, "is a folder, expected a YAML parameter file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc}); expected a readable YAML file") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, f"line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                               "save the file as UTF-8 (Excel and Notepad: 'UTF-8')") from None
    try:
        return _yaml_document(path, text, _FastDatesAsText)
    except InputError:
        return _yaml_document(path, text, _DatesAsText)


def _yaml_document(path: Path, text: str, loader_class: type) -> object:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        duplicate = _duplicate_key(node) if node is not None else None
        if duplicate:
            key, first, second = duplicate
            raise InputError(path, f"{_where(second.start_mark)}: key written twice in the same mapping "
                                   f"(first at line {first.start_mark.line + 1}); keep one of them", key=key)
        return loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise InputError(path, _yaml_problem(exc, text)) from None
    finally:
        loader.dispose()


def load_params(path: str | Path) -> MunicipalityParams:
    """Read and validate one parameter file; InputError naming the file and key on any problem."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "parameter file not found")
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(path, "expected a YAML mapping with at least `code` and `name`")
    try:
        return MunicipalityParams.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            at = (err.get("ctx") or {}).get("at")  # a plan error about one part of its model (pdca._at): that part's key
            key = _key_path((*err["loc"], *at.split("."))) if at else _key_path(err["loc"]) or "code"
            message = "unknown key (not allowed here)" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
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


# The settings a new parameter file starts with, under its code and name (see starter_text).
_STARTER_SETTINGS = """\
comparison:
  medical_area: true   # 二次医療圏と比べる
  prefecture: true     # 都道府県と比べる
  national: true       # 全国と比べる
  peers: 5             # 類似自治体の数
reports: [resources, demand, scene_trends, pdca]
demand:
  rate_area: national
  scenario_rate_change: 0.10
# plan:                 # PDCA の計画（めざすべき姿・場面別の目標・指標）。例は params/ のサンプルを参照。
"""


def subject_yaml(code: str, name: str) -> str:
    """The parameter file's subject keys as the YAML emitter writes them.

    A name comes from a workbook cell or a published list: whatever it holds (a line break, a
    colon, ``disclosure:``), the emitter quotes it, so it reads back as the one string it was and
    can never become a setting. A 4-digit code is a 二次医療圏 (``medical_area:``).
    """
    key = "medical_area" if re.fullmatch(r"\d{4}", code) else "code"
    return yaml.safe_dump({key: code, "name": name}, allow_unicode=True, sort_keys=False, width=1_000_000)


def starter_text(code: str, name: str) -> str:
    """A new parameter file: a comment naming it, its subject, and the default settings to edit."""
    name = typed_text.checked(name)  # one line: the comment below must stay a comment
    return (f"# {name}（{code}）の在宅医療・介護連携 分析レポートの設定\n"
            "# 書式の説明は README.md の「自治体を追加する」を参照。\n" + subject_yaml(code, name) + _STARTER_SETTINGS)
