"""Submissions as students hand them in (tests/submissions/real), driven by data.

Each fixture reproduces one pattern read in real submissions or public student
repositories (written for this project): a student's several files, the book's folders,
course helpers imported by star, notebooks of every age, Python 2, renamed and lower-case
classes, the assignment as methods of one class, and more (verdicts.json's rows name them).
The TA's verdict on every graded function of each is a row of verdicts.json; what the
report says beyond the verdicts (notes, diagnoses, where functions were found) and the
bugs planted in copies of fixtures are rows of tests/real_patterns.py. A new pattern is a
fixture, its row in verdicts.json, and, when its report must say something, a row there.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from reference.grade.pick import files_under, pick
from tests.real_patterns import (
    PLANTED,
    REAL,
    REPORTS,
    VERDICTS,
    Planted,
    Report,
    diagnoses,
    grade,
    graded_row,
    row_id,
    statuses,
)


def _agreement():
    """benchmarks/bench_real_agreement.py: its rule for what agrees with the TA's table
    is the one this test holds the grader to."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_real_agreement.py"
    spec = importlib.util.spec_from_file_location("_bench_real_agreement", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


AGREEMENT = _agreement()


@pytest.mark.parametrize("entry", VERDICTS, ids=row_id)
def test_every_real_fixture_agrees_with_the_ta(entry):
    """The TA's verdict table (benchmarks/bench_real_agreement.py prints the same): each
    graded function right (passed), wrong (failed or missing) or absent (missing or
    supplied), no false alarm and no missed bug."""
    _, result = graded_row(entry["path"], entry.get("folder"))
    disagree = {name: (verdict, status, kind, diagnoses(result).get(name))
                for name, verdict, status, kind in AGREEMENT.compare(entry, statuses(result))
                if kind != "agree"}
    assert disagree == {}, (disagree, result.error, result.warnings)


def _reports(*fields: str) -> list:
    rows = [r for r in REPORTS if any(getattr(r, f) not in (None, (), {}, frozenset())
                                      for f in fields)]
    return [pytest.param(r, id=r.id) for r in rows]


@pytest.mark.parametrize("report", _reports("notes", "lacks"))
def test_a_note_says_how_the_submission_was_read(report: Report):
    """Python 2 converted, a class graded under the book's name, an import the notebook had,
    a course helper stood in for: the report says so, and says nothing it should not."""
    _, result = graded_row(report.path, report.folder)
    for texts in report.notes:
        about = [w for w in result.warnings if texts[0] in w]
        assert about, (texts, result.warnings)
        assert all(t in w for w in about for t in texts), (texts, about)
    for text in report.lacks:
        assert not any(text in w for w in result.warnings), (text, result.warnings)


def _holds(diagnosis: str, text: str) -> bool:
    if text.startswith("^"):
        return diagnosis.startswith(text[1:])
    if text.endswith("$"):
        return diagnosis.endswith(text[:-1])
    return text in diagnosis


@pytest.mark.parametrize("report", _reports("diagnoses", "diagnosis_lacks", "failing",
                                            "statuses"))
def test_a_diagnosis_says_what_is_wrong_and_where(report: Report):
    """A NameError at the student's line, never inside NumPy; 'did you mean'; a backward
    whose forward raised; a contract the student's function breaks, named."""
    _, result = graded_row(report.path, report.folder)
    said = diagnoses(result)
    assert {n: statuses(result)[n] for n in report.statuses} == report.statuses, said
    if report.failing is not None:
        assert set(said) == report.failing, said
    for name, texts in report.diagnoses.items():
        assert all(_holds(said[name], t) for t in texts), (name, said.get(name))
    for name, texts in report.diagnosis_lacks.items():
        assert not any(t in said[name] for t in texts), (name, said[name])


@pytest.mark.parametrize("report", _reports("origins", "files", "files_include",
                                            "files_exclude", "ignored", "ignored_include",
                                            "supplied"))
def test_each_function_is_found_where_the_student_wrote_it(report: Report):
    """A submission is the student's files: each function is reported in the file that
    defines it, the files graded and ignored are listed, and only what the course
    provides is supplied."""
    _, result = graded_row(report.path, report.folder)
    for name, where in report.origins.items():
        assert result.origins[name] == where, (name, result.origins)
    if report.files is not None:
        assert set(result.files) == report.files
    assert report.files_include <= set(result.files), result.files
    assert not any(t in f for t in report.files_exclude for f in result.files), result.files
    if report.ignored is not None:
        assert list(result.ignored) == list(report.ignored)
    assert report.ignored_include <= set(result.ignored), result.ignored
    if report.supplied is not None:
        assert {n for n, s in statuses(result).items() if s == "supplied"} == report.supplied


@pytest.mark.parametrize(("fixture", "chosen"), [
    ("saito_ch05", "common/layers.py"),
    ("ng_cell_files", "1-initialize-parameters-deep.py"),
])
def test_the_file_graded_in_a_folder_is_the_one_verdicts_json_names(fixture, chosen):
    """verdicts.json's folder rows name the file folder mode picks (the one defining the
    most graded functions), so the table grades what batch mode would."""
    assert pick(files_under(REAL / fixture), _style(fixture)) == REAL / fixture / chosen
    assert any(e["path"] == f"{fixture}/{chosen}" and e.get("folder") == fixture
               for e in VERDICTS)


def _style(fixture: str) -> str:
    return next(e["style"] for e in VERDICTS if e.get("folder") == fixture)


@pytest.mark.parametrize("planted", [pytest.param(p, id=p.id) for p in PLANTED])
def test_a_bug_planted_in_a_real_pattern_is_still_found(planted: Planted, tmp_path):
    """What the grader accommodates (a folder, Python 2, object arrays, lower-case keys,
    a contract the file keeps with itself) never hides a real mistake in it."""
    student = tmp_path / "student"
    shutil.copytree(REAL / planted.fixture, student)
    path = student / planted.edit
    text = path.read_text()
    assert planted.old in text, planted.old
    assert not planted.old_ends_file or text.endswith(planted.old)
    path.write_text(text.replace(planted.old, planted.new))
    result = grade(student / (planted.graded or planted.edit), planted.style,
                   student if planted.folder else None,
                   **({"only": list(planted.only)} if planted.only else {}))
    got, said = statuses(result), diagnoses(result)
    assert {n: got[n] for n in planted.statuses} == planted.statuses, said
    if planted.failing is not None:
        assert set(said) == planted.failing, said
    for name, text in planted.diagnoses.items():
        assert text in said[name], (name, said.get(name))
    for text in planted.lacks:
        assert not any(text in w for w in result.warnings), (text, result.warnings)
