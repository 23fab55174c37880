"""`Network`: forward pass caching zs and activations, backward pass using only BP1..BP4.

Layers are indexed 0..L-1: layer l has weights[l], biases[l], zs[l] and
deltas[l]; activations[0] is the input X and activations[l+1] = σ(zs[l]).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .activations import Activation, get_activation
from .equations import COLUMNS, ROWS, batch_axis, bp1, bp2, bp3, bp4, class_axis
from .errors import InputError
from .losses import Loss, get_loss, validate_output, validate_targets

__all__ = ["Array", "DTYPES", "Gradients", "Network", "real_array"]

Array = np.ndarray
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


@dataclass
class Gradients:
    """What `backprop` returns: per-example errors and the batch-cost gradients."""

    deltas: list[Array]
    dW: list[Array]
    db: list[Array]
    cost: float


class Network:
    """A fully connected network in the `columns` or `rows` layout (see docs/DESIGN.md)."""

    def __init__(self, weights: Sequence[Array], biases: Sequence[Array],
                 activations: Sequence[str | Activation], loss: str | Loss = "quadratic",
                 layout: str = COLUMNS, reduction: str = "mean") -> None:
        if layout not in (COLUMNS, ROWS):
            raise InputError(f"layout must be 'columns' or 'rows', not {layout!r}")
        if reduction not in ("mean", "sum"):
            raise InputError(f"reduction must be 'mean' or 'sum', not {reduction!r}")
        weights, biases = _per_layer(weights, "weights"), _per_layer(biases, "biases")
        activations = _per_layer(activations, "activations")
        if len(weights) == 0:
            raise InputError("empty architecture: a network needs at least one layer")
        if len(biases) != len(weights) or len(activations) != len(weights):
            raise InputError(f"{len(weights)} weight matrices, {len(biases)} bias vectors and "
                             f"{len(activations)} activations: one of each per layer")
        self.layout, self.reduction = layout, reduction
        self.sigmas: list[Activation] = [get_activation(a) for a in activations]
        self.loss: Loss = get_loss(loss)
        validate_output(self.loss, self.sigmas[-1].name)
        self.weights = [_array(w, f"weights[{l}]") for l, w in enumerate(weights)]
        self.biases = [_array(b, f"biases[{l}]") for l, b in enumerate(biases)]
        self.dtype = self.weights[0].dtype
        if self.dtype not in DTYPES:
            raise InputError(f"weights must be float32 or float64, not {self.dtype}")
        self._validate_shapes()
        self.zs: list[Array] = []
        self.activations: list[Array] = []

    @property
    def sizes(self) -> list[int]:
        """[n₀, n₁, ..., n_L]: units per layer, input first."""
        w = self.weights
        if self.layout == COLUMNS:
            return [w[0].shape[1]] + [x.shape[0] for x in w]
        return [w[0].shape[0]] + [x.shape[1] for x in w]

    def _validate_shapes(self) -> None:
        prev = None
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            if w.ndim != 2:
                raise InputError(f"weights[{l}] must be a matrix, got shape {w.shape}")
            if w.dtype != self.dtype or b.dtype != self.dtype:
                raise InputError(f"layer {l}: weights and biases must all be {self.dtype}")
            n_in, n_out = (w.shape[1], w.shape[0]) if self.layout == COLUMNS else w.shape
            if n_in == 0 or n_out == 0:
                raise InputError(f"weights[{l}] has shape {w.shape}: every layer needs at "
                                 f"least one input and one unit")
            want_b = (n_out, 1) if self.layout == COLUMNS else (n_out,)
            if b.shape != want_b:
                raise InputError(f"biases[{l}] has shape {b.shape}, expected {want_b} "
                                 f"for {self.layout} layout")
            if prev is not None and n_in != prev:
                raise InputError(f"weights[{l}] expects {n_in} inputs but layer {l - 1} "
                                 f"has {prev} units")
            if not (np.isfinite(w).all() and np.isfinite(b).all()):
                raise InputError(f"layer {l}: weights or biases contain NaN or inf")
            prev = n_out

    @classmethod
    def init(cls, sizes: Sequence[int], activations: Sequence[str], loss: str = "quadratic",
             layout: str = COLUMNS, reduction: str = "mean", seed: int = 0,
             init: str = "he", dtype=np.float64) -> Network:
        """A network with freshly initialized parameters (see manual.init)."""
        from .init import initialize

        weights, biases = initialize(sizes, layout=layout, seed=seed, method=init, dtype=dtype)
        return cls(weights, biases, activations, loss, layout, reduction)

    # ---- forward -----------------------------------------------------------
    def _validate_input(self, X: Array, name: str = "X") -> Array:
        X = real_array(X, name, self.dtype)
        n0 = self.sizes[0]
        if X.ndim != 2 or X.shape[class_axis(self.layout)] != n0:
            want = f"({n0}, m)" if self.layout == COLUMNS else f"(m, {n0})"
            raise InputError(f"{name} has shape {X.shape}, expected {want} "
                             f"for {self.layout} layout")
        if X.shape[batch_axis(self.layout)] == 0:
            raise InputError(f"{name} has shape {X.shape}: an empty batch (m = 0) has no cost "
                             f"to differentiate; give at least one example")
        if not np.isfinite(X).all():
            raise InputError(f"{name} contains NaN or inf")
        return X

    def output_shape(self, m: int) -> tuple[int, int]:
        """The shape of the output (and of Y) for a batch of m examples."""
        n = self.sizes[-1]
        return (n, m) if self.layout == COLUMNS else (m, n)

    def forward(self, X: Array) -> Array:
        """zˡ = Wˡaˡ⁻¹ + bˡ (rows: aˡ⁻¹Wˡ + bˡ), aˡ = σ(zˡ); caches zs and activations."""
        a = self._validate_input(X)
        axis = class_axis(self.layout)
        zs, activations = [], [a]
        for w, b, sigma in zip(self.weights, self.biases, self.sigmas):
            z = w @ a if self.layout == COLUMNS else a @ w
            z += b
            a = sigma.apply(z, axis)
            zs.append(z)
            activations.append(a)
        self.zs, self.activations = zs, activations
        return a

    def cost(self, X: Array, Y: Array) -> float:
        a = self.forward(X)
        return self._cost(a, self._validate_target(Y, a.shape))

    def _cost(self, a: Array, Y: Array) -> float:
        per_example = self.loss.cost(a, Y, class_axis(self.layout))
        total = float(per_example.sum())
        return total / per_example.size if self.reduction == "mean" else total

    def _validate_target(self, Y: Array, shape: tuple[int, ...]) -> Array:
        """Y as the network's dtype, checked against the output's shape and the loss's domain."""
        Y = real_array(Y, "Y", self.dtype)
        if Y.shape != shape:
            raise InputError(f"Y has shape {Y.shape}, expected {shape} (the output's shape)")
        if not np.isfinite(Y).all():
            raise InputError("Y contains NaN or inf")
        validate_targets(self.loss, Y, class_axis(self.layout))
        return Y

    def validate_batch(self, X: Array, Y: Array) -> tuple[Array, Array]:
        """(X, Y) checked as `backprop` checks them, before any forward pass."""
        X = self._validate_input(X)
        return X, self._validate_target(Y, self.output_shape(X.shape[batch_axis(self.layout)]))

    # ---- backward ----------------------------------------------------------
    def backprop(self, X: Array, Y: Array) -> Gradients:
        """The backward pass: BP1 at the output, BP2 down the layers, BP3/BP4 per layer."""
        aL = self.forward(X)
        Y = self._validate_target(Y, aL.shape)
        zs, activations, sigmas, L = self.zs, self.activations, self.sigmas, len(self.weights)
        m = aL.shape[batch_axis(self.layout)]
        scale = 1.0 / m if self.reduction == "mean" else 1.0

        deltas: list[Array] = [None] * L  # type: ignore[list-item]
        grad_a = self.loss.gradient(aL, Y)
        deltas[-1] = bp1(grad_a, zs[-1], aL, sigmas[-1], self.layout)
        for l in range(L - 2, -1, -1):
            deltas[l] = bp2(self.weights[l + 1], deltas[l + 1], zs[l], activations[l + 1],
                            sigmas[l], self.layout)
        db = [bp3(deltas[l], scale, self.layout) for l in range(L)]
        dW = [bp4(deltas[l], activations[l], scale, self.layout) for l in range(L)]
        return Gradients(deltas, dW, db, self._cost(aL, Y))

    # ---- training ----------------------------------------------------------
    def fit(self, X: Array, Y: Array, *, epochs: int = 1, batch_size: int | None = None,
            lr: float = 0.1, l2: float = 0.0, seed: int = 0) -> list[float]:
        """Mini-batch SGD (see manual.training.fit); returns the cost after each epoch."""
        from .training import fit

        return fit(self, X, Y, epochs=epochs, batch_size=batch_size, lr=lr, l2=l2, seed=seed)


def _per_layer(values, what: str) -> list:
    """A list with one entry per layer (a lone string, None or a number is refused)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise InputError(f"{what} must be a list with one entry per layer, got {values!r}")
    return list(values)


def _array(x, name: str) -> Array:
    try:
        return np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise InputError(f"{name} is not an array: {str(exc).splitlines()[0]}") from None


def real_array(x, name: str, dtype) -> Array:
    """x as an array of `dtype`; booleans and integers convert, anything else is refused
    (complex would lose its imaginary part, strings and dates are no numbers)."""
    x = _array(x, name)
    if x.dtype != dtype:
        if x.dtype.kind not in "biuf":
            raise InputError(f"{name} must be numeric (real numbers), got dtype {x.dtype}")
        with np.errstate(over="ignore"):  # overflow of the cast is reported as inf
            x = x.astype(dtype)
    return x
