"""Reports: text for a person, Gradescope's results.json, and the batch CSV row.

results.json (Gradescope's schema, plus our `max_score` and `extra_data`):

    {"score": 9.0, "max_score": 11.0, "output": "...",
     "tests": [{"name": "linear_backward", "score": 0, "max_score": 1,
                "status": "failed", "output": "[BP4] dW is ...",
                "extra_data": {"equation": "BP4", "diagnosis": "...", "seed": 0,
                               "minimal_failing_case": {...}}}]}
"""

from __future__ import annotations

import numpy as np

from .runner import FunctionResult, SubmissionResult

SMALL = 60     # arrays up to this many entries are shown in full in the failing case


def _fmt(x: float) -> str:
    return f"{x:g}"


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


def text(result: SubmissionResult) -> str:
    lines = [f"backprop-oracle grade: {result.submission}",
             f"style {result.style}, seed {result.seed} (same seed, same verdict)"]
    if result.error:
        lines.append(f"NOT GRADED: {result.error}")
    width = max([len(f.name) for f in result.functions] + [10])
    for f in result.functions:
        mark = {"passed": "PASS", "failed": "FAIL", "not defined": "----"}[f.status]
        score = f"{_fmt(0 if result.error else f.score)}/{_fmt(f.max_score)}"
        why = "not graded" if result.error else function_line(f)
        lines.append(f"  {'FAIL' if result.error else mark}  {f.name:<{width}}  {score:>7}  {why}")
    lines.append(f"score {_fmt(result.score)}/{_fmt(result.max_score)}")
    failing = [f for f in result.functions if f.status == "failed" and f.finding]
    if failing and not result.error:
        lines.append("diagnoses:")
        for f in failing:
            lines.append(f"  {f.name} [{f.finding.equation}]: {f.finding.diagnosis}")
            if f.case is not None:
                lines.append(f"    smallest failing case: {f.case.description} "
                             f"(seed {result.seed})")
            d = f.finding.detail
            if d.get("index") is not None and d.get("expected") is not None:
                lines.append(f"    at index {tuple(d['index'])}: expected {d['expected']:.6g}, "
                             f"got {d['got']:.6g}")
            if f.output:
                lines.append("    output: " + f.output[:300].replace("\n", "\n            "))
    lines += files_lines(result)
    for w in result.warnings:
        lines.append(f"note: {w}")
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


def _test(f: FunctionResult, result: SubmissionResult) -> dict:
    extra = {"seed": result.seed}
    if f.name in result.origins:
        extra["file"] = result.origins[f.name]
    if f.finding is not None:
        extra.update(equation=f.finding.equation, diagnosis=f.finding.diagnosis,
                     detail=_jsonable(f.finding.detail))
    if f.case is not None:
        extra["minimal_failing_case"] = {"description": f.case.description,
                                         "size": list(f.case.size),
                                         "inputs": _plain(f.case.inputs)}
    out = function_line(f)
    if f.output:
        out += "\n\nOutput of your code (truncated):\n" + f.output[:2000]
    failed = f.status == "failed" or result.error is not None
    return {"name": f.name, "score": 0.0 if result.error else f.score,
            "max_score": f.max_score, "status": "failed" if failed else "passed",
            "output": result.error if result.error else out, "extra_data": extra}


def gradescope(result: SubmissionResult) -> dict:
    """Gradescope's results.json for one submission."""
    head = f"style {result.style}, seed {result.seed}"
    if result.error:
        head = f"NOT GRADED: {result.error}\n{head}"
    if files_lines(result):
        head += "\n" + "\n".join(files_lines(result))
    if result.warnings:
        head += "\n" + "\n".join(f"note: {w}" for w in result.warnings)
    # strict JSON (no NaN/Infinity anywhere: Gradescope's parser refuses them)
    return _jsonable({"score": result.score, "max_score": result.max_score, "output": head,
                      "tests": [_test(f, result) for f in result.functions],
                      "extra_data": {"seed": result.seed, "style": result.style,
                                     "submission": result.submission,
                                     "files_graded": result.files,
                                     "files_ignored": result.ignored}})


def csv_header(function_names: list[str]) -> list[str]:
    return ["submission", "score", "max_score", *function_names]


def csv_row(result: SubmissionResult, function_names: list[str]) -> list[str]:
    scores = {f.name: f.score for f in result.functions}
    return [result.submission, _fmt(result.score), _fmt(result.max_score),
            *(_fmt(0.0 if result.error else scores.get(n, 0.0)) for n in function_names)]
