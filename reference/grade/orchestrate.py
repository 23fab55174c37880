"""Orchestration: which student process runs which graded functions, and what happens
when one crashes, hangs or the submission's time runs out.

The sandbox is used through one interface: a `Job` in (`job_for`: the kept source, and
per function its probe, its case inputs and the helpers it may ask for, which the
sandbox answers through the job's callback, `Job.answer`), one `ChildResult` out per
function (`Child.collect`), each handed to `digest` (the interpretation) as soon as it
arrives. Nothing here judges an answer.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import codec, isolation, policy
from .base import GradeCase, GradedFunction
from .options import GradeOptions
from .sandbox import Child, ChildResult, Job, Pool
from .submission import Submission

__all__ = ["OutOfTime", "Plan", "children_per_submission", "job_for", "run_group",
           "run_groups"]


@dataclass(frozen=True)
class Plan:
    """What every student process of one submission runs with: the files read, the
    options, the submission's box (its cgroup and protections), its deadline
    (time.monotonic()) and the total time that deadline allows (for the report)."""

    loaded: Submission
    options: GradeOptions
    box: isolation.Box
    deadline: float = float("inf")
    max_seconds: float = 0.0

    def child(self) -> Child:
        limits = self.options.limits
        return Child(timeout=limits.timeout, memory_mb=limits.memory_mb, box=self.box)


def job_for(fns: list[GradedFunction], cases: list[list[GradeCase]], loaded: Submission,
            allow_autograd: bool, box: isolation.Box | None = None) -> Job:
    """The child's job: the kept source and, per function, its probe, the case inputs it
    may see (`fn.inputs`, sent only when it starts) and the helpers it may ask for."""
    # the student's own modules (a `code.py` of theirs) are served, never the library's
    served = {m.name.split(".")[0] for m in loaded.modules}
    preimport = {m for m in policy.imported_modules(loaded.trees)
                 if m.split(".")[0] not in served} | loaded.preimport
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


def run_group(fns: list[GradedFunction], cases: list[list[GradeCase]], plan: Plan,
              child: Child | None = None, digest: Callable | None = None) -> list:
    """Run functions in one child; after a crash or timeout, a fresh child takes the rest,
    until the submission's deadline has passed. Each function's ChildResult goes through
    `digest(i, result)` as soon as it arrives (the runner interprets it there, so the
    parent never holds more than one answer per child: up to 32 MB each); the list of
    what `digest` returned comes back. A new child goes into the submission's box."""
    digest = digest or (lambda i, res: res)
    results: list = [None] * len(fns)
    done = [False] * len(fns)

    def keep(i: int, res: ChildResult) -> None:
        if not done[i]:
            results[i], done[i] = digest(i, res), True

    pending = list(range(len(fns)))
    while pending:
        if time.monotonic() >= plan.deadline:
            for i in pending:
                keep(i, _out_of_time(plan))
            if child is not None:
                child.close()
            break
        child = child or plan.child()
        failed = _run_child(child, [fns[i] for i in pending], [cases[i] for i in pending],
                            plan, lambda k, res, batch=pending: keep(batch[k], res))
        child = None
        if failed is None:
            break
        pending = _blame(failed, pending, keep, done, plan)
    for i in range(len(fns)):
        keep(i, ChildResult(None))
    return results


def _out_of_time(plan: Plan, res: ChildResult | None = None) -> OutOfTime:
    return OutOfTime(None, timed_out=True, stdout=res.stdout if res else "",
                     stderr=res.stderr if res else "", limit=plan.max_seconds)


def _run_child(child: Child, fns: list[GradedFunction], cases: list[list[GradeCase]],
               plan: Plan, keep: Callable) -> tuple[int, ChildResult] | None:
    """Give the child the job of `fns` and read their results into keep(k, result) (k:
    the index into fns); the child's failure (`Child.collect`)."""
    child.deadline = plan.deadline
    child.send(job_for(fns, cases, plan.loaded, plan.options.allow_autograd, plan.box))

    def on_result(k: int, res: ChildResult) -> None:
        if 0 <= k < len(fns):
            keep(k, res)

    return child.collect(len(fns), on_result)


def _blame(failed: tuple[int, ChildResult], batch: list[int], keep: Callable,
           done: list[bool], plan: Plan) -> list[int]:
    """A child's failure is the function running's (a timeout past the submission's
    deadline is out of time); one while loading is every function's. The functions left
    for a fresh child."""
    k, res = failed
    k = min(max(k, 0), len(batch) - 1)
    if res.timed_out and time.monotonic() >= plan.deadline:
        res = _out_of_time(plan, res)
    keep(batch[k], res)
    if res.during_load:     # loading itself crashes or hangs: the same for every function
        for i in batch[k + 1:]:
            keep(i, res)
        return []
    return [i for i in batch[k + 1:] if not done[i]]


def children_per_submission(parallel: int | None) -> int:
    """How many workers grade one submission's functions side by side (at most; never
    more than it has functions): `parallel`, or one per core left over from the torch
    import (at most 2)."""
    return parallel or min(2, (os.cpu_count() or 2) - 1) or 1


def run_groups(functions: list[GradedFunction], plan: Plan,
               build: Callable[[], list[list[GradeCase]]], digest: Callable,
               pool: Pool | None = None) -> tuple[list, list[list[str]]]:
    """Run the functions in groups, one child each (`run_group`), `digest(i, cases,
    result)` interpreting each answer as it arrives: the outcomes in the functions' order
    and the protections each worker reported. `build()` gives the cases once the
    children are starting (it imports torch). The box is closed at the end."""
    # one student process per core left over from the torch import (at most 2): on 2 cores
    # a second one only competes with that import; a crash or timeout starts a fresh one
    workers = max(1, min(children_per_submission(plan.options.parallel), len(functions)))
    groups = [list(range(g, len(functions), workers)) for g in range(workers)]
    # the children start (Python, NumPy) while this process imports torch for the cases;
    # a batch's are taken once it has (its pool forks them meanwhile)
    children: list[Child] = []
    try:
        if pool is None:
            children += [plan.child() for _ in groups]
        all_cases = build()
        if pool is not None:
            limits = plan.options.limits
            children += [pool.take(plan.box, timeout=limits.timeout,
                                   memory_mb=limits.memory_mb) for _ in groups]

        def one(g: int) -> list:
            idx = groups[g]
            return run_group([functions[i] for i in idx], [all_cases[i] for i in idx], plan,
                             children[g],
                             lambda k, res: digest(idx[k], all_cases[idx[k]], res))

        outcomes: list = [None] * len(functions)
        with ThreadPoolExecutor(workers) as threads:
            for g, results in enumerate(threads.map(one, range(workers))):
                for i, outcome in zip(groups[g], results):
                    outcomes[i] = outcome
    finally:
        for child in children:
            child.close()
        plan.box.close()
    return outcomes, [c.protections for c in children if c.protections is not None]
