"""Grade one submission: cases from the oracle, probes in sandboxed children, judged here.

For each graded function of the style:

1. `fn.cases(rng, n)` builds the cases in this (parent) process, smallest first;
   the rng is derived from (seed, function name), so the same seed gives the
   same cases and the same verdict;
2. the probe runs in its own `sandbox.Child` (a crash, exit, segfault or
   timeout fails that function only);
3. every returned value is rebuilt as a float64 ndarray (`codec.decode`), the
   inputs the child saw after the call are compared with the originals
   (mutation), then `fn.judge(got, case)`; the first failing case in size
   order is kept as the smallest failing case.
"""

from __future__ import annotations

import copy
import functools
import gc
import importlib
import os
import re
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import codec, isolation, loader, policy
from .base import Finding, GradeCase, GradedFunction, Style
from .books import SHELF
from .diagnose import diagnose_mutation
from .sandbox import Child, ChildResult, Job, Pool
from .styles import STYLES, function_names, get_style, resolve_style

__all__ = [
    "DEFAULT_CASES", "STATUSES", "FunctionResult", "SubmissionResult", "not_graded", "build_cases",
    "cases_for", "import_oracle", "job_for", "judge_case", "FORWARD",
    "interpret", "safe_interpret", "grade_submission", "children_per_submission",
]

DEFAULT_CASES = 4


# what became of one graded function (the same five words in every report)
PASSED, FAILED, MISSING, SUPPLIED, NOT_GRADED = (
    "passed", "failed", "missing", "supplied", "not graded")
STATUSES = (PASSED, FAILED, MISSING, SUPPLIED, NOT_GRADED)


@dataclass
class FunctionResult:
    """One graded function's verdict.

    status: "passed" (every case agreed), "failed" (a case disagreed or raised),
    "missing" (the assignment asks for it and the submission does not define it),
    "supplied" (optional: the course provides it, e.g. a course module's helpers, and
    the submission does not define it; full credit, nothing of the student's to
    grade) or "not graded" (the whole submission could not be graded: a syntax
    error, a refused import). max_score is always `points`: one maximum per style,
    the same for every student whatever helpers they wrote.
    """

    name: str
    points: float
    score: float
    status: str                      # one of STATUSES
    finding: Finding | None = None
    case: GradeCase | None = None    # the smallest failing case
    n_cases: int = 0
    output: str = ""
    elapsed: float | None = None     # seconds the student's process spent on it (parent clock)

    @property
    def passed(self) -> bool:
        return self.status in (PASSED, SUPPLIED)

    @property
    def max_score(self) -> float:
        return self.points


@dataclass
class SubmissionResult:
    submission: str
    style: str
    seed: int
    functions: list[FunctionResult] = field(default_factory=list)
    error: str | None = None         # why nothing could be graded (syntax error, policy)
    warnings: list[str] = field(default_factory=list)
    protections: list[str] = field(default_factory=list)   # the isolation that was on
    elapsed: float | None = None     # seconds from loading to the last verdict (parent clock)
    seed_private: bool = False       # the seed stays out of what the student sees
    files: list[str] = field(default_factory=list)     # the student's files graded
    ignored: list[str] = field(default_factory=list)   # the folder's files not graded
    origins: dict[str, str] = field(default_factory=dict)  # graded name -> its file

    @property
    def score(self) -> float:
        return 0.0 if self.error else sum(f.score for f in self.functions)

    @property
    def max_score(self) -> float:
        return sum(f.max_score for f in self.functions)

    @property
    def passed(self) -> bool:
        return self.error is None and all(f.passed for f in self.functions)

    def status_of(self, f: FunctionResult) -> str:
        """The function's status as reported: "not graded" for all when the submission
        could not be graded."""
        return NOT_GRADED if self.error else f.status


def not_graded(functions: list[GradedFunction]) -> list[FunctionResult]:
    """The verdicts of a submission that could not be graded: zero, status "not graded"."""
    return [FunctionResult(f.name, f.points, 0.0, NOT_GRADED) for f in functions]


def case_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def build_cases(fn: GradedFunction, seed: int, n: int) -> list[GradeCase]:
    return sorted(fn.cases(case_rng(seed, fn.name), n), key=lambda c: c.size)


ORACLE = "reference.oracle.autograd"     # the oracle's module that imports torch


def import_oracle() -> None:
    """Import torch (through the oracle) with the cyclic garbage collector paused, then
    freeze what was imported: torch's ~150k objects would otherwise be scanned again by
    every full collection while grading (75 ms each, a stall of every helper call and
    result waiting on the parent). The `reference.oracle` package itself imports no torch
    (its autograd names load on first use): the module that does is the one checked.
    One thread imports; another calling meanwhile waits for it to finish."""
    with _ORACLE_LOCK:
        if ORACLE in sys.modules:
            return
        enabled = gc.isenabled()
        gc.disable()
        try:
            importlib.import_module(ORACLE)
        finally:
            if enabled:
                gc.enable()
        gc.freeze()


_ORACLE_LOCK = threading.Lock()


_CASES_LOCK = threading.Lock()      # submissions graded side by side build the cases once


@functools.lru_cache(maxsize=256)
def _cached_cases(style: str, name: str, seed: int, n: int) -> list[GradeCase]:
    fn = next(f for f in get_style(style).functions if f.name == name)
    return build_cases(fn, seed, n)


def cases_for(style: Style, fn: GradedFunction, seed: int, n: int) -> list[GradeCase]:
    """The cases of one function: built once per process for (style, function, seed, n)
    (they depend on nothing else: a batch builds them once), handed out as copies so
    nothing one submission's grading does can reach the next one's."""
    if get_style(style.name) is not style:       # a style object made by a test
        return build_cases(fn, seed, n)
    with _CASES_LOCK:
        cases = _cached_cases(style.name, fn.name, seed, n)
    return copy.deepcopy(cases)


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


def job_for(fns: list[GradedFunction], cases: list[list[GradeCase]], loaded: loader.Loaded,
            allow_autograd: bool, box: isolation.Box | None = None) -> Job:
    """The child's job: the kept source and, per function, its probe, the case inputs it
    may see (`fn.inputs`, sent only when it starts) and the helpers it may ask for."""
    # the student's own modules (a `code.py` of theirs) are served, never the library's
    served = {m.name.split(".")[0] for m in loaded.modules}
    preimport = {m for m in policy.imported_modules(loaded.trees)
                 if m.split(".")[0] not in served}
    if any("testing" in seg.source for seg in loaded.segments):
        preimport.add("numpy.testing")
    header = codec.encode({
        "functions": [{"name": fn.name, "probe": fn.probe, "requires": list(fn.requires)}
                      for fn in fns],
        "segments": loaded.to_json(), "forbidden": list(policy.forbidden(allow_autograd)),
        "preimport": sorted(preimport), "isolate": box.config() if box else {}})
    return Job(header, [codec.encode([fn.child_inputs(c) for c in cs])
                        for fn, cs in zip(fns, cases)], [fn.helpers for fn in fns])


@dataclass
class OutOfTime(ChildResult):
    """A function not finished (or not started) when the submission's total time ran out."""

    limit: float = 0.0

    def failure(self, timeout: float, memory_mb: int) -> str:
        return (f"not finished: the submission used up its total time of {self.limit:g} s "
                "(--max-seconds)")


def default_max_seconds(timeout: float, n_functions: int) -> float:
    """The whole submission's wall-clock bound when none is given: each function its
    timeout, and a minute for starting processes and loading."""
    return timeout * n_functions + 60.0


def run_group(fns: list[GradedFunction], cases: list[list[GradeCase]], loaded: loader.Loaded,
              *, allow_autograd: bool, timeout: float, memory_mb: int,
              child: Child | None = None, deadline: float = float("inf"),
              max_seconds: float = 0.0, digest=None, box: isolation.Box | None = None
              ) -> list:
    """Run functions in one child; after a crash or timeout, a fresh child takes the rest,
    until the submission's deadline (time.monotonic()) has passed. Each function's
    ChildResult goes through `digest(i, result)` as soon as it arrives (the runner
    interprets it there, so the parent never holds more than one answer per child:
    up to 32 MB each); the list of what `digest` returned comes back. A new child goes
    into the submission's `box` (its cgroup)."""
    digest = digest or (lambda i, res: res)
    results: list = [None] * len(fns)
    done = [False] * len(fns)

    def keep(i: int, res: ChildResult) -> None:
        if not done[i]:
            results[i], done[i] = digest(i, res), True

    pending = list(range(len(fns)))
    while pending:
        if time.monotonic() >= deadline:
            for i in pending:
                keep(i, OutOfTime(None, timed_out=True, limit=max_seconds))
            if child is not None:
                child.close()
            break
        child = child or Child(timeout=timeout, memory_mb=memory_mb, box=box)
        failed = _run_child(child, fns, cases, pending, loaded, keep, allow_autograd, deadline,
                            box)
        child = None
        if failed is None:
            break
        pending = _blame(failed, pending, keep, done, deadline, max_seconds)
    for i in range(len(fns)):
        keep(i, ChildResult(None))
    return results


def _run_child(child: Child, fns: list[GradedFunction], cases: list[list[GradeCase]],
               batch: list[int], loaded: loader.Loaded, keep, allow_autograd: bool,
               deadline: float, box: isolation.Box | None) -> tuple[int, ChildResult] | None:
    """Give the child the job of the functions in `batch` (indices into fns) and read
    their results into keep(i, result); the child's failure (`Child.collect`)."""
    child.deadline = deadline
    child.send(job_for([fns[i] for i in batch], [cases[i] for i in batch], loaded,
                       allow_autograd, box))

    def on_result(k: int, res: ChildResult) -> None:
        if 0 <= k < len(batch):
            keep(batch[k], res)

    return child.collect(len(batch), on_result)


def _blame(failed: tuple[int, ChildResult], batch: list[int], keep, done: list[bool],
           deadline: float, max_seconds: float) -> list[int]:
    """A child's failure is the function running's (a timeout past the submission's
    deadline is out of time); one while loading is every function's. The functions left
    for a fresh child."""
    k, res = failed
    k = min(max(k, 0), len(batch) - 1)
    if res.timed_out and time.monotonic() >= deadline:
        res = OutOfTime(None, timed_out=True, stdout=res.stdout, stderr=res.stderr,
                        limit=max_seconds)
    keep(batch[k], res)
    if res.during_load:     # loading itself crashes or hangs: the same for every function
        for i in batch[k + 1:]:
            keep(i, res)
        return []
    return [i for i in batch[k + 1:] if not done[i]]


def judge_case(fn: GradedFunction, raw: dict, case: GradeCase) -> Finding | None:
    """The verdict of one case from the child's raw answer."""
    if not raw.get("ok"):
        return Finding("runtime", str(raw.get("error", "the function raised an error")))
    before = {k: v for k, v in _flatten(fn.child_inputs(case)).items()
              if k.split("[")[0] not in fn.allow_mutation}
    after = _flatten(raw.get("inputs_after") or {})
    moved = diagnose_mutation(before, after, equation="api", name=fn.name)
    if moved:
        return moved
    got = raw.get("value")
    if not isinstance(got, dict):
        return Finding("api", f"the probe returned {type(got).__name__}")
    try:
        return fn.judge(got, case)
    except Exception as exc:  # noqa: BLE001 - an odd return value must not crash the grader
        return Finding("api", f"{fn.name} returned a value of an unexpected form "
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


FORWARD = re.compile(r", in (\w*forward\w*|predict|loss)\)$")


def _forward_failed(fn: GradedFunction, finding: Finding | None) -> None:
    """A backward (or gradient) whose error was raised in a forward it needs says so."""
    tail = fn.name.split(".")[-1].lower()
    if finding is not None and finding.equation == "runtime" and (
            "backward" in tail or tail in SHELF.gradient_methods):
        m = FORWARD.search(finding.diagnosis)
        if m and m.group(1) != fn.name.split(".")[-1]:
            owner = fn.name.rpartition(".")[0]      # Cls.backward: Cls.forward
            where = f"{owner}.{m.group(1)}" if owner and "backward" in tail else m.group(1)
            finding.diagnosis = (f"the forward pass ({where}) raised, and "
                                 f"{fn.name} needs it: {finding.diagnosis}")


def missing_message(name: str, loaded: loader.Loaded | None) -> str:
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


def interpret(fn: GradedFunction, cases: list[GradeCase], res: ChildResult, timeout: float,
              memory_mb: int, defined: frozenset[str] = frozenset(),
              loaded: loader.Loaded | None = None,
              ) -> tuple[FunctionResult, list[str], list[str]]:
    """(result, policy violations, load warnings) for one function. Every field of the
    child's answer is type-checked: whatever the student's code returned, this gives a
    verdict (a failed one when the answer cannot be read) and never raises."""
    out = (res.stdout + ("\n" + res.stderr if res.stderr.strip() else "")).strip()
    fr = FunctionResult(fn.name, fn.points, 0.0, FAILED, n_cases=len(cases), output=out,
                        elapsed=res.elapsed)
    data = _answer(fr, res, timeout, memory_mb)
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
        fr.finding = Finding("api", f"{fn.name} returned a value too large or too deeply "
                             f"nested to check (at most {codec.MAX_NODES} items, "
                             f"{codec.MAX_ARRAY_BYTES // 2**20} MB of arrays)")
        return fr, [], warnings
    violations = violations or []        # a worker error's answer carries no record
    if status == "load_error":
        fr.finding = Finding("load", _text(load.get("fatal"), "the submission could not be loaded"))
    elif status == "worker_error":
        fr.finding = Finding("runtime", _text(data.get("error"), "the grading process failed"))
    elif status == "missing":
        _missing(fr, fn, data, defined, loaded)
    else:
        _judge_cases(fr, fn, cases, data)
    return fr, violations, warnings


def _answer(fr: FunctionResult, res: ChildResult, timeout: float, memory_mb: int
            ) -> dict | None:
    """The child's decoded answer; None (with fr's finding set) when the process failed
    or returned something unreadable."""
    failure = res.failure(timeout, memory_mb)
    if failure:
        fr.finding = Finding("load" if res.during_load else "runtime", failure)
        return None
    try:
        data = codec.decode(res.blob, as_float=True)
    except Exception:  # noqa: BLE001 - whatever the blob holds
        data = None
    if not isinstance(data, dict):
        fr.finding = Finding("runtime", "the process returned unreadable results")
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
             loaded: loader.Loaded | None) -> None:
    """The verdict when the child found no definition: supplied (an optional function
    the course provides), missing, or a forged answer (the parent's parse finds it)."""
    if fn.optional and fn.name in defined:
        # the parent's own parse finds the definition: "missing" came from the
        # student's process (a forged answer turning a failure into full credit)
        fr.finding = Finding("api", f"the grading process reported {fn.name} as not "
                             "defined, but the submission defines it")
    elif fn.optional:
        # full credit, but a misspelled definition is named: the student's own code under
        # that name was not graded
        fr.status, fr.score = SUPPLIED, fn.points
        fr.finding = Finding("api", missing_message(fn.name, loaded) + "; the course "
                             "provides it" + ("; the grader used a correct version"
                                              if fn.provided else ""))
    else:
        fr.status = MISSING
        fr.finding = Finding("api", missing_message(_text(data.get("missing"), fn.name),
                                                    loaded))


def _judge_cases(fr: FunctionResult, fn: GradedFunction, cases: list[GradeCase],
                 data: dict) -> None:
    """Judge the cases in size order: the first failing one is kept; all passing, full
    points."""
    raws = data.get("cases") if isinstance(data.get("cases"), list) else []
    if len(raws) != len(cases):
        fr.finding = Finding("runtime", "the process returned an incomplete set of results")
    for raw, case in zip(raws, cases):
        finding = judge_case(fn, raw if isinstance(raw, dict) else {}, case)
        if finding:
            _forward_failed(fn, finding)
            fr.finding, fr.case = finding, case
            break
    if fr.finding is None:
        fr.status, fr.score = PASSED, fn.points


def safe_interpret(fn: GradedFunction, cases: list[GradeCase], res: ChildResult,
                   timeout: float, memory_mb: int, defined: frozenset[str] = frozenset(),
                   loaded: loader.Loaded | None = None,
                   ) -> tuple[FunctionResult, list[str], list[str]]:
    """`interpret`, with any exception (a grader bug an odd answer reaches) turned into a
    failed finding for this function only: the other functions and the report go on."""
    try:
        return interpret(fn, cases, res, timeout, memory_mb, defined, loaded)
    except Exception as exc:  # noqa: BLE001
        fr = FunctionResult(fn.name, fn.points, 0.0, "failed", n_cases=len(cases),
                            finding=Finding("runtime", "the grader could not check what this "
                                            f"function returned ({type(exc).__name__})"))
        return fr, [], []


def grade_submission(path: str | Path, style: str | Style, *, seed: int = 0,
                     cases: int | None = None, timeout: float = 10.0, memory_mb: int = 2048,
                     allow_autograd: bool = False, parallel: int | None = None,
                     only: list[str] | None = None, max_seconds: float | None = None,
                     seed_private: bool = False, folder: str | Path | None = None,
                     alone: bool = False, isolate: bool = True,
                     hide=(), pool: Pool | None = None) -> SubmissionResult:
    """Grade one submission file (with the student's modules it imports, unless `alone`)
    or, given the student's `folder`, the student's files there; never raises for
    anything the submission does. The whole run takes at most `max_seconds` of
    wall-clock time (default_max_seconds when None): the functions not finished by then
    fail.

    isolate: the operating system's protections where available (`isolation`: no network,
    private temporary folders, hidden folders, one cgroup); False turns them off (to
    measure their cost). hide: more folders the student's code must not read (the
    submissions' and the report's; the submission's own folder always is). pool: workers
    started ahead (batch mode, `sandbox.Pool`); each is taken by one submission only."""
    started = time.monotonic()
    style = get_style(style) if isinstance(style, str) else style
    # the files to read: those defining a name graded by the style or a variant of it
    wanted = {n.split(".")[0] for n in function_names(style.name)} \
        if style.name in STYLES else {f.name.split(".")[0] for f in style.functions}
    loaded = loader.load(path, folder, wanted, alone)
    style, why = resolve_style(style, loaded)
    functions = [f for f in style.functions if only is None or f.name in only]
    max_seconds = max_seconds or default_max_seconds(timeout, len(functions))
    result = _start_result(path, style, seed, seed_private, why, loaded, functions)
    result.error = _refusal(loaded, allow_autograd)
    if result.error:
        result.functions = not_graded(functions)
        result.elapsed = time.monotonic() - started
        return result
    box = isolation.Box(memory_mb=memory_mb, allow_autograd=allow_autograd,
                        hide=[Path(path).parent, *([folder] if folder else []), *hide],
                        isolate=isolate)
    settings = dict(allow_autograd=allow_autograd, timeout=timeout, memory_mb=memory_mb,
                    deadline=started + max_seconds, max_seconds=max_seconds, box=box)
    outcomes, reports = _run_groups(style, functions, loaded, seed, cases or DEFAULT_CASES,
                                    parallel, settings, pool)
    result.protections = box.protections(
        [p for p in reports[0] if all(p in r for r in reports)] if reports else [])
    _gather(result, outcomes)
    result.elapsed = time.monotonic() - started
    return result


def _start_result(path, style: Style, seed: int, seed_private: bool, why: str | None,
                  loaded: loader.Loaded, functions: list[GradedFunction]) -> SubmissionResult:
    """The submission's result before grading: the style's note, the loading's warnings,
    the files read and ignored, where each graded name comes from."""
    result = SubmissionResult(str(path), style.name, seed, seed_private=seed_private)
    if why:
        result.warnings.append(why)
    result.warnings += loaded.warnings
    result.files, result.ignored = loaded.files, loaded.ignored
    result.origins = {f.name: loaded.origins[f.name.split(".")[0]] for f in functions
                      if f.name.split(".")[0] in loaded.origins}
    return result


def _refusal(loaded: loader.Loaded, allow_autograd: bool) -> str | None:
    """Why nothing can be graded before any process starts (the files cannot be loaded,
    the import policy refuses them), or None."""
    if loaded.error:
        return f"the submission could not be loaded: {loaded.error}"
    violations = policy.scan(loaded.trees, allow_autograd)
    if violations:
        return "refused by the import policy: " + "; ".join(sorted(set(violations))[:3])
    return None


def children_per_submission(parallel: int | None) -> int:
    """How many workers grade one submission's functions side by side (at most; never
    more than it has functions): `parallel`, or one per core left over from the torch
    import (at most 2)."""
    return parallel or min(2, (os.cpu_count() or 2) - 1) or 1


def _run_groups(style: Style, functions: list[GradedFunction], loaded: loader.Loaded,
                seed: int, n_cases: int, parallel: int | None, settings: dict,
                pool: Pool | None = None) -> tuple[list, list[list[str]]]:
    """Run the functions in groups, one child each (`run_group`), interpreting each
    answer as it arrives: the outcomes in the functions' order and the protections each
    worker reported. The box is closed at the end."""
    timeout, memory_mb, box = settings["timeout"], settings["memory_mb"], settings["box"]
    defined = frozenset(loaded.names())     # the parent's own reading of the files
    # one student process per core left over from the torch import (at most 2): on 2 cores
    # a second one only competes with that import; a crash or timeout starts a fresh one
    workers = max(1, min(children_per_submission(parallel), len(functions)))
    groups = [list(range(g, len(functions), workers)) for g in range(workers)]
    # the children start (Python, NumPy) while this process imports torch for the cases;
    # a batch's are taken once it has (its pool forks them meanwhile)
    children = []
    try:
        if pool is None:
            children += [Child(timeout=timeout, memory_mb=memory_mb, box=box) for _ in groups]
        import_oracle()
        all_cases = [cases_for(style, f, seed, n_cases) for f in functions]
        if pool is not None:
            children += [pool.take(box, timeout=timeout, memory_mb=memory_mb) for _ in groups]

        def one(g: int) -> list:
            idx = groups[g]

            def digest(k: int, res: ChildResult):
                i = idx[k]
                return safe_interpret(functions[i], all_cases[i], res, timeout, memory_mb,
                                      defined, loaded)

            return run_group([functions[i] for i in idx], [all_cases[i] for i in idx], loaded,
                             child=children[g], digest=digest, **settings)

        outcomes: list = [None] * len(functions)
        with ThreadPoolExecutor(workers) as pool:
            for g, results in enumerate(pool.map(one, range(workers))):
                for i, outcome in zip(groups[g], results):
                    outcomes[i] = outcome
    finally:
        for child in children:
            child.close()
        box.close()
    return outcomes, [c.protections for c in children if c.protections is not None]


def _gather(result: SubmissionResult, outcomes: list) -> None:
    """The functions' verdicts into the submission's result: a load failure or a policy
    violation seen in any child makes the whole submission not graded."""
    seen_policy: list[str] = []
    for fr, violations, warnings in outcomes:
        if fr.finding is not None and fr.finding.equation == "load" and not result.error:
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
