"""`backprop-oracle grade` and `gradescope-bundle` end to end: exit codes, reports, batch, zip."""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.grading import run_autograder

HERE = Path(__file__).parent / "submissions" / "ng"
FUNCTIONS = 13


STATUSES = {"passed", "failed", "missing", "supplied", "not graded"}
MAX_SCORE = 11.0     # ng: every graded function's points, the same for every student


def _check_results_json(data: dict, visibility: str = "visible", private: bool = False) -> None:
    """Gradescope's schema (its autograder specification) plus our extras; a private seed
    is only in a last, hidden test."""
    assert isinstance(data["score"], float) and data["max_score"] == MAX_SCORE
    assert isinstance(data["output"], str) and len(data["tests"]) == FUNCTIONS + private
    assert isinstance(data["execution_time"], int) and data["execution_time"] >= 0
    assert data["visibility"] == visibility and data["stdout_visibility"] == "hidden"
    for k, t in enumerate(data["tests"][:FUNCTIONS]):
        assert set(t) == {"name", "number", "score", "max_score", "status", "visibility",
                          "output", "extra_data"}
        assert t["status"] in ("passed", "failed")
        assert ("seed" in t["extra_data"]) is not private
        assert t["visibility"] == visibility and t["number"] == f"1.{k + 1}"   # ng: no classes
        assert t["extra_data"]["grade_status"] in STATUSES
        assert t["output"].startswith(t["extra_data"]["grade_status"])
    if private:
        hidden = data["tests"][-1]
        assert hidden["visibility"] == "hidden" and hidden["max_score"] == 0
        assert "seed" not in data["extra_data"] and "seed" not in data["output"]


def test_grade_json_report_for_a_buggy_submission(cli, tmp_path):
    out = tmp_path / "results.json"
    r = cli("grade", str(HERE / "bug_missing_1_over_m.py"), "--style", "ng", "--format", "json",
            "--output", str(out), "--seed", "3")
    assert r.returncode == 1, r.stderr
    data = json.loads(out.read_text())
    _check_results_json(data)
    assert data["score"] == data["max_score"] - 1
    (bad,) = [t for t in data["tests"] if t["status"] == "failed"]
    assert bad["name"] == "linear_backward" and bad["extra_data"]["equation"] == "BP4"
    assert "1/m is missing" in bad["extra_data"]["diagnosis"]
    assert bad["extra_data"]["seed"] == 3
    case = bad["extra_data"]["minimal_failing_case"]
    assert case["description"] and "dZ" in case["inputs"]


def test_grade_text_report_passes_with_exit_0(cli, tmp_path):
    out = tmp_path / "report.txt"
    r = cli("grade", str(HERE / "correct.py"), "--style", "ng", "--output", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "seed 0" in text and "score 11/11" in text and text.count("PASS") == FUNCTIONS


def test_unloadable_submission_still_writes_a_zero_report(cli, tmp_path):
    out = tmp_path / "r.json"
    r = cli("grade", str(HERE / "hostile_syntax_error.py"), "--style", "ng", "--format", "json",
            "--output", str(out))
    assert r.returncode == 1
    data = json.loads(out.read_text())
    _check_results_json(data)
    assert data["score"] == 0 and "syntax error" in data["output"]
    assert all(t["status"] == "failed" for t in data["tests"])
    assert {t["extra_data"]["grade_status"] for t in data["tests"]} == {"not graded"}


@pytest.mark.parametrize("args, message", [
    (["grade", "missing.py", "--style", "ng"], "no such file"),
    (["grade", str(HERE / "correct.py")], "--style"),
    (["grade", str(HERE / "correct.py"), "--style", "keras"], "invalid choice"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--cases", "0"], "--cases"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--timeout", "-1"], "--timeout"),
    (["grade", str(Path(__file__)).replace(".py", ".txt"), "--style", "ng"], "no such file"),
    (["gradescope-bundle", "--style", "ng"], "--output"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--timeout", "inf"], "--timeout"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--timeout", "nan"], "--timeout"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--seed", "-1"], "--seed"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--seed", "abc"], "invalid seed"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--max-seconds", "0"],
     "--max-seconds"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--max-seconds", "nan"],
     "--max-seconds"),
    (["gradescope-bundle", "--style", "ng", "--max-seconds", "inf", "--output", "/dev/null"],
     "--max-seconds"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--memory-mb", "99999999999"],
     "--memory-mb"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--cases", "100000000"], "--cases"),
    (["grade", str(HERE), "--style", "ng", "--jobs", "0"], "--jobs"),
    (["grade", "/dev/null", "--style", "ng"], "not a regular file"),
    (["grade", str(HERE), "--style", "ng", "--output", "/dev/null/grades"], "cannot write"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--output", "/dev/null/r.json"],
     "cannot write"),
    (["gradescope-bundle", "--style", "ng", "--timeout", "inf", "--output", "/dev/null"],
     "--timeout"),
    (["grade", str(HERE / "correct.py"), "--style", "ng", "--visibility", "students"],
     "--visibility"),
])
def test_bad_usage_is_one_line_and_exit_2(cli, args, message):
    r = cli(*args)
    assert r.returncode == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr and "grading" not in r.stderr   # nothing graded


@pytest.mark.parametrize("content, why", [
    (b"\x00\x01 not python", "null bytes"),
    (b"{\"cells\": 3}", "not a notebook"),
    (b"[" * 100_000, "not a notebook"),
])
def test_a_broken_student_file_gets_a_zero_report_that_says_why(cli, tmp_path, content, why):
    """The student's file, not the command, is wrong: exit 1 and a report (the contract)."""
    sub = tmp_path / ("s.ipynb" if content[:1] in b"{[" else "s.py")
    sub.write_bytes(content)
    out = tmp_path / "r.json"
    r = cli("grade", str(sub), "--style", "ng", "--format", "json", "--output", str(out))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "not graded" in r.stderr
    data = json.loads(out.read_text())
    _check_results_json(data)
    assert data["score"] == 0 and why in data["output"] and "line None" not in data["output"]


def test_grade_command_does_not_import_torch_before_its_sandboxes_start():
    """Other subcommands import torch at import time (seconds): `grade` starts its student
    processes first and imports torch while they boot."""
    code = ("import sys; from reference.cli import build_parser; "
            "build_parser('grade').parse_args(['grade', 'x.py', '--style', 'ng']); "
            "import reference.grade.runner, reference.grade.styles.ng; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'torch'))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def _helper_files(folder: Path) -> None:
    """Course helper files a student uploads next to the submission, named so that they
    come first in name order, and a notebook checkpoint (a hidden directory)."""
    (folder / "a_dnn_utils.py").write_text("import numpy as np\n\ndef sigmoid(Z):\n"
                                           "    return 1 / (1 + np.exp(-Z)), Z\n")
    (folder / ".ipynb_checkpoints").mkdir()
    shutil.copy(HERE / "ok_notebook.ipynb", folder / ".ipynb_checkpoints" / "a.ipynb")


def test_batch_mode_writes_one_report_each_and_a_summary(cli, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("correct.py", "bug_no_keepdims.py"):
        shutil.copy(HERE / name, subs / name)
    (subs / "student7").mkdir()          # one directory per student, as Gradescope exports
    shutil.copy(HERE / "hostile_syntax_error.py", subs / "student7" / "hostile_syntax_error.py")
    _helper_files(subs / "student7")     # uploaded next to the work: not the submission
    r = cli("grade", str(subs), "--style", "ng", "--jobs", "2", "--format", "json")
    assert r.returncode == 1, r.stderr
    outdir = tmp_path / "subs-grades"
    assert sorted(p.name for p in outdir.iterdir()) == sorted(
        ["correct.py.json", "bug_no_keepdims.py.json",
         "student7__hostile_syntax_error.py.json", "summary.csv", "run.json",
         "class_report.txt", "class_report.html"])
    rows = list(csv.DictReader((outdir / "summary.csv").open()))
    scores = {Path(row["submission"]).name: row for row in rows}
    assert scores["correct.py"]["score"] == scores["correct.py"]["max_score"] == "11"
    assert scores["bug_no_keepdims.py"]["linear_backward"] == "0"
    assert scores["bug_no_keepdims.py"]["linear_backward status"] == "failed"
    assert scores["bug_no_keepdims.py"]["status"] == "failed"
    assert scores["hostile_syntax_error.py"]["score"] == "0"
    assert scores["hostile_syntax_error.py"]["max_score"] == "11"      # the same for all
    assert scores["hostile_syntax_error.py"]["status"] == "not graded"
    assert scores["hostile_syntax_error.py"]["linear_backward status"] == "not graded"
    assert "grading" in r.stderr          # the progress bar


def test_gradescope_bundle_runs_like_gradescope(cli, tmp_path):
    zpath = tmp_path / "autograder.zip"
    r = cli("gradescope-bundle", "--style", "ng", "--seed", "5", "--output", str(zpath),
            "--visibility", "after_due_date")
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(zpath) as zf:
        names = set(zf.namelist())
        setup = zf.read("setup.sh").decode()
        assert {"setup.sh", "run_autograder", "backprop-oracle/pyproject.toml",
                "backprop-oracle/reference/grade/worker.py"} <= names
        assert "torch==2.13.0" in setup and "download.pytorch.org/whl/cpu" in setup
        assert zf.getinfo("run_autograder").external_attr >> 16 & stat.S_IXUSR
        run = zf.read("run_autograder").decode()
    # run it with /autograder mapped to a temporary directory
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copy(HERE / "bug_wrong_axis.py", root / "submission" / "dnn.py")
    _helper_files(root / "submission")
    done, data = run_autograder(run, root)
    assert "could not run" not in data["output"], done.stdout + done.stderr
    _check_results_json(data, "after_due_date", private=True)   # the seed: instructors only
    assert data["tests"][-1]["extra_data"]["seed"] == 5 and "--seed 5" in run
    assert [t["name"] for t in data["tests"] if t["status"] == "failed"] == ["linear_backward"]


def test_pytest_plugin_mode_runs_graded_functions_as_items(tmp_path):
    xml = tmp_path / "r.xml"
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
         "--oracle-submission", str(HERE / "bug_wrong_sign.py"), "--oracle-style", "ng",
         "--junitxml", str(xml)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 1, r.stdout + r.stderr
    report = xml.read_text()
    assert 'tests="13"' in report and 'failures="1"' in report
    # the summary names the submission where it is, relative to where pytest ran
    shown = os.path.relpath(HERE / "bug_wrong_sign.py", tmp_path)
    assert f"FAILED {shown}[ng]::L_model_backward" in r.stdout, r.stdout
    assert "[BP1] grads[&apos;dW1&apos;] has the wrong sign" in report or \
        "has the wrong sign" in report


def test_max_score_is_the_same_for_every_student_and_supplied_helpers_read_apart(cli, tmp_path):
    """Pattern 10: a student who leaves the course's helpers to dnn_utils and one who writes
    them get the same maximum; the CSV says "supplied" where the other's says "passed", and
    tells a failure (0, failed) from a missing function (0, missing)."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("correct.py", "ok_helpers_from_dnn_utils.py", "bug_wrong_sign.py"):
        shutil.copy(HERE / name, subs / name)
    source = (HERE / "correct.py").read_text()
    start = source.index("def update_parameters(")
    (subs / "no_update.py").write_text(source[:start])      # the last function left out
    r = cli("grade", str(subs), "--style", "ng", "--jobs", "2")
    assert r.returncode == 1, r.stderr
    rows = {Path(row["submission"]).name: row
            for row in csv.DictReader((tmp_path / "subs-grades" / "summary.csv").open())}
    assert {row["max_score"] for row in rows.values()} == {"11"}
    helpers = rows["ok_helpers_from_dnn_utils.py"]
    assert helpers["score"] == "11" and helpers["status"] == "passed"
    assert helpers["sigmoid status"] == "supplied" and helpers["sigmoid"] == "0.5"
    assert rows["correct.py"]["sigmoid status"] == "passed"
    assert rows["bug_wrong_sign.py"]["L_model_backward status"] == "failed"
    missing = rows["no_update.py"]
    assert missing["update_parameters"] == "0" and missing["update_parameters status"] == \
        "missing"
    assert missing["score"] == "10" and missing["status"] == "failed"
    text = (tmp_path / "subs-grades" / "no_update.py.txt").read_text()
    assert "MISS  update_parameters" in text and "missing: update_parameters is not defined" \
        in text


def test_visibility_option_reaches_every_test(cli, tmp_path):
    out = tmp_path / "r.json"
    r = cli("grade", str(HERE / "correct.py"), "--style", "ng", "--format", "json",
            "--output", str(out), "--visibility", "hidden")
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    _check_results_json(data, "hidden")
    assert all(t["extra_data"]["execution_time"] >= 0 for t in data["tests"])
