"""CSV templates a municipality keeps itself, and the packaged national reference values.

- indicator series (`code,indicator_id,fiscal_year,value[,numerator,denominator]`): any catalogue indicator by
  hand or from 見える化; a share (%) may carry its numerator and denominator, from which a 二次医療圏's or
  prefecture's share is computed (the value may then be left empty)
- 二次医療圏 and area (`code,medical_area_code,medical_area_name[,area_km2]`)
- areas the users work in (`area_code,area_name,kind,member_codes[,towns,source]`, areas.csv): 医師会区域,
  日常生活圏域, 在宅医療圏 or the users' own kind, each a set of municipalities of one prefecture
- PDCA activity counts (`code,activity_id,activity_name,fiscal_year,planned,actual,unit`)
- age-specific rates (`measure,sex,age_group,rate,unit,year,area,source`), e.g. death rates
- a local indicator catalogue (the packaged catalogue's columns, ids starting ``local_``): indicators
  the municipality tracks beyond the package (ACP認知度, 退院調整率 …), loaded through the indicator series
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis import catalogue
from analysis.codes import AREA_CODE, CodeError, normalize_code
from analysis.errors import InputError
from analysis.ingest import insurers
from analysis.ingest.importers.textfile import read_csv_text
from analysis.ingest.importers.values import to_number
from analysis.ingest.recognition import RawFile, Source, as_raw_file
from analysis.ingest.schema import AGE_GROUPS, NATIONAL_CODE, conform

TEMPLATE_SOURCE = "市町村の把握データ（担当課の記入表）"


def _codes(values: pd.Series, path: Path, column: str = "code") -> list[str]:
    out = []
    for i, value in enumerate(values):
        text = str(value).strip()
        if text in {"0", "00000"}:
            out.append(NATIONAL_CODE)
            continue
        try:
            out.append(normalize_code(text))
        except CodeError as exc:
            raise InputError(path, str(exc), row=i + 2, column=column) from None
    return out


def _integers(values: pd.Series, path: Path, column: str, low: int, high: int) -> list[int]:
    out = []
    for i, value in enumerate(values):
        text = str(value).strip()
        if not text.isdigit() or not low <= int(text) <= high:
            raise InputError(path, f"expected a year {low}–{high}, got {value!r}", row=i + 2, column=column)
        out.append(int(text))
    return out


def _require_text(raw: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    """An identifier or label cell left empty is an error naming its row."""
    for column in columns:
        empty = raw[column].str.strip().eq("")
        if empty.any():
            raise InputError(path, f"{column} is empty; every row needs one", row=int(empty.idxmax()) + 2, column=column)


def _reject_duplicates(frame: pd.DataFrame, keys: list[str], path: Path) -> None:
    duplicated = frame[frame.duplicated(keys, keep=False)]
    if not duplicated.empty:
        rows = ", ".join(str(i + 2) for i in duplicated.index[:4])
        first = duplicated.iloc[0]
        raise InputError(path, f"the same {'/'.join(keys)} ({', '.join(str(first[k]) for k in keys)}) appears in rows {rows}")


LOCAL_CHOICES = {
    "layer": tuple(catalogue.LAYER_LABELS),
    "kind": ("facilities", "persons", "events", "share"),
    "denominator": tuple(catalogue.DENOMINATOR_LABELS),
    "higher_is_better": ("true", "false"),
    "mieruka": ("true", "false"),
}


def read_local_catalogue(path: str | Path | RawFile) -> pd.DataFrame:
    """A municipality's own indicator catalogue: the packaged catalogue's columns, ids ``local_…``.

    Every problem is an InputError naming the row and column: an id that is a packaged one or
    lacks the prefix, a scene/layer/kind/denominator outside the catalogue's words, an empty label.
    """
    source = as_raw_file(path)
    path = Path(source.display)
    required = tuple(c for c in catalogue.INDICATOR_COLUMNS if c != "suppress_with")
    raw = read_csv_text(source, required_columns=required)
    raw = raw.assign(**{c: raw[c].str.strip() for c in raw.columns})
    if "suppress_with" not in raw:
        raw["suppress_with"] = ""
    for column in ("higher_is_better", "mieruka"):
        raw[column] = raw[column].str.lower()
    _require_text(raw, ("indicator_id", "label_ja", "scene", "unit", "source"), path)
    packaged = set(catalogue.packaged_indicators()["indicator_id"])
    scene_ids = set(catalogue.scenes()["scene"])
    for i, row in raw.iterrows():
        where = {"row": int(i) + 2}
        ident = row["indicator_id"]
        if ident in packaged:
            raise InputError(path, f"indicator_id {ident!r} is already a packaged indicator; give the local one its own id "
                                   f"starting with {catalogue.LOCAL_PREFIX!r}, or use the packaged one in the indicator series",
                             column="indicator_id", **where)
        if not re.fullmatch(re.escape(catalogue.LOCAL_PREFIX) + r"[a-z0-9_]+", ident):
            raise InputError(path, f"expected an id like {catalogue.LOCAL_PREFIX}acp_awareness (lower-case letters, digits and _ "
                                   f"after {catalogue.LOCAL_PREFIX!r}), got {ident!r}", column="indicator_id", **where)
        for scene in row["scene"].split(";"):
            if scene.strip() not in scene_ids:
                raise InputError(path, f"scene {scene.strip()!r} is not one of {', '.join(sorted(scene_ids))} "
                                       "(several scenes are joined with ';')", column="scene", **where)
        for column, allowed in LOCAL_CHOICES.items():
            if row[column] not in allowed:
                raise InputError(path, f"expected one of {', '.join(allowed)}, got {row[column]!r}", column=column, **where)
        if row["kind"] == "share" and row["denominator"] != "none":
            raise InputError(path, "a share is not divided by population: expected denominator none", column="denominator", **where)
    ids = raw["indicator_id"]
    for i, other in raw["suppress_with"].items():
        if other and other not in packaged | set(ids):
            raise InputError(path, f"suppress_with {other!r} is not an indicator id", row=int(i) + 2, column="suppress_with")
    _reject_duplicates(raw, ["indicator_id"], path)
    return raw.loc[:, list(catalogue.INDICATOR_COLUMNS)].reset_index(drop=True)


def read_indicator_series(path: str | Path | RawFile) -> pd.DataFrame:
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    raw = read_csv_text(source, required_columns=("code", "indicator_id", "fiscal_year", "value"))
    known = catalogue.indicators().set_index("indicator_id")
    ids = raw["indicator_id"].str.strip()
    unknown = ~ids.isin(known.index)
    if unknown.any():
        i = int(unknown.idxmax())
        where = ("neither in the indicator catalogue (src/analysis/catalogues/indicators.csv) nor in a local catalogue "
                 "(local_indicators.csv) in the raw folder" if ids.iloc[i].startswith(catalogue.LOCAL_PREFIX)
                 else "not in the indicator catalogue (src/analysis/catalogues/indicators.csv)")
        raise InputError(path, f"indicator_id {ids.iloc[i]!r} is {where}", row=i + 2, column="indicator_id")
    value = to_number(raw["value"], path=path, column="value", first_row=2)
    numerator, denominator = _share_parts(raw, ids, known["kind"], value, path)
    frame = pd.DataFrame({
        "code": _codes(raw["code"], path),
        "indicator_id": ids,
        "fiscal_year": _integers(raw["fiscal_year"], path, "fiscal_year", 1990, 2100),
        "value": value.where(value.notna() | numerator.isna(), 100 * numerator / denominator),
        "numerator": numerator,
        "denominator": denominator,
        # an empty unit cell means the catalogue unit, as when the column is left out
        "unit": raw["unit"].str.strip().replace("", pd.NA).fillna(ids.map(known["unit"])) if "unit" in raw else ids.map(known["unit"]),
        "source": raw["source"].replace("", TEMPLATE_SOURCE) if "source" in raw else TEMPLATE_SOURCE,
        "source_file": path.name,
        "as_of": raw["as_of"] if "as_of" in raw else "",
    })
    _reject_duplicates(frame, ["code", "indicator_id", "fiscal_year"], path)
    return conform(frame, "indicators", origin=str(path))


# A share written with one decimal, as 見える化 and the reports print it, differs from its parts by at most half of it
SHARE_ROUNDING = 0.05 + 1e-9


def _share_parts(raw: pd.DataFrame, ids: pd.Series, kinds: pd.Series, value: pd.Series, path: Path) -> tuple[pd.Series, pd.Series]:
    """The optional numerator and denominator columns, checked: a share's only, both or neither, the denominator
    above 0 and not below the numerator, and a value written beside them equal to 100 × numerator ÷ denominator."""
    parts = [to_number(raw[column], path=path, column=column, first_row=2) if column in raw
             else pd.Series(float("nan"), index=raw.index) for column in ("numerator", "denominator")]
    numerator, denominator = parts
    for i in raw.index[numerator.notna() | denominator.notna()]:
        row = int(i) + 2
        if kinds.get(ids[i]) != "share":
            raise InputError(path, f"numerator and denominator are for shares (%); {ids[i]!r} is a {kinds.get(ids[i])} "
                                   "indicator, leave them empty", row=row, column="numerator")
        if pd.isna(numerator[i]) or pd.isna(denominator[i]):
            missing = "numerator" if pd.isna(numerator[i]) else "denominator"
            raise InputError(path, "expected both the numerator and the denominator, or neither", row=row, column=missing)
        if denominator[i] <= 0 or numerator[i] > denominator[i]:
            raise InputError(path, f"expected a denominator above 0 and not below the numerator, got "
                                   f"{numerator[i]:g} / {denominator[i]:g}", row=row, column="denominator")
        share = 100 * numerator[i] / denominator[i]
        if pd.notna(value[i]) and abs(value[i] - share) > SHARE_ROUNDING:
            raise InputError(path, f"value {value[i]:g} is not 100 × {numerator[i]:g} ÷ {denominator[i]:g} = {share:.2f} "
                                   "(correct one of the three, or leave the value empty)", row=row, column="value")
    return numerator, denominator


def read_medical_areas(path: str | Path | RawFile) -> pd.DataFrame:
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    raw = read_csv_text(source, required_columns=("code", "medical_area_code", "medical_area_name"))
    _require_text(raw, ("medical_area_code", "medical_area_name"), path)
    area = pd.Series(float("nan"), index=raw.index)
    if "area_km2" in raw:
        area = to_number(raw["area_km2"], path=path, column="area_km2", first_row=2)
    if area.eq(0).any():  # the area divides population into density
        raise InputError(path, "expected an area in km² greater than 0 (leave the cell empty if unknown)",
                         row=int(area.eq(0).idxmax()) + 2, column="area_km2")
    frame = pd.DataFrame({
        "code": _codes(raw["code"], path),
        "medical_area_code": raw["medical_area_code"].str.strip(),
        "medical_area_name": raw["medical_area_name"].str.strip(),
        "area_km2": area,
    })
    _reject_duplicates(frame, ["code"], path)
    return frame


AREA_COLUMNS = ("area_code", "area_name", "kind", "member_codes")
AREA_KINDS = ("医師会区域", "日常生活圏域", "在宅医療圏")  # the usual kinds; any other one-line word is the users' own


def read_areas(path: str | Path | RawFile) -> pd.DataFrame:
    """areas.csv, one row per area, as one row per member: area_code, name, kind, code, towns, source, source_file, row.

    ``towns`` (optional column) restricts members that an area covers only in part, as
    ``<member code>:<町名>|<町名>…`` with ``;`` between members; only their facility list and map use it.
    Codes are checked against the municipality master by the pipeline (it has the master).
    """
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    raw = read_csv_text(source, required_columns=AREA_COLUMNS)
    _require_text(raw, AREA_COLUMNS, path)
    rows = []
    for i, record in raw.iterrows():
        row = int(i) + 2
        code = record["area_code"].strip()
        if not AREA_CODE.fullmatch(code):
            raise InputError(path, f"expected an area code of A and 1–15 capitals, digits or hyphens (e.g. A-CHIKUSUI), got {code!r}; "
                                   "the letter A keeps it apart from municipality (5 digits), 二次医療圏 (4) and prefecture codes",
                             row=row, column="area_code")
        for column in ("area_name", "kind"):
            if "\n" in record[column] or "\r" in record[column]:
                raise InputError(path, f"{column} must be one line", row=row, column=column)
        members = []
        for text in record["member_codes"].replace("；", ";").split(";"):
            if not text.strip():
                continue
            try:
                member = normalize_code(text.strip())
            except CodeError as exc:
                raise InputError(path, f"member code {text.strip()!r}: {exc}", row=row, column="member_codes") from None
            if member in members:
                raise InputError(path, f"member {member} is listed twice", row=row, column="member_codes")
            members.append(member)
        if not members:
            raise InputError(path, "no member code; list the municipality codes separated by ; (e.g. 40901;40902)",
                             row=row, column="member_codes")
        prefectures = sorted({m[:2] for m in members})
        if len(prefectures) > 1:
            # one prefecture: an area is compared with its prefecture, and its sums join that prefecture's one
            # disclosure decision; 郡市医師会 and 圏域 belong to one prefecture
            raise InputError(path, f"members are in more than one prefecture ({', '.join(prefectures)}); an area lies in one "
                                   "prefecture (make one area per prefecture)", row=row, column="member_codes")
        towns = _area_towns(record.get("towns", ""), members, path, row)
        rows += [{"area_code": code, "name": record["area_name"].strip(), "kind": record["kind"].strip(), "code": member,
                  "towns": towns.get(member, ""), "source": (record.get("source") or "").strip(), "row": row} for member in members]
    frame = pd.DataFrame(rows, columns=["area_code", "name", "kind", "code", "towns", "source", "row"])
    codes = frame.groupby("area_code")["row"].nunique()
    if (codes > 1).any():
        code = codes[codes > 1].index[0]
        found = sorted(frame.loc[frame["area_code"] == code, "row"].unique())
        raise InputError(path, f"area code {code} appears in rows {', '.join(map(str, found))}; give each area one row",
                         row=int(found[-1]), column="area_code")
    return frame.assign(source_file=str(path))


def _area_towns(text: str | None, members: list[str], path: Path, row: int) -> dict[str, str]:
    """member code → its 町名 joined by |, from the towns cell ``40901:本町|大手町;40902:…``."""
    out: dict[str, str] = {}
    for entry in str(text or "").replace("；", ";").split(";"):
        if not entry.strip():
            continue
        code, sep, names = entry.replace("：", ":").partition(":")
        towns = [t.strip() for t in names.replace("｜", "|").split("|") if t.strip()]
        if not sep or not towns:
            raise InputError(path, f"expected <member code>:<町名>|<町名> (e.g. 40901:本町|大手町), got {entry.strip()!r}",
                             row=row, column="towns")
        try:
            code = normalize_code(code.strip())
        except CodeError as exc:
            raise InputError(path, f"{entry.strip()!r}: {exc}", row=row, column="towns") from None
        if code not in members:
            raise InputError(path, f"{code} has 町名 but is not in member_codes of this row", row=row, column="towns")
        if code in out:
            raise InputError(path, f"{code} has two 町名 lists; write its 町名 once, separated by |", row=row, column="towns")
        out[code] = "|".join(dict.fromkeys(towns))
    return out


def read_activities(path: str | Path | RawFile) -> pd.DataFrame:
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    raw = read_csv_text(source, required_columns=("code", "activity_id", "activity_name", "fiscal_year", "planned", "actual"))
    _require_text(raw, ("activity_id", "activity_name"), path)
    frame = pd.DataFrame({
        "code": _codes(raw["code"], path),
        "activity_id": raw["activity_id"].str.strip(),
        "activity_name": raw["activity_name"].str.strip(),
        "fiscal_year": _integers(raw["fiscal_year"], path, "fiscal_year", 1990, 2100),
        "planned": to_number(raw["planned"], path=path, column="planned", first_row=2),
        "actual": to_number(raw["actual"], path=path, column="actual", first_row=2),
        "unit": raw["unit"].str.strip() if "unit" in raw else "",
        "program_item": _program_items(raw, path),
        "scene": _activity_scenes(raw, path),
        "audience": raw["audience"].str.strip() if "audience" in raw else "",
    })
    _reject_duplicates(frame, ["code", "activity_id", "fiscal_year"], path)
    return conform(frame, "activities", origin=str(path))


PROGRAM_ITEMS = catalogue.PROGRAM_ITEMS


def program_item(text: str) -> str | None:
    """'カ', '(カ)', '（カ）医療・介護関係者の研修' or the label alone → 'カ'; None when it names no item."""
    text = text.strip().replace("工", "エ")  # the kanji 工 looks like the katakana エ (as in printed copies)
    if not text:
        return ""
    bare = text.strip("()（） ")
    if bare[:1] in PROGRAM_ITEMS and (len(bare) == 1 or bare[1:2] in ")）" or text[:1] in "(（"):
        return bare[:1]
    for letter, label in PROGRAM_ITEMS.items():
        if label in text:
            return letter
    return None


def _program_items(raw: pd.DataFrame, path: Path) -> list[str]:
    if "program_item" not in raw:
        return [""] * len(raw)
    out = []
    for i, value in enumerate(raw["program_item"]):
        letter = program_item(value)
        if letter is None:
            raise InputError(path, f"expected a 事業項目 ア〜ク (e.g. カ or （カ）医療・介護関係者の研修), got {value!r}",
                             row=i + 2, column="program_item")
        out.append(letter)
    return out


def scene_id(text: str) -> str | None:
    """A scene id or its Japanese label → the scene id; None when neither."""
    table = catalogue.scenes()
    text = text.strip()
    if text in set(table["scene"]):
        return text
    by_label = dict(zip(table["label_ja"], table["scene"]))
    return by_label.get(text)


def _activity_scenes(raw: pd.DataFrame, path: Path) -> list[str]:
    if "scene" not in raw:
        return [""] * len(raw)
    out = []
    for i, value in enumerate(raw["scene"]):
        parts = [p for p in re.split(r"[;；、・]", value) if p.strip()] if value.strip() else []
        ids = [scene_id(p) for p in parts]
        if None in ids:
            raise InputError(path, f"expected scenes such as daily_care or 日常の療養支援 (several joined with ';'), got {value!r}",
                             row=i + 2, column="scene")
        out.append(";".join(ids))
    return out


def read_rates(path: str | Path | RawFile) -> pd.DataFrame:
    source = as_raw_file(path)
    path = Path(source.display)  # names the file (or ZIP member) in messages and source_file
    raw = read_csv_text(source, required_columns=("measure", "sex", "age_group", "rate", "unit", "year", "area", "source"))
    _require_text(raw, ("measure",), path)
    bad_sex = ~raw["sex"].isin(["male", "female", "total"])
    if bad_sex.any():
        i = int(bad_sex.idxmax())
        raise InputError(path, f"sex must be male, female or total, got {raw['sex'].iloc[i]!r}", row=i + 2, column="sex")
    frame = raw.assign(
        rate=to_number(raw["rate"], path=path, column="rate", first_row=2),
        year=_integers(raw["year"], path, "year", 1990, 2100),
        area=_codes(raw["area"], path, "area"),
    )
    valid_ages = set(AGE_GROUPS) | {f"{a}+" for a in range(0, 100, 5)} | {"all"}
    bad_age = ~frame["age_group"].isin(valid_ages)
    if bad_age.any():
        i = int(bad_age.idxmax())
        raise InputError(path, f"age_group must look like 75-79 or 90+, got {frame['age_group'].iloc[i]!r}", row=i + 2, column="age_group")
    _reject_duplicates(frame, ["measure", "sex", "age_group", "year", "area"], path)
    return conform(frame, "reference_rates", origin=str(path))


def read_insurers(path: str | Path | RawFile) -> pd.DataFrame:
    """The raw folder's multi-municipality insurers (catalogues/insurers.csv's columns); its rows replace the packaged ones."""
    source = as_raw_file(path)
    raw = read_csv_text(source, required_columns=insurers.REQUIRED_COLUMNS)
    return insurers.parse_catalogue(raw, source.display)


def read_package_reference_values() -> pd.DataFrame:
    """Age-specific national values shipped with the package, in the reference_rates schema."""
    frame = catalogue.national_reference_values()
    rates = frame[frame["age_group"] != "all"]
    return conform(
        rates.assign(rate=rates["value"], year=rates["year"].astype(int), area=NATIONAL_CODE),
        "reference_rates",
    )


def _has_columns(*columns: str):
    def matches(file: RawFile) -> bool:
        return set(columns) <= file.header
    return matches


_OWN = "自治体で作成（README「実データを使う」の書式）"
SOURCES = (
    Source("indicator_series", "自治体で把握している指標（見える化などからの転記）", "CSV: code,indicator_id,fiscal_year,value", _OWN,
           "見える化・人口動態などの指標（03・04）", _has_columns("code", "indicator_id", "fiscal_year", "value")),
    Source("local_catalogue", "地域独自の指標のカタログ", "CSV: indicator_id,label_ja,scene,layer,unit,kind,denominator,higher_is_better,source,mieruka",
           _OWN, "地域独自の指標の名称・場面・単位（03・04）", _has_columns("indicator_id", "label_ja", "scene", "layer", "kind")),
    Source("activities", "事業の実績（研修回数・相談件数など）", "CSV: code,activity_id,activity_name,fiscal_year,planned,actual,unit[,program_item,scene,audience]", _OWN,
           "取組（Do）の実績（04）", _has_columns("code", "activity_id", "fiscal_year")),
    Source("medical_areas", "二次医療圏と面積", "CSV: code,medical_area_code,medical_area_name,area_km2", _OWN,
           "二次医療圏との比較（01・03）、人口密度（類似自治体）", _has_columns("code", "medical_area_code")),
    Source("areas", "地域の区域（医師会区域・日常生活圏域など）の構成市町村", "CSV: area_code,area_name,kind,member_codes[,towns,source]", _OWN,
           "区域を主体にしたレポート（01〜03。構成市町村の合計）", _has_columns("area_code", "area_name", "member_codes")),
    Source("insurers", "広域の介護保険者（広域連合・一部事務組合）の構成市町村", "CSV: pref_code,insurer_name,member_codes[,member_names,as_of,basis,source]",
           _OWN, "介護保険事業状況報告（年報）の保険者と市町村の対応（パッケージの表にない・変わった広域の保険者）",
           _has_columns("pref_code", "insurer_name", "member_codes")),
    Source("rates", "年齢別の率（死亡率など）", "CSV: measure,sex,age_group,rate,unit,year,area,source", _OWN,
           "将来需要の推計（02）の率", _has_columns("measure", "sex", "age_group", "rate")),
)
