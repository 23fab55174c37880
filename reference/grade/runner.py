"""Grade one submission: read it, refuse it or run it, and gather the verdicts.

For each graded function of the style:

1. its cases are built in this (parent) process from the oracle (`cases`), smallest
   first, from (seed, function name): the same seed gives the same verdict;
2. the probe runs in a sandboxed child (`orchestrate`: a crash, exit, segfault or
   timeout fails that function only);
3. each answer is interpreted as it arrives (`interpret`): rebuilt as float64 arrays,
   the inputs compared with the originals (mutation), then the style's judge; the
   first failing case in size order is kept as the smallest failing case.

The options come in whole (`options.GradeOptions`), built once by the command line,
the pytest plugin or the Gradescope bundle.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..oracle.kinds import Kind
from . import isolation, loader, policy
from .base import GradedFunction, Style
from .cases import cases_for, import_oracle
from .interpret import safe_interpret
from .options import GradeOptions
from .orchestrate import Plan, run_groups
from .results import NOT_GRADED, FunctionResult, SubmissionResult, not_graded
from .sandbox import ChildResult, Pool
from .styles import also_holds, function_names, get_style, resolve_style
from .submission import Submission

__all__ = ["DEFAULT_OPTIONS", "grade_submission"]


DEFAULT_OPTIONS = GradeOptions()


def grade_submission(path: str | Path, style: str, options: GradeOptions = DEFAULT_OPTIONS, *,
                     folder: str | Path | None = None, alone: bool = False,
                     pool: Pool | None = None) -> SubmissionResult:
    """Grade one submission file (with the student's modules it imports, unless `alone`)
    or, given the student's `folder`, the student's files there, in the style named
    `style`; never raises for anything the submission does. The whole run takes at most
    the limits' `max_seconds_for` of wall-clock time: the functions not finished by then
    fail. pool: workers started ahead (batch mode, `sandbox.Pool`); each is taken by one
    submission only."""
    started = time.monotonic()
    named = get_style(style)
    # the files to read: those defining a name graded by the style or a variant of it
    wanted = {n.split(".")[0] for n in function_names(style)}
    loaded = loader.load(path, folder, wanted, alone)
    chosen, why = resolve_style(named, loaded)
    functions = [f for f in chosen.functions
                 if options.only is None or f.name in options.only]
    result = _start_result(path, chosen, options, why, loaded, functions)
    result.error = _refusal(loaded, options.allow_autograd)
    if result.error:
        result.functions = not_graded(functions)
        result.elapsed = time.monotonic() - started
        return result
    limits = options.limits
    box = isolation.Box(memory_mb=limits.memory_mb, allow_autograd=options.allow_autograd,
                        hide=[Path(path).parent, *([folder] if folder else []), *options.hide],
                        isolate=options.isolate)
    max_seconds = limits.max_seconds_for(len(functions))
    plan = Plan(loaded, options, box, started + max_seconds, max_seconds)
    outcomes, reports = _run(chosen, functions, plan, pool)
    result.protections = box.protections(
        [p for p in reports[0] if all(p in r for r in reports)] if reports else [])
    _gather(result, outcomes)
    result.elapsed = time.monotonic() - started
    return result


def _run(style: Style, functions: list[GradedFunction], plan: Plan, pool: Pool | None
         ) -> tuple[list, list[list[str]]]:
    """The functions run (`orchestrate`), each answer interpreted as it arrives
    (`interpret`) against its cases (built once the children are starting: the torch
    import)."""
    options, loaded = plan.options, plan.loaded
    defined = frozenset(loaded.names())     # the parent's own reading of the files

    def build() -> list:
        import_oracle()
        return [cases_for(style, f, options.seed, options.n_cases) for f in functions]

    def digest(i: int, cases: list, res: ChildResult):
        return safe_interpret(functions[i], cases, res, options.limits, defined, loaded)

    return run_groups(functions, plan, build, digest, pool)


def _start_result(path, style: Style, options: GradeOptions, why: str | None,
                  loaded: Submission, functions: list[GradedFunction]) -> SubmissionResult:
    """The submission's result before grading: the style's note, the loading's warnings,
    the files read and ignored, where each graded name comes from."""
    result = SubmissionResult(str(path), style.name, options.seed,
                              seed_private=options.seed_private)
    if why:
        result.warnings.append(why)
    result.warnings += loaded.warnings
    result.warnings += also_holds(style, loaded.names())
    result.files, result.ignored = loaded.files, loaded.ignored
    result.origins = {f.name: loaded.origins[f.name.split(".")[0]] for f in functions
                      if f.name.split(".")[0] in loaded.origins}
    return result


def _refusal(loaded: Submission, allow_autograd: bool) -> str | None:
    """Why nothing can be graded before any process starts (the files cannot be loaded,
    the import policy refuses them), or None."""
    if loaded.error:
        return f"the submission could not be loaded: {loaded.error}"
    violations = policy.scan(loaded.trees, allow_autograd)
    if violations:
        return "refused by the import policy: " + "; ".join(sorted(set(violations))[:3])
    return None


def _gather(result: SubmissionResult, outcomes: list) -> None:
    """The functions' verdicts into the submission's result: a load failure or a policy
    violation seen in any child makes the whole submission not graded."""
    seen_policy: list[str] = []
    for fr, violations, warnings in outcomes:
        if fr.finding is not None and fr.finding.kind is Kind.LOAD and not result.error:
            result.error = f"the submission could not be loaded: {fr.finding.diagnosis}"
        result.functions.append(fr)
        seen_policy += violations
        for w in warnings:
            if w not in result.warnings:
                result.warnings.append(w)
    if seen_policy:
        result.error = "refused by the import policy: " + "; ".join(sorted(set(seen_policy))[:3])
    if result.error:
        result.functions = [FunctionResult(f.name, f.points, 0.0, NOT_GRADED, f.finding,
                                           output=f.output, elapsed=f.elapsed)
                            for f in result.functions]
