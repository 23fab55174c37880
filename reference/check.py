"""Run random cases of `manual` against the oracle and summarize the verdicts.

`run_case` is one case: draw the arrays, `Network.backprop` (BP1..BP4),
`oracle_backprop` (autograd), `compare_gradients`. `run_check` runs many,
in parallel over processes, and folds them into a `Summary` holding the
largest relative error per equation × activation × loss.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

from .cases import Case, combinations, generate
from .compare import EQUATIONS, compare_gradients
from .oracle import oracle_for


@dataclass
class CaseResult:
    id: str
    rows: tuple[tuple[str, str], ...]  # (activation, loss) table rows this case feeds
    ok: bool
    max_rel_err: dict[str, float]
    mismatch: dict | None = None


def run_case(case: Case) -> CaseResult:
    """One case: manual backprop vs the torch oracle."""
    net, X, Y = case.network()
    got = net.backprop(X, Y)
    expected = oracle_for(net, X, Y)
    verdict = compare_gradients(got, expected, case.dtype, net.sigmas + [net.loss])
    rows = tuple(sorted({(a, case.loss) for a in case.activations}))
    mismatch = None
    if not verdict.ok:
        mismatch = {"case": case.id, **asdict(verdict.mismatch)}
    return CaseResult(case.id, rows, verdict.ok, verdict.max_rel_err, mismatch)


@dataclass
class Summary:
    cases: int = 0
    failures: int = 0
    by_equation: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EQUATIONS, 0.0))
    table: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    row_counts: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    failures_detail: list[dict] = field(default_factory=list)

    def add(self, r: CaseResult, keep: int = 100) -> None:
        self.cases += 1
        for eq, v in r.max_rel_err.items():
            self.by_equation[eq] = max(self.by_equation[eq], v)
        for row in r.rows:
            cell = self.table.setdefault(row, dict.fromkeys(EQUATIONS, 0.0))
            for eq, v in r.max_rel_err.items():
                cell[eq] = max(cell[eq], v)
            counts = self.row_counts.setdefault(row, [0, 0])
            counts[0] += 1
            counts[1] += not r.ok
        if not r.ok:
            self.failures += 1
            if len(self.failures_detail) < keep:
                self.failures_detail.append(r.mismatch)

    def to_json(self, seed: int) -> dict:
        return {
            "cases": self.cases,
            "failures": self.failures,
            "seed": seed,
            "by_equation": {eq: {"max_rel_err": v} for eq, v in self.by_equation.items()},
            "by_activation_loss": [
                {"activation": a, "loss": lo, "cases": self.row_counts[(a, lo)][0],
                 "failures": self.row_counts[(a, lo)][1], "max_rel_err": cell}
                for (a, lo), cell in sorted(self.table.items())],
            "failures_detail": self.failures_detail,
        }


def _init_worker() -> None:
    import torch

    torch.set_num_threads(1)


def _run_slice(args) -> list[CaseResult]:
    start, stop, seed, filters = args
    return [run_case(c) for c in generate(stop, seed, start=start, **filters)]


def run_check(n: int, seed: int = 0, *, jobs: int | None = None, chunk: int = 250,
              progress: Callable[[int], None] | None = None, **filters) -> Summary:
    """n cases from `seed`, over `jobs` processes (default: one per core)."""
    combinations(**filters)  # fail early on bad filters, in this process
    jobs = jobs or os.cpu_count() or 1
    slices = [(s, min(s + chunk, n), seed, filters) for s in range(0, n, chunk)]
    summary = Summary()
    if jobs == 1 or n <= chunk:
        _init_worker()
        results: Iterable[list[CaseResult]] = map(_run_slice, slices)
        _fold(summary, results, progress)
        return summary
    # fork: the workers inherit the imported torch and the registry, including
    # activations registered from expressions in this process
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs, initializer=_init_worker) as pool:
        _fold(summary, pool.imap(_run_slice, slices), progress)
    return summary


def _fold(summary: Summary, results, progress) -> None:
    for batch in results:
        for r in batch:
            summary.add(r)
        if progress:
            progress(len(batch))
