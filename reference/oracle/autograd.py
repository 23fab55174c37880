"""The oracle: the same network in torch (float64), differentiated by autograd.

Nothing here uses BP1..BP4. The network is rebuilt from the same NumPy
arrays, the batch cost C is formed exactly as docs/DESIGN.md defines it, and one
call to `torch.autograd.grad` returns ∂C/∂Wˡ, ∂C/∂bˡ and ∂C/∂zˡ. The
per-example errors are δˡ = ∂C/∂zˡ divided by the reduction's scale (each
example's zˡₓ only reaches Cₓ, so ∂C/∂zˡₓ = scale · ∂Cₓ/∂zˡₓ).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from manual.activations import get_activation
from manual.equations import COLUMNS, batch_axis, class_axis
from manual.errors import InputError
from manual.losses import get_loss, validate_targets
from manual.network import Gradients, Network, real_array
from manual.training import iter_minibatches, validate_hyperparameters

from .answers import OracleGradients, StackedGradients
from .spec import Spec, bias_shape
from .tolerances import ROUNDED_FORWARDS, ULP_GRID
from .torchexpr import torch_activation, torch_loss

__all__ = [
    "oracle_backprop", "StackedGradients", "oracle_stacked", "float32_noise", "oracle_for",
    "oracle_fit",
]


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
    try:
        L = len(weights[0])
        if any(len(w) != L or len(v) != L for w, v in zip(weights, biases)):
            raise InputError(f"every network needs {L} weight matrices and bias vectors")
        stacked = ([np.stack([w[l] for w in weights]) for l in range(L)],
                   [np.stack([b[l] for b in biases]) for l in range(L)],
                   np.stack(Xs), np.stack(Ys))
    except (ValueError, TypeError, IndexError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"the networks' arrays do not stack: {str(exc).splitlines()[0]}"
                         ) from None
    s = oracle_stacked(stacked[0], stacked[1], activations, loss, stacked[2], stacked[3],
                       layout, reduction, keep_forward, precision)
    return [s.member(k) for k in range(len(Xs))]


def oracle_stacked(W: Sequence[np.ndarray], b: Sequence[np.ndarray], activations: Sequence,
                   loss, X: np.ndarray, Y: np.ndarray, layout: str = COLUMNS,
                   reduction: str = "mean", keep_forward: bool = False,
                   precision: str = "float64", validate: bool = True) -> StackedGradients:
    """The oracle for K networks of one structure (same sizes, activations, loss,
    layout, batch size), stacked on a leading axis: W[l] (K, ...), b[l] (K, ...)
    shaped as the layout's biases, X and Y (K, ...).

    The K networks are differentiated in one autograd call; their costs are
    summed, and since no network's parameters reach another's cost,
    ∂(Σₖ Cₖ)/∂θₖ = ∂Cₖ/∂θₖ exactly.
    """
    if validate:  # off only for arrays the case generator drew (valid by construction)
        W, b, X, Y = _validate_stack(W, b, activations, loss, X, Y, layout, reduction, precision)
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


def _validate_stack(W, b, activations, loss, X, Y, layout, reduction, precision):
    """The oracle refuses what `manual.Network` refuses, with the same InputError: the
    structure is checked on the first network of the stack, the values (NaN, inf,
    targets outside the loss's domain) on all of them. Returns the arrays as the
    `precision` dtype."""
    if precision not in ("float64", "float32"):
        raise InputError(f"precision must be 'float64' or 'float32', not {precision!r}")
    if isinstance(W, np.ndarray) or isinstance(b, np.ndarray) or len(W) != len(b):
        raise InputError("W and b must be lists with one stacked array per layer")
    dt = np.dtype(precision)
    W = [real_array(w, f"W[{l}]", dt) for l, w in enumerate(W)]
    b = [real_array(v, f"b[{l}]", dt) for l, v in enumerate(b)]
    X, Y = real_array(X, "X", dt), real_array(Y, "Y", dt)
    if X.ndim != 3 or any(a.ndim < 2 or len(a) != len(X) for a in W + b + [Y]):
        raise InputError("stacked arrays need a leading axis of K networks: X (K, ...), "
                         "W[l] (K, ...), b[l] (K, ...), Y (K, ...)")
    net = Network([w[0] for w in W], [v[0] for v in b], activations, loss, layout, reduction)
    net.validate_batch(X[0], Y[0])  # named as one network's X and Y: what oracle_backprop got
    for name, arrays in (("W", W), ("b", b), ("X", [X]), ("Y", [Y])):
        if not all(np.isfinite(a).all() for a in arrays):
            raise InputError(f"{name} contains NaN or inf")
    validate_targets(net.loss, Y, 1 + class_axis(layout))
    return W, b, X, Y


def _bias_view(b, layout) -> tuple[int, int]:
    n = b.size
    return (n, 1) if layout == COLUMNS else (1, n)


def float32_noise(weights, biases, activations, loss, X, Y, layout=COLUMNS, reduction="mean",
                  expected: Gradients | None = None) -> Gradients:
    """How far torch's own float32 autograd lands from the float64 oracle on this
    network: the per-array max |torch₃₂ − torch₆₄| of every δˡ, ∇Wˡ and ∇bˡ (as
    0-d arrays), and |C₃₂ − C₆₄|. It measures what float32 arithmetic can do on this
    case (deep stacks, width-1 bottlenecks and cancelling sums lose more than a fixed
    tolerance foresees).

    Measured twice, with torch's two product kernels, and the larger gap kept: the
    batched one (baddbmm, as the stacked oracle runs) and the unbatched one (addmm,
    a plain matrix product as NumPy's). Each rounds every zˡ within an ulp or so,
    but differently, and a deep stack amplifies the roundings (a stack of exp(z) − 1
    multiplies the relative error of z by about |z| per layer): on such stacks the
    batched float32 forward was seen to end 10 to 40 times closer to float64 than the
    unbatched one, which lands where a right NumPy float32 forward does. One kernel's
    lucky rounding is not what float32 arithmetic can do, so it alone falsely failed
    manual's right float32 answers (5 in 1,500 float32 cases).

    Two samples were still too few on deep stacks (manual's right answers up to 200
    times farther), so the larger gap also takes ROUNDED_FORWARDS float64 runs through
    a forward moved by float32's rounding bounds (`_rounded_forward`; the reasons and
    numbers in reference.oracle.tolerances)."""
    if expected is None:
        expected = oracle_backprop(weights, biases, activations, loss, X, Y, layout, reduction,
                                   keep_forward=False)
    rough = [oracle_backprop(weights, biases, activations, loss, X, Y, layout, reduction,
                             keep_forward=False, precision="float32"),
             _unbatched_float32(weights, biases, activations, loss, X, Y, layout, reduction)]
    moved = (_rounded_forward(weights, biases, activations, loss, X, Y, layout, reduction, s)
             for s in range(ROUNDED_FORWARDS))
    rough += [r for r in moved if _finite(r)]  # one that overflowed says nothing
    gap = lambda field: [max(np.abs(getattr(r, field)[l].astype(np.float64) - e).max(initial=0.0)
                             for r in rough)
                         for l, e in enumerate(getattr(expected, field))]
    cost = max(abs(float(r.cost) - float(expected.cost)) for r in rough)
    return Gradients(gap("deltas"), gap("dW"), gap("db"), cost)


def _finite(g: Gradients) -> bool:
    return bool(np.isfinite(g.cost)) and all(np.isfinite(x).all()
                                             for x in g.deltas + g.dW + g.db)


def _unbatched_float32(weights, biases, activations, loss, X, Y, layout, reduction) -> Gradients:
    """δˡ, ∇Wˡ, ∇bˡ and C by torch autograd in float32 on one network, with unbatched
    products (addmm); the arrays were validated by the batched call before it."""
    f32 = lambda a: torch.from_numpy(np.asarray(a, dtype=np.float32))
    tw = [f32(w).requires_grad_() for w in weights]
    tb = [f32(v).reshape(_bias_view(np.asarray(v), layout)).requires_grad_() for v in biases]
    tX, tY = f32(X), f32(Y)
    L = len(tw)
    with torch.enable_grad():
        zs, acts = _forward(tw, tb, [get_activation(s) for s in activations], tX, layout)
        cost = _batch_cost(get_loss(loss), acts[-1], tY, layout, reduction)
        grads = torch.autograd.grad(cost, tw + tb + zs)
    per_example = float(tX.shape[batch_axis(layout)]) if reduction == "mean" else 1.0
    return Gradients([g.numpy() * per_example for g in grads[2 * L:]],
                     [g.numpy() for g in grads[:L]],
                     [g.numpy().reshape(np.shape(v)) for g, v in zip(grads[L:2 * L], biases)],
                     float(cost.detach()))


def _rounded_forward(weights, biases, activations, loss, X, Y, layout, reduction,
                     sample: int) -> Gradients:
    """δˡ, ∇Wˡ, ∇bˡ and C by float64 autograd through a forward whose every zˡ and aˡ
    is moved by float32's rounding bounds, with a seeded random sign per entry: zˡ by
    n·u₃₂·(|Wˡ||aˡ⁻¹| + |bˡ|) (a dot product of n terms, |fl(Σ) − Σ| ≤ γₙ Σ|terms|)
    plus the interval of one rounding of aˡ (`_from_rounded_output`, so the backward
    forms σ′ where a rounded a would put it), aˡ by u₃₂·|aˡ|. What a right float32
    forward can land at, as a deep stack amplifies it (see float32_noise)."""
    u = float(np.finfo(np.float32).eps) / 2
    gen = torch.Generator().manual_seed(sample)
    sign = lambda t: torch.randint(0, 2, t.shape, generator=gen, dtype=t.dtype) * 2 - 1
    tw = [_t(w).requires_grad_() for w in weights]
    tb = [_t(v).reshape(_bias_view(np.asarray(v), layout)).requires_grad_() for v in biases]
    a, tY, zs = _t(X), _t(Y), []
    with torch.enable_grad():
        for w, b, s in zip(tw, tb, activations):
            n = w.shape[1] if layout == COLUMNS else w.shape[0]
            z = torch.addmm(b, w, a) if layout == COLUMNS else torch.addmm(b, a, w)
            terms = (torch.addmm(b.abs(), w.abs(), a.abs()) if layout == COLUMNS
                     else torch.addmm(b.abs(), a.abs(), w.abs())).detach()
            entry = get_activation(s)
            sigma = torch_activation(entry)
            axis = class_axis(layout)
            z = z + sign(z) * ((n * u) * terms + _from_rounded_output(sigma, z, entry, axis, u))
            zs.append(z)
            a = sigma(z, axis)
            a = a + sign(a) * u * a.detach().abs()
        cost = _batch_cost(get_loss(loss), a, tY, layout, reduction)
        grads = torch.autograd.grad(cost, tw + tb + zs)
    L = len(tw)
    per_example = float(X.shape[batch_axis(layout)]) if reduction == "mean" else 1.0
    return Gradients([g.numpy() * per_example for g in grads[2 * L:]],
                     [g.numpy() for g in grads[:L]],
                     [g.numpy().reshape(np.shape(v)) for g, v in zip(grads[L:2 * L], biases)],
                     float(cost.detach()))


def _from_rounded_output(sigma, z, entry, axis: int, u: float):
    """The move of z that stands for σ′ formed from a rounded a = σ(z) (tanh′ = 1 − a²,
    sigmoid′ = a(1 − a), softmax's a(1 − a) on the diagonal: absolute error ~u where
    σ′ ≈ 0): the smallest move of zᵢ, either way, that moves aᵢ by one rounding, u·|aᵢ|,
    found on a geometric grid (a factor 1.5 apart); at most 1 + |z| (a flat σ)."""
    z = z.detach()
    a = sigma(z, axis)
    top = 1 + z.abs()
    lowest, count = ULP_GRID
    grid = torch.logspace(np.log10(lowest), 0, count, dtype=z.dtype)
    steps = grid.reshape(-1, *[1] * z.dim()) * top
    classes = [None] if entry.elementwise else range(z.shape[axis])
    reach = torch.zeros(steps.shape, dtype=torch.bool)
    for k in classes:  # one class moved at a time when σ is not elementwise
        mask = torch.ones_like(z) if k is None else torch.zeros_like(z)
        if k is not None:
            mask.select(axis, k).fill_(1)
        for sign in (1, -1):
            moved = sigma(z + sign * steps * mask, axis + 1)
            gap = (moved - a).abs() >= u * a.abs()
            reach |= gap & (mask > 0)
    return torch.where(reach, steps, top.expand_as(steps)).min(dim=0).values


def oracle_for(net, X, Y) -> OracleGradients:
    """The oracle's answer (float64) for a `manual.Network`, or for a
    `reference.oracle.spec.Spec` (an implementation under test's parameters: its
    biases and the returned db in the Spec's declared bias_shape)."""
    if isinstance(net, Spec):
        shapes = [bias_shape(net.bias_shape, net.layout, n) for n in net.sizes[1:]]
        layout_shapes = [bias_shape("layout", net.layout, n) for n in net.sizes[1:]]
        biases = [np.asarray(v).reshape(s) for v, s in zip(net.biases, layout_shapes)]
        g = oracle_backprop(net.weights, biases, net.activations, net.loss, X, Y, net.layout,
                            net.reduction)
        g.db = [d.reshape(s) for d, s in zip(g.db, shapes)]
        return g
    if not isinstance(net, Network):
        raise InputError(f"oracle_for takes a manual.Network or a reference.check.contract.Spec, "
                         f"got {type(net).__name__}; for plain arrays use oracle_backprop")
    return oracle_backprop(net.weights, net.biases, net.sigmas, net.loss, X, Y,
                           net.layout, net.reduction)


def oracle_fit(weights, biases, activations, loss, X, Y, *, layout=COLUMNS, reduction="mean",
               epochs=1, batch_size=None, lr=0.1, l2=0.0, seed=0):
    """torch.optim.SGD over the same mini-batches as manual.training.fit.

    The L2 term enters the cost as (λ/2m) Σ‖Wˡ‖² and autograd differentiates
    it; returns the final weights and biases as float64 ndarrays.
    """
    epochs, batch_size, lr, l2, seed = validate_hyperparameters(epochs, batch_size, lr, l2, seed)
    net = Network([real_array(w, "weights", np.float64) for w in weights],
                  [real_array(v, "biases", np.float64) for v in biases], activations, loss,
                  layout, reduction)
    X, Y = net.validate_batch(X, Y)
    sigmas, loss = net.sigmas, net.loss
    params_w = [_t(w).clone().requires_grad_() for w in net.weights]
    params_b = [_t(b).clone().requires_grad_() for b in net.biases]
    opt = torch.optim.SGD(params_w + params_b, lr=lr)
    tX, tY = _t(X), _t(Y)
    axis = batch_axis(layout)
    n = tX.shape[axis]
    for epoch in iter_minibatches(n, batch_size or n, epochs, seed):
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
