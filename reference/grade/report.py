"""Reports: text for a person, Gradescope's results.json, and the batch CSV row.

results.json follows Gradescope's autograder specification (top level: score,
max_score, output, execution_time, visibility, stdout_visibility, extra_data,
tests; per test: name, number, score, max_score, status, output, visibility,
extra_data):

    {"score": 9.0, "max_score": 11.0, "output": "...", "execution_time": 2,
     "visibility": "visible", "stdout_visibility": "hidden",
     "tests": [{"name": "linear_backward", "number": "1.10", "score": 0, "max_score": 1,
                "status": "failed", "visibility": "visible", "output": "[BP4] dW is ...",
                "extra_data": {"grade_status": "failed", "equation": "BP4", "seed": 0,
                               "execution_time": 0.012, "diagnosis": "...",
                               "minimal_failing_case": {...}}}]}

Gradescope's per-test status is only "passed" or "failed"; ours (passed, failed,
missing, supplied, not graded: `results.STATUSES`) is `extra_data.grade_status`
and the first words of the test's output. `execution_time` is whole seconds at
the top level (Gradescope's field) and, per test, the seconds the student's
process spent on the function (`extra_data.execution_time`, the parent's clock).

With a private seed (batch mode, Gradescope) no part a student sees holds the
seed: on Gradescope it is in one more test, `"visibility": "hidden"`
(instructors only) and worth 0 points; a batch's reports leave it out (it is in
run.json and summary.csv).

Everything that comes from the student (output, messages, file names) is text
to show, never to act on: the text report escapes control characters (\\r,
\\x1b, ...) and shows each line of the student's output behind a `| ` margin, so
no line of it can pass for one of the grader's (a fake `score 11/11`); CSV
cells that a spreadsheet would read as a formula get a leading `'`.
"""

from __future__ import annotations

import re

import numpy as np

from .results import MISSING, NOT_GRADED, PASSED, SUPPLIED, FunctionResult, SubmissionResult

__all__ = ["escape", "csv_cell", "function_line", "text", "gradescope", "csv_header", "csv_row"]

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
SMALL = 60     # arrays up to this many entries are shown in full in the failing case


def _fmt(x: float) -> str:
    return f"{x:g}"


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
                          r"\u2066-\u2069\ufeff]")


def _escape_char(m: re.Match) -> str:
    c = m.group()
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def escape(text, *, keep_newlines: bool = False) -> str:
    """`text` with every control character (and the bidirectional overrides) written as
    \\xNN / \\uNNNN: nothing in it can move the cursor, recolour the terminal or start a
    line of its own (unless keep_newlines)."""
    text = str(text)
    if keep_newlines:
        return "\n".join(_UNPRINTABLE.sub(_escape_char, line) for line in text.split("\n"))
    return _UNPRINTABLE.sub(_escape_char, text)


def _student_block(text: str, indent: str, limit: int) -> list[str]:
    """The student's output as report lines: escaped, each behind a `| ` margin."""
    body = text[:limit]
    lines = [f"{indent}| {escape(line)}" for line in body.split("\n")]
    if len(text) > limit:
        lines.append(f"{indent}| [... cut at {limit} characters]")
    return lines


_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a `'`."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _plain(value, depth=0):
    """JSON-safe summary of a case input: small arrays in full, large ones by shape."""
    if depth > 4:
        return "..."
    if isinstance(value, np.ndarray):
        if value.size <= SMALL:
            return np.round(value, 6).tolist()
        return f"array of shape {list(value.shape)}"
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, (np.generic,)):
        return value.item()
    return value if isinstance(value, (int, float, str, bool, type(None))) else repr(value)


def _jsonable(value):
    """Strict-JSON data: NaN and infinities become the strings "nan", "inf", "-inf"."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    return value if isinstance(value, (int, float, str, bool, type(None))) else repr(value)


def _hint(f: FunctionResult) -> str:
    """What a supplied function's message adds after "is not defined in the submission"
    (a "did you mean"), or ""."""
    text = f.finding.diagnosis if f.finding else ""
    head = f"{f.name} is not defined in the submission"
    return text[len(head):].split("; the course provides it", 1)[0] \
        if text.startswith(head) else ""


def function_line(f: FunctionResult, status: str | None = None) -> str:
    """One line on a function: its status first ("passed", "failed: ...", "missing: ...",
    "supplied: ...", "not graded: ...")."""
    status = status or f.status
    if status == NOT_GRADED:
        return "not graded: the submission could not be graded"
    if status == SUPPLIED:
        hint = _hint(f)
        return (f"supplied: not defined in the submission{hint}; the course provides it "
                f"(full credit)")
    if status == MISSING:
        why = f.finding.diagnosis if f.finding else f"{f.name} is not defined"
        return f"missing: {why}"
    if f.finding is None:
        return f"passed ({f.n_cases} cases)"
    return f"failed: [{f.finding.equation}] {f.finding.diagnosis}"


MARKS = {PASSED: "PASS", "failed": "FAIL", MISSING: "MISS", SUPPLIED: "SUPP",
         NOT_GRADED: "----"}


def _seed_note(result: SubmissionResult) -> str:
    if result.seed_private:
        return "secret seed (kept by the instructor)"
    return f"seed {result.seed} (same seed, same verdict)"


def text(result: SubmissionResult) -> str:
    lines = [f"backprop-oracle grade: {escape(result.submission)}",
             f"style {result.style}, {_seed_note(result)}"]
    if result.error:
        lines.append(f"NOT GRADED: {escape(result.error)}")
    width = max([len(f.name) for f in result.functions] + [10])
    for f in result.functions:
        status = result.status_of(f)
        score = f"{_fmt(0 if result.error else f.score)}/{_fmt(f.max_score)}"
        lines.append(f"  {MARKS.get(status, 'FAIL')}  {f.name:<{width}}  {score:>7}  "
                     f"{escape(function_line(f, status))}")
    lines.append(f"score {_fmt(result.score)}/{_fmt(result.max_score)}")
    failing = [f for f in result.functions if f.status == "failed" and f.finding]
    if failing and not result.error:
        lines.append("diagnoses:")
        for f in failing:
            lines.append(f"  {f.name} [{escape(f.finding.equation)}]: "
                         f"{escape(f.finding.diagnosis)}")
            if f.case is not None:
                seed = "" if result.seed_private else f" (seed {result.seed})"
                lines.append(f"    smallest failing case: {escape(f.case.description)}{seed}")
            d = f.finding.detail
            try:
                if d.get("index") is not None and d.get("expected") is not None:
                    lines.append(f"    at index {tuple(d['index'])}: expected "
                                 f"{d['expected']:.6g}, got {d['got']:.6g}")
            except (TypeError, ValueError):
                pass
            if f.output:
                lines.append("    output of the code:")
                lines += _student_block(f.output, "      ", 300)
    lines += [escape(line) for line in files_lines(result)]
    for w in result.warnings:
        lines.append(f"note: {escape(w)}")
    if result.protections:
        lines.append("protections: " + "; ".join(result.protections))
    return "\n".join(lines) + "\n"


def files_lines(result: SubmissionResult) -> list[str]:
    """Which of the student's files were graded, which ignored, and where each graded
    function was found (when the submission is more than one file)."""
    if len(result.files) <= 1 and not result.ignored:
        return []
    lines = [f"files graded: {', '.join(result.files)}"]
    if result.ignored:
        lines.append(f"files ignored: {', '.join(result.ignored)}")
    by_file: dict[str, list[str]] = {}
    for name, label in result.origins.items():       # a notebook's cells: one line
        by_file.setdefault(label.split(" cell ")[0], []).append(name)
    for label, names in by_file.items():
        lines.append(f"  from {label}: {', '.join(names)}")
    return lines


def test_numbers(names: list[str]) -> list[str]:
    """Gradescope's test numbers: "g.k", g counting the classes (module-level functions
    are one group) in order of first appearance, k the position inside the group. They
    depend only on the style's function list: the same for every student."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.split(".")[0] if "." in name else "", []).append(name)
    number = {}
    for g, members in enumerate(groups.values(), 1):
        for k, name in enumerate(members, 1):
            number[name] = f"{g}.{k}"
    return [number[n] for n in names]


def _test(f: FunctionResult, result: SubmissionResult, number: str, visibility: str) -> dict:
    status = result.status_of(f)
    extra = {"grade_status": status} if result.seed_private else \
        {"seed": result.seed, "grade_status": status}
    if f.elapsed is not None:
        extra["execution_time"] = round(f.elapsed, 4)
    if f.name in result.origins:
        extra["file"] = result.origins[f.name]
    if f.finding is not None:
        extra.update(equation=f.finding.equation, kind=str(f.finding.kind),
                     diagnosis=f.finding.diagnosis, detail=_jsonable(f.finding.detail))
    if f.case is not None:
        extra["minimal_failing_case"] = {"description": f.case.description,
                                         "size": list(f.case.size),
                                         "inputs": _plain(f.case.inputs)}
    out = function_line(f, status)
    if result.error:
        out += f"\n{result.error}"
    if f.output:
        out += ("\n\nOutput of your code (truncated):\n"
                + escape(f.output[:2000], keep_newlines=True))
    return {"name": f.name, "number": number, "score": 0.0 if result.error else f.score,
            "max_score": f.max_score, "status": "passed" if f.passed and not result.error
            else "failed", "visibility": visibility, "output": out, "extra_data": extra}


def gradescope(result: SubmissionResult, visibility: str = "visible", *,
               hidden_seed: bool = True) -> dict:
    """Gradescope's results.json for one submission (`visibility`: one of VISIBILITIES,
    for the whole result and every test; the autograder's stdout stays hidden from
    students: what they need is in `output`). A private seed is in a hidden test when
    `hidden_seed` (Gradescope shows it to instructors only), else nowhere (batch mode
    records it in run.json and summary.csv)."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    head = (f"style {result.style}" if result.seed_private
            else f"style {result.style}, seed {result.seed}")
    if result.error:
        head = f"NOT GRADED: {escape(result.error)}\n{head}"
    if files_lines(result):
        head += "\n" + "\n".join(files_lines(result))
    if result.warnings:
        head += "\n" + "\n".join(f"note: {escape(w)}" for w in result.warnings)
    numbers = test_numbers([f.name for f in result.functions])
    tests = [_test(f, result, n, visibility) for f, n in zip(result.functions, numbers)]
    extra = {"style": result.style, "submission": result.submission,
             "execution_time": round(result.elapsed or 0.0, 3),
             "files_graded": result.files, "files_ignored": result.ignored,
             "protections": list(result.protections)}
    if result.seed_private and hidden_seed:    # instructors only: a hidden test worth 0
        last = int(numbers[-1].split(".")[0]) if numbers else 0
        tests.append({"name": "grader run (instructors only)", "number": f"{last + 1}.1",
                      "score": 0.0, "max_score": 0.0, "status": "passed",
                      "visibility": "hidden",
                      "output": f"seed {result.seed}: grade again with --seed {result.seed}",
                      "extra_data": {"seed": result.seed}})
    elif not result.seed_private:
        extra["seed"] = result.seed
    # strict JSON (no NaN/Infinity anywhere: Gradescope's parser refuses them)
    return _jsonable({
        "score": result.score, "max_score": result.max_score, "output": head,
        "execution_time": int(round(result.elapsed or 0.0)), "visibility": visibility,
        "stdout_visibility": "hidden", "tests": tests, "extra_data": extra})


def csv_header(function_names: list[str]) -> list[str]:
    """submission, status, score, max_score, one score column per function, one status
    column per function ("NAME status": passed, failed, missing, supplied, not graded),
    so a 0 for a failure and a 0 for a missing function read apart, and the seed."""
    return ["submission", "status", "score", "max_score", *function_names,
            *(f"{n} status" for n in function_names), "seed"]


def csv_row(result: SubmissionResult, function_names: list[str]) -> list[str]:
    """One submission's row of summary.csv (the instructor's: it holds the seed). A
    function the submission's style does not grade (a chapter 1 network in a batch that
    also holds chapter 3 ones) has an empty score and an empty status."""
    by_name = {f.name: f for f in result.functions}
    overall = NOT_GRADED if result.error else PASSED if result.passed else "failed"
    scores = [_fmt(0.0 if result.error else by_name[n].score) if n in by_name else ""
              for n in function_names]
    statuses = [result.status_of(by_name[n]) if n in by_name else "" for n in function_names]
    return [csv_cell(c) for c in [result.submission, overall, _fmt(result.score),
                                  _fmt(result.max_score), *scores, *statuses,
                                  str(result.seed)]]
