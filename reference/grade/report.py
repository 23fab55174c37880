"""Reports: text for a person, Gradescope's results.json, and the batch CSV row.

results.json (Gradescope's schema, plus our `max_score` and `extra_data`):

    {"score": 9.0, "max_score": 11.0, "output": "...",
     "tests": [{"name": "linear_backward", "score": 0, "max_score": 1,
                "status": "failed", "output": "[BP4] dW is ...",
                "extra_data": {"equation": "BP4", "diagnosis": "...", "seed": 0,
                               "minimal_failing_case": {...}}}]}

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

from .runner import FunctionResult, SubmissionResult

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


def function_line(f: FunctionResult) -> str:
    if f.status == "not defined":
        return "not defined (the grader supplied it)"
    if f.finding is None:
        return f"passed ({f.n_cases} cases)"
    return f"[{f.finding.equation}] {f.finding.diagnosis}"


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
        mark = {"passed": "PASS", "failed": "FAIL", "not defined": "----"}[f.status]
        score = f"{_fmt(0 if result.error else f.score)}/{_fmt(f.max_score)}"
        why = "not graded" if result.error else escape(function_line(f))
        lines.append(f"  {'FAIL' if result.error else mark}  {f.name:<{width}}  {score:>7}  {why}")
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
    for w in result.warnings:
        lines.append(f"note: {escape(w)}")
    return "\n".join(lines) + "\n"


def _test(f: FunctionResult, result: SubmissionResult) -> dict:
    extra = {} if result.seed_private else {"seed": result.seed}
    if f.finding is not None:
        extra.update(equation=f.finding.equation, diagnosis=f.finding.diagnosis,
                     detail=_jsonable(f.finding.detail))
    if f.case is not None:
        extra["minimal_failing_case"] = {"description": f.case.description,
                                         "size": list(f.case.size),
                                         "inputs": _plain(f.case.inputs)}
    out = function_line(f)
    if f.output:
        out += ("\n\nOutput of your code (truncated):\n"
                + escape(f.output[:2000], keep_newlines=True))
    failed = f.status == "failed" or result.error is not None
    return {"name": f.name, "score": 0.0 if result.error else f.score,
            "max_score": f.max_score, "status": "failed" if failed else "passed",
            "output": result.error if result.error else out, "extra_data": extra}


def gradescope(result: SubmissionResult, *, hidden_seed: bool = True) -> dict:
    """Gradescope's results.json for one submission. A private seed is in a hidden test
    when `hidden_seed` (Gradescope shows it to instructors only), else nowhere (batch mode
    records it in run.json and summary.csv)."""
    head = (f"style {result.style}" if result.seed_private
            else f"style {result.style}, seed {result.seed}")
    if result.error:
        head = f"NOT GRADED: {escape(result.error)}\n{head}"
    if result.warnings:
        head += "\n" + "\n".join(f"note: {escape(w)}" for w in result.warnings)
    tests = [_test(f, result) for f in result.functions]
    extra = {"style": result.style, "submission": result.submission}
    if result.seed_private and hidden_seed:    # instructors only: a hidden test worth 0
        tests.append({"name": "grader run (instructors only)", "score": 0.0,
                      "max_score": 0.0, "status": "passed", "visibility": "hidden",
                      "output": f"seed {result.seed}: grade again with --seed {result.seed}",
                      "extra_data": {"seed": result.seed}})
    elif not result.seed_private:
        extra["seed"] = result.seed
    # strict JSON (no NaN/Infinity anywhere: Gradescope's parser refuses them)
    return _jsonable({"score": result.score, "max_score": result.max_score, "output": head,
                      "tests": tests, "extra_data": extra})


def csv_header(function_names: list[str]) -> list[str]:
    return ["submission", "score", "max_score", *function_names, "seed"]


def csv_row(result: SubmissionResult, function_names: list[str]) -> list[str]:
    """One submission's row of summary.csv (the instructor's: it holds the seed)."""
    scores = {f.name: f.score for f in result.functions}
    return [csv_cell(c) for c in
            [result.submission, _fmt(result.score), _fmt(result.max_score),
             *(_fmt(0.0 if result.error else scores.get(n, 0.0)) for n in function_names),
             str(result.seed)]]
