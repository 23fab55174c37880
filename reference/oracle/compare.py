"""Compare an implementation's gradients with the oracle's, equation by equation.

The tolerances (the table per dtype, the registries' overrides, the allowance
atol · max(1, max|e|) + rtol · |e| and the relative error) live in
`reference.oracle.tolerances`.

For float32, an array may also miss by up to NOISE_FACTOR times what torch's
own float32 autograd misses the float64 oracle by on the same case (`noise`,
measured by `reference.oracle.float32_noise`, with float64 forwards moved by float32's
rounding bounds too, and asked for only when the table alone finds
a disagreement): float32 arithmetic through deep stacks,
width-1 bottlenecks and cancelling sums loses more than any fixed table
foresees, while a real bug misses by far more than ten times that.

The verdict names the first equation and layer that disagree, in the order
the backward pass computes them: BP1 (δᴸ), BP2 (δˡ, l = L-2 .. 0), then
BP3 (∇b) and BP4 (∇W) layer by layer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from manual.activations import ACTIVATIONS, get_activation
from manual.errors import InputError
from manual.losses import LOSSES, get_loss

from .kinds import Kind
from .tolerances import NOISE_FACTOR, TOLERANCES, allowance, relative_error, tolerance_for

__all__ = ["EQUATIONS", "Mismatch", "Verdict", "compare_arrays", "compare_gradients",
           "compare_stacked", "Kind", "ordered_checks", "tolerance_for", "TOLERANCES",
           "NOISE_FACTOR"]

EQUATIONS = ("BP1", "BP2", "BP3", "BP4")


@dataclass
class Mismatch:
    """Where `got` and `expected` disagree the most within one equation and layer."""

    equation: str
    layer: int
    index: tuple[int, ...]
    expected: float
    got: float
    abs_err: float
    rel_err: float
    detail: str = ""
    kind: Kind = Kind.VALUE        # what code branches on (a shape, a dtype, a count...)

    def __str__(self) -> str:
        if not self.index and np.isnan(self.expected):  # a shape, dtype or count: no numbers
            return f"{self.equation} layer {self.layer}: {self.detail}"
        return (f"{self.equation} layer {self.layer} at {self.index}: expected "
                f"{self.expected:.6g}, got {self.got:.6g} (abs err {self.abs_err:.3g}, "
                f"rel err {self.rel_err:.3g}){' ' + self.detail if self.detail else ''}")


@dataclass
class Verdict:
    """The structured result of one comparison: ok, the first mismatch, the worst errors."""

    ok: bool
    mismatch: Mismatch | None = None
    max_rel_err: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"ok": self.ok, "mismatch": asdict(self.mismatch) if self.mismatch else None,
                "max_rel_err": self.max_rel_err}


def compare_arrays(got, expected, rtol: float, atol: float, equation: str, layer: int,
                   noise: float = 0.0):
    """(max relative error, Mismatch or None) for one array pair; `noise` is the
    float32 noise of this array (see the module docstring)."""
    got = _answer(got)
    exp = np.asarray(expected, dtype=np.float64)
    if got.dtype.kind not in "biuf":
        return float("inf"), Mismatch(equation, layer, (), float("nan"), float("nan"),
                                      float("inf"), float("inf"),
                                      f"dtype {got.dtype}, expected real numbers",
                                      Kind.NOT_NUMERIC)
    if got.shape != exp.shape:
        return float("inf"), Mismatch(equation, layer, (), float("nan"), float("nan"),
                                      float("inf"), float("inf"),
                                      f"shape {got.shape}, expected {exp.shape}", Kind.SHAPE)
    g = got.astype(np.float64, copy=False)
    err = np.abs(g - exp)
    mag = np.abs(exp)
    scale = max(1.0, float(mag.max(initial=0.0)))
    allowed = np.maximum(allowance(exp, rtol, atol, scale), NOISE_FACTOR * noise)
    rel = relative_error(err, exp, scale)
    bad = ~(err <= allowed)  # NaN counts as bad
    max_rel = float(np.nanmax(rel, initial=0.0)) if rel.size else 0.0
    if np.isnan(rel).any():
        max_rel = float("inf")
    if not bad.any():
        return max_rel, None
    worst = np.where(bad, np.nan_to_num(err - allowed, nan=np.inf), -np.inf)
    idx = np.unravel_index(int(np.argmax(worst)), exp.shape)
    return max_rel, Mismatch(equation, layer, tuple(int(i) for i in idx), float(exp[idx]),
                             float(g[idx]), float(err[idx]), float(rel[idx]))


FIELDS = ("deltas", "dW", "db")


def ordered_checks(L: int, fields=FIELDS):
    """(equation, layer, field) in the order the backward pass computes them, for the
    fields compared (deltas only when the implementation gives them)."""
    if "deltas" in fields:
        yield "BP1", L - 1, "deltas"
        for l in range(L - 2, -1, -1):
            yield "BP2", l, "deltas"
    for l in range(L - 1, -1, -1):
        if "db" in fields:
            yield "BP3", l, "db"
        if "dW" in fields:
            yield "BP4", l, "dW"


def resolve_entries(entries: Iterable) -> list:
    """Registry entries from entries or names: an activation name ('tanh') or a loss
    name ('bce'); their tolerance overrides loosen the table."""
    if isinstance(entries, str):
        entries = [entries]
    out = []
    for e in entries:
        if isinstance(e, str):
            if e not in ACTIVATIONS and e not in LOSSES:
                raise InputError(f"entries: {e!r} is neither an activation "
                                 f"({', '.join(sorted(ACTIVATIONS))}) nor a loss "
                                 f"({', '.join(sorted(LOSSES))})")
            e = get_activation(e) if e in ACTIVATIONS else get_loss(e)
        elif not isinstance(getattr(e, "tolerance", None), dict):
            raise InputError(f"entries: expected registry names or entries (manual.Activation, "
                             f"manual.Loss), got {type(e).__name__}")
        out.append(e)
    return out


def compare_gradients(got, expected, dtype, entries: Iterable = (), noise=None,
                      fields=FIELDS) -> Verdict:
    """Compare two Gradients-like objects (deltas, dW, db) equation by equation.

    got, expected: objects with lists `deltas`, `dW`, `db` (one array per layer,
    like `manual.Gradients`; `expected` usually from `reference.oracle`).
    dtype: "float64" or "float32", the row of the tolerance table
    (`reference.oracle.tolerances`). entries: the network's activations and loss, as
    registry names ("tanh", "bce") or entries; their tolerance overrides loosen
    the table. noise (float32 only): a Gradients-like of per-array float32 noise
    levels (`reference.oracle.float32_noise`). fields: which of deltas, dW, db
    to compare (an implementation that gives no δ: ("dW", "db")).

    All arrays are checked in one vectorized pass; only when something
    disagrees (or a shape is off) does the per-array walk locate the first
    equation and layer, in the order of the backward pass.
    """
    rtol, atol = tolerance_for(dtype, resolve_entries(entries))
    _validate_fields(expected, "expected", fields)
    checks = list(ordered_checks(len(expected.dW), fields))
    count = _count_mismatch(got, len(expected.dW), fields)
    if count:
        return count
    gots = [_answer(getattr(got, name)[layer]) for _, layer, name in checks]
    exps = [np.asarray(getattr(expected, name)[layer]) for _, layer, name in checks]
    if noise is not None:
        floors = [float(getattr(noise, name)[layer]) for _, layer, name in checks]
        return _walk(gots, exps, checks, rtol, atol, floors)
    if all(g.shape == e.shape and g.dtype.kind in "biuf" for g, e in zip(gots, exps)):
        G = np.concatenate([g.ravel() for g in gots]).astype(np.float64, copy=False)
        E = np.concatenate([e.ravel() for e in exps]).astype(np.float64, copy=False)
        ok, worst = _tolerance_pass(G[None], E[None], [e.size for e in exps], checks, rtol, atol)
        if ok[0]:
            return Verdict(True, None, dict(zip(EQUATIONS, worst[0].tolist())))
    return _walk(gots, exps, checks, rtol, atol)


def _answer(x) -> np.ndarray:
    """An implementation's array; one that is not an array (ragged lists) becomes an
    object array, which the comparison reports as a mismatch."""
    try:
        x = np.asarray(x)
        return x.astype(np.float64) if x.dtype == object else x
    except (ValueError, TypeError):
        return np.array(None, dtype=object)


def _validate_fields(grads, what: str, fields=FIELDS) -> None:
    values = [getattr(grads, f, None) for f in fields]
    if not all(hasattr(v, "__len__") and hasattr(v, "__getitem__") for v in values):
        names = " and ".join([", ".join(fields[:-1]), fields[-1]] if len(fields) > 1 else fields)
        raise InputError(f"{what} must have lists {names} (like manual.Gradients), "
                         f"got {type(grads).__name__}")


def _count_mismatch(got, L: int, fields=FIELDS) -> Verdict | None:
    """A Verdict naming the first list (deltas, dW, db) that does not hold one array per
    layer, or None; a wrong count is a wrong answer, not a crash and not a pass."""
    _validate_fields(got, "got", fields)
    for equation, name in (("BP1", "deltas"), ("BP4", "dW"), ("BP3", "db")):
        if name not in fields:
            continue
        n = len(getattr(got, name))
        if n != L:
            mm = Mismatch(equation, L - 1, (), float("nan"), float("nan"), float("inf"),
                          float("inf"), f"{n} {name} arrays, expected {L} (one per layer)",
                          Kind.COUNT)
            return Verdict(False, mm, dict.fromkeys(EQUATIONS, float("inf")))
    return None


def _tolerance_pass(G, E, sizes, checks, rtol, atol):
    """The table's test for K answers at once: G and E are (K, T), every checked
    array of an answer raveled one after the other (`sizes` of them, in the order
    of `checks`). Returns ok (K,) and the largest relative error per equation (K, 4)."""
    starts = np.cumsum([0] + sizes[:-1])
    mag = np.abs(E)
    err = np.abs(G - E)
    scale = np.repeat(np.maximum(np.maximum.reduceat(mag, starts, axis=1), 1.0), sizes, axis=1)
    ok = (err <= allowance(E, rtol, atol, scale)).all(axis=1)
    rel = np.maximum.reduceat(relative_error(err, E, scale), starts, axis=1)
    eq_of = np.array([EQUATIONS.index(eq) for eq, _, _ in checks])
    worst = np.zeros((len(G), len(EQUATIONS)))
    for j in range(len(EQUATIONS)):
        cols = rel[:, eq_of == j]
        if cols.shape[1]:
            worst[:, j] = cols.max(axis=1)
    return ok, worst


def _walk(gots, exps, checks, rtol, atol, floors=None) -> Verdict:
    first = None
    worst = dict.fromkeys(EQUATIONS, 0.0)
    floors = floors or [0.0] * len(checks)
    for g, e, (equation, layer, _), floor in zip(gots, exps, checks, floors):
        max_rel, mm = compare_arrays(g, e, rtol, atol, equation, layer, floor)
        worst[equation] = max(worst[equation], max_rel)
        if mm is not None and first is None:
            first = mm
    return Verdict(first is None, first, worst)


def compare_stacked(gots, expected, dtype, entries: Iterable = (),
                    fields=FIELDS) -> list[Verdict]:
    """`compare_gradients` for K implementations' answers at once.

    `gots` is a list of K Gradients-like objects, `expected` a stacked answer
    (every array with a leading axis K, as `reference.oracle.oracle_stacked`
    returns). The tolerance test runs vectorized over all K; a member that
    disagrees (or returns a wrong shape) is walked alone to locate its first
    equation and layer.
    """
    rtol, atol = tolerance_for(dtype, resolve_entries(entries))
    checks = list(ordered_checks(len(expected.dW), fields))
    exps = [getattr(expected, name)[layer] for _, layer, name in checks]
    K = len(gots)
    shapes = [e.shape[1:] for e in exps]
    flat = []
    counts = [_count_mismatch(got, len(expected.dW), fields) for got in gots]
    for got, count in zip(gots, counts):
        if count:
            flat.append(None)
            continue
        arrays = [_answer(getattr(got, name)[layer]) for _, layer, name in checks]
        flat.append(arrays if all(a.shape == s and a.dtype.kind in "biuf"
                                  for a, s in zip(arrays, shapes)) else None)
    good = [k for k in range(K) if flat[k] is not None]
    verdicts: list[Verdict | None] = [None] * K
    if good:
        G = np.array([np.concatenate([a.ravel() for a in flat[k]]) for k in good],
                     dtype=np.float64)
        E = np.concatenate([e.reshape(K, -1) for e in exps], axis=1)[good]
        sizes = [math.prod(s) for s in shapes]
        ok, worst = _tolerance_pass(G, E, sizes, checks, rtol, atol)
        for row, k in enumerate(good):
            if ok[row]:
                verdicts[k] = Verdict(True, None, dict(zip(EQUATIONS, worst[row].tolist())))
    for k in range(K):
        if counts[k]:
            verdicts[k] = counts[k]
        elif verdicts[k] is None:
            gk = [_answer(getattr(gots[k], name)[layer]) for _, layer, name in checks]
            verdicts[k] = _walk(gk, [e[k] for e in exps], checks, rtol, atol)
    return verdicts  # type: ignore[return-value]
