"""The processed data model: table names, their columns and types.

Every importer returns frames with these columns and ``zaitaku ingest`` writes one
Parquet file per table into ``data/processed/``. Codes are 5-character strings
everywhere (prefecture totals are ``NN000``; the whole country is ``00000``).
"""

from __future__ import annotations

import pandas as pd

from analysis.errors import InputError

NATIONAL_CODE = "00000"

SEXES = ("male", "female")
AGE_GROUPS = tuple(f"{a}-{a + 4}" for a in range(0, 95, 5)) + ("95+",)

# column -> pandas dtype ("string", "Int64", "float64", "bool")
TABLES: dict[str, dict[str, str]] = {
    "municipalities": {
        "code": "string",            # 5-digit key
        "code6": "string",           # with check digit
        "pref_code": "string",       # 2 digits
        "pref_name": "string",
        "name": "string",
        "kana": "string",
        "kind": "string",            # prefecture / designated_city / ward / city / town / village / special_ward
        "parent_code": "string",     # for a ward of a designated city: the city's code; else empty
        "medical_area_code": "string",
        "medical_area_name": "string",
        "area_km2": "float64",
        "source": "string",
        "as_of": "string",
    },
    "population": {
        "code": "string",
        "year": "Int64",
        "sex": "string",             # male / female
        "age_group": "string",       # 0-4 … 90-94, 95+
        "population": "float64",
        "is_projection": "bool",
        "source": "string",
        "as_of": "string",
    },
    "facilities": {
        "facility_id": "string",     # stable id from the source (事業所番号, 医療情報ネット ID, 医療機関コード)
        "name": "string",
        "facility_type": "string",   # resource_id of the facility's base type (catalogue)
        "code": "string",
        "address": "string",
        "lat": "float64",
        "lon": "float64",
        "capabilities": "string",    # ';'-joined resource_ids from notifications (支援診 …); empty: none notified;
                                     # missing: no 名簿 of the prefecture was loaded (unknown)
        "source": "string",
        "source_file": "string",
        "as_of": "string",
        "institution_code": "string",  # 医療機関コード (10 digits) from the source or the 名簿 matched; else missing
        "service_code": "string",    # 介護 サービスコード (3 digits) of the file the office came from; missing for others
        "capacity": "float64",       # 定員 as published: missing where the cell is blank, 0 where it says 0 (both mean
                                     # "not stated", never a capacity of zero: measures.capacity); missing for non-介護
    },
    "resource_counts": {
        "code": "string",
        "resource_id": "string",
        "count": "Int64",
        "source": "string",
        "as_of": "string",
    },
    "edition_counts": {              # resource_counts of every edition in the raw folder, the newest included
        "code": "string",
        "resource_id": "string",
        "count": "Int64",
        "source": "string",
        "as_of": "string",           # the edition's as-of date
    },
    "facility_changes": {            # facilities that appeared in / disappeared from the newest edition since the one before
        "code": "string",
        "resource_id": "string",
        "facility_id": "string",     # 事業所番号, 医療情報ネット ID or 医療機関コード (名簿)
        "name": "string",
        "address": "string",
        "start_date": "string",      # 名簿: 算定開始年月日 as published (ISO); else empty
        "change": "string",          # appeared / disappeared
        "previous_as_of": "string",
        "as_of": "string",           # the newest edition's as-of date
        "source": "string",
    },
    "support_types": {               # 在支診・在支病 by type (機能強化型 単独型・連携型 / 従来型) from the 名簿's 受理記号
        "code": "string",
        "resource_id": "string",     # home_care_support_clinics / home_care_support_hospitals
        "support_type": "string",    # 機能強化型（単独型） / 機能強化型（連携型） / 従来型
        "count": "Int64",            # distinct institutions
        "source": "string",
        "as_of": "string",
    },
    "indicators": {
        "code": "string",
        "indicator_id": "string",
        "fiscal_year": "Int64",
        "value": "float64",          # NaN where the source suppressed the cell
        # a share's parts where the source gives them (the indicator template's optional columns): a 二次医療圏 or
        # prefecture's share is its members' numerators over their denominators (measures.indicators.level_values)
        "numerator": "float64",
        "denominator": "float64",
        "unit": "string",
        "source": "string",
        "source_file": "string",
        "as_of": "string",
    },
    "activities": {
        "code": "string",
        "activity_id": "string",
        "activity_name": "string",
        "fiscal_year": "Int64",
        "planned": "float64",
        "actual": "float64",
        "unit": "string",
        "program_item": "string",    # 事業項目 ア〜ク; empty when the template leaves it out
        "scene": "string",           # ';'-joined scene ids the activity serves; may be empty
        "audience": "string",        # 住民・医療・介護関係者 …; free text, may be empty
    },
    "local_indicators": {            # the raw folder's local indicator catalogue (catalogue.INDICATOR_COLUMNS)
        "indicator_id": "string",
        "label_ja": "string",
        "scene": "string",
        "layer": "string",
        "unit": "string",
        "kind": "string",
        "denominator": "string",
        "higher_is_better": "string",
        "source": "string",
        "mieruka": "string",
        "suppress_with": "string",
    },
    "areas": {                       # areas.csv: groupings the users work in (医師会区域, 日常生活圏域 …), one row each
        "area_code": "string",       # A + capitals, digits or hyphens (measures.areas.AREA_CODE): never a numeric code
        "name": "string",
        "kind": "string",            # 医師会区域 / 日常生活圏域 / 在宅医療圏 or the user's own word
        "pref_code": "string",       # every member is in this one prefecture
        "source": "string",
        "source_file": "string",
    },
    "area_members": {                # area → member municipality; towns restrict only its facility list and map
        "area_code": "string",
        "code": "string",            # a basic municipality (a designated city whole)
        "towns": "string",           # 町名 separated by |; empty when the whole municipality belongs to the area
    },
    "insurers": {                    # 介護保険の保険者 of the 年報 (one municipality, or a 広域連合・一部事務組合 of several)
        "insurer_id": "string",      # a single municipality's code; K + smallest member code for a multi-municipality insurer; 00000 全国
        "pref_code": "string",
        "name": "string",            # as the 年報 print it (NFKC, no spaces)
        "kind": "string",            # single / multi / national
        "member_count": "Int64",
        "source": "string",          # where the membership is documented
    },
    "insurer_members": {             # insurer → member municipality; an insurer's figures are never split among members
        "insurer_id": "string",
        "code": "string",
        "name": "string",
        "source": "string",
    },
    "insurer_values": {              # 介護保険事業状況報告（年報） 保険者別 tables, tidy
        "insurer_id": "string",
        "fiscal_year": "Int64",      # the year ending on as_of (年度末現在)
        "table_id": "string",        # 02h, 04-1-1h … (importers.kaigo_nenpo.TABLES)
        "measure": "string",         # first_insured_persons / certified_persons
        "category": "string",        # as published: 計, 65歳以上75歳未満 … / 総数, (再掲)第1号被保険者 65歳以上70歳未満 …
        "care_level": "string",      # as published: 要支援1 … 要介護5, 合計; empty where the table has none
        "value": "float64",
        "unit": "string",
        "as_of": "string",
        "as_of_basis": "string",     # in_file (a title names the year) / path (the folder or file name does)
        "source": "string",
        "source_file": "string",
    },
    "ndb_values": {                  # NDBオープンデータ「C 在宅医療」: one row per procedure code × area × round × measure × section
        "section": "string",         # 医科 / 歯科
        "area_level": "string",      # national / prefecture / medical_area / medical_area_unassigned (二次医療圏判別不可)
        "area_code": "string",       # 00000; NN000 for a prefecture; 4 digits as the round published them for a 二次医療圏; 0000 判別不可
        "area_name": "string",       # as the round published it (二次医療圏 change between 医療計画)
        "pref_code": "string",       # empty for the nation and 判別不可
        "fiscal_year": "Int64",      # the service year (第1回 = 2014 … round n = 2013 + n)
        "round": "Int64",
        "measure": "string",         # claims (算定回数) / patients (患者数, from 第9回)
        "procedure_code": "string",  # 診療行為コード (9 digits)
        "procedure_name": "string",  # as published in the round
        "points": "float64",         # 点数
        "class_code": "string",      # 分類コード (C000 …), carried down its group
        "class_name": "string",
        "addition_kind": "string",   # 加算 group of the 全体（加算） sheet; empty on 全体
        "addition_code": "string",   # 加算コード (歯科 from 第7回)
        "sheet": "string",           # 全体 / 全体（加算）
        "value": "float64",          # NaN where missing_reason says why
        "missing_reason": "string",  # 10未満のため非公表 … for a 「‐」; empty for a published count
        "as_of": "string",           # end of the service year
        "source": "string",
        "source_file": "string",
    },
    "ndb_indicators": {              # the catalogue indicators of catalogues/ndb_procedures.csv, summed from ndb_values
        "indicator_id": "string",
        "area_level": "string",
        "area_code": "string",
        "area_name": "string",
        "pref_code": "string",
        "fiscal_year": "Int64",
        "round": "Int64",
        "measure": "string",
        "value": "float64",          # NaN when a part is not published
        "missing_reason": "string",
        "codes": "Int64",            # procedure codes of the round that make it
        "unit": "string",
        "as_of": "string",
        "source": "string",
    },
    "reference_rates": {
        "measure": "string",
        "sex": "string",             # male / female / total
        "age_group": "string",
        "rate": "float64",
        "unit": "string",
        "year": "Int64",
        "area": "string",            # '00000' national or a prefecture total code
        "source": "string",
    },
}


def empty_table(name: str) -> pd.DataFrame:
    """An empty frame with the table's columns and dtypes."""
    return pd.DataFrame({col: pd.Series(dtype=dtype) for col, dtype in TABLES[name].items()})


def conform(frame: pd.DataFrame, name: str, *, origin: str | None = None) -> pd.DataFrame:
    """Columns in schema order with schema dtypes; InputError naming the missing columns."""
    columns = TABLES[name]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(origin, f"table {name} lacks column(s) {', '.join(missing)}")
    out = frame.loc[:, list(columns)].copy()
    for col, dtype in columns.items():
        if dtype == "string":
            out[col] = out[col].astype("string")
        elif dtype == "Int64":
            out[col] = pd.to_numeric(out[col]).round().astype("Int64")
        elif dtype == "float64":
            out[col] = pd.to_numeric(out[col]).astype("float64")
        elif dtype == "bool":
            out[col] = out[col].astype(bool)
    return out.reset_index(drop=True)
