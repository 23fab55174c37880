"""The oracle: the same network in torch (float64), differentiated by autograd.

Nothing here uses BP1..BP4. The network is rebuilt from the same NumPy
arrays, the batch cost C is formed exactly as DESIGN.md defines it, and one
call to `torch.autograd.grad` returns ∂C/∂Wˡ, ∂C/∂bˡ and ∂C/∂zˡ. The
per-example errors are δˡ = ∂C/∂zˡ divided by the reduction's scale (each
example's zˡₓ only reaches Cₓ, so ∂C/∂zˡₓ = scale · ∂Cₓ/∂zˡₓ).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from manual.activations import get_activation
from manual.equations import COLUMNS, batch_axis, class_axis
from manual.losses import get_loss
from manual.network import Gradients
from manual.training import minibatches

from .torchexpr import torch_activation, torch_loss

F64 = torch.float64


@dataclass
class OracleGradients(Gradients):
    """Gradients plus the forward pass the oracle saw (all float64 ndarrays)."""

    zs: list[np.ndarray] = field(default_factory=list)
    activations: list[np.ndarray] = field(default_factory=list)


def _t(x, dtype=np.float64) -> torch.Tensor:
    return torch.from_numpy(np.asarray(x, dtype=dtype))


def _forward(weights, biases, sigmas, X, layout):
    """zˡ and aˡ in torch; the zs are kept so autograd can differentiate by them.

    Tensors may carry a leading stack dimension (K independent networks of
    the same structure): then the products are batched (baddbmm).
    """
    stacked = X.dim() == 3
    dim = class_axis(layout) + stacked
    a, zs, activations = X, [], [X]
    mm = torch.baddbmm if stacked else torch.addmm
    for w, b, sigma in zip(weights, biases, sigmas):
        z = mm(b, w, a) if layout == COLUMNS else mm(b, a, w)
        a = torch_activation(sigma)(z, dim)
        zs.append(z)
        activations.append(a)
    return zs, activations


def _batch_cost(loss, a, y, layout, reduction):
    """C = (1/m) Σₓ Cₓ or Σₓ Cₓ; with a stack dimension, one C per network."""
    stacked = a.dim() == 3
    per_example = torch_loss(loss)(a, y).sum(dim=class_axis(layout) + stacked)
    return per_example.mean(dim=-1) if reduction == "mean" else per_example.sum(dim=-1)


def oracle_backprop(weights: Sequence, biases: Sequence, activations: Sequence, loss,
                    X, Y, layout: str = COLUMNS, reduction: str = "mean",
                    keep_forward: bool = True, precision: str = "float64") -> OracleGradients:
    """δˡ, ∂C/∂Wˡ, ∂C/∂bˡ and C by torch autograd, as ndarrays (float64 unless
    `precision` asks for torch's own float32 arithmetic, see `float32_noise`)."""
    return oracle_backprop_many([weights], [biases], activations, loss, [X], [Y], layout,
                                reduction, keep_forward, precision)[0]


def oracle_backprop_many(weights: Sequence, biases: Sequence, activations: Sequence, loss,
                         Xs: Sequence, Ys: Sequence, layout: str = COLUMNS,
                         reduction: str = "mean", keep_forward: bool = False,
                         precision: str = "float64") -> list[OracleGradients]:
    """The oracle for K networks of one structure given as lists: weights[k][l],
    biases[k][l], Xs[k], Ys[k]. Stacks them and calls `oracle_stacked`."""
    L = len(weights[0])
    s = oracle_stacked([np.stack([w[l] for w in weights]) for l in range(L)],
                       [np.stack([b[l] for b in biases]) for l in range(L)],
                       activations, loss, np.stack(Xs), np.stack(Ys), layout, reduction,
                       keep_forward, precision)
    return [s.member(k) for k in range(len(Xs))]


@dataclass
class StackedGradients:
    """The oracle's answer for K stacked networks: every array has a leading axis K
    (db shaped like the stacked biases), `cost` is (K,)."""

    deltas: list[np.ndarray]
    dW: list[np.ndarray]
    db: list[np.ndarray]
    cost: np.ndarray
    zs: list[np.ndarray] = field(default_factory=list)
    activations: list[np.ndarray] = field(default_factory=list)

    def member(self, k: int) -> OracleGradients:
        """The answer for network k alone."""
        pick = lambda arrays: [x[k] for x in arrays]
        return OracleGradients(pick(self.deltas), pick(self.dW), pick(self.db),
                               float(self.cost[k]), pick(self.zs), pick(self.activations))

    def take(self, members: Sequence[int]) -> StackedGradients:
        """The answers of some members only, in the order given."""
        idx = list(members)
        pick = lambda arrays: [x[idx] for x in arrays]
        return StackedGradients(pick(self.deltas), pick(self.dW), pick(self.db), self.cost[idx],
                                pick(self.zs), pick(self.activations))


def oracle_stacked(W: Sequence[np.ndarray], b: Sequence[np.ndarray], activations: Sequence,
                   loss, X: np.ndarray, Y: np.ndarray, layout: str = COLUMNS,
                   reduction: str = "mean", keep_forward: bool = False,
                   precision: str = "float64") -> StackedGradients:
    """The oracle for K networks of one structure (same sizes, activations, loss,
    layout, batch size), stacked on a leading axis: W[l] (K, ...), b[l] (K, ...)
    shaped as the layout's biases, X and Y (K, ...).

    The K networks are differentiated in one autograd call; their costs are
    summed, and since no network's parameters reach another's cost,
    ∂(Σₖ Cₖ)/∂θₖ = ∂Cₖ/∂θₖ exactly.
    """
    sigmas = [get_activation(s) for s in activations]
    loss = get_loss(loss)
    L = len(W)
    dt = np.dtype(precision)
    tw = [_t(w, dt).requires_grad_() for w in W]
    # biases viewed so they broadcast over the batch: (K, n, 1) or (K, 1, n)
    tb = [_t(v.reshape(len(v), *_bias_view(v[0], layout)), dt).requires_grad_() for v in b]
    tX, tY = _t(X, dt), _t(Y, dt)
    m = tX.shape[1 + batch_axis(layout)]
    with torch.enable_grad():
        zs, acts = _forward(tw, tb, sigmas, tX, layout)
        costs = _batch_cost(loss, acts[-1], tY, layout, reduction)
        grads = torch.autograd.grad(costs.sum(), tw + tb + zs)
    per_example = float(m) if reduction == "mean" else 1.0
    return StackedGradients(
        [g.numpy() * per_example for g in grads[2 * L:]],
        [g.numpy() for g in grads[:L]],
        [g.numpy().reshape(v.shape) for g, v in zip(grads[L:2 * L], b)],
        costs.detach().numpy(),
        [z.detach().numpy() for z in zs] if keep_forward else [],
        [a.detach().numpy() for a in acts] if keep_forward else [])


def _bias_view(b, layout) -> tuple[int, int]:
    n = b.size
    return (n, 1) if layout == COLUMNS else (1, n)


def float32_noise(weights, biases, activations, loss, X, Y, layout=COLUMNS, reduction="mean",
                  expected: Gradients | None = None) -> Gradients:
    """How far torch's own float32 autograd lands from the float64 oracle on this
    network: the per-array max |torch₃₂ − torch₆₄| of every δˡ, ∇Wˡ and ∇bˡ (as
    0-d arrays). It measures what float32 arithmetic can do on this case (deep
    stacks, width-1 bottlenecks and cancelling sums lose more than a fixed
    tolerance foresees)."""
    if expected is None:
        expected = oracle_backprop(weights, biases, activations, loss, X, Y, layout, reduction,
                                   keep_forward=False)
    rough = oracle_backprop(weights, biases, activations, loss, X, Y, layout, reduction,
                            keep_forward=False, precision="float32")
    gap = lambda field: [np.abs(r.astype(np.float64) - e).max(initial=0.0)
                         for r, e in zip(getattr(rough, field), getattr(expected, field))]
    return Gradients(gap("deltas"), gap("dW"), gap("db"), abs(rough.cost - expected.cost))


def oracle_for(net, X, Y) -> OracleGradients:
    """The oracle's answer for a `manual.Network` (same arrays, float64)."""
    return oracle_backprop(net.weights, net.biases, net.sigmas, net.loss, X, Y,
                           net.layout, net.reduction)


def oracle_fit(weights, biases, activations, loss, X, Y, *, layout=COLUMNS, reduction="mean",
               epochs=1, batch_size=None, lr=0.1, l2=0.0, seed=0):
    """torch.optim.SGD over the same mini-batches as manual.training.fit.

    The L2 term enters the cost as (λ/2m) Σ‖Wˡ‖² and autograd differentiates
    it; returns the final weights and biases as float64 ndarrays.
    """
    sigmas = [get_activation(s) for s in activations]
    loss = get_loss(loss)
    params_w = [_t(w).clone().requires_grad_() for w in weights]
    params_b = [_t(b).clone().requires_grad_() for b in biases]
    opt = torch.optim.SGD(params_w + params_b, lr=lr)
    tX, tY = _t(X), _t(Y)
    axis = batch_axis(layout)
    n = tX.shape[axis]
    for epoch in minibatches(n, batch_size or n, epochs, seed):
        for idx in epoch:
            index = torch.from_numpy(np.asarray(idx))
            xb, yb = tX.index_select(axis, index), tY.index_select(axis, index)
            _, acts = _forward(params_w, params_b, sigmas, xb, layout)
            cost = _batch_cost(loss, acts[-1], yb, layout, reduction)
            if l2:
                cost = cost + l2 / (2 * len(idx)) * sum((w * w).sum() for w in params_w)
            opt.zero_grad()
            cost.backward()
            opt.step()
    return ([w.detach().numpy() for w in params_w], [b.detach().numpy() for b in params_b])
