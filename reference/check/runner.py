"""Run random cases of `manual` (or of an implementation under test, see
`reference.check.contract`) against the oracle and summarize the verdicts.

`run_family` is one family of cases (one structure): draw the arrays, one
stacked oracle call (autograd), `Network.backprop` (BP1..BP4) or `impl(spec,
X, Y)` on each case, one vectorized comparison; a failure is explained (the
layer's activation, what the index means, the grader's diagnosis). `run_case`
is one case, its family's arrays and answer cached. `run_check` runs many, in
parallel over processes, and folds them into a `Summary` holding the largest
relative error per equation and (hidden, output, loss), each case counted once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from manual.activations import get_activation
from manual.errors import InputError
from manual.losses import get_loss
from manual.network import Gradients, Network

from ..oracle.answers import StackedGradients
from ..oracle.cases import (
    MAX_FAMILY,
    Case,
    Stack,
    combinations,
    draw_family,
    families,
    family_key,
    family_size,
    generate,
)
from ..oracle.compare import (
    EQUATIONS,
    FIELDS,
    Mismatch,
    Verdict,
    compare_gradients,
    compare_stacked,
)
from ..oracle.kinds import Kind
from ..oracle.process import LOCAL, backend_for
from ..oracle.tolerances import NOISE_FACTOR, allowance, tolerance_for
from . import contract
from .explain import explain
from .shown import KEEP  # failures_detail's default length (check --max-failures sets it)
from .verification import failure_key

__all__ = ["CaseResult", "MAX_FAMILY", "Summary", "family_size", "run_case", "run_check",
           "run_family"]


@dataclass
class CaseResult:
    id: str
    rows: tuple[tuple[str, str, str], ...]  # the (hidden, output, loss) table row of the case
    ok: bool
    max_rel_err: dict[str, float]
    mismatch: dict | None = None
    dtype: str = "float64"
    compared: tuple[str, ...] = EQUATIONS  # the equations the answer was compared on


def run_case(case: Case, impl: Callable | None = None, bias_shape: str = "layout",
             strict: bool = False) -> CaseResult:
    """One case: manual backprop (or `impl`, see reference.check.contract) vs the torch oracle.
    The family's arrays and oracle answer are computed once and cached in this process
    (the pytest plugin's cases come in families: one stacked oracle call each).
    strict: an exception raised by `impl` propagates (else it fails the case)."""
    oracle = backend_for()
    return run_family([case], impl, bias_shape, prepared=_prepared(case, oracle),
                      strict=strict, oracle=oracle)[0]


_CACHE: OrderedDict = OrderedDict()
CACHED_FAMILIES = 64


def _prepared(case: Case, oracle=LOCAL):
    """(stack, expected) of the case's family, from a small LRU cache. The key holds
    the registry entries' identities (kept alive by the cache), so an activation
    registered again under the same name is never answered from the old one."""
    entries = tuple(get_activation(a) for a in case.activations) + (get_loss(case.loss),)
    key = (family_key(case), tuple(id(e) for e in entries))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key][:2]
    stack = draw_family(case)
    _CACHE[key] = stack, _oracle(stack, case, oracle), entries
    if len(_CACHE) > CACHED_FAMILIES:
        _CACHE.popitem(last=False)
    return _CACHE[key][:2]


def _oracle(stack: Stack, first: Case, oracle=LOCAL):
    """The oracle's stacked answer for a family (from `oracle`: autograd in this process,
    or in the helper process of `reference.oracle.process`); InputError when it is not
    finite."""
    expected = oracle.stacked(stack.W, stack.b, first.activations, first.loss, stack.X,
                              stack.Y, first.layout, first.reduction, validate=False)
    if not all(np.isfinite(x).all() for x in expected.deltas + expected.dW + expected.db):
        raise InputError(f"case {first.id}: the oracle's gradients are not finite (an "
                         f"activation or the loss overflows or is undefined here), so there is "
                         f"nothing to compare with")
    return expected


def run_family(cases: list[Case], impl: Callable | None = None,
               bias_shape: str = "layout", prepared=None,
               strict: bool = False, oracle=LOCAL) -> list[CaseResult]:
    """Cases of one family (one structure, arrays drawn together): one stacked
    oracle call for the family, then `Network.backprop` (or `impl`) on each case,
    then one vectorized comparison. The oracle runs first, so an implementation
    that modifies its inputs in place cannot change the expected values.
    `prepared`: the family's (stack, oracle answer) when the caller has them cached.
    `oracle`: where autograd runs (`reference.oracle.process`; default this process)."""
    first = cases[0]
    stack, expected = prepared or (None, None)
    if stack is None:
        stack = draw_family(first)
        expected = _oracle(stack, first, oracle)
    members = [c.member for c in cases]
    if members != list(range(len(stack))):
        expected = expected.take(members)
    if impl is None:
        gots, failed = _manual_answers(cases, stack), {}
        fields = FIELDS
    else:
        expected = _with_bias_shape(expected, first, bias_shape)
        gots, failed = _impl_answers(cases, stack, impl, bias_shape, strict)
        fields = _fields_given(gots, failed)
    entries = [get_activation(a) for a in first.activations] + [get_loss(first.loss)]
    verdicts = _compare(gots, expected, first.dtype, entries, fields, failed)
    if first.dtype == "float32" and not all(v.ok for v in verdicts):
        _rejudge_float32(cases, verdicts, gots, expected, failed, entries, fields, oracle)
    if impl is not None:
        _judge_costs(cases, gots, expected, verdicts, entries, oracle)
    return _results(cases, verdicts, gots, expected, fields, stack)


def _rejudge_float32(cases: list[Case], verdicts: list, gots: list, expected, failed: dict,
                     entries: list, fields, oracle=LOCAL) -> None:
    """Judge float32 mismatches again above float32's own noise, measured on freshly drawn
    arrays (the implementation may have modified the ones it was given): torch's float32
    error on the case and float64 forwards moved by float32's rounding bounds
    (`float32_noise`, see NOISE_FACTOR in reference.oracle.tolerances)."""
    pristine = draw_family(cases[0])
    for k, case in enumerate(cases):
        mm = verdicts[k].mismatch
        if not verdicts[k].ok and k not in failed and mm.equation in EQUATIONS:
            w, b, X, Y = pristine.member(case.member)
            exp = expected.member(k)
            # the noise is measured on the layout's bias shape (exp's db is the declared one)
            plain = Gradients(exp.deltas, exp.dW, [d.reshape(v.shape) for d, v in zip(exp.db, b)],
                              exp.cost)
            noise = oracle.noise(w, b, case.activations, case.loss, X, Y, case.layout,
                                 case.reduction, expected=plain)
            verdicts[k] = compare_gradients(gots[k], exp, "float32", entries, noise, fields)


def _results(cases: list[Case], verdicts: list, gots: list, expected, fields, stack: Stack
             ) -> list[CaseResult]:
    """One CaseResult per case: the equations compared, a mismatch explained."""
    first = cases[0]
    compared = tuple(eq for eq in EQUATIONS if eq not in ("BP1", "BP2") or "deltas" in fields)
    hidden = first.hidden if len(first.sizes) > 2 else "-"
    rows = ((hidden, first.output, first.loss),)
    results = []
    for k, (case, verdict) in enumerate(zip(cases, verdicts)):
        mismatch = None
        if not verdict.ok:
            mismatch = {"case": case.id, **asdict(verdict.mismatch)}
            mismatch.update(explain(verdict.mismatch, case, gots[k], expected.member(k),
                                    stack.member(case.member), fields))
        results.append(CaseResult(case.id, rows, verdict.ok, verdict.max_rel_err, mismatch,
                                  case.dtype, compared))
    return results


def _manual_answers(cases: list[Case], stack: Stack) -> list:
    gots = []
    for case in cases:
        w, b, X, Y = stack.member(case.member)
        net = Network(w, b, case.activations, case.loss, case.layout, case.reduction)
        gots.append(net.backprop(X, Y))
    return gots


def _impl_answers(cases: list[Case], stack: Stack, impl: Callable, bias_shape: str,
                  strict: bool = False):
    """Each case through the implementation under test; a raised exception is that
    case's failure (kept as a Mismatch in `failed`), not the end of the run."""
    gots, failed = [], {}
    for k, case in enumerate(cases):
        w, b, X, Y = stack.member(case.member)
        shapes = [contract.bias_shape(bias_shape, case.layout, v.size) for v in b]
        spec = contract.Spec([x.copy() for x in w],
                             [v.reshape(s).copy() for v, s in zip(b, shapes)],
                             list(case.activations), case.loss, case.layout,
                             case.reduction, case.dtype, bias_shape)
        try:
            out = impl(spec, X.copy(), Y.copy())
        except Exception as exc:  # the implementation's own error: a failed case
            if strict:
                raise
            failed[k] = Mismatch("call", -1, (), float("nan"), float("nan"),
                                 float("inf"), float("inf"),
                                 f"the implementation raised {type(exc).__name__}: {exc}",
                                 Kind.RUNTIME)
            gots.append(None)
            continue
        gots.append(contract.read_answer(out))
    return gots, failed


def _fields_given(gots, failed) -> tuple[str, ...]:
    """deltas are compared only when the implementation gives them."""
    given = [g for k, g in enumerate(gots) if k not in failed]
    if given and all(g.deltas is not None for g in given):
        return FIELDS
    return ("dW", "db")


def _with_bias_shape(expected: StackedGradients, case: Case, convention: str):
    """The oracle's answer with db in the declared bias convention."""
    db = [g.reshape(len(g), *contract.bias_shape(convention, case.layout, n))
          for g, n in zip(expected.db, case.sizes[1:])]
    return StackedGradients(expected.deltas, expected.dW, db, expected.cost, expected.zs,
                            expected.activations)


def _compare(gots, expected, dtype, entries, fields, failed) -> list[Verdict]:
    good = [k for k in range(len(gots)) if k not in failed]
    verdicts: list = [None] * len(gots)
    if good:
        picked = expected if len(good) == len(gots) else expected.take(good)
        for k, v in zip(good, compare_stacked([gots[k] for k in good], picked, dtype, entries,
                                              fields)):
            verdicts[k] = v
    for k, mm in failed.items():
        verdicts[k] = Verdict(False, mm, dict.fromkeys(EQUATIONS, float("inf")))
    return verdicts


def _judge_costs(cases: list[Case], gots, expected, verdicts, entries, oracle=LOCAL) -> None:
    """An implementation's cost, when given, against the oracle's C (after the
    gradients: a gradient mismatch is the more specific report). In float32 a cost off
    by more than the table is judged again above the float32 noise of this case's
    forward (see COST in reference.oracle.tolerances), as the gradients are."""
    given = [k for k, got in enumerate(gots) if isinstance(got, contract.Answer)
             and got.cost is not None and verdicts[k].ok]
    if not given:
        return
    dtype = cases[0].dtype
    rtol, atol = tolerance_for(dtype, entries)
    want = np.asarray(expected.cost, dtype=np.float64)[given]
    value = np.array([_scalar(gots[k].cost) for k in given])
    err = np.abs(value - want)
    allowed = allowance(want, rtol, atol, scale=np.maximum(1.0, np.abs(want)))
    bad = ~(err <= allowed)
    if dtype == "float32" and bad.any():
        pristine = draw_family(cases[0])
        for j in np.flatnonzero(bad):
            bad[j] = not err[j] <= max(allowed[j], NOISE_FACTOR * _cost_noise(
                cases[given[j]], pristine, expected.member(given[j]), oracle))
    for j in np.flatnonzero(bad):
        k = given[j]
        mm = Mismatch("cost", -1, (), float(want[j]), float(value[j]),
                      float(err[j]), float(err[j] / max(abs(want[j]), 1e-300)),
                      "(the batch cost C)")
        verdicts[k] = Verdict(False, mm, verdicts[k].max_rel_err)


def _cost_noise(case: Case, pristine: Stack, expected, oracle=LOCAL) -> float:
    """|C₃₂ − C₆₄| of float32 forwards on the case's arrays (`float32_noise`: torch's, and
    float64 ones moved by float32's rounding bounds), the largest."""
    w, b, X, Y = pristine.member(case.member)
    plain = Gradients(expected.deltas, expected.dW,
                      [d.reshape(v.shape) for d, v in zip(expected.db, b)], expected.cost)
    noise = oracle.noise(w, b, case.activations, case.loss, X, Y, case.layout, case.reduction,
                         expected=plain)
    return float(noise.cost)


def _scalar(x) -> float:
    try:
        return float(np.asarray(x, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return float("nan")




@dataclass
class Summary:
    cases: int = 0
    failures: int = 0
    by_equation: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EQUATIONS, 0.0))
    by_dtype: dict[str, dict[str, float]] = field(default_factory=dict)
    dtype_counts: dict[str, list[int]] = field(default_factory=dict)
    table: dict[tuple[str, str, str], dict[str, float]] = field(default_factory=dict)
    row_counts: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    failures_detail: list[dict] = field(default_factory=list)
    compared: set = field(default_factory=set)  # equations some answer was compared on
    keep: int | None = KEEP  # failures_detail holds at most this many (None: all)
    # every failure counted by (equation, layer, activation): `failure_table`'s rows
    failure_counts: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def add(self, r: CaseResult) -> None:
        self.cases += 1
        self.compared.update(r.compared)
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
            key = failure_key(r.mismatch)
            self.failure_counts[key] = self.failure_counts.get(key, 0) + 1
            if self.keep is None or len(self.failures_detail) < self.keep:
                self.failures_detail.append(r.mismatch)

    def to_json(self, seed: int) -> dict:
        """The summary `check --format json` prints (and `reference.verify` returns).
        An equation no answer was compared on (no δ given: BP1, BP2) has
        "compared": false and max_rel_err null."""
        seen = lambda eq, v: v if eq in self.compared or not self.cases else None
        return _plain({
            "cases": self.cases,
            "failures": self.failures,
            "seed": seed,
            "by_equation": {eq: {"max_rel_err": seen(eq, v),
                                 "compared": eq in self.compared or not self.cases}
                            for eq, v in self.by_equation.items()},
            "by_dtype": {dt: {"cases": self.dtype_counts[dt][0],
                              "failures": self.dtype_counts[dt][1], "max_rel_err": worst}
                         for dt, worst in sorted(self.by_dtype.items())},
            # one row per (hidden, output, loss): each case counted once ("-": no hidden layer)
            "by_activation_loss": [
                {"hidden": h, "output": o, "loss": lo, "cases": self.row_counts[(h, o, lo)][0],
                 "failures": self.row_counts[(h, o, lo)][1], "max_rel_err": cell}
                for (h, o, lo), cell in sorted(self.table.items())],
            "failures_detail": self.failures_detail,
            "failures_by_equation_layer": [
                {"equation": eq, "layer": int(layer), "activation": act, "failures": n}
                for (eq, layer, act), n in sorted(self.failure_counts.items(),
                                                  key=lambda kv: (-kv[1], kv[0]))],
        })


def _plain(value):
    """JSON has no NaN or infinity: "nan", "inf", "-inf" (as derive's JSON)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _init_worker() -> None:
    # torch takes seconds to import and this module is imported by runs that never get
    # here (a bad option, --help); by now LOCAL.load() has imported it
    import torch

    torch.set_num_threads(1)


# the implementation under test of this run (forked workers inherit it)
_IMPL: Callable | None = None


def _run_slice(args) -> list[CaseResult]:
    start, stop, seed, family, filters, bias_shape = args
    cases = generate(stop, seed, start=start, family=family, **filters)
    return [r for group in families(cases) for r in run_family(group, _IMPL, bias_shape)]


def run_check(n: int, seed: int = 0, *, jobs: int | None = None, chunk: int = 256,
              progress: Callable[[int], None] | None = None, impl: Callable | None = None,
              bias_shape: str = "layout", keep: int | None = KEEP, **filters) -> Summary:
    """n cases from `seed` over `jobs` processes (default: one per core), of
    `manual` or of `impl` (an implementation under test, see reference.check.contract);
    the summary keeps the first `keep` failures in full (None: all).

    Cases come in families that share a structure (see `family_size`): every
    combination gets at least one structure when n allows, and each family
    costs one stacked oracle call."""
    global _IMPL
    family = family_size(n, len(combinations(**filters)))  # also: bad filters fail here
    contract.bias_shape(bias_shape, "columns", 1)  # a bad convention fails here, once
    chunk = max(family, chunk - chunk % family)  # slices hold whole families
    jobs = min(jobs or os.cpu_count() or 1, -(-n // chunk))  # no idle processes
    # a generator: memory does not grow with n (the pool's task pipe blocks when full)
    slices = ((s, min(s + chunk, n), seed, family, filters, bias_shape)
              for s in range(0, n, chunk))
    _IMPL = impl
    summary = Summary(keep=keep)
    try:
        _run_slices(summary, slices, jobs if n > chunk else 1, progress)
    finally:
        _IMPL = None
    return summary


def _run_slices(summary: Summary, slices, jobs: int, progress) -> None:
    LOCAL.load()  # torch once, here: the forked workers inherit it
    if jobs == 1:
        _init_worker()
        results: Iterable[list[CaseResult]] = map(_run_slice, slices)
        _fold(summary, results, progress)
        return
    # fork: the workers inherit the imported torch and the registry, including
    # activations registered from expressions in this process
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs, initializer=_init_worker) as pool:
        _fold(summary, pool.imap(_run_slice, slices), progress)


def _fold(summary, results, progress) -> None:
    """Each batch of results added to `summary` (the dense matrix's `Summary`, the layer
    matrix's `LayerSummary`), the progress bar moved by the batch."""
    for batch in results:
        for r in batch:
            summary.add(r)
        if progress:
            progress(len(batch))
