"""The books' records (`reference.grade.books`): the one place a style's book lives.

The shared reading code names no book (the names are taken from the records
themselves, so a new record is checked too), every helper a graded function may
ask for is answered by the parent, and the student's process reads the records
without loading the judges, `manual` or a correct helper.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from reference.grade import kit, loader
from reference.grade.book import class_key
from reference.grade.books import BOOKS, SHELF
from reference.grade.styles import STYLES, get_style

ROOT = Path(__file__).resolve().parents[1]
GRADE = ROOT / "reference" / "grade"
SHARED = ["loader.py", "folder.py", "rename.py", "standins.py", "kit.py", "worker.py",
          "sandbox.py", "source.py", "keep.py", "submission.py", "pick.py", "runner.py",
          "readfile.py", "interpret.py", "orchestrate.py", "cases.py", "results.py"]


def _book_names() -> set[str]:
    """Every class, layer, alias and course-module name the records hold."""
    names = set()
    for book in BOOKS.values():
        names |= {s.name for s in book.renamed} | {layer.name for layer in book.layers}
        names |= {n for a in book.aliases for n in (a.book, *a.names)}
        names |= {cls for cls, _ in book.module_methods}
        names |= {re.match(r"[A-Za-z_]+", m.pattern).group(0).rstrip("_")
                  for m in book.course_modules}
    return names


@pytest.mark.parametrize("module", SHARED)
def test_the_shared_reading_code_names_no_book(module):
    if not (GRADE / module).exists():
        pytest.skip(f"{module} is gone (split into others)")
    text = (GRADE / module).read_text()
    found = sorted(n for n in _book_names() if re.search(rf"\b{re.escape(n)}\b", text))
    assert found == [], f"{module} names {found}: that belongs in a book's record"


def test_every_style_has_a_record_and_every_helper_it_may_call_is_answered():
    answered = kit.helpers()
    for name in STYLES:
        assert name in BOOKS
        for fn in get_style(name).functions:
            assert set(fn.helpers) <= set(answered), (name, fn.name)


def test_the_helpers_a_function_may_call_are_written_once_in_its_record():
    """The style allows exactly the helpers the record says the function calls (the probe
    installs the same ones, read from the same record)."""
    for name in STYLES:
        book = BOOKS[name]
        for fn, calls in book.calls:
            graded = next(f for f in get_style(name).functions if f.name == fn)
            assert graded.helpers == book.helpers_of(fn) != ()
            assert all(h.endswith(f".{c}") for h, c in zip(graded.helpers, calls))
    assert BOOKS["ng"].helpers_of("L_model_backward")[-1] == "ng.linear_activation_backward"


def test_the_records_say_what_the_shelf_answers():
    """The shelf reads a student's class name as a TA does, through the records."""
    assert SHELF.book_key("Dense_Layer") == SHELF.book_key("Affine2") == class_key("Affine")
    assert SHELF.shape("Network").methods == ("backprop",) and SHELF.shape("relu") is None
    assert SHELF.is_course_module("dnn_utils_v2") and not SHELF.is_course_module("dnn_utils2")


def test_the_students_process_reads_the_records_without_the_grader():
    code = ("import sys; import reference.grade.worker, reference.grade.probes.ng, "
            "reference.grade.probes.saito, reference.grade.probes.nielsen; "
            "print(sorted(m for m in sys.modules if m.startswith(('manual', 'torch', "
            "'reference.grade.styles', 'reference.grade.kit', 'reference.oracle'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# each reading pass and the real fixtures (folders of tests/submissions/real/) that pin it
PINNED = {
    "decode": ("nielsen_utf16", "saito_shift_jis"),
    "notebook to source": ("notebooks",),
    "Python 2 conversion": ("nielsen_py2", "ng_py2_int_division"),
    "keep definitions": ("saito_cupy_switch", "nielsen_lambda", "nielsen_vectorize"),
    "collect the student's files": ("ng_four_files", "saito_ch05", "ng_cell_files"),
    "resolve names": ("saito_relu_case", "saito_linear_name", "nielsen_staticmethods"),
    "bind renamed classes": ("saito_renamed_net", "nielsen_renamed_py3"),
    "list the files": ("ng_folder_per_step",),
    "notebook imports": ("ng_cell_files",),
    "module-level methods": ("nielsen_module_cost_derivative",),
    "NumPy's testing module": ("ng_testing_asserts",),
}


def test_every_reading_pass_is_pinned_by_real_fixtures_with_a_verdict():
    import json

    real = ROOT / "tests" / "submissions" / "real"
    rows = json.loads((real / "verdicts.json").read_text())["submissions"]
    judged = {row["path"].split("/")[0] for row in rows}
    passes = loader.FILE_PASSES + loader.PASSES
    assert [p.name for p in passes] == list(PINNED)      # every pass, in order
    for step in passes:
        assert set(PINNED[step.name]) <= judged, step.name
        assert (step.run is None) == (step in loader.FILE_PASSES), step.name
        assert (step.file is None) == (step in loader.PASSES), step.name
