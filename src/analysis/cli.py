"""The `zaitaku` command: ingest raw data, manage parameter files, run the reports."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from analysis.batch.tasks import DEFAULT_CELL_SECONDS, DEFAULT_MUNICIPALITY_SECONDS
from analysis.errors import InputError


def _cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.ingest import ingest
    from analysis.reporting.sources import source_statuses

    started = time.perf_counter()
    rows = ingest(args.raw, args.out, echo=print)
    for table, count in rows.items():
        print(f"  {table:16s} {count:>9,d} 行")
    print(f"取込完了: {args.out}（{time.perf_counter() - started:.1f} 秒）")
    missing = [status.line for status in source_statuses(args.out) if not status.found]
    if missing:
        print("まだ取り込んでいないデータ（zaitaku sources で一覧できます）:")
        for line in missing:
            print(f"  {line}")
    return 0


def _cmd_sources(args: argparse.Namespace) -> int:
    from analysis.reporting.sources import source_statuses

    for status in source_statuses(args.processed):
        print(status.line)
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from analysis.sample.world import write_sample

    paths = write_sample(Path(args.out))
    print(f"架空のサンプルデータを {len(paths)} ファイル書き出しました: {args.out}")
    return 0


def _cmd_params_new(args: argparse.Namespace) -> int:
    from analysis.codes import normalize_code
    from analysis.measures.areas import is_medical_area_code
    from analysis.atomic import replaced_file
    from analysis.measures.medical_areas import data_for
    from analysis.reporting.params import load_params, starter_text

    # four digits: a 二次医療圏 (prefecture code + area number), written as medical_area:
    area = is_medical_area_code(str(args.code).strip())
    code = str(args.code).strip() if area else normalize_code(args.code)
    data = data_for(args.processed, code)
    row = data.municipality(code)
    name = str(row["name"])
    target = Path(args.dir) / f"{code}_{args.slug or name}.yaml"
    if target.exists() and not args.overwrite:
        raise InputError(target, "already exists (use --overwrite to replace it)")
    try:
        text = starter_text(code, name)
    except ValueError as exc:
        raise InputError(args.processed, f"the name of {code} in the processed data cannot head a parameter file: {exc}") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    with replaced_file(target) as temporary:
        temporary.write_text(text, encoding="utf-8")
        try:
            load_params(temporary)  # what is written reads back as a valid file, or nothing is written
        except InputError as exc:
            raise InputError(target, exc.problem, key=exc.key) from None
    print(f"書き出しました: {target}")
    from analysis.reporting.sources import incomplete_reports

    print(f"{name}のレポートで、今のデータでは作れない部分:")
    for line in incomplete_reports(args.processed, code):
        print(f"  {line}")
    return 0


def _cmd_params_check(args: argparse.Namespace) -> int:
    from analysis.reporting.params import load_params, params_files

    files = [Path(p) for p in args.files] or params_files(args.dir)
    failures = 0
    for path in files:
        try:
            params = load_params(path)
            print(f"OK    {path.name}: {params.code} {params.name}")
        except InputError as exc:
            failures += 1
            print(f"エラー {exc}")
    print(f"{len(files) - failures}/{len(files)} ファイルが有効です")
    return 1 if failures else 0


def _cmd_run(args: argparse.Namespace) -> int:
    from analysis.batch.runner import BatchOptions, run_batch, summary
    from analysis.batch.stopping import BatchStopped
    from analysis.reporting.params import params_files

    if args.all:
        paths = params_files(args.params_dir)
    elif args.params:
        paths = [Path(p) for p in args.params]  # a missing one fails only its municipality
    else:
        raise InputError(None, "name parameter files (zaitaku run params/40203_久留米市.yaml) or use --all")
    if not paths:
        raise InputError(args.params_dir, "no parameter files (*.yaml) found")
    if args.pdf:
        from analysis.reporting.pdf import pdf_unavailable

        missing = pdf_unavailable()
        if missing:  # said before any report runs, not once per municipality
            raise InputError(None, missing)
    options = BatchOptions(
        notebooks_dir=Path(args.notebooks),
        processed_dir=Path(args.processed),
        reports_dir=Path(args.reports),
        jobs=args.jobs,
        force=args.force,
        disclosure_control=not args.no_suppression,
        executor=args.executor,
        scheduler=args.scheduler,
        warm_kernels=not args.fresh_kernels,
        cell_timeout=args.cell_timeout,
        municipality_timeout=args.municipality_timeout,
        debug_dir=Path(args.debug_dir) if args.debug_dir else None,
        lock=not args.no_lock,
        pdf=args.pdf,
    )
    from analysis.ingest.processed import METADATA_FILE

    if not (options.processed_dir / METADATA_FILE).exists():
        raise InputError(options.processed_dir, "no processed data; run `zaitaku ingest` first")
    started = time.perf_counter()
    stopped = None
    try:
        results = run_batch(paths, options)
    except BatchStopped as exc:
        stopped, results = exc, exc.results
    counts = summary(results)
    print(
        ("中断しました: " if stopped else "")
        + f"完了 {counts['ok']}・変更なし {counts['skipped']}・失敗 {counts['failed']}"
        + (f"・中断 {counts['stopped']}" if stopped else "")
        + f"（{time.perf_counter() - started:.1f} 秒）"
    )
    print(f"一覧: {(options.reports_dir / 'index.html').resolve()}")
    for result in results:
        if result.status in ("failed", "stopped"):
            label = "失敗" if result.status == "failed" else "中断"
            print(f"  {label}: {result.folder_name}: {result.error}", file=sys.stderr)
    if stopped:
        return stopped.exit_code
    return 1 if counts["failed"] else 0


def _plan_latest(processed: str, code: str, options=None):
    """The municipality's latest indicator values for the workbook's reference columns (None without processed data),
    hidden as the reports hide them: with the parameter file's disclosure rules, or the default ones."""
    from analysis.ingest.processed import METADATA_FILE, ProcessedData
    from analysis.measures.disclosure import DisclosureRules
    from analysis.reporting.plan_workbook import latest_values

    if not (Path(processed) / METADATA_FILE).exists():
        return None
    rules = DisclosureRules(options)
    # the workbook travels: rules weaker than the default (which make the reports internal) never set what it shows
    return latest_values(ProcessedData(processed), code, rules if rules.distributable else DisclosureRules())


def _cmd_plan_template(args: argparse.Namespace) -> int:
    from analysis.codes import normalize_code
    from analysis.ingest.processed import ProcessedData
    from analysis.reporting.params import slug
    from analysis.reporting.plan_workbook import write_workbook

    code = normalize_code(args.code)
    name = ProcessedData(args.processed).municipality(code)["name"]
    out = Path(args.out or f"{code}_{slug(name)}_計画.xlsx")
    write_workbook(out, code, name, None, _plan_latest(args.processed, code))
    print(f"計画の記入用ファイルを書き出しました: {out}")
    return 0


def _cmd_plan_export(args: argparse.Namespace) -> int:
    from analysis.reporting.params import load_params
    from analysis.reporting.plan_workbook import write_workbook

    params = load_params(args.params)
    out = Path(args.out or Path(args.params).with_suffix(".xlsx").name)
    write_workbook(out, params.code, params.name, params.plan, _plan_latest(args.processed, params.code, params.disclosure))
    print(f"計画を Excel に書き出しました: {out}")
    return 0


def _cmd_plan_import(args: argparse.Namespace) -> int:
    from analysis.ingest.processed import METADATA_FILE, ProcessedData
    from analysis.reporting.params import params_files, slug
    from analysis.reporting.plan_workbook import read_workbook, write_params

    if (Path(args.processed) / METADATA_FILE).exists():
        ProcessedData(args.processed)  # its local indicators: their labels in the workbook name them
    code, name, plan = read_workbook(args.workbook)
    if args.out:
        target = Path(args.out)
    else:
        existing = [p for p in params_files(args.dir) if p.name.startswith(f"{code}_")]
        target = existing[0] if existing else Path(args.dir) / f"{code}_{slug(name)}.yaml"
    write_params(target, code, name, plan)
    print(f"計画を設定ファイルに書き込みました: {target}（目標 {len(plan.goals)}・取組 {len(plan.activities)}）")
    return 0


def _cmd_check_history(args: argparse.Namespace) -> int:
    from analysis.measures.history import changes_table
    from analysis.measures.pdca import STATUS_SHORT
    from analysis.reporting.check_history import history_dir, read_records
    from analysis.reporting.params import load_params

    from analysis.ingest.processed import METADATA_FILE, ProcessedData

    params = load_params(args.params)
    if (Path(args.processed) / METADATA_FILE).exists():
        ProcessedData(args.processed)  # its local indicators: their names instead of their ids
    folder = history_dir(args.params)
    records = read_records(folder)
    if not records:
        print(f"{params.name}（{params.code}）の確認の記録はまだありません（{folder}）。"
              "zaitaku run で報告4を配布用に作ると記録されます。")
        return 0
    print(f"{params.name}（{params.code}）の確認の記録: {folder}（{len(records)} 件）")
    for name, record in records:
        years = sorted({y for y in record["latest_year"] if y})
        counts = record.drop_duplicates("indicator_id")["status"].map(lambda s: STATUS_SHORT.get(s, s)).value_counts()
        print(f"  {record['checked_on'].iloc[0] if len(record) else name}  {name}  "
              f"データ {'・'.join(years) + '年度' if years else 'なし'}  "
              + "・".join(f"{status} {count}" for status, count in counts.items()))
    for (_, before), (name, now) in zip(records, records[1:]):
        print(f"{before['checked_on'].iloc[0]} → {now['checked_on'].iloc[0]}:")
        for row in changes_table(now, ("", before)).itertuples():
            change = row.判定の変化 or "—"
            print(f"  {row.指標}: {row.前回の判定 or '—'}（{row.前回の最新年度 or '—'}年度 {row.前回の最新値 or '—'}）→ "
                  f"{row.今回の判定}（{row.今回の最新年度 or '—'}年度 {row.今回の最新値 or '—'}） {change}・{row.変化のもと}")
    return 0


def _at_least_one(text: str) -> int:
    """argparse type of --jobs: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"1 以上の整数を指定してください（指定された値: {text}）")
    return value


def _seconds(text: str) -> float:
    """argparse type of the time limits: a number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"0 より大きい秒数を指定してください（指定された値: {text}）")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zaitaku", description="在宅医療・介護連携 PDCA ワークベンチ")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="raw files as published → data/processed/ (Parquet)")
    ingest.add_argument("--raw", default="data/raw/sample")
    ingest.add_argument("--out", default="data/processed")
    ingest.set_defaults(func=_cmd_ingest)

    sources = sub.add_parser("sources", help="each data source: loaded (files, dates, rows) or missing (what needs it, where to get it)")
    sources.add_argument("--processed", default="data/processed")
    sources.set_defaults(func=_cmd_sources)

    sample = sub.add_parser("sample", help="write the fictional sample dataset (架空のサンプルデータ)")
    sample.add_argument("--out", default="data/raw/sample")
    sample.set_defaults(func=_cmd_sample)

    params = sub.add_parser("params", help="parameter files")
    params_sub = params.add_subparsers(dest="params_command", required=True)
    new = params_sub.add_parser("new", help="write a starter parameter file for a municipality, prefecture (NN000) "
                                                   "or 二次医療圏 (4 digits) in the processed data")
    new.add_argument("code")
    new.add_argument("--processed", default="data/processed")
    new.add_argument("--dir", default="params")
    new.add_argument("--slug", help="file name part after the code (default: the municipality name)")
    new.add_argument("--overwrite", action="store_true")
    new.set_defaults(func=_cmd_params_new)
    check = params_sub.add_parser("check", help="validate parameter files")
    check.add_argument("files", nargs="*")
    check.add_argument("--dir", default="params")
    check.set_defaults(func=_cmd_params_check)

    plan = sub.add_parser("plan", help="the plan (PDCA) as an Excel workbook: template, import, export")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    template = plan_sub.add_parser("template", help="write an empty plan workbook with drop-down lists and the latest values")
    template.add_argument("code")
    template.add_argument("--processed", default="data/processed")
    template.add_argument("--out", help="workbook to write (default: <code>_<name>_計画.xlsx)")
    template.set_defaults(func=_cmd_plan_template)
    plan_import = plan_sub.add_parser("import", help="validate a plan workbook and write its plan into the parameter file")
    plan_import.add_argument("workbook")
    plan_import.add_argument("--dir", default="params", help="folder of the parameter files")
    plan_import.add_argument("--out", help="parameter file to write (default: the code's file in --dir)")
    plan_import.add_argument("--processed", default="data/processed", help="processed data whose local indicators the workbook may name")
    plan_import.set_defaults(func=_cmd_plan_import)
    export = plan_sub.add_parser("export", help="write a parameter file's plan as the plan workbook")
    export.add_argument("params")
    export.add_argument("--processed", default="data/processed")
    export.add_argument("--out", help="workbook to write (default: <parameter file name>.xlsx)")
    export.set_defaults(func=_cmd_plan_export)

    checks = sub.add_parser("check", help="the checks (report 04) kept beside a parameter file")
    checks_sub = checks.add_subparsers(dest="check_command", required=True)
    history = checks_sub.add_parser("history", help="list the kept checks of a parameter file and what changed between them")
    history.add_argument("params", help="parameter file (its checks are in params/history/<its name>/)")
    history.add_argument("--processed", default="data/processed", help="processed data whose local indicators the records name")
    history.set_defaults(func=_cmd_check_history)

    run = sub.add_parser("run", help="run the report notebooks and write HTML")
    run.add_argument("params", nargs="*", help="parameter files")
    run.add_argument("--all", action="store_true", help="every file in --params-dir")
    run.add_argument("--jobs", type=_at_least_one, default=os.cpu_count() or 1, help="parallel workers (1 or more)")
    run.add_argument("--force", action="store_true", help="re-run even when nothing changed")
    run.add_argument("--no-suppression", action="store_true",
                     help="internal run without disclosure control (reports say 配布しないでください)")
    run.add_argument("--fresh-kernels", action="store_true",
                     help="start a new kernel for every notebook instead of one reset kernel per municipality")
    run.add_argument("--executor", choices=["process", "dask"], default="process")
    run.add_argument("--scheduler", help="Dask scheduler address for --executor dask")
    run.add_argument("--cell-timeout", type=_seconds, default=DEFAULT_CELL_SECONDS, metavar="SECONDS",
                     help=f"time limit of any one cell (default {DEFAULT_CELL_SECONDS:g}); "
                          "a parameter file's time_limits.cell_seconds wins for its municipality")
    run.add_argument("--municipality-timeout", type=_seconds, default=DEFAULT_MUNICIPALITY_SECONDS, metavar="SECONDS",
                     help=f"time limit of all reports of one municipality (default {DEFAULT_MUNICIPALITY_SECONDS:g}); "
                          "a parameter file's time_limits.municipality_seconds wins for its municipality")
    run.add_argument("--debug-dir", help="where executed notebooks of failed runs are kept "
                                         "(default: .zaitaku-debug beside the reports folder, never inside it)")
    run.add_argument("--pdf", action="store_true",
                     help="also write an A4 PDF of every report (needs the Pango library of the operating system)")
    run.add_argument("--no-lock", action="store_true",
                     help="do not take the reports folder's lock: only for runs that each write different "
                          "municipalities into one shared folder (Kubernetes pods)")
    run.add_argument("--params-dir", default="params")
    run.add_argument("--notebooks", default="notebooks")
    run.add_argument("--processed", default="data/processed")
    run.add_argument("--reports", default="reports")
    run.set_defaults(func=_cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only folder: one line, no traceback
        from analysis.batch.failures import describe_os_error

        print(f"エラー: {describe_os_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # outside `zaitaku run`'s own handling (see batch/stopping.py)
        print("中断しました", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
