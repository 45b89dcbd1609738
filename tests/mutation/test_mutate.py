"""The mutation tool itself, on a module of two lines: it makes the mistakes it promises, kills what the tests notice,
keeps what they cannot, and never writes the tree it mutates."""

from __future__ import annotations

from pathlib import Path

from tests.mutation.mutate import listed_mutant, mutants_of, run_mutants, summary

RULE = '''"""A rule with a docstring that says < and max, which no mutant may touch."""


def on_track(progress, expected) -> bool | None:
    return progress >= expected and not progress < 0


def positive_part(x):
    label = f"{x} > 0"  # a message is no decision
    return x if x > 0 else max(0, x)
'''

TEST = '''from toy.rule import on_track, positive_part


def test_the_exact_boundary_is_on_track():
    assert on_track(0.4, 0.4) and not on_track(0.3, 0.4)


def test_the_positive_part():
    assert positive_part(-1) == 0 and positive_part(0) == 0 and positive_part(3) == 3
'''


def _project(root: Path) -> Path:
    (root / "src" / "toy").mkdir(parents=True)
    (root / "src" / "toy" / "__init__.py").write_text("", encoding="utf-8")
    (root / "src" / "toy" / "rule.py").write_text(RULE, encoding="utf-8")
    (root / "tests").mkdir()
    (root / "tests" / "test_rule.py").write_text(TEST, encoding="utf-8")
    return root


def test_the_operators_make_the_mistakes_the_issue_lists_and_leave_words_alone(tmp_path):
    root = _project(tmp_path)
    made = {(m.operator, m.original, m.replacement) for m in mutants_of(root / "src" / "toy" / "rule.py", root / "src")}
    assert ("comparison", ">=", ">") in made and ("comparison", "<", "<=") in made           # a < for a <=
    assert ("boolean swap", "and", "or") in made                                             # a boolean flipped
    assert ("negation dropped", "not progress < 0", "(progress < 0)") in made
    assert ("boolean condition dropped", "progress >= expected and not progress < 0", "(progress >= expected)") in made
    assert ("branch swapped", "x > 0", "not (x > 0)") in made                                 # a swapped branch
    assert ("off by one", "0", "1") in made and ("aggregate swapped", "max", "min") in made
    # nothing in the docstring, the message or the annotation: each mutant's text lies in code
    assert all(m.line >= 4 and m.line != 9 and "None" not in m.original
               for m in mutants_of(root / "src" / "toy" / "rule.py", root / "src"))


def test_a_mutant_the_tests_notice_is_killed_an_equivalent_one_survives_and_the_tree_is_never_written(tmp_path):
    root = _project(tmp_path)
    before = (root / "src" / "toy" / "rule.py").read_bytes()
    boundary = listed_mutant("toy/rule.py", "progress >= expected", "progress > expected", root=root / "src")
    equivalent = listed_mutant("toy/rule.py", "x if x > 0", "x if x >= 0", root=root / "src")  # at 0 both give 0
    results = run_mutants([boundary, equivalent], lambda path: ["tests/test_rule.py"], src=root / "src", cwd=root,
                          echo=lambda line: None)
    assert [r.outcome for r in results] == ["killed", "survived"]
    assert results[0].failed == "tests/test_rule.py::test_the_exact_boundary_is_on_track"
    assert (root / "src" / "toy" / "rule.py").read_bytes() == before
    judged = run_mutants([boundary, equivalent], lambda path: ["tests/test_rule.py"], src=root / "src", cwd=root,
                         equivalent=lambda mutant, lines: mutant is equivalent, echo=lambda line: None)
    assert [r.outcome for r in judged] == ["killed", "equivalent"]
    assert summary(judged)[-1] == "all: 1/1 killed (100.0%), 1 equivalent"


def test_every_equivalent_and_listed_mutant_still_names_code_that_is_there():
    from tests.mutation import targets
    from tests.mutation.mutate import SRC, candidates_of, compiles

    # an entry is made when an edit giving its line before and after still compiles, as mutants_of keeps it; only those
    # edits are parsed, not the ~2,700 mutants of the targets (half a minute of parsing)
    made = set()
    for path in targets.files():
        source, candidates = candidates_of(path)
        for m in candidates:
            key = (m.path, *m.lines(source))
            if key in targets.EQUIVALENT and key not in made and compiles(m.apply(source)):
                made.add(key)
    assert [key for key in targets.EQUIVALENT if key not in made] == []  # a stale entry would hide nothing, silently
    for item in targets.LISTED:
        assert listed_mutant(*item).apply((SRC / item[0]).read_bytes()) != (SRC / item[0]).read_bytes()
