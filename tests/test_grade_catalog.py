"""The catalog templates: every submission in tests/submissions/<style> gets its verdict.

Each test below is written once and runs over every entry of tests/grade_catalog.py
(the data and its format are described there), for every style, through the real
sandboxed harness. Ids read `style-file`, e.g. `saito-bug_affine_dW_transposed.py`.
"""

from __future__ import annotations

import pytest

from reference.grade.styles import STYLES, get_style
from tests.grade_catalog import CATALOGS, SEEDS, SUBMISSIONS, TIMEOUT
from tests.grading import grade

FUNCTIONS = {style: [f.name for f in get_style(style).functions] for style in CATALOGS}
# optional, or of a notebook a file may leave out whole (`GradedFunction.parts`)
OPTIONAL = {style: {f.name for f in get_style(style).functions if f.optional or f.parts}
            for style in CATALOGS}
# one maximum per style, whatever each student wrote: every graded function's points
MAX_SCORE = {style: sum(f.points for f in get_style(style).functions) for style in CATALOGS}


def _entries(verdicts):
    """(style, file) for every file `verdicts(catalog)` lists, with id `style-file`."""
    return [pytest.param(style, name, id=f"{style}-{name}")
            for style, catalog in CATALOGS.items() for name in sorted(verdicts(catalog))]


def _grade(style, name, seed=0):
    # two student processes whatever the core count (the default is one on 2 cores), so the
    # functions are split between processes on every machine
    result = grade(SUBMISSIONS / style / name, CATALOGS[style].graded_as or style,
                              seed=seed, timeout=TIMEOUT, parallel=2)
    assert result.style == style          # nielsen hands chapter 3 files to nielsen2
    return result


def _verdicts(result):
    """{function: (status, "[equation] diagnosis" or "")}, in grading order."""
    return {f.name: (f.status, f"[{f.finding.equation}] {f.finding.diagnosis}"
                     if f.finding else "") for f in result.functions}


def _statuses(result):
    return {fn: status for fn, (status, _) in _verdicts(result).items()}


def _expected_statuses(style, name, failing=None):
    """Every graded function: failed (or missing) where the bug is, else passed or
    supplied."""
    failing = failing or {}
    skipped = CATALOGS[style].not_defined.get(name, set())
    return {fn: ("missing" if any(w in failing[fn] for w in ("is not defined", "is a stub",
                                                             "is not in this submission"))
                 else "failed") if fn in failing
            else "supplied" if fn in skipped else "passed" for fn in FUNCTIONS[style]}


def test_every_style_of_the_registry_has_a_catalog():
    """A style is its cases-and-judges file, its probes file and data: its catalog of
    submissions (a folder of files and an entry in tests/grade_catalog.py)."""
    assert set(CATALOGS) == set(STYLES)
    for style in STYLES:
        files = [p for p in (SUBMISSIONS / style).iterdir() if p.suffix in (".py", ".ipynb")]
        assert CATALOGS[style].full_marks and CATALOGS[style].fails and files, style


@pytest.mark.parametrize("style", sorted(CATALOGS))
def test_every_catalog_file_has_a_verdict(style):
    catalog = CATALOGS[style]
    on_disk = {p.name for p in (SUBMISSIONS / style).iterdir() if p.suffix in (".py", ".ipynb")}
    kinds = [set(catalog.fails), set(catalog.errors), set(catalog.full_marks)]
    assert on_disk - catalog.helpers - catalog.isolation == set.union(*kinds)
    assert sum(map(len, kinds)) == len(set.union(*kinds)), "a file has two verdicts"
    assert len(catalog.full_marks) == len(set(catalog.full_marks))
    for verdicts in catalog.fails.values():
        assert set(verdicts) <= set(FUNCTIONS[style])
    for name, skipped in catalog.not_defined.items():
        assert name in on_disk and skipped <= OPTIONAL[style], name


@pytest.mark.parametrize(("style", "name"), _entries(lambda c: c.fails))
def test_buggy_submission_fails_where_the_bug_is(style, name):
    expected = CATALOGS[style].fails[name]
    result = _grade(style, name)
    assert result.error is None
    got = _verdicts(result)
    assert _statuses(result) == _expected_statuses(style, name, expected), got
    for fn, diagnosis in expected.items():
        assert diagnosis in got[fn][1], (fn, got[fn][1])
    assert all(f.score == 0 for f in result.functions if f.name in expected)
    assert result.score < result.max_score == MAX_SCORE[style] and not result.passed


@pytest.mark.parametrize(("style", "name"), _entries(lambda c: c.errors))
def test_refused_or_unloadable_submission_gets_zero(style, name):
    result = _grade(style, name)
    assert CATALOGS[style].errors[name] in result.error
    assert result.score == 0 and result.max_score == MAX_SCORE[style] and not result.passed
    assert set(_statuses(result).values()) == {"not graded"}


def _full_marks_runs():
    """(style, file, seed): a style's correct.py at every seed in SEEDS; each variant at
    one of them, taken in turn down the list (the variants differ from correct.py in one
    place each, so the second seed's other cases are spent where every function runs)."""
    for style, catalog in CATALOGS.items():
        for k, name in enumerate(catalog.full_marks):
            for seed in SEEDS if name == "correct.py" else (SEEDS[k % len(SEEDS)],):
                yield pytest.param(style, name, seed, id=f"{style}-{name}-seed{seed}")


@pytest.mark.parametrize(("style", "name", "seed"), list(_full_marks_runs()))
def test_equivalent_submission_gets_full_marks(style, name, seed):
    result = _grade(style, name, seed)
    assert result.error is None
    assert _statuses(result) == _expected_statuses(style, name), _verdicts(result)
    assert result.score == result.max_score == MAX_SCORE[style] and result.passed
