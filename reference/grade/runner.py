"""Grade one submission: cases from the oracle, probes in sandboxed children, checks here.

For each graded function of the style:

1. `fn.cases(rng, n)` builds the cases in this (parent) process, smallest first;
   the rng is derived from (seed, function name), so the same seed gives the
   same cases and the same verdict;
2. the probe runs in its own `sandbox.Child` (a crash, exit, segfault or
   timeout fails that function only);
3. every returned value is rebuilt as a float64 ndarray (`codec.decode`), the
   inputs the child saw after the call are compared with the originals
   (mutation), then `fn.check(got, case)`; the first failing case in size
   order is kept as the smallest failing case.
"""

from __future__ import annotations

import copy
import functools
import gc
import os
import re
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import codec, loader, policy
from .base import Finding, GradeCase, GradedFunction, Style
from .diagnose import diagnose_mutation
from .sandbox import Child, ChildResult
from .styles import get_style

DEFAULT_CASES = 4


@dataclass
class FunctionResult:
    name: str
    points: float
    score: float
    status: str                      # "passed", "failed", "not defined"
    finding: Finding | None = None
    case: GradeCase | None = None    # the smallest failing case
    n_cases: int = 0
    output: str = ""

    @property
    def passed(self) -> bool:
        return self.status != "failed"

    @property
    def max_score(self) -> float:
        return 0.0 if self.status == "not defined" else self.points


@dataclass
class SubmissionResult:
    submission: str
    style: str
    seed: int
    functions: list[FunctionResult] = field(default_factory=list)
    error: str | None = None         # why nothing could be graded (syntax error, policy)
    warnings: list[str] = field(default_factory=list)
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


def case_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def build_cases(fn: GradedFunction, seed: int, n: int) -> list[GradeCase]:
    return sorted(fn.cases(case_rng(seed, fn.name), n), key=lambda c: c.size)


def import_oracle() -> None:
    """Import torch (through the oracle) with the cyclic garbage collector paused, then
    freeze what was imported: torch's ~150k objects would otherwise be scanned again by
    every full collection while grading (0.1 s each)."""
    if "reference.oracle" in sys.modules:
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        import reference.oracle  # noqa: F401
    finally:
        if enabled:
            gc.enable()
    gc.freeze()


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
    return copy.deepcopy(_cached_cases(style.name, fn.name, seed, n))


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
            allow_autograd: bool) -> bytes:
    """The child's job: the kept source and, per function, its probe and case inputs."""
    # the student's own modules (a `code.py` of theirs) are served, never the library's
    served = {m.name.split(".")[0] for m in loaded.modules}
    preimport = {m for m in policy.imported_modules(loaded.trees)
                 if m.split(".")[0] not in served}
    if any("testing" in seg.source for seg in loaded.segments):
        preimport.add("numpy.testing")
    return codec.encode({
        "functions": [{"name": fn.name, "probe": fn.probe, "requires": list(fn.requires),
                       "provided": [[fn.name, fn.provided]] if fn.provided else [],
                       "cases": [c.inputs for c in cs]} for fn, cs in zip(fns, cases)],
        "segments": loaded.to_json(), "forbidden": list(policy.forbidden(allow_autograd)),
        "preimport": sorted(preimport)})


def run_group(fns: list[GradedFunction], cases: list[list[GradeCase]], loaded: loader.Loaded,
              *, allow_autograd: bool, timeout: float, memory_mb: int,
              child: Child | None = None) -> list[ChildResult]:
    """Run functions in one child; after a crash or timeout, a fresh child takes the rest."""
    results: list[ChildResult | None] = [None] * len(fns)
    pending = list(range(len(fns)))
    while pending:
        child = child or Child(timeout=timeout, memory_mb=memory_mb, n_functions=len(pending))
        child.send(job_for([fns[i] for i in pending], [cases[i] for i in pending], loaded,
                           allow_autograd))
        batch = pending

        def on_result(k: int, res: ChildResult, batch=batch) -> None:
            if 0 <= k < len(batch):
                results[batch[k]] = res

        failed = child.collect(len(batch), on_result)
        child = None
        if failed is None:
            break
        k, res = failed
        k = min(max(k, 0), len(batch) - 1)
        results[batch[k]] = res
        if res.during_load:     # loading itself crashes or hangs: the same for every function
            for i in batch[k + 1:]:
                results[i] = res
            break
        pending = [i for i in batch[k + 1:] if results[i] is None]
    return [r if r is not None else ChildResult(None) for r in results]


def check_case(fn: GradedFunction, raw: dict, case: GradeCase) -> Finding | None:
    """The verdict of one case from the child's raw answer."""
    if not raw.get("ok"):
        return Finding("runtime", str(raw.get("error", "the function raised an error")))
    before = {k: v for k, v in _flatten(case.inputs).items()
              if k.split("[")[0] not in fn.allow_mutation}
    after = _flatten(raw.get("inputs_after") or {})
    moved = diagnose_mutation(before, after, equation="api", name=fn.name)
    if moved:
        return moved
    got = raw.get("value")
    if not isinstance(got, dict):
        return Finding("api", f"the probe returned {type(got).__name__}")
    try:
        return fn.check(got, case)
    except Exception as exc:  # noqa: BLE001 - an odd return value must not crash the grader
        return Finding("api", f"{fn.name} returned a value of an unexpected form "
                       f"({type(exc).__name__}: {exc})"[:300])


FORWARD = re.compile(r", in (\w*forward\w*|predict|loss)\)$")


def _forward_failed(fn: GradedFunction, finding: Finding | None) -> None:
    """A backward (or gradient) whose error was raised in a forward it needs says so."""
    tail = fn.name.split(".")[-1].lower()
    if finding is not None and finding.equation == "runtime" and (
            "backward" in tail or tail in ("gradient", "backprop")):
        m = FORWARD.search(finding.diagnosis)
        if m and m.group(1) != fn.name.split(".")[-1]:
            owner = fn.name.rpartition(".")[0]      # Affine.backward: Affine.forward
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
              memory_mb: int, loaded: loader.Loaded | None = None
              ) -> tuple[FunctionResult, list[str], list[str]]:
    """(result, policy violations, load warnings) for one function."""
    out = (res.stdout + ("\n" + res.stderr if res.stderr.strip() else "")).strip()
    fr = FunctionResult(fn.name, fn.points, 0.0, "failed", n_cases=len(cases), output=out)
    failure = res.failure(timeout, memory_mb)
    if failure:
        fr.finding = Finding("load" if res.during_load else "runtime", failure)
        return fr, [], []
    try:
        data = codec.decode(res.blob, as_float=True)
        assert isinstance(data, dict)
    except Exception:  # noqa: BLE001
        fr.finding = Finding("runtime", "the process returned unreadable results")
        return fr, [], []
    fr.output = str(data.get("output") or "").strip()
    load = data.get("load") or {}
    warnings = [str(w) for w in load.get("errors") or []]
    missing_modules = sorted({str(m) for m in load.get("missing_modules") or []})
    if missing_modules:
        warnings.append("modules not available to the grader (stubbed): "
                        + ", ".join(missing_modules))
    standins = sorted({str(m) for m in load.get("standins") or []})
    if standins:
        warnings.append("course helper modules not in the submission, stood in for by the "
                        "grader (what the course provides): " + ", ".join(standins))
    violations = [str(v) for v in data.get("policy") or []]
    status = data.get("status")
    if status == "load_error":
        fr.finding = Finding("load", str(load.get("fatal")))
    elif status == "worker_error":
        fr.finding = Finding("runtime", str(data.get("error")))
    elif status == "missing":
        if fn.optional:
            fr.status = "not defined"
            fr.finding = Finding("api", f"{fn.name} is not defined in the submission"
                                 + ("; the grader used a correct version" if fn.provided
                                    else ""))
        else:
            fr.finding = Finding("api", missing_message(str(data.get("missing")), loaded))
    else:
        raws = data.get("cases") or []
        if len(raws) != len(cases):
            fr.finding = Finding("runtime", "the process returned an incomplete set of results")
        for raw, case in zip(raws, cases):
            finding = check_case(fn, raw if isinstance(raw, dict) else {}, case)
            if finding:
                _forward_failed(fn, finding)
                fr.finding, fr.case = finding, case
                break
        if fr.finding is None:
            fr.status, fr.score = "passed", fn.points
    return fr, violations, warnings


def grade_submission(path: str | Path, style: str | Style, *, seed: int = 0,
                     cases: int | None = None, timeout: float = 10.0, memory_mb: int = 2048,
                     allow_autograd: bool = False, parallel: int | None = None,
                     only: list[str] | None = None,
                     folder: str | Path | None = None, alone: bool = False
                     ) -> SubmissionResult:
    """Grade one submission file (with the student's modules it imports, unless `alone`)
    or, given the student's `folder`, the student's files there; never raises for
    anything the submission does."""
    style = get_style(style) if isinstance(style, str) else style
    functions = [f for f in style.functions if only is None or f.name in only]
    result = SubmissionResult(str(path), style.name, seed)
    wanted = {f.name.split(".")[0] for f in style.functions}
    loaded = loader.load(path, folder, wanted, alone)
    result.warnings += loaded.warnings
    result.files, result.ignored = loaded.files, loaded.ignored
    result.origins = {f.name: loaded.origins[f.name.split(".")[0]] for f in functions
                      if f.name.split(".")[0] in loaded.origins}
    zero = [FunctionResult(f.name, f.points, 0.0, "failed") for f in functions]
    if loaded.error:
        result.error = f"the submission could not be loaded: {loaded.error}"
        result.functions = zero
        return result
    violations = policy.scan(loaded.trees, allow_autograd)
    if violations:
        result.error = "refused by the import policy: " + "; ".join(sorted(set(violations))[:3])
        result.functions = zero
        return result
    # one student process per core left over from the torch import (at most 2): on 2 cores
    # a second one only competes with that import; a crash or timeout starts a fresh one
    workers = max(1, min(parallel or min(2, (os.cpu_count() or 2) - 1), len(functions)))
    groups = [list(range(g, len(functions), workers)) for g in range(workers)]
    # the children start (Python, NumPy) while this process imports torch for the cases
    children = [Child(timeout=timeout, memory_mb=memory_mb, n_functions=len(g)) for g in groups]
    try:
        import_oracle()
        all_cases = [cases_for(style, f, seed, cases or DEFAULT_CASES) for f in functions]

        def one(g: int) -> list[ChildResult]:
            idx = groups[g]
            return run_group([functions[i] for i in idx], [all_cases[i] for i in idx], loaded,
                             allow_autograd=allow_autograd, timeout=timeout,
                             memory_mb=memory_mb, child=children[g])

        raw: list[ChildResult | None] = [None] * len(functions)
        with ThreadPoolExecutor(workers) as pool:
            for g, results in enumerate(pool.map(one, range(workers))):
                for i, res in zip(groups[g], results):
                    raw[i] = res
    finally:
        for child in children:
            child.close()
    outcomes = [interpret(f, c, r, timeout, memory_mb, loaded)
                for f, c, r in zip(functions, all_cases, raw)]
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
    return result
