"""The class view of a batch: per graded function, how the class did and what went wrong.

Written by batch mode beside summary.csv, as text (`class_report.txt`) and as one
offline HTML page (`class_report.html`: inline CSS and SVG, no script, no network).
For each graded function: how many students passed (a `supplied` function counts as
passed: the course provided it), failed, crashed (the code raised, timed out or was
blocked by a forward that raised; `old code` is a crash due to the code's age),
missing, and not graded (the submission could not be graded at all); then the most
frequent diagnoses with their counts and one example each (the student and the smallest
failing case).

Diagnoses are grouped by their kind (`reference.oracle.kinds.Kind`) and the mistake
they name, never by their raw text: the numbers in a diagnosis (an index, the expected
and returned values, a line number, a shape) differ from student to student, so they
are written `#` in the group's label ("dx[#, #]: example #, feature #; expected #, got
# (rel err #); diagnosis: the gradient passed where x < #"). A layer style's
diagnosis keeps its array name and the twin's diagnosis; a `1/m` stays as written.

Everything a student controls (file names, diagnoses quoting their error messages) is
escaped: control characters as in every report (`report.escape`), and in the HTML page
every `<`, `>`, `&` and quote (`html.escape`).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field

from ..oracle.kinds import Kind
from .oldcode import SEPARATOR
from .report import escape
from .results import FAILED, MISSING, NOT_GRADED, PASSED, SUPPLIED, FunctionResult, SubmissionResult

__all__ = ["OUTCOMES", "FunctionView", "Group", "class_view", "class_text", "class_html",
           "mistake_label", "outcome"]

# the bars' segments, in order (and their colours in the HTML page)
OUTCOMES = ("passed", "failed", "crashed", "missing", "not graded")
COLOURS = {"passed": "#2e7d32", "failed": "#c62828", "crashed": "#ef6c00",
           "missing": "#9e9e9e", "not graded": "#d7ccc8"}
# a failure of these kinds is the code not running, not a wrong answer
CRASH_KINDS = frozenset({Kind.RUNTIME, Kind.FORWARD_RAISED, Kind.LOAD, Kind.OLD_CODE})
TOP = 5             # diagnoses listed per function
EXAMPLE_CHARS = 300  # an example's diagnosis, cut there


def outcome(result: SubmissionResult, f: FunctionResult) -> str:
    """One of OUTCOMES for one student's function."""
    status = result.status_of(f)
    if status in (PASSED, SUPPLIED):
        return "passed"
    if status == MISSING:
        return "missing"
    if status == NOT_GRADED:
        return "not graded"
    if status == FAILED and f.finding is not None and f.finding.kind in CRASH_KINDS:
        return "crashed"
    return "failed"


# a number standing alone (not a digit of a name such as dW1 or float64, not the 1 of 1/m)
_NUMBER = re.compile(r"(?<![\w./])[-+−]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w/])"
                     r"|(?<![\w])-?(?:nan|inf)(?!\w)")
# a layer style's line: "dx[0, 1]: example 0, feature 1; expected ..., got ...; diagnosis: ..."
_LAYER_LINE = re.compile(r"([A-Za-z_]\w*)(?:\[[^\]]*\])?[:;].*?; diagnosis: (.*)", re.S)
_COMPARED = ("<", ">", "≤", "≥", "<=", ">=")
_KEYWORD = re.compile(r"[A-Za-z_]\w*=$")        # `axis=1`: code's words
# where an error was raised, "(layers.py, line 12, in relu_backward)": each student's own
_WHERE = re.compile(r"\s*\([^()]*, line \d+, in [\w.<>]+\)")


def _number(m: re.Match) -> str:
    """`#` for a number, unless it is compared with (the 0 of `x > 0` is the mistake's) or
    code's keyword argument (`axis=1`)."""
    before = m.string[:m.start()]
    keep = before.rstrip().endswith(_COMPARED) or _KEYWORD.search(before)
    return m.group() if keep else "#"


def mistake_label(text: str, kind: Kind | None = None) -> str:
    """The mistake a diagnosis names, the same for every student who made it: old code's
    "old code: np.X removed in NumPy V (now ...)" as it is, a layer style's array name
    and diagnosis (without the index and values), anything else without where an error
    was raised (the student's file and line) and with its numbers written `#`; blanks
    collapsed, at most 200 characters."""
    text = str(text)
    if kind is Kind.OLD_CODE and SEPARATOR in text:
        return " ".join(text.split(SEPARATOR, 1)[0].split())[:200]
    layer = _LAYER_LINE.fullmatch(text)
    if layer:
        text = f"{layer.group(1)}: {layer.group(2)}"
    label = _NUMBER.sub(_number, _WHERE.sub("", text))
    return " ".join(label.split())[:200]


@dataclass
class Group:
    """One diagnosis of one function: how many students got it, and the first one."""

    kind: str
    label: str
    count: int = 0
    student: str = ""
    case: str = ""
    diagnosis: str = ""            # the example's own words (its index and values)


@dataclass
class FunctionView:
    """One graded function across the class: the students per outcome, the diagnoses."""

    name: str
    counts: Counter = field(default_factory=Counter)     # outcome -> students
    groups: dict[tuple[str, str], Group] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def top(self, n: int = TOP) -> list[Group]:
        """The n most frequent diagnoses (ties: the first met)."""
        return sorted(self.groups.values(), key=lambda g: -g.count)[:n]

    def add(self, student: str, result: SubmissionResult, f: FunctionResult) -> None:
        what = outcome(result, f)
        self.counts[what] += 1
        if what not in ("failed", "crashed") or f.finding is None:
            return
        kind = str(f.finding.kind)
        key = (kind, mistake_label(f.finding.diagnosis, f.finding.kind))
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(
                kind, key[1], 0, student, f.case.description if f.case else "",
                f.finding.diagnosis[:EXAMPLE_CHARS])
        group.count += 1


def class_view(results: list[SubmissionResult], names: list[str],
               students: list[str] | None = None) -> list[FunctionView]:
    """Per graded name (in `names`' order: the style's), the class's outcomes and
    diagnoses. `students`: one id per result (default: the submissions' paths). A name
    a student's style does not grade (the other chapter of a `--style nielsen` batch) is
    left out of that student's counts."""
    ids = students if students is not None else [r.submission for r in results]
    views = {n: FunctionView(n) for n in names}
    for student, result in zip(ids, results):
        for f in result.functions:
            if f.name in views:
                views[f.name].add(student, result, f)
    return [v for v in views.values() if v.total]


def _counts_line(view: FunctionView) -> str:
    """"3 passed, 1 failed, 2 missing": the outcomes some student had."""
    return ", ".join(f"{view.counts[o]} {o}" for o in OUTCOMES if view.counts[o])


def class_text(views: list[FunctionView], style: str, n_students: int) -> str:
    """class_report.txt: a block per function (counts, then the diagnoses by frequency,
    each with one example)."""
    lines = [f"backprop-oracle class report: style {style}, {n_students} submissions", ""]
    width = max([len(v.name) for v in views] + [10])
    for v in views:
        lines.append(f"{v.name:<{width}}  {v.counts['passed']}/{v.total} passed  "
                     f"({_counts_line(v)})")
    for v in views:
        if not v.groups:
            continue
        lines += ["", f"{v.name}: most frequent diagnoses"]
        for g in v.top():
            lines.append(f"  {g.count} x [{g.kind}] {escape(g.label)}")
            case = f", smallest failing case {escape(g.case)}" if g.case else ""
            lines.append(f"      e.g. {escape(g.student)}{case}")
        if len(v.groups) > TOP:
            lines.append(f"  ... and {len(v.groups) - TOP} other diagnoses")
    return "\n".join(lines) + "\n"


def _e(text) -> str:
    """Student-controlled text for the HTML page: control characters escaped as in every
    report, then every markup character."""
    return html.escape(escape(text), quote=True)


BAR_W, BAR_H = 480, 22


def bar_svg(view: FunctionView) -> str:
    """One function's stacked bar (passed, failed, crashed, missing, not graded), inline
    SVG with a label per segment and a <title> for each."""
    parts, x = [], 0.0
    total = view.total or 1
    for o in OUTCOMES:
        n = view.counts[o]
        if not n:
            continue
        w = BAR_W * n / total
        parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{BAR_H}" '
                     f'fill="{COLOURS[o]}"><title>{n} {o}</title></rect>')
        if w >= 18:
            parts.append(f'<text x="{x + w / 2:.1f}" y="15" text-anchor="middle" '
                         f'class="n">{n}</text>')
        x += w
    return (f'<svg role="img" aria-label="{_e(view.name)}: {_e(_counts_line(view))}" '
            f'width="{BAR_W}" height="{BAR_H}" viewBox="0 0 {BAR_W} {BAR_H}">'
            + "".join(parts) + "</svg>")


CSS = """body{font-family:sans-serif;margin:2em;max-width:60em;color:#222}
h2{font-size:1.1em;margin:1.6em 0 .3em;font-family:monospace}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:.2em .5em;
vertical-align:top;text-align:left;font-size:.9em}.n{fill:#fff;font-size:12px}
.key span{display:inline-block;width:1em;height:1em;margin:0 .3em 0 1em;vertical-align:middle}
code{white-space:pre-wrap}"""


def _groups_table(view: FunctionView) -> str:
    rows = [f"<tr><td>{g.count}</td><td>{_e(g.kind)}</td><td><code title=\"{_e(g.diagnosis)}\">"
            f"{_e(g.label)}</code>"
            f"</td><td>{_e(g.student)}<br><small>{_e(g.case)}</small></td></tr>"
            for g in view.top()]
    more = (f"<p>... and {len(view.groups) - TOP} other diagnoses</p>"
            if len(view.groups) > TOP else "")
    return ("<table><tr><th>students</th><th>kind</th><th>diagnosis</th><th>example "
            "(student, smallest failing case)</th></tr>" + "".join(rows) + "</table>" + more)


def _overview(views: list[FunctionView]) -> str:
    """A table of every function and its counts, each linking to its section."""
    head = "".join(f"<th>{o}</th>" for o in OUTCOMES)
    rows = "".join(f'<tr><td><a href="#f{k}">{_e(v.name)}</a></td>'
                   + "".join(f"<td>{v.counts[o]}</td>" for o in OUTCOMES) + "</tr>"
                   for k, v in enumerate(views))
    return f"<table><tr><th>function</th>{head}</tr>{rows}</table>"


def class_html(views: list[FunctionView], style: str, n_students: int) -> str:
    """class_report.html: one page, readable offline (no script, no external link, no
    image file): an overview table, then per function its bar and its diagnoses."""
    key = "".join(f'<span style="background:{COLOURS[o]}"></span>{o}' for o in OUTCOMES)
    body = [f"<h1>Class report: style {_e(style)}, {n_students} submissions</h1>",
            _overview(views), f'<p class="key">{key}</p>']
    for k, v in enumerate(views):
        body.append(f'<h2 id="f{k}">{_e(v.name)}</h2><p>{v.counts["passed"]}/{v.total} '
                    f"passed ({_e(_counts_line(v))})</p>{bar_svg(v)}")
        if v.groups:
            body.append(_groups_table(v))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Class report: {_e(style)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
