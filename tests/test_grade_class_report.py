"""The class report of a batch (class_report.txt, class_report.html beside summary.csv).

One batch of cs231n-a2 catalog files (one student folder each, one of them named with
markup, one whose error message is a script) is graded once for the module; the tests
read its files. The expected counts come from what each student's file is (the catalog
says which function each planted bug breaks), not from the report's own output. Every
style is then checked without a process (results built by hand)."""

from __future__ import annotations

import csv
import re
import shutil
from html.parser import HTMLParser

import pytest

from reference.grade import classreport
from reference.grade.base import Finding, GradeCase
from reference.grade.results import FunctionResult, SubmissionResult
from reference.grade.styles import STYLES, function_names, get_style
from reference.oracle.kinds import Kind
from tests.grade_catalog import SUBMISSIONS

A2 = SUBMISSIONS / "cs231n-a2"
HOSTILE_NAME = "<img src=x onerror=alert(1)>"      # a folder name: no slash
SCRIPT_ERROR = "<script>alert('pwned')</script>"
# student folder -> the catalog file it holds (a missing relu_backward is made below)
STUDENTS = {"alice": "correct.py", "bob": "bug_relu_no_mask.py",
            "carol": "bug_relu_no_mask.py", "dave": "old_code_asfarray.py",
            HOSTILE_NAME: "correct.py", "erin": "correct.py", "frank": "correct.py"}


def _write_students(subs) -> None:
    for student, name in STUDENTS.items():
        (subs / student).mkdir()
        shutil.copy(A2 / name, subs / student / "layers.py")
    source = (A2 / "correct.py").read_text()
    # erin: relu_backward not written (missing); frank: relu_backward raises a script
    (subs / "erin" / "layers.py").write_text(
        source.replace("def relu_backward(", "def unused_relu_backward("))
    (subs / "frank" / "layers.py").write_text(source.replace(
        '    dx, x = None, cache\n',
        f'    dx, x = None, cache\n    raise ValueError("{SCRIPT_ERROR}")\n'))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The batch's output folder, graded once (seed 0: the same cases for everyone)."""
    from reference.cli import main

    root = tmp_path_factory.mktemp("class")
    subs = root / "subs"
    subs.mkdir()
    _write_students(subs)
    out = root / "grades"
    code = main(["grade", str(subs), "--style", "cs231n-a2", "--output", str(out),
                 "--seed", "0", "--timeout", "5"])
    assert code == 1                     # some students failed
    return out


def _block(text: str, name: str) -> str:
    """The class_report.txt lines on one function: its count line and its diagnoses."""
    count = next(line for line in text.splitlines() if line.startswith(name + " "))
    head = f"\n{name}: most frequent diagnoses\n"
    diag = text.split(head, 1)[1].split("\n\n", 1)[0] if head in text else ""
    return count + "\n" + diag


def test_counts_per_function_follow_what_each_student_wrote(batch):
    text = (batch / "class_report.txt").read_text()
    assert "7 submissions" in text.splitlines()[0]
    # relu_backward: alice, dave and the hostile name right; bob, carol the planted bug;
    # erin left it out; frank's raises
    assert "3/7 passed  (3 passed, 2 failed, 1 crashed, 1 missing)" in _block(
        text, "relu_backward")
    # affine_forward: dave's np.asfarray is a crash of old code, everyone else right
    assert "6/7 passed  (6 passed, 1 crashed)" in _block(text, "affine_forward")
    assert "7/7 passed  (7 passed)" in _block(text, "conv_forward_naive")


def test_diagnoses_are_grouped_by_kind_and_mistake_with_one_example(batch):
    text = (batch / "class_report.txt").read_text()
    relu = _block(text, "relu_backward")
    # bob's and carol's: one group of 2, the example the first student (bob) and the
    # smallest failing case his own report names
    line = next(ln for ln in relu.splitlines() if "the mask [x > 0] is missing" in ln)
    assert line.strip().startswith("2 x [known mistake] dx: ")
    example = relu.splitlines()[relu.splitlines().index(line) + 1]
    own = (batch / "bob__layers.py.txt").read_text()
    case = re.search(r"relu_backward \[.*\n    smallest failing case: (.*)", own).group(1)
    assert example.strip() == f"e.g. bob, smallest failing case {case}"
    assert "1 x [runtime error] the backward raised ValueError: <script>" in relu
    old = _block(text, "affine_forward")
    assert "1 x [old code] old code: np.asfarray removed in NumPy 2.0 (now " in old
    assert "e.g. dave" in old


class _Page(HTMLParser):
    """Every start tag, attribute and text of the page, and the elements left open."""

    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.open, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag not in ("meta", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, tag

    def handle_data(self, data):
        self.text.append(data)


def test_the_html_page_is_one_offline_file_with_a_bar_per_function(batch):
    page = (batch / "class_report.html").read_text()
    parsed = _Page()
    parsed.feed(page)
    assert parsed.open == ["html"] or parsed.open == []       # every element closed
    assert parsed.tags.count("svg") == len(get_style("cs231n-a2").functions)
    assert "script" not in parsed.tags and not {"link", "img", "iframe"} & set(parsed.tags)
    values = " ".join(str(v) for _, v in parsed.attrs).lower()
    assert "http" not in values and "url(" not in page and "@import" not in page
    assert all(v.startswith("#f") for k, v in parsed.attrs if k == "href")  # in the page
    # the relu_backward bar: its segments' titles are the counts of the text report
    bar = re.split(r"<h2 id=\"f\d+\">relu_backward</h2>", page)[1].split("</svg>", 1)[0]
    assert re.findall(r"<title>([^<]*)</title>", bar) == [
        "3 passed", "2 failed", "1 crashed", "1 missing"]


def test_student_controlled_text_is_escaped_in_the_page(batch):
    page = (batch / "class_report.html").read_text()
    assert "<script" not in page.lower() and "<img" not in page.lower()
    text = " ".join(_page_text(page))
    assert SCRIPT_ERROR in text          # shown as text (the parser unescapes it)
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page
    assert (batch / "summary.csv").exists()
    rows = list(csv.DictReader((batch / "summary.csv").open()))
    assert len(rows) == len(STUDENTS)


def _page_text(page: str) -> list[str]:
    parsed = _Page()
    parsed.feed(page)
    return parsed.text


def test_a_hostile_folder_name_is_only_text(batch):
    """A student named with markup whose submission fails: the example shows the name."""
    views = classreport.class_view(
        [_result("cs231n-a2", {"relu_backward": _failed("relu_backward", Kind.VALUE)})],
        function_names("cs231n-a2"), [HOSTILE_NAME])
    page = classreport.class_html(views, "cs231n-a2", 1)
    assert "<img" not in page.lower() and HOSTILE_NAME in " ".join(_page_text(page))


def test_numbers_do_not_split_a_group():
    first = ("dx[0, 3]: example 0, feature 3; expected 0, got 1.25 (rel err 2.1e+03); "
             "diagnosis: the gradient passed where x < 0 (the mask [x > 0] is missing)")
    second = ("dx[4, 1]: example 4, feature 1; expected 0, got -0.5 (rel err 41); "
              "diagnosis: the gradient passed where x < 0 (the mask [x > 0] is missing)")
    assert classreport.mistake_label(first) == classreport.mistake_label(second) == \
        "dx: the gradient passed where x < 0 (the mask [x > 0] is missing)"
    assert classreport.mistake_label("dW is m = 3 times too large: the 1/m is missing") == \
        classreport.mistake_label("dW is m = 7 times too large: the 1/m is missing") == \
        "dW is m = # times too large: the 1/m is missing"
    # where the error was raised is each student's own file and line
    assert classreport.mistake_label(
        "ValueError: shapes (2,3) and (4,5) not aligned (alice.py, line 9, in forward)") == \
        classreport.mistake_label(
            "ValueError: shapes (3,3) and (2,5) not aligned (layers.py, line 40, in forward)") \
        == "ValueError: shapes (#,#) and (#,#) not aligned"
    # code's keyword arguments are the mistake's words
    assert classreport.mistake_label("db: use np.sum(dZ, axis=1, keepdims=True) / m") == \
        "db: use np.sum(dZ, axis=1, keepdims=True) / m"
    # a name's digits are the name's: dW1 and dW2 are told apart
    assert classreport.mistake_label("dW1 is wrong at index (0, 1): expected 1, got 2") != \
        classreport.mistake_label("dW2 is wrong at index (0, 1): expected 1, got 2")


def _failed(name: str, kind: Kind) -> FunctionResult:
    return FunctionResult(name, 1.0, 0.0, "failed", Finding("BP4", f"{name} is wrong", kind=kind),
                          GradeCase({}, {}, (1,), "m=1"))


def _result(style: str, changed: dict) -> SubmissionResult:
    functions = [changed.get(f.name, FunctionResult(f.name, f.points, f.points, "passed"))
                 for f in get_style(style).functions]
    return SubmissionResult(f"{style}.py", style, 0, functions)


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_gets_a_class_view(style):
    """Dense and layer styles alike: one bar per graded function, each student counted
    once per function; a crash and a wrong value counted apart."""
    names = [f.name for f in get_style(style).functions]
    first, last = names[0], names[-1]
    results = [_result(style, {}),
               _result(style, {first: _failed(first, Kind.RUNTIME)}),
               _result(style, {first: _failed(first, Kind.VALUE),
                               last: FunctionResult(last, 1.0, 0.0, "missing")})]
    views = classreport.class_view(results, function_names(style), ["a", "b", "c"])
    by_name = {v.name: v for v in views}
    assert all(v.total == 3 for v in views) and set(names) <= set(by_name)
    if first != last:
        assert dict(by_name[first].counts) == {"passed": 1, "crashed": 1, "failed": 1}
        assert by_name[last].counts["missing"] == 1
    page = classreport.class_html(views, style, 3)
    assert page.count("<svg") == len(views)
    assert f"{first} " in classreport.class_text(views, style, 3)
