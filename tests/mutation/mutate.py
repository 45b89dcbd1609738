"""Mutation run: small changes to the decision code, one at a time, each against the tests that cover it.

A mutant is one edit a careless hand could make — a ``<`` for a ``<=``, ``and`` for ``or``, a
condition dropped from a filter, a branch swapped, a number off by one, ``min`` for ``max``. A
mutant is *killed* when the tests fail on it and *survives* when they pass: a survivor is a
change a reader would see that no test notices. The mutants are made on a copy of ``src/`` in a
temporary folder, put first on PYTHONPATH; the working tree is never written, so an interrupted
run (Ctrl-C, a crash, a mutant that never ends) leaves nothing behind.

    .venv/bin/python -m tests.mutation.mutate --sample 300 --seed 32  # 300 of the ~2,000 mutants, drawn by the seed
    .venv/bin/python -m tests.mutation.mutate                         # every mutant of the targets (hours)
    .venv/bin/python -m tests.mutation.mutate --module pdca --quick   # one module against its own test file only
    .venv/bin/python -m tests.mutation.mutate --module pdca --list    # only list what would be made
    .venv/bin/python -m tests.mutation.mutate --listed                # the hand-made mutants of targets.LISTED

The targets, the tests run for each and the mutants judged equivalent are in ``targets.py``.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"

COMPARISON_SWAPS = {ast.Lt: "<=", ast.LtE: "<", ast.Gt: ">=", ast.GtE: ">", ast.Eq: "!=", ast.NotEq: "==",
                    ast.In: "not in", ast.NotIn: "in", ast.Is: "is not", ast.IsNot: "is"}
_OPERATOR_TEXT = re.compile(rb"not\s+in\b|is\s+not\b|<=|>=|==|!=|<|>|\bin\b|\bis\b|\band\b|\bor\b|&|\|")
AGGREGATE_SWAPS = {"min": "max", "max": "min", "idxmin": "idxmax", "idxmax": "idxmin"}


@dataclass(frozen=True)
class Mutant:
    """One edit of one file: bytes [start, end) of ``path`` (relative to src/) replaced by ``replacement``."""

    path: str
    line: int
    start: int
    end: int
    original: str
    replacement: str
    operator: str

    def apply(self, source: bytes) -> bytes:
        return source[:self.start] + self.replacement.encode() + source[self.end:]

    def describe(self) -> str:
        return f"{self.path}:{self.line} [{self.operator}] {self.original!r} → {self.replacement!r}"

    def lines(self, source: bytes) -> tuple[str, str]:
        """The mutated line before and after the edit: how an equivalent mutant is recognised (not by its line number,
        which an edit elsewhere in the file moves)."""
        before = source.splitlines()[self.line - 1].decode().strip()
        return before, self.apply(source).splitlines()[self.line - 1].decode().strip()


class _Finder(ast.NodeVisitor):
    """Walks a module's tree and records every mutant its operators make (docstrings and messages are left alone)."""

    def __init__(self, path: str, source: bytes) -> None:
        self.path, self.source = path, source
        self.line_starts = [0]
        for line in source.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.found: list[Mutant] = []

    # positions: ast gives UTF-8 byte columns, so the edit works on bytes
    def _start(self, node: ast.AST) -> int:
        return self.line_starts[node.lineno - 1] + node.col_offset

    def _end(self, node: ast.AST) -> int:
        return self.line_starts[node.end_lineno - 1] + node.end_col_offset

    def _add(self, start: int, end: int, replacement: str, operator: str) -> None:
        line = self.source.count(b"\n", 0, start) + 1
        original = self.source[start:end].decode()
        self.found.append(Mutant(self.path, line, start, end, original, replacement, operator))

    def _operator_between(self, left: ast.AST, right: ast.AST) -> tuple[int, int] | None:
        """Byte span of the operator written between two operands (brackets and spaces around it skipped)."""
        gap_start, gap_end = self._end(left), self._start(right)
        for match in _OPERATOR_TEXT.finditer(self.source, gap_start, gap_end):
            line_start = max(gap_start, self.source.rfind(b"\n", 0, match.start()) + 1)
            if b"#" not in self.source[line_start:match.start()]:  # a word of a comment is no operator
                return match.start(), match.end()
        return None

    def _text(self, node: ast.AST) -> str:
        return self.source[self._start(node):self._end(node)].decode()

    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands, operands[1:]):
            span = self._operator_between(left, right)
            if span:
                self._add(*span, COMPARISON_SWAPS[type(op)], "comparison")
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        self._connectives(node.values, "or" if isinstance(node.op, ast.And) else "and", "boolean")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        # & and | join the masks of a pandas filter: the same two mistakes as and/or
        if isinstance(node.op, (ast.BitAnd, ast.BitOr)):
            self._connectives([node.left, node.right], "|" if isinstance(node.op, ast.BitAnd) else "&", "mask")
        self.generic_visit(node)

    def _connectives(self, values: list[ast.AST], swapped: str, kind: str) -> None:
        for left, right in zip(values, values[1:]):
            span = self._operator_between(left, right)
            if span:
                self._add(*span, swapped, f"{kind} swap")
        # a condition dropped: the whole expression becomes the others
        span = self._operator_between(values[0], values[1])
        if span is None:
            return
        op = self.source[span[0]:span[1]].decode()
        whole_start, whole_end = self._start(values[0]), self._end(values[-1])
        for i in range(len(values)):
            rest = [self._text(v) for k, v in enumerate(values) if k != i]
            self._add(whole_start, whole_end, f" {op} ".join(f"({t})" for t in rest), f"{kind} condition dropped")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, (ast.Not, ast.Invert)):
            self._add(self._start(node), self._end(node), f"({self._text(node.operand)})", "negation dropped")
        self.generic_visit(node)

    def _negate_test(self, test: ast.AST) -> None:
        self._add(self._start(test), self._end(test), f"not ({self._text(test)})", "branch swapped")

    def visit_If(self, node: ast.If) -> None:
        self._negate_test(node.test)
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._negate_test(node.test)
        self.generic_visit(node)

    def visit_While(self, node: ast.While) -> None:
        self._negate_test(node.test)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self._add(self._start(node), self._end(node), str(not value), "boolean constant")
        elif isinstance(value, int):
            self._add(self._start(node), self._end(node), str(value + 1), "off by one")
            if value > 0:
                self._add(self._start(node), self._end(node), str(value - 1), "off by one")
        elif isinstance(value, str) and value in AGGREGATE_SWAPS:
            quote = self.source[self._start(node):self._start(node) + 1].decode()
            self._add(self._start(node), self._end(node), f"{quote}{AGGREGATE_SWAPS[value]}{quote}", "aggregate swapped")

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in ("min", "max"):
            self._add(self._start(node), self._end(node), AGGREGATE_SWAPS[node.id], "aggregate swapped")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in AGGREGATE_SWAPS:
            end = self._end(node)
            self._add(end - len(node.attr), end, AGGREGATE_SWAPS[node.attr], "aggregate swapped")
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            self.generic_visit(node)  # a docstring is no decision

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        return  # the words of a message: wording is checked by the tests that read it, not by mutation

    def visit_Raise(self, node: ast.Raise) -> None:
        return  # the text of an error; whether it is raised is the condition above it

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)  # the annotation is no decision

    def visit_arg(self, node: ast.arg) -> None:
        return  # an annotation is no decision

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for child in [*node.decorator_list, node.args, *node.body]:
            self.visit(child)  # everything but the return annotation

    visit_AsyncFunctionDef = visit_FunctionDef


def compiles(source: bytes) -> bool:
    """Whether a mutated file still parses: what ``mutants_of`` keeps."""
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def candidates_of(path: Path, root: Path = SRC) -> tuple[bytes, list[Mutant]]:
    """The file's bytes and every edit the operators make in it, in the order of the source, whether it compiles or not.

    Parsing each mutated file is most of the cost of ``mutants_of`` (thousands of parses of the targets); a caller that
    needs only some of the mutants parses only those (``compiles``).
    """
    source = path.read_bytes()
    finder = _Finder(path.relative_to(root).as_posix(), source)
    finder.visit(ast.parse(source))
    return source, sorted(set(finder.found), key=lambda m: (m.start, m.end, m.operator, m.replacement))


def mutants_of(path: Path, root: Path = SRC) -> list[Mutant]:
    """Every mutant of one file that still compiles, in the order of the source."""
    source, candidates = candidates_of(path, root)
    return [mutant for mutant in candidates if compiles(mutant.apply(source))]


def listed_mutant(path: str, original: str, replacement: str, operator: str = "listed", root: Path = SRC) -> Mutant:
    """A hand-made mutant: ``original`` must occur exactly once in the file."""
    source = (root / path).read_bytes()
    needle = original.encode()
    if source.count(needle) != 1:
        raise ValueError(f"{path}: {original!r} occurs {source.count(needle)} times; a listed mutant needs exactly one")
    start = source.index(needle)
    return Mutant(path, source.count(b"\n", 0, start) + 1, start, start + len(needle), original, replacement, operator)


@dataclass
class Result:
    mutant: Mutant
    outcome: str           # killed, survived, timeout, equivalent
    seconds: float
    failed: str = ""       # the first failing test, for a killed mutant


def _pytest(tests: list[str], src: Path, timeout: float, cwd: Path) -> tuple[int | None, str, float]:
    """(exit code or None on timeout, output, seconds) of the tests against the package under ``src``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
           "PYTHONDONTWRITEBYTECODE": "1"}  # no stale bytecode of a mutant that differs by one byte in the same second
    command = [sys.executable, "-m", "pytest", *tests, "-x", "-q", "-p", "no:cacheprovider", "--no-header", "-rfE", "--tb=no",
               "-n", "0"]  # one mutant at a time: starting workers would cost more than its tests
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)  # its own group: a timeout ends the kernels and workers it started too
    try:
        output, _ = process.communicate(timeout=timeout)
        return process.returncode, output.decode(errors="replace"), time.monotonic() - started
    except subprocess.TimeoutExpired:
        return None, "", time.monotonic() - started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _first_failure(output: str) -> str:
    match = re.search(r"^(FAILED|ERROR) (\S+)", output, flags=re.M)
    return match.group(2) if match else ""


class Workspace:
    """A copy of the package in a temporary folder, where each mutant is written and undone."""

    def __init__(self, src: Path = SRC, cwd: Path = ROOT) -> None:
        self.src, self.cwd = src, cwd
        self._folder = tempfile.TemporaryDirectory(prefix="zaitaku-mutation-")
        self.copy = Path(self._folder.name) / "src"
        shutil.copytree(src, self.copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))

    def close(self) -> None:
        self._folder.cleanup()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, tests: list[str], timeout: float, mutant: Mutant | None = None) -> tuple[int | None, str, float]:
        target = self.copy / mutant.path if mutant else None
        original = target.read_bytes() if target else b""
        try:
            if target:
                target.write_bytes(mutant.apply(original))
            return _pytest(tests, self.copy, timeout, self.cwd)
        finally:
            if target:
                target.write_bytes(original)


def run_mutants(mutants: list[Mutant], tests_for, *, equivalent=lambda m, lines: False, src: Path = SRC, cwd: Path = ROOT,
                echo=print) -> list[Result]:
    """Each mutant against ``tests_for(mutant.path)``; a timeout is a kill (the mutant never ends where the code does)."""
    results: list[Result] = []
    baseline: dict[tuple, float] = {}
    sources = {m.path: (src / m.path).read_bytes() for m in mutants}
    with Workspace(src, cwd) as workspace:
        for n, mutant in enumerate(mutants, 1):
            if equivalent(mutant, mutant.lines(sources[mutant.path])):
                results.append(Result(mutant, "equivalent", 0.0))
                echo(f"[{n}/{len(mutants)}] equivalent  {mutant.describe()}")
                continue
            tests = list(tests_for(mutant.path))
            key = tuple(tests)
            if key not in baseline:
                code, output, seconds = workspace.run(tests, timeout=1800)
                if code != 0:
                    raise SystemExit(f"the tests for {mutant.path} fail without any mutant; fix them first:\n{output[-2000:]}")
                baseline[key] = seconds
            code, output, seconds = workspace.run(tests, timeout=max(60.0, 5 * baseline[key]), mutant=mutant)
            outcome = "timeout" if code is None else "survived" if code == 0 else "killed"
            results.append(Result(mutant, outcome, seconds, _first_failure(output)))
            by = f"  ← {results[-1].failed}" if results[-1].failed else ""
            echo(f"[{n}/{len(mutants)}] {outcome:<10} {seconds:5.1f}s  {mutant.describe()}{by}")
    return results


def summary(results: list[Result]) -> list[str]:
    """Kill rate per file and overall (timeouts count as killed; equivalents are left out of the rate), then the survivors."""
    lines = []
    by_file: dict[str, list[Result]] = {}
    for result in results:
        by_file.setdefault(result.mutant.path, []).append(result)

    def rate(part: list[Result]) -> str:
        judged = [r for r in part if r.outcome != "equivalent"]
        killed = sum(r.outcome in ("killed", "timeout") for r in judged)
        share = f"{killed / len(judged):.1%}" if judged else "—"
        return f"{killed}/{len(judged)} killed ({share}), {len(part) - len(judged)} equivalent"

    for path, part in sorted(by_file.items()):
        lines.append(f"  {path}: {rate(part)}")
    lines.append(f"all: {rate(results)}")
    survivors = [r for r in results if r.outcome == "survived"]
    if survivors:
        lines.append("survivors:")
        lines += [f"  {r.mutant.describe()}" for r in survivors]
    return lines


def _select(mutants: list[Mutant], sample: int | None, seed: int) -> list[Mutant]:
    if sample is None or sample >= len(mutants):
        return mutants
    chosen = random.Random(seed).sample(range(len(mutants)), sample)
    return [mutants[i] for i in sorted(chosen)]


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    from tests.mutation import targets

    parser = argparse.ArgumentParser(description="Mutation run of the decision code (see the module docstring).")
    parser.add_argument("--module", action="append", default=[], help="only files whose path contains this (repeatable)")
    parser.add_argument("--sample", type=int, help="draw this many mutants instead of running all")
    parser.add_argument("--seed", type=int, default=32)
    parser.add_argument("--listed", action="store_true", help="run the hand-made mutants of targets.LISTED instead")
    parser.add_argument("--list", action="store_true", help="print the mutants and stop")
    parser.add_argument("--json", type=Path, help="write every result to this file")
    parser.add_argument("--quick", action="store_true",
                        help="run only each file's own test file (faster while writing tests; the kill rate counts the full set)")
    args = parser.parse_args(argv)
    # `kill <pid>` ends the run like Ctrl-C: the temporary copy is removed and the running tests are stopped
    signal.signal(signal.SIGTERM, _interrupt)

    if args.listed:
        mutants = [listed_mutant(*item) for item in targets.LISTED]
    else:
        mutants = [m for path in targets.files() for m in mutants_of(path)]
    mutants = [m for m in mutants if not args.module or any(part in m.path for part in args.module)]
    mutants = _select(mutants, args.sample, args.seed)
    if args.list:
        for mutant in mutants:
            print(mutant.describe())
        print(f"{len(mutants)} mutants")
        return 0
    tests_for = (lambda path: targets.tests_for(path)[:1]) if args.quick else targets.tests_for
    results = run_mutants(mutants, tests_for, equivalent=targets.is_equivalent)
    for line in summary(results):
        print(line)
    if args.json:
        args.json.write_text(json.dumps([{**asdict(r.mutant), "outcome": r.outcome, "seconds": round(r.seconds, 1),
                                          "failed": r.failed} for r in results], ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if all(r.outcome != "survived" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
