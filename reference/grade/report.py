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
missing, supplied, not graded: `runner.STATUSES`) is `extra_data.grade_status`
and the first words of the test's output. `execution_time` is whole seconds at
the top level (Gradescope's field) and, per test, the seconds the student's
process spent on the function (`extra_data.execution_time`, the parent's clock).
"""

from __future__ import annotations

import numpy as np

from .runner import MISSING, NOT_GRADED, PASSED, SUPPLIED, FunctionResult, SubmissionResult

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
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


def function_line(f: FunctionResult, status: str | None = None) -> str:
    """One line on a function: its status first ("passed", "failed: ...", "missing: ...",
    "supplied: ...", "not graded: ...")."""
    status = status or f.status
    if status == NOT_GRADED:
        return "not graded: the submission could not be graded"
    if status == SUPPLIED:
        return ("supplied: not defined in the submission; the course provides it "
                "(full credit)")
    if status == MISSING:
        why = f.finding.diagnosis if f.finding else f"{f.name} is not defined"
        return f"missing: {why}"
    if f.finding is None:
        return f"passed ({f.n_cases} cases)"
    return f"failed: [{f.finding.equation}] {f.finding.diagnosis}"


MARKS = {PASSED: "PASS", "failed": "FAIL", MISSING: "MISS", SUPPLIED: "SUPP",
         NOT_GRADED: "----"}


def text(result: SubmissionResult) -> str:
    lines = [f"backprop-oracle grade: {result.submission}",
             f"style {result.style}, seed {result.seed} (same seed, same verdict)"]
    if result.error:
        lines.append(f"NOT GRADED: {result.error}")
    width = max([len(f.name) for f in result.functions] + [10])
    for f in result.functions:
        status = result.status_of(f)
        score = f"{_fmt(0 if result.error else f.score)}/{_fmt(f.max_score)}"
        lines.append(f"  {MARKS.get(status, 'FAIL')}  {f.name:<{width}}  {score:>7}  "
                     f"{function_line(f, status)}")
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
    for w in result.warnings:
        lines.append(f"note: {w}")
    if result.protections:
        lines.append("protections: " + "; ".join(result.protections))
    return "\n".join(lines) + "\n"


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
    extra = {"seed": result.seed, "grade_status": status}
    if f.elapsed is not None:
        extra["execution_time"] = round(f.elapsed, 4)
    if f.finding is not None:
        extra.update(equation=f.finding.equation, diagnosis=f.finding.diagnosis,
                     detail=_jsonable(f.finding.detail))
    if f.case is not None:
        extra["minimal_failing_case"] = {"description": f.case.description,
                                         "size": list(f.case.size),
                                         "inputs": _plain(f.case.inputs)}
    out = function_line(f, status)
    if result.error:
        out += f"\n{result.error}"
    if f.output:
        out += "\n\nOutput of your code (truncated):\n" + f.output[:2000]
    return {"name": f.name, "number": number, "score": 0.0 if result.error else f.score,
            "max_score": f.max_score, "status": "passed" if f.passed and not result.error
            else "failed", "visibility": visibility, "output": out, "extra_data": extra}


def gradescope(result: SubmissionResult, visibility: str = "visible") -> dict:
    """Gradescope's results.json for one submission (`visibility`: one of VISIBILITIES,
    for the whole result and every test; the autograder's stdout stays hidden from
    students: what they need is in `output`)."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    head = f"style {result.style}, seed {result.seed}"
    if result.error:
        head = f"NOT GRADED: {result.error}\n{head}"
    if result.warnings:
        head += "\n" + "\n".join(f"note: {w}" for w in result.warnings)
    numbers = test_numbers([f.name for f in result.functions])
    # strict JSON (no NaN/Infinity anywhere: Gradescope's parser refuses them)
    return _jsonable({
        "score": result.score, "max_score": result.max_score, "output": head,
        "execution_time": int(round(result.elapsed or 0.0)), "visibility": visibility,
        "stdout_visibility": "hidden",
        "tests": [_test(f, result, n, visibility) for f, n in zip(result.functions, numbers)],
        "extra_data": {"seed": result.seed, "style": result.style,
                       "submission": result.submission,
                       "execution_time": round(result.elapsed or 0.0, 3),
                       "protections": list(result.protections)}})


def csv_header(function_names: list[str]) -> list[str]:
    """submission, status, score, max_score, one score column per function, then one
    status column per function ("NAME status": passed, failed, missing, supplied, not
    graded), so a 0 for a failure and a 0 for a missing function read apart."""
    return ["submission", "status", "score", "max_score", *function_names,
            *(f"{n} status" for n in function_names)]


def csv_row(result: SubmissionResult, function_names: list[str]) -> list[str]:
    """A function the submission's style does not grade (a chapter 1 network in a batch
    that also holds chapter 3 ones) has an empty score and an empty status."""
    by_name = {f.name: f for f in result.functions}
    overall = NOT_GRADED if result.error else PASSED if result.passed else "failed"
    scores = [_fmt(0.0 if result.error else by_name[n].score) if n in by_name else ""
              for n in function_names]
    statuses = [result.status_of(by_name[n]) if n in by_name else "" for n in function_names]
    return [result.submission, overall, _fmt(result.score), _fmt(result.max_score),
            *scores, *statuses]
