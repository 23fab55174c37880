"""The grader's trusted side against a hostile student (issue 11): the report is always written
and only where the instructor asked, whatever comes back from the student's process."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from reference.grade import codec, runner
from reference.grade.sandbox import ChildResult
from reference.grade.styles import get_style

HERE = Path(__file__).parent / "submissions" / "ng"
NG = get_style("ng")
SIGMOID = next(f for f in NG.functions if f.name == "sigmoid")


def _cases():
    return runner.build_cases(SIGMOID, 0, 2)


# What a child may send: the student's code runs there and can write any blob into the
# result pipe, so every field can have any type.
FORGED = [
    {"status": "ok", "policy": [], "cases": codec.Opaque("too deeply nested or too large")},
    {"status": "ok", "policy": codec.Opaque("x"), "cases": []},
    {"status": codec.Opaque("x"), "policy": [], "cases": []},
    {"status": "ok", "policy": [], "load": [1, 2], "cases": []},
    {"status": "ok", "policy": [], "load": {"errors": 3, "missing_modules": {"a": 1}}},
    {"status": "ok", "policy": [1, None], "cases": [None, 5], "output": ["x"]},
    {"status": "missing", "policy": [], "missing": {"x": 1}, "load": {"missing_modules": "ab"}},
    {"status": "load_error", "policy": [], "load": {"fatal": [1]}},
    {"status": "worker_error", "policy": [], "error": 7},
    {"status": "ok", "policy": [], "cases": [{"ok": True, "value": {"a": 1},
                                               "inputs_after": [[[1.0]], {"Z": "x"}]}] * 2},
    ["not", "a", "dict"],
]


@pytest.mark.parametrize("answer", FORGED, ids=range(len(FORGED)))
def test_any_answer_from_the_child_gives_a_failed_verdict_not_an_exception(answer):
    res = ChildResult(codec.encode(answer))
    fr, violations, warnings = runner.safe_interpret(SIGMOID, _cases(), res, 5.0, 2048)
    assert fr.status != "passed" and fr.score == 0 and fr.finding is not None
    assert all(isinstance(v, str) for v in violations + warnings)


def test_an_answer_cut_short_by_a_huge_return_value_fails_that_function_only():
    """The encoder's node budget is spent by the value before the status and the import
    policy's record: the function fails (a violation could hide only in it)."""
    res = ChildResult(codec.encode({"cases": [{"ok": True, "value": list(range(250_000))}],
                                    "status": "ok", "policy": ["imports `torch`"]}))
    fr, violations, _ = runner.interpret(SIGMOID, _cases(), res, 5.0, 2048)
    assert fr.status == "failed" and "too large" in fr.finding.diagnosis
    assert violations == []


def test_a_grader_error_while_checking_fails_that_function_only(monkeypatch):
    def broken(*a, **k):
        raise KeyError("bug")
    monkeypatch.setattr(runner, "check_case", broken)
    res = ChildResult(codec.encode({"status": "ok", "policy": [],
                                    "cases": [{"ok": True, "value": 1}] * 2}))
    fr, _, _ = runner.safe_interpret(SIGMOID, _cases(), res, 5.0, 2048)
    assert fr.status == "failed" and "KeyError" in fr.finding.diagnosis


def test_batch_with_a_huge_return_value_still_writes_every_report(cli, tmp_path):
    """Issue 11 item 4: a 200 001-entry dict from sigmoid was a traceback in interpret and no
    summary.csv for anyone."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("hostile_huge_return.py", "correct.py"):
        shutil.copy(HERE / name, subs / name)
    r = cli("grade", str(subs), "--style", "ng", "--seed", "0")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    rows = {Path(row["submission"]).name: row
            for row in csv.DictReader((tmp_path / "subs-grades" / "summary.csv").open())}
    assert rows["correct.py"]["score"] == "11"
    assert rows["hostile_huge_return.py"]["score"] == "10.5"
    assert rows["hostile_huge_return.py"]["sigmoid"] == "0"


def test_batch_survives_a_grader_failure_on_one_submission(cli, tmp_path, monkeypatch):
    """Whatever goes wrong while grading one file, the others are graded and summarised."""
    from reference.grade import cli as grade_cli

    real = grade_cli._grade_one

    def flaky(path, args, parallel=None):
        if path.name == "bug_wrong_sign.py":
            raise RecursionError("deep")
        return real(path, args, parallel)

    monkeypatch.setattr(grade_cli, "_grade_one", flaky)
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("bug_wrong_sign.py", "correct.py"):
        shutil.copy(HERE / name, subs / name)
    r = cli("grade", str(subs), "--style", "ng", "--format", "json")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    out = tmp_path / "subs-grades"
    rows = {Path(row["submission"]).name: row
            for row in csv.DictReader((out / "summary.csv").open())}
    assert rows["correct.py"]["score"] == "11" and rows["bug_wrong_sign.py"]["score"] == "0"
    data = json.loads((out / "bug_wrong_sign.py.json").read_text())
    assert data["score"] == 0 and "contact the course staff" in data["output"]
