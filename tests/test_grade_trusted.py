"""The grader's trusted side against a hostile student (issue 11): the report is always written
and only where the instructor asked, whatever comes back from the student's process."""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from reference.grade import codec, interpret
from reference.grade.cases import build_cases
from reference.grade.options import Limits
from reference.grade.sandbox import ChildResult
from reference.grade.styles import get_style
from tests.grading import grade

HERE = Path(__file__).parent / "submissions" / "ng"
NG = get_style("ng")
SIGMOID = next(f for f in NG.functions if f.name == "sigmoid")
LIMITS = Limits(timeout=5.0, memory_mb=2048)


def _cases():
    return build_cases(SIGMOID, 0, 2)


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
    # the parent's parse found `sigmoid` defined: a "missing" from the child is forged
    fr, violations, warnings = interpret.safe_interpret(SIGMOID, _cases(), res, LIMITS,
                                                        frozenset({"sigmoid"}))
    assert fr.status != "passed" and fr.score == 0 and fr.finding is not None
    assert all(isinstance(v, str) for v in violations + warnings)


def test_an_answer_cut_short_by_a_huge_return_value_fails_that_function_only():
    """The encoder's node budget is spent by the value before the status and the import
    policy's record: the function fails (a violation could hide only in it)."""
    res = ChildResult(codec.encode({"cases": [{"ok": True, "value": list(range(250_000))}],
                                    "status": "ok", "policy": ["imports `torch`"]}))
    fr, violations, _ = interpret.interpret(SIGMOID, _cases(), res, LIMITS)
    assert fr.status == "failed" and "too large" in fr.finding.diagnosis
    assert violations == []


def test_the_accommodations_a_probe_applied_reach_the_report_in_the_records_words():
    """The child names the accommodations (`remote.note`); the parent prints the record's
    note for each it knows, whatever the verdict, and drops any other name or type."""
    from reference.grade.books import BOOKS

    dw = BOOKS["saito"].accommodation("dw").note
    answer = {"status": "missing", "policy": [], "missing": "sigmoid",
              "notes": ["dw", "forged: full marks", 3]}
    _, _, warnings = interpret.interpret(SIGMOID, _cases(), ChildResult(codec.encode(answer)),
                                         LIMITS)
    assert warnings == [f"sigmoid: {dw}"]
    for forged in ("dw", {"dw": 1}, None):
        answer["notes"] = forged
        _, _, warnings = interpret.interpret(SIGMOID, _cases(),
                                             ChildResult(codec.encode(answer)), LIMITS)
        assert warnings == []


def test_a_grader_error_while_checking_fails_that_function_only(monkeypatch):
    def broken(*a, **k):
        raise KeyError("bug")
    monkeypatch.setattr(interpret, "judge_case", broken)
    res = ChildResult(codec.encode({"status": "ok", "policy": [],
                                    "cases": [{"ok": True, "value": 1}] * 2}))
    fr, _, _ = interpret.safe_interpret(SIGMOID, _cases(), res, LIMITS)
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

    def flaky(path, args, *rest):
        if path.name == "bug_wrong_sign.py":
            raise RecursionError("deep")
        return real(path, args, *rest)

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


# --- the report file (issue 11, item 1) -------------------------------------------------

def _json_report(path: Path) -> dict:
    data = json.loads(path.read_text())
    assert data["max_score"] == 11
    return data


def _plant_during_grading(monkeypatch, plant):
    """Run `plant()` once the report is prepared, while the submission is being graded
    (what a student's code would do: it runs after the grader's checks)."""
    from reference.grade import cli as grade_cli

    real = grade_cli._grade_one

    def grade_and_plant(*args, **kwargs):
        plant()
        return real(*args, **kwargs)
    monkeypatch.setattr(grade_cli, "_grade_one", grade_and_plant)


def test_a_symlink_planted_at_the_report_is_refused_not_followed(cli, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    results = tmp_path / "results"
    results.mkdir()
    (results / "results.json").symlink_to(outside)
    r = cli("grade", str(HERE / "correct.py"), "--style", "ng", "--format", "json",
            "--output", str(results / "results.json"))
    assert r.returncode == 2 and "symbolic link" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "grading" not in r.stderr
    assert outside.read_text() == "precious"
    assert sorted(p.name for p in results.iterdir()) == ["results.json"]   # no temp file left


def test_a_symlink_planted_during_grading_is_replaced_not_followed(cli, tmp_path,
                                                                  monkeypatch):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    out = tmp_path / "results" / "results.json"
    _plant_during_grading(monkeypatch, lambda: out.symlink_to(outside))
    r = cli("grade", str(HERE / "correct.py"), "--style", "ng", "--format", "json",
            "--output", str(out))
    assert r.returncode == 0, r.stderr
    assert outside.read_text() == "precious" and not out.is_symlink()
    assert _json_report(out)["score"] == 11
    assert sorted(p.name for p in out.parent.iterdir()) == ["results.json"]


def test_a_fifo_at_the_report_does_not_hang_the_grader(cli_process, tmp_path):
    out = tmp_path / "results.json"
    os.mkfifo(out)
    r = cli_process("grade", str(HERE / "correct.py"), "--style", "ng", "--format", "json",
                    "--output", str(out), timeout=300)     # the old grader blocked forever
    assert r.returncode == 2 and "not a regular file" in r.stderr, r.stderr
    assert stat.S_ISFIFO(out.lstat().st_mode)


def test_a_fifo_planted_during_grading_is_replaced(cli, tmp_path, monkeypatch):
    out = tmp_path / "results.json"
    _plant_during_grading(monkeypatch, lambda: os.mkfifo(out))
    done = []
    worker = threading.Thread(target=lambda: done.append(cli(
        "grade", str(HERE / "correct.py"), "--style", "ng", "--format", "json",
        "--output", str(out))), daemon=True)
    worker.start()
    worker.join(300)                        # writing into the FIFO would block forever
    assert not worker.is_alive() and done[0].returncode == 0, done and done[0].stderr
    assert stat.S_ISREG(out.lstat().st_mode) and _json_report(out)["score"] == 11


def test_a_device_is_never_replaced(cli):
    """`--output /dev/null` as root: refused (renaming over it would replace the device)."""
    r = cli("grade", str(HERE / "correct.py"), "--style", "ng", "--output", "/dev/null")
    assert r.returncode == 2 and "not a regular file" in r.stderr
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


@pytest.mark.parametrize("batch", [False, True])
def test_an_output_folder_others_can_write_is_refused(cli, tmp_path, batch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    target = shared if batch else shared / "results.json"
    source = HERE if batch else HERE / "correct.py"
    r = cli("grade", str(source), "--style", "ng", "--output", str(target))
    assert r.returncode == 2
    assert "writable by other users" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "grading" not in r.stderr and list(shared.iterdir()) == []     # nothing graded


def test_a_folder_inside_one_others_can_write_is_refused(cli, tmp_path):
    """Others could rename `grades` away and put their own folder (and report) in its place."""
    (tmp_path / "shared" / "grades").mkdir(parents=True)
    (tmp_path / "shared").chmod(0o777)
    r = cli("grade", str(HERE / "correct.py"), "--style", "ng", "--output",
            str(tmp_path / "shared" / "grades" / "r.json"))
    assert r.returncode == 2 and "shared is writable by other users" in r.stderr
    assert list((tmp_path / "shared" / "grades").iterdir()) == []


def test_a_sticky_folder_like_tmp_is_accepted(cli, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    r = cli("grade", str(HERE / "correct.py"), "--style", "ng", "--format", "json",
            "--output", str(shared / "r.json"))
    assert r.returncode == 0, r.stderr
    assert _json_report(shared / "r.json")["score"] == 11


STUDENT_UID = 1 << 30 | 12345      # a uid with no account, like the sandbox's


@pytest.mark.skipif(os.geteuid() != 0, reason="planting a file as another user needs root")
def test_a_name_taken_by_another_users_link_in_a_sticky_folder_is_refused(cli, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    (shared / "results.json").symlink_to(outside)
    os.lchown(shared / "results.json", STUDENT_UID, STUDENT_UID)
    r = cli("grade", str(HERE / "correct.py"), "--style", "ng", "--output",
            str(shared / "results.json"))
    assert r.returncode == 2 and "another user's file" in r.stderr
    assert outside.read_text() == "precious" and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="planting a link as another user needs root")
def test_a_folder_reached_through_another_users_link_is_refused(cli, tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    (tmp_path / "grades").symlink_to(private)
    os.lchown(tmp_path / "grades", STUDENT_UID, STUDENT_UID)
    for through in ("grades/results.json", "grades/../results.json"):
        r = cli("grade", str(HERE / "correct.py"), "--style", "ng", "--output", through,
                cwd=tmp_path)
        assert r.returncode == 2 and "symbolic link owned by another user" in r.stderr
    assert list(private.iterdir()) == [] and not (tmp_path / "results.json").exists()


def test_the_report_file_and_its_space_exist_before_grading(tmp_path):
    """Created (and its disk space reserved) before any student code runs: filling the
    disk during the run cannot keep the report from being written."""
    from reference.grade.outfile import RESERVE, Report

    report = Report(tmp_path / "r.json")
    (temp,) = tmp_path.iterdir()
    assert temp.name.startswith(".r.json.") and temp.stat().st_blocks * 512 >= RESERVE
    report.write('{"score": 1}')
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
    assert (tmp_path / "r.json").read_text() == '{"score": 1}'


def test_gradescope_fallback_report_does_not_follow_a_planted_link(tmp_path):
    """run_autograder writes its own results.json when no file was submitted: through
    reference.grade.outfile, not a shell redirection (which follows links)."""
    from reference.grade.bundle import RUN, _options
    from reference.grade.options import GradeOptions

    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    (root / "results" / "results.json").symlink_to(outside)
    (root / "results").chmod(0o777)        # made safe by run_autograder itself
    script = tmp_path / "run_autograder"
    options = _options("ng", GradeOptions(), "visible", False)
    script.write_text(RUN.format(options=options, style="ng")
                      .replace("/autograder", str(root)))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    done = subprocess.run(["bash", str(script)], env=env, timeout=120, text=True,
                          stdin=subprocess.DEVNULL, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert outside.read_text() == "precious"
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 0 and "No .py or .ipynb" in data["output"]


def test_single_file_report_is_written_even_when_the_grader_fails(cli, tmp_path, monkeypatch):
    from reference.grade import cli as grade_cli

    def broken(*a, **k):
        raise MemoryError
    monkeypatch.setattr(grade_cli, "_grade_one", broken)
    out = tmp_path / "r.json"
    r = cli("grade", str(HERE / "correct.py"), "--style", "ng", "--format", "json",
            "--output", str(out))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "internal error" in r.stderr and "MemoryError" in r.stderr
    data = json.loads(out.read_text())
    assert data["score"] == 0 and "contact the course staff" in data["output"]


# --- the secret seed (issue 11, item 2's offline precomputation) ------------------------

def _batch(cli, tmp_path, *extra):
    subs = tmp_path / "subs"
    if not subs.exists():
        subs.mkdir()
        shutil.copy(HERE / "bug_wrong_axis.py", subs / "bug_wrong_axis.py")
    out = tmp_path / f"grades{len(list(tmp_path.iterdir()))}"
    r = cli("grade", str(subs), "--style", "ng", "--format", "json", "--output", str(out),
            *extra)
    assert r.returncode == 1, r.stderr
    return out, json.loads((out / "run.json").read_text())


def test_batch_draws_a_secret_seed_recorded_for_the_instructor_only(cli, tmp_path):
    out1, run1 = _batch(cli, tmp_path)
    out2, run2 = _batch(cli, tmp_path)
    assert run1["seed"] != run2["seed"]           # fresh per run (2**-31 to collide)
    for out, run in ((out1, run1), (out2, run2)):
        student = (out / "bug_wrong_axis.py.json").read_text()
        assert str(run["seed"]) not in student and '"seed"' not in student
        (row,) = csv.DictReader((out / "summary.csv").open())
        assert row["seed"] == str(run["seed"]) and f"--seed {run['seed']}" in run["again"]


def test_the_recorded_seed_grades_again_exactly_alike(cli, tmp_path):
    out, run = _batch(cli, tmp_path)
    again = tmp_path / "again.json"
    r = cli("grade", str(tmp_path / "subs" / "bug_wrong_axis.py"), "--style", "ng",
            "--format", "json", "--seed", str(run["seed"]), "--private-seed",
            "--output", str(again))
    assert r.returncode == 1, r.stderr
    batch = json.loads((out / "bug_wrong_axis.py.json").read_text())
    single = json.loads(again.read_text())
    for test in batch["tests"] + single["tests"]:   # the one field a clock decides
        test["extra_data"].pop("execution_time", None)
    assert batch["tests"] == single["tests"][:-1]  # cases, verdicts, diagnoses, failing case
    assert single["tests"][-1]["extra_data"]["seed"] == run["seed"]
    assert single["tests"][-1]["visibility"] == "hidden"


def test_batch_with_an_explicit_seed_uses_it_and_still_hides_it(cli, tmp_path):
    out, run = _batch(cli, tmp_path, "--seed", "77")
    assert run["seed"] == 77
    student = (out / "bug_wrong_axis.py.json").read_text()
    assert '"seed"' not in student and "seed 77" not in student


def test_single_file_keeps_seed_0_and_random_is_secret(cli, tmp_path):
    r = cli("grade", str(HERE / "correct.py"), "--style", "ng")
    assert "seed 0 (same seed" in r.stdout
    r = cli("grade", str(HERE / "correct.py"), "--style", "ng", "--seed", "random")
    assert r.returncode == 0 and "secret seed" in r.stdout and "seed 0" not in r.stdout
    (note,) = [line for line in r.stderr.splitlines() if "kept out of the report" in line]
    assert int(note.split("seed ")[1].split()[0]) >= 0


def test_bundle_draws_a_seed_per_run_unless_given(cli, tmp_path):
    import zipfile

    for extra, expected in (((), "--seed random --private-seed"),
                            (("--seed", "9"), "--seed 9 --private-seed")):
        zpath = tmp_path / f"a{len(extra)}.zip"
        r = cli("gradescope-bundle", "--style", "ng", "--output", str(zpath), *extra)
        assert r.returncode == 0, r.stderr
        with zipfile.ZipFile(zpath) as zf:
            assert expected in zf.read("run_autograder").decode()


# --- reports: escaping and CSV (issue 11, item 10) --------------------------------------

def test_student_output_and_errors_cannot_forge_report_lines(cli, tmp_path):
    out = tmp_path / "r.txt"
    r = cli("grade", str(HERE / "hostile_fake_report_lines.py"), "--style", "ng",
            "--output", str(out))
    assert r.returncode == 1
    text = out.read_text()
    assert "\r" not in text and "\x1b" not in text
    assert [line for line in text.splitlines() if line.startswith("score")] == ["score 10/11"]
    assert not any(line.lstrip().startswith(("PASS", "score")) and "linear_backward" in line
                   and "0/1" not in line for line in text.splitlines())
    assert "\\x1b[2K" in text and "| score 11/11" in text


@pytest.mark.parametrize("cell, shown", [
    ("=HYPERLINK(1+2)", "'=HYPERLINK(1+2)"), ("+1", "'+1"), ("-1+2", "'-1+2"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("subs/a.py", "subs/a.py"),
])
def test_csv_cells_that_look_like_formulas_are_neutralized(cell, shown):
    from reference.grade.report import csv_cell

    assert csv_cell(cell) == shown


def test_a_folder_named_like_a_formula_is_text_in_summary_csv(cli, tmp_path):
    subs = tmp_path / "subs"
    (subs / "=HYPERLINK(1+2)").mkdir(parents=True)
    shutil.copy(HERE / "correct.py", subs / "=HYPERLINK(1+2)" / "correct.py")
    r = cli("grade", ".", "--style", "ng", "--output", str(tmp_path / "out"), cwd=subs)
    assert r.returncode == 0, r.stderr
    (row,) = list(csv.reader((tmp_path / "out" / "summary.csv").open()))[1:]
    assert row[0] == "'=HYPERLINK(1+2)/correct.py" and row[1:3] == ["passed", "11"]


# --- batch mode: links (issue 11, item 9) ------------------------------------------------

def test_batch_skips_links_to_other_students_files(cli, tmp_path):
    subs = tmp_path / "subs"
    (subs / "alice").mkdir(parents=True)
    (subs / "mallory" / "sub").mkdir(parents=True)
    shutil.copy(HERE / "correct.py", subs / "alice" / "dnn.py")
    (subs / "mallory" / "dnn.py").symlink_to(subs / "alice" / "dnn.py")
    (subs / "mallory" / "sub" / "x.py").symlink_to(subs / "alice" / "dnn.py")
    (subs / "mallory" / "linked").symlink_to(subs / "alice", target_is_directory=True)
    (subs / "top.py").symlink_to(subs / "alice" / "dnn.py")
    (subs / "eve").symlink_to(subs / "alice", target_is_directory=True)
    from reference.grade.cli import submissions_in

    assert submissions_in(subs, "ng") == [subs / "alice" / "dnn.py"]
    r = cli("grade", str(subs), "--style", "ng", "--output", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader((tmp_path / "out" / "summary.csv").open()))
    assert [row["submission"] for row in rows] == [str(subs / "alice" / "dnn.py")]


# --- bounds on the grader itself (issue 11, item 5) --------------------------------------

def test_max_seconds_bounds_the_whole_submission():
    result = grade(HERE / "hostile_infinite_loop.py", "ng", only=["linear_forward"],
                   timeout=60.0, max_seconds=2.0)
    (fr,) = result.functions
    assert fr.status == "failed" and "total time of 2 s" in fr.finding.diagnosis


def _parent_maxrss_mb(path: Path, parallel: int | None = None) -> tuple[float, str]:
    code = ("import resource, sys; from reference.grade.runner import grade_submission; "
            "from reference.grade.options import GradeOptions; "
            f"r = grade_submission(sys.argv[1], 'ng', GradeOptions(parallel={parallel})); "
            "print(r.score, r.error); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    verdict, rss = done.stdout.strip().splitlines()
    return int(rss) / 1024, verdict


def test_a_notebook_of_14_mb_of_constants_does_not_cost_the_grader_a_gigabyte(tmp_path):
    """It cost 1.0 to 1.2 GB (a clean grade: about 240 MB); now it is refused before parsing."""
    const = "[" + ", ".join(str(i * 0.5) for i in range(700_000)) + "]"
    cells = [f"DATA = {const}\n", f"DATA2 = {const}\n", (HERE / "correct.py").read_text()]
    nb = {"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [],
                     "execution_count": None} for c in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "big.ipynb"
    path.write_text(json.dumps(nb))
    assert path.stat().st_size > 13_000_000
    rss, verdict = _parent_maxrss_mb(path)
    assert verdict.startswith("0.0 ") and "characters of code" in verdict
    assert rss < 600


@pytest.mark.parametrize("parallel", [1, 2])
def test_a_forged_result_frame_does_not_cost_the_grader_gigabytes(parallel):
    """hostile_forged_results.py sends a 30 MB answer of ten million empty lists: 1.7 GB in
    the parent before (a clean grade: about 240 MB; this one now about 330 MB)."""
    rss, verdict = _parent_maxrss_mb(HERE / "hostile_forged_results.py", parallel)
    assert verdict == "10.0 None" and rss < 1000


def test_a_blob_of_nested_lists_cannot_inflate_the_parent():
    """A forged answer: 10 million empty lists in 32 MB would cost gigabytes to decode."""
    head = b'{"arrays": [], "tree": [' + b"[]," * (10 * 2**20) + b"[]]}"
    blob = codec.MAGIC + len(head).to_bytes(8, "little") + head
    with pytest.raises(ValueError, match="too large"):
        codec.decode(blob, as_float=True)
    res = ChildResult(blob)
    fr, _, _ = interpret.safe_interpret(SIGMOID, _cases(), res, LIMITS)
    assert fr.status == "failed" and "unreadable" in fr.finding.diagnosis


def test_decoded_float64_copies_are_bounded():
    """Bool arrays become float64 (8 times the bytes) in the parent: within a budget."""
    n = codec.MAX_DECODED_BYTES // 8 * 3 // 4          # three quarters of the budget each
    blob = codec.encode({"a": np.zeros(n, dtype=np.bool_), "b": np.zeros(n, dtype=np.bool_)})
    value = codec.decode(blob, as_float=True)
    assert isinstance(value["a"], np.ndarray) and value["a"].dtype == np.float64
    assert value["b"] == codec.Opaque("array (too large)")
    plain = codec.decode(blob)                         # the child reading its job: no budget
    assert plain["b"].shape == (n,)


ODD_RETURNS = {
    "sigmoid": "np.zeros((1,) * 40), Z",                       # more dimensions than decoded
    "relu": "{(1, 2): Z, 3: Z, None: 1}",                       # keys that are not strings
    "linear_forward": "np.zeros(W.shape[:1] + A.shape[1:], dtype=np.longdouble), (A, W, b)",
    "compute_cost": "float('nan')",
    "sigmoid_backward": "(x for x in range(3))",                # a generator
    "relu_backward": "np.zeros((), dtype=[('a', 'f8')])",       # a structured array
    "linear_backward": "_loop()",                               # a list holding itself
    "update_parameters": "np.zeros(3, dtype=complex)",
    "L_model_forward": "2 ** 5000",                             # no float holds it
}


def test_odd_return_values_fail_their_function_and_nothing_else(tmp_path):
    import re

    text = (HERE / "correct.py").read_text()
    for name, value in ODD_RETURNS.items():
        text = re.sub(rf"(def {name}\([^)]*\):\n)", rf"\g<1>    return {value}\n", text, count=1)
    text += "\n\ndef _loop():\n    items = []\n    items.append(items)\n    return items\n"
    path = tmp_path / "odd.py"
    path.write_text(text)
    result = grade(path, "ng", timeout=20.0)
    status = {f.name: f for f in result.functions}
    assert result.error is None
    assert {n for n, f in status.items() if f.status == "failed"} == set(ODD_RETURNS)
    assert "could not encode the results" in status["L_model_forward"].finding.diagnosis
