"""Run random cases of `manual` against the oracle and summarize the verdicts.

`run_case` is one case: draw the arrays, `Network.backprop` (BP1..BP4),
`oracle_backprop` (autograd), `compare_gradients`. `run_check` runs many,
in parallel over processes, and folds them into a `Summary` holding the
largest relative error per equation × activation × loss.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from manual.errors import InputError
from manual.network import Network

from .cases import Case, combinations, draw_family, families, generate
from .compare import EQUATIONS, compare_gradients, compare_stacked
from .oracle import float32_noise, oracle_stacked


@dataclass
class CaseResult:
    id: str
    rows: tuple[tuple[str, str], ...]  # (activation, loss) table rows this case feeds
    ok: bool
    max_rel_err: dict[str, float]
    mismatch: dict | None = None
    dtype: str = "float64"


def run_case(case: Case) -> CaseResult:
    """One case: manual backprop vs the torch oracle."""
    return run_family([case])[0]


def run_family(cases: list[Case]) -> list[CaseResult]:
    """Cases of one family (one structure, arrays drawn together): one stacked
    oracle call for the family, then `Network.backprop` on each case, then one
    vectorized comparison. The oracle runs first, so an implementation that
    modifies its inputs in place cannot change the expected values."""
    first = cases[0]
    stack = draw_family(first)
    expected = oracle_stacked(stack.W, stack.b, first.activations, first.loss, stack.X,
                              stack.Y, first.layout, first.reduction, validate=False)
    if not all(np.isfinite(x).all() for x in expected.deltas + expected.dW + expected.db):
        raise InputError(f"case {first.id}: the oracle's gradients are not finite (an "
                         f"activation or the loss overflows or is undefined here), so there is "
                         f"nothing to compare with")
    members = [c.member for c in cases]
    if members != list(range(len(stack))):
        expected = expected.take(members)
    gots = []
    for case in cases:
        w, b, X, Y = stack.member(case.member)
        net = Network(w, b, case.activations, case.loss, case.layout, case.reduction)
        gots.append(net.backprop(X, Y))
    entries = net.sigmas + [net.loss]
    verdicts = compare_stacked(gots, expected, first.dtype, entries)
    if first.dtype == "float32" and not all(v.ok for v in verdicts):
        # judge again above float32's own noise, measured on freshly drawn arrays
        # (the implementation may have modified the ones it was given)
        pristine = draw_family(first)
        for k, case in enumerate(cases):
            if not verdicts[k].ok:
                w, b, X, Y = pristine.member(case.member)
                exp = expected.member(k)
                noise = float32_noise(w, b, case.activations, case.loss, X, Y, case.layout,
                                      case.reduction, expected=exp)
                verdicts[k] = compare_gradients(gots[k], exp, "float32", entries, noise)
    rows = tuple(sorted({(a, first.loss) for a in first.activations}))
    results = []
    for case, verdict in zip(cases, verdicts):
        mismatch = None if verdict.ok else {"case": case.id, **asdict(verdict.mismatch)}
        results.append(CaseResult(case.id, rows, verdict.ok, verdict.max_rel_err, mismatch,
                                  case.dtype))
    return results


@dataclass
class Summary:
    cases: int = 0
    failures: int = 0
    by_equation: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EQUATIONS, 0.0))
    by_dtype: dict[str, dict[str, float]] = field(default_factory=dict)
    dtype_counts: dict[str, list[int]] = field(default_factory=dict)
    table: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    row_counts: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    failures_detail: list[dict] = field(default_factory=list)

    def add(self, r: CaseResult, keep: int = 100) -> None:
        self.cases += 1
        per_dtype = self.by_dtype.setdefault(r.dtype, dict.fromkeys(EQUATIONS, 0.0))
        for eq, v in r.max_rel_err.items():
            self.by_equation[eq] = max(self.by_equation[eq], v)
            per_dtype[eq] = max(per_dtype[eq], v)
        counts = self.dtype_counts.setdefault(r.dtype, [0, 0])
        counts[0] += 1
        counts[1] += not r.ok
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
            "by_dtype": {dt: {"cases": self.dtype_counts[dt][0],
                              "failures": self.dtype_counts[dt][1], "max_rel_err": worst}
                         for dt, worst in sorted(self.by_dtype.items())},
            "by_activation_loss": [
                {"activation": a, "loss": lo, "cases": self.row_counts[(a, lo)][0],
                 "failures": self.row_counts[(a, lo)][1], "max_rel_err": cell}
                for (a, lo), cell in sorted(self.table.items())],
            "failures_detail": self.failures_detail,
        }


def _init_worker() -> None:
    import torch

    torch.set_num_threads(1)


MAX_FAMILY = 32  # cases per structure in `check`, at most: one stacked oracle call each


def family_size(n: int, n_combinations: int) -> int:
    """Cases per family for a run of n cases: the largest size (up to MAX_FAMILY)
    that still leaves one family, so one structure, for every combination."""
    return max(1, min(MAX_FAMILY, n // n_combinations))


def _run_slice(args) -> list[CaseResult]:
    start, stop, seed, family, filters = args
    cases = generate(stop, seed, start=start, family=family, **filters)
    return [r for group in families(cases) for r in run_family(group)]


def run_check(n: int, seed: int = 0, *, jobs: int | None = None, chunk: int = 256,
              progress: Callable[[int], None] | None = None, **filters) -> Summary:
    """n cases from `seed` over `jobs` processes (default: one per core).

    Cases come in families that share a structure (see `family_size`): every
    combination gets at least one structure when n allows, and each family
    costs one stacked oracle call."""
    family = family_size(n, len(combinations(**filters)))  # also: bad filters fail here
    chunk = max(family, chunk - chunk % family)  # slices hold whole families
    jobs = min(jobs or os.cpu_count() or 1, -(-n // chunk))  # no idle processes
    # a generator: memory does not grow with n (the pool's task pipe blocks when full)
    slices = ((s, min(s + chunk, n), seed, family, filters) for s in range(0, n, chunk))
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
