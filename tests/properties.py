"""Checks of `manual` that need no torch: two more oracles for the matrix.

- `per_example`: where the 1/m lives. Backprop on each example alone (reduction
  "sum") must give the same δˡₓ column (or row) as the batch, and the batch
  gradients must be scale · Σₓ (BP3, BP4 summed over examples).
- `directional`: a central difference of the cost along one random direction
  V of all parameters must equal ⟨∇C, V⟩ from BP3/BP4.

Each returns None when the property holds, else a `Mismatch`.
"""

from __future__ import annotations

import numpy as np

from manual.equations import batch_axis
from manual.network import Network
from reference.oracle.compare import Mismatch, compare_arrays
from reference.oracle.tolerances import DIFFERENCE_FLOOR, DIRECTIONAL, tolerance_for


def per_example(net: Network, X, Y, got) -> Mismatch | None:
    """δ of the batch = δ of each example alone; ∇ of the batch = scale · Σ per-example ∇."""
    axis = batch_axis(net.layout)
    m = X.shape[axis]
    if m == 1:
        return None
    alone = Network(net.weights, net.biases, net.sigmas, net.loss, net.layout, "sum")
    rtol, atol = tolerance_for(net.dtype, net.sigmas + [net.loss])
    scale = 1.0 / m if net.reduction == "mean" else 1.0
    L = len(net.weights)
    sum_w = [np.zeros(w.shape) for w in net.weights]
    sum_b = [np.zeros(b.shape) for b in net.biases]
    for x in range(m):
        idx = [x]
        g = alone.backprop(X.take(idx, axis=axis), Y.take(idx, axis=axis))
        for l in range(L):
            eq = "BP1" if l == L - 1 else "BP2"
            _, mm = compare_arrays(g.deltas[l], got.deltas[l].take(idx, axis=axis), rtol, atol,
                                   eq, l)
            if mm:
                mm.detail = f"(example {x} alone differs from the batch)"
                return mm
            sum_w[l] += g.dW[l]
            sum_b[l] += g.db[l]
    for l in range(L):
        for eq, mine, total in (("BP3", got.db[l], sum_b[l]), ("BP4", got.dW[l], sum_w[l])):
            _, mm = compare_arrays(mine, scale * total, rtol, atol, eq, l)
            if mm:
                mm.detail = "(batch gradient is not scale · Σ of the per-example gradients)"
                return mm
    return None


def directional(net: Network, X, Y, got, seed: int = 0, eps: float = 1e-5) -> Mismatch | None:
    """(C(θ + εV) − C(θ − εV)) / 2ε = ⟨(∇W, ∇b), V⟩, costs evaluated in float64."""
    L = len(net.weights)
    for l, (mine, w) in enumerate(zip(got.dW + got.db, net.weights + net.biases)):
        if np.shape(mine) != w.shape:   # no inner product with V: say so, do not crash
            eq, layer = ("BP4", l) if l < L else ("BP3", l - L)
            return Mismatch(eq, layer, (), np.nan, np.nan, np.inf, np.inf,
                            f"(shape {np.shape(mine)}, expected {w.shape})")
    rng = np.random.default_rng(seed)
    params = [p.astype(np.float64) for p in net.weights + net.biases]
    V = [rng.standard_normal(p.shape) for p in params]

    def cost(sign: float) -> float:
        moved = [p + sign * eps * v for p, v in zip(params, V)]
        other = Network(moved[:L], moved[L:], net.sigmas, net.loss, net.layout, net.reduction)
        return other.cost(np.asarray(X, np.float64), np.asarray(Y, np.float64))

    plus, minus = cost(1.0), cost(-1.0)
    numeric = (plus - minus) / (2 * eps)
    analytic = float(sum((g.astype(np.float64) * v).sum() for g, v in zip(got.dW + got.db, V)))
    norm = np.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in got.dW + got.db))
    vnorm = np.sqrt(sum(float((v * v).sum()) for v in V))
    # relative to ‖∇C‖‖V‖, plus the gradient's own rounding floor (float32 can
    # round a tiny gradient to 0) and the difference quotient's, ε_mach·C/ε
    rtol, floor = DIRECTIONAL[np.dtype(net.dtype).name]
    err = abs(numeric - analytic)
    if err <= rtol * norm * vnorm + floor * vnorm + DIFFERENCE_FLOOR * max(1.0, abs(plus)):
        return None
    return Mismatch("BP4", -1, (), numeric, analytic, err, err / max(abs(numeric), 1e-300),
                    "(⟨∇C, V⟩ from BP3/BP4 disagrees with a central difference of C along V)")
