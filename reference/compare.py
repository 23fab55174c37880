"""Compare an implementation's gradients with the oracle's, equation by equation.

One tolerance table keyed by dtype (TOLERANCES), merged with the registry
entries' overrides (the loosest of the network's activations and loss wins).
An entry x passes when

    |got − expected| ≤ atol · max(1, max|expected|) + rtol · |expected|

The atol term is scaled by the array's own magnitude because a float32
sum of many terms carries an absolute error proportional to its largest
terms, not to each (possibly cancelled) entry.

For float32, an array may also miss by up to NOISE_FACTOR times what torch's
own float32 autograd misses the float64 oracle by on the same case (`noise`,
measured by `reference.oracle.float32_noise` and asked for only when the
table alone finds a disagreement): float32 arithmetic through deep stacks,
width-1 bottlenecks and cancelling sums loses more than any fixed table
foresees, while a real bug misses by far more than ten times that.

The verdict names the first equation and layer that disagree, in the order
the backward pass computes them: BP1 (δᴸ), BP2 (δˡ, l = L-2 .. 0), then
BP3 (∇b) and BP4 (∇W) layer by layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from manual.errors import InputError

TOLERANCES: dict[str, tuple[float, float]] = {
    # dtype: (rtol, atol)
    "float64": (1e-9, 1e-11),
    "float32": (1e-4, 1e-5),
}
EQUATIONS = ("BP1", "BP2", "BP3", "BP4")
NOISE_FACTOR = 10.0


def tolerance_for(dtype, entries: Iterable = ()) -> tuple[float, float]:
    """(rtol, atol) for a dtype, loosened by any registry entry's override."""
    try:
        name = np.dtype(dtype).name if dtype is not None else None
    except TypeError:
        name = None
    if name not in TOLERANCES:
        raise InputError(f"no tolerance for dtype {dtype!r} (known: {', '.join(TOLERANCES)})")
    rtol, atol = TOLERANCES[name]
    for entry in entries:
        over = entry.tolerance.get(name)
        if over:
            rtol, atol = max(rtol, over[0]), max(atol, over[1])
    return rtol, atol


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

    def __str__(self) -> str:
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
                                      f"dtype {got.dtype}, expected real numbers")
    if got.shape != exp.shape:
        return float("inf"), Mismatch(equation, layer, (), float("nan"), float("nan"),
                                      float("inf"), float("inf"),
                                      f"shape {got.shape}, expected {exp.shape}")
    g = got.astype(np.float64, copy=False)
    err = np.abs(g - exp)
    mag = np.abs(exp)
    scale = max(1.0, float(mag.max(initial=0.0)))
    allowed = np.maximum(atol * scale + rtol * mag, NOISE_FACTOR * noise)
    # relative error against the array's scale, so a cancelled entry cannot dominate
    rel = err / np.maximum(mag, scale * 1e-3 if scale else 1.0)
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


def ordered_checks(L: int):
    """(equation, layer, field) in the order the backward pass computes them."""
    yield "BP1", L - 1, "deltas"
    for l in range(L - 2, -1, -1):
        yield "BP2", l, "deltas"
    for l in range(L - 1, -1, -1):
        yield "BP3", l, "db"
        yield "BP4", l, "dW"


def compare_gradients(got, expected, dtype, entries: Iterable = (), noise=None) -> Verdict:
    """Compare two Gradients-like objects (deltas, dW, db) equation by equation.

    All arrays are checked in one vectorized pass; only when something
    disagrees (or a shape is off) does the per-array walk locate the first
    equation and layer, in the order of the backward pass. `noise` (float32
    only) is a Gradients-like of per-array float32 noise levels.
    """
    rtol, atol = tolerance_for(dtype, entries)
    _check_fields(expected, "expected")
    checks = list(ordered_checks(len(expected.dW)))
    count = _count_mismatch(got, len(expected.dW))
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


def _check_fields(grads, what: str) -> None:
    fields = [getattr(grads, f, None) for f in ("deltas", "dW", "db")]
    if not all(hasattr(v, "__len__") and hasattr(v, "__getitem__") for v in fields):
        raise InputError(f"{what} must have lists deltas, dW and db (like manual.Gradients), "
                         f"got {type(grads).__name__}")


def _count_mismatch(got, L: int) -> Verdict | None:
    """A Verdict naming the first list (deltas, dW, db) that does not hold one array per
    layer, or None; a wrong count is a wrong answer, not a crash and not a pass."""
    _check_fields(got, "got")
    for equation, name in (("BP1", "deltas"), ("BP4", "dW"), ("BP3", "db")):
        n = len(getattr(got, name))
        if n != L:
            mm = Mismatch(equation, L - 1, (), float("nan"), float("nan"), float("inf"),
                          float("inf"), f"{n} {name} arrays, expected {L} (one per layer)")
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
    ok = (err <= atol * scale + rtol * mag).all(axis=1)
    rel = np.maximum.reduceat(err / np.maximum(mag, 1e-3 * scale), starts, axis=1)
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


def compare_stacked(gots, expected, dtype, entries: Iterable = ()) -> list[Verdict]:
    """`compare_gradients` for K implementations' answers at once.

    `gots` is a list of K Gradients-like objects, `expected` a stacked answer
    (every array with a leading axis K, as `reference.oracle.oracle_stacked`
    returns). The tolerance test runs vectorized over all K; a member that
    disagrees (or returns a wrong shape) is walked alone to locate its first
    equation and layer.
    """
    rtol, atol = tolerance_for(dtype, entries)
    checks = list(ordered_checks(len(expected.dW)))
    exps = [getattr(expected, name)[layer] for _, layer, name in checks]
    K = len(gots)
    shapes = [e.shape[1:] for e in exps]
    flat = []
    counts = [_count_mismatch(got, len(expected.dW)) for got in gots]
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
        sizes = [int(np.prod(s)) for s in shapes]
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
