"""Interpretation: what the child's answer for one graded function means, as a verdict.

Every field of the child's answer is untrusted (the student's code ran in that
process): each is type-checked here, and whatever it holds gives a `FunctionResult`
(a failed one when it cannot be read), never an exception. The cases are judged in
size order (`judge_case`: a runtime error, an input modified in place, then the
style's judge), and the first failing one is kept as the smallest failing case.
"""

from __future__ import annotations

import numpy as np

from ..oracle.diagnose import Kind, diagnose_mutation
from . import codec, oldcode
from .base import Finding, GradeCase, GradedFunction
from .books import SHELF
from .options import Limits
from .results import FAILED, MISSING, PASSED, SUPPLIED, FunctionResult
from .sandbox import ChildResult
from .submission import Submission

__all__ = ["interpret", "is_forward", "judge_case", "missing_message", "safe_interpret"]


def _runtime(text: str) -> Finding:
    """The student's code raised, crashed or timed out (or its process failed)."""
    return Finding("runtime", text, kind=Kind.RUNTIME)


def _load(text: str) -> Finding:
    """The submission could not be loaded: nothing of it is graded."""
    return Finding("load", text, kind=Kind.LOAD)


def _api(text: str, kind: Kind = Kind.API) -> Finding:
    """An answer of the wrong form, a forged one, or (kind MISSING) a name not defined."""
    return Finding("api", text, kind=kind)


def _flatten(obj, prefix: str = "") -> dict:
    """{"parameters['W1']": array, ...}: every array inside nested inputs."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}['{k}']" if prefix else str(k)))
        return out
    if isinstance(obj, (list, tuple)):
        out = {}
        for i, v in enumerate(obj):
            out.update(_flatten(v, f"{prefix}[{i}]"))
        return out
    return {prefix: obj} if isinstance(obj, np.ndarray) else {}


def judge_case(fn: GradedFunction, raw: dict, case: GradeCase) -> Finding | None:
    """The verdict of one case from the child's raw answer."""
    if not raw.get("ok"):
        return _runtime(str(raw.get("error", "the function raised an error")))
    before = {k: v for k, v in _flatten(fn.child_inputs(case)).items()
              if k.split("[")[0] not in fn.allow_mutation}
    after = _flatten(raw.get("inputs_after") or {})
    moved = diagnose_mutation(before, after, equation="api", name=fn.name)
    if moved:
        return moved
    got = raw.get("value")
    if not isinstance(got, dict):
        return _api(f"the probe returned {type(got).__name__}")
    try:
        return fn.judge(got, case)
    except Exception as exc:  # noqa: BLE001 - an odd return value must not crash the grader
        return _api(f"{fn.name} returned a value of an unexpected form "
                    f"({type(exc).__name__}: {exc})"[:300])


TOO_LARGE = "too deeply nested or too large"


def _text(value, default: str = "") -> str:
    """A string field of the child's answer (anything else: the default)."""
    return value if isinstance(value, str) else default


def _strings(value) -> list[str] | None:
    """A list-of-strings field of the child's answer; None when it is not one (the answer
    was cut short: a returned value used up the codec's node budget)."""
    if not isinstance(value, list):
        return None
    return [v for v in value if isinstance(v, str)]


def is_forward(name: str) -> bool:
    """A function of the forward pass, by the student's name for it: *forward*, predict,
    loss."""
    return name.isidentifier() and ("forward" in name or name in ("predict", "loss"))


def _forward_failed(fn: GradedFunction, finding: Finding | None, raised_in: str) -> None:
    """A backward (or gradient) whose error was raised (in the student's function
    `raised_in`) in a forward it needs says so (kind FORWARD_RAISED)."""
    tail = fn.name.split(".")[-1].lower()
    if finding is not None and finding.kind is Kind.RUNTIME and (
            "backward" in tail or tail in SHELF.gradient_methods):
        if is_forward(raised_in) and raised_in != fn.name.split(".")[-1]:
            owner = fn.name.rpartition(".")[0]      # Cls.backward: Cls.forward
            where = f"{owner}.{raised_in}" if owner and "backward" in tail else raised_in
            finding.diagnosis = (f"the forward pass ({where}) raised, and "
                                 f"{fn.name} needs it: {finding.diagnosis}")
            finding.kind = Kind.FORWARD_RAISED


def missing_message(name: str, loaded: Submission | None) -> str:
    """`X is not defined in the submission`, with the closest name its files define."""
    close = loaded.suggest(name) if loaded is not None else None
    hint = f" (did you mean `{close}`?)" if close else ""
    if "." not in name and loaded is not None:
        inside = sorted(n for n in loaded.names() if n.endswith("." + name))
        if inside:
            hint = (f" (`{inside[0]}` is defined inside the class, where a call "
                    f"`{name}(...)` cannot find it: the book's `{name}` is a module-level "
                    "function)")
    return f"{name} is not defined in the submission{hint}"


def interpret(fn: GradedFunction, cases: list[GradeCase], res: ChildResult, limits: Limits,
              defined: frozenset[str] = frozenset(), loaded: Submission | None = None,
              ) -> tuple[FunctionResult, list[str], list[str]]:
    """(result, policy violations, load warnings) for one function. Every field of the
    child's answer is type-checked: whatever the student's code returned, this gives a
    verdict (a failed one when the answer cannot be read) and never raises."""
    out = (res.stdout + ("\n" + res.stderr if res.stderr.strip() else "")).strip()
    fr = FunctionResult(fn.name, fn.points, 0.0, FAILED, n_cases=len(cases), output=out,
                        elapsed=res.elapsed)
    data = _answer(fr, res, limits)
    if data is None:
        return fr, [], []
    fr.output = _text(data.get("output")).strip()
    load = data.get("load") if isinstance(data.get("load"), dict) else {}
    warnings = _load_warnings(load)
    violations = _strings(data.get("policy"))
    status = data.get("status")
    if not isinstance(status, str) or status == "ok" and violations is None:
        # the value returned used up the encoder's budget before the status and the import
        # policy's record were written: this function fails (a violation can hide only here)
        fr.finding = _api(f"{fn.name} returned a value too large or too deeply nested to "
                          f"check (at most {codec.MAX_NODES} items, "
                          f"{codec.MAX_ARRAY_BYTES // 2**20} MB of arrays)")
        return fr, [], warnings
    violations = violations or []        # a worker error's answer carries no record
    if status == "load_error":
        fr.finding = _load(_text(load.get("fatal"), "the submission could not be loaded"))
    elif status == "worker_error":
        fr.finding = _runtime(_text(data.get("error"), "the grading process failed"))
    elif status == "missing" or fn.part_absent(defined):
        _missing(fr, fn, data, defined, loaded)
    else:
        _judge_cases(fr, fn, cases, data)
    return fr, violations, warnings + accommodations(fn.name, data.get("notes"))


def accommodations(name: str, noted) -> list[str]:
    """The notes of the book's accommodations the probe applied to `name` (the child's
    answer names them; the words are the record's, a name no book allows is dropped)."""
    texts = [SHELF.accommodation_note(n) for n in _strings(noted) or []]
    return [f"{name}: {text}" for text in texts if text]


def _answer(fr: FunctionResult, res: ChildResult, limits: Limits
            ) -> dict | None:
    """The child's decoded answer; None (with fr's finding set) when the process failed
    or returned something unreadable."""
    failure = res.failure(limits.timeout, limits.memory_mb)
    if failure:
        fr.finding = _load(failure) if res.during_load else _runtime(failure)
        return None
    try:
        data = codec.decode(res.blob, as_float=True)
    except Exception:  # noqa: BLE001 - whatever the blob holds
        data = None
    if not isinstance(data, dict):
        fr.finding = _runtime("the process returned unreadable results")
        return None
    return data


def _load_warnings(load: dict) -> list[str]:
    """The loading's warnings: its errors, the modules stubbed, the course modules stood in for."""
    warnings = _strings(load.get("errors")) or []
    missing_modules = sorted(set(_strings(load.get("missing_modules")) or []))
    if missing_modules:
        warnings.append("modules not available to the grader (stubbed): "
                        + ", ".join(missing_modules))
    standins = sorted({str(m) for m in load.get("standins") or []}) \
        if isinstance(load.get("standins"), list) else []
    if standins:
        warnings.append("course helper modules not in the submission, stood in for by the "
                        "grader (what the course provides): " + ", ".join(standins))
    return warnings


def _missing(fr: FunctionResult, fn: GradedFunction, data: dict, defined: frozenset[str],
             loaded: Submission | None) -> None:
    """The verdict when the child found no definition: supplied (an optional function
    the course provides), missing, or a forged answer (the parent's parse finds it)."""
    if fn.part_absent(defined):
        # a part (notebook, file) not handed in: missing, whatever of it the files define (a
        # course helper of the same name is not the student's answer to it). Never full
        # credit: a student would hand in one part and be given the others; an instructor
        # grading one part per assignment names its functions (--functions)
        fr.status = MISSING
        marks = fn.parts[fn.part]
        fr.finding = _api(f"{fn.name}: its part of the assignment is not in this submission "
                          f"(it defines none of {', '.join(marks[:2])}"
                          f"{', ...' if len(marks) > 2 else ''}); to grade one part per "
                          f"assignment, name its functions with --functions", Kind.MISSING)
    elif fn.optional and fn.name in defined:
        # the parent's own parse finds the definition: "missing" came from the
        # student's process (a forged answer turning a failure into full credit)
        fr.finding = _api(f"the grading process reported {fn.name} as not defined, but the "
                          "submission defines it")
    elif fn.optional:
        # full credit, but a misspelled definition is named: the student's own code under
        # that name was not graded
        fr.status, fr.score = SUPPLIED, fn.points
        fr.finding = _api(missing_message(fn.name, loaded) + "; the course provides it"
                          + ("; the grader used a correct version" if fn.provided else ""),
                          Kind.MISSING)
    else:
        fr.status = MISSING
        fr.finding = _api(missing_message(_text(data.get("missing"), fn.name), loaded),
                          Kind.MISSING)


def _judge_cases(fr: FunctionResult, fn: GradedFunction, cases: list[GradeCase],
                 data: dict) -> None:
    """Judge the cases in size order: the first failing one is kept; all passing, full
    points."""
    raws = data.get("cases") if isinstance(data.get("cases"), list) else []
    if len(raws) != len(cases):
        fr.finding = _runtime("the process returned an incomplete set of results")
    for raw, case in zip(raws, cases):
        finding = judge_case(fn, raw if isinstance(raw, dict) else {}, case)
        if finding:
            _forward_failed(fn, finding, _text(raw.get("raised_in")) if isinstance(raw, dict)
                            else "")
            oldcode.mark(finding)       # a crash that is only the code's age: said so
            fr.finding, fr.case = finding, case
            if finding.kind is Kind.MISSING:    # a stub the probe recognized: not written
                fr.status = MISSING
            break
    if fr.finding is None:
        fr.status, fr.score = PASSED, fn.points


def safe_interpret(fn: GradedFunction, cases: list[GradeCase], res: ChildResult,
                   limits: Limits, defined: frozenset[str] = frozenset(),
                   loaded: Submission | None = None,
                   ) -> tuple[FunctionResult, list[str], list[str]]:
    """`interpret`, with any exception (a grader bug an odd answer reaches) turned into a
    failed finding for this function only: the other functions and the report go on."""
    try:
        return interpret(fn, cases, res, limits, defined, loaded)
    except Exception as exc:  # noqa: BLE001
        fr = FunctionResult(fn.name, fn.points, 0.0, "failed", n_cases=len(cases),
                            finding=_runtime("the grader could not check what this "
                                             f"function returned ({type(exc).__name__})"))
        return fr, [], []
