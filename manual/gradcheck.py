"""Central-difference gradient checking: a third oracle that needs no autograd.

Each parameter θᵢ is moved by ±ε and the cost recomputed:
    gradapproxᵢ = (C(θ + εeᵢ) − C(θ − εeᵢ)) / 2ε
and the result is compared with backprop's gradient by the relative error of
the course's gradient checking, ‖g − gradapprox‖ / (‖g‖ + ‖gradapprox‖).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InputError, validate_real
from .network import Network

__all__ = ["gradient_check"]

MAX_PARAMS = 20_000
"""The most parameters `gradient_check` moves unless told otherwise: each costs two
forward passes over the whole batch, so a big network would run for hours."""


@dataclass
class GradCheck:
    relative_error: float
    backprop: np.ndarray
    approx: np.ndarray

    def ok(self, threshold: float = 1e-7) -> bool:
        return self.relative_error < validate_real(threshold, "threshold", positive=True)


def numerical_gradients(net: Network, X, Y, eps: float = 1e-6) -> tuple[list, list]:
    """(dW, db) by central differences, in float64 whatever the network's dtype."""
    _validate(net, eps)
    work = Network([w.astype(np.float64) for w in net.weights],
                   [b.astype(np.float64) for b in net.biases], net.sigmas, net.loss,
                   net.layout, net.reduction)
    X, Y = work.validate_batch(X, Y)
    out = []
    for params in (work.weights, work.biases):
        grads = []
        for p in params:
            g = np.zeros_like(p)
            flat, gflat = p.reshape(-1), g.reshape(-1)
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + eps
                plus = work.cost(X, Y)
                flat[i] = old - eps
                minus = work.cost(X, Y)
                flat[i] = old
                gflat[i] = (plus - minus) / (2 * eps)
            grads.append(g)
        out.append(grads)
    return out[0], out[1]


def _validate(net, eps) -> None:
    """A manual.Network and a positive step eps, or an InputError."""
    if not isinstance(net, Network):
        raise InputError(f"gradient check needs a manual.Network, got {type(net).__name__}")
    validate_real(eps, "eps", positive=True)


def gradient_check(net: Network, X, Y, eps: float = 1e-6,
                   max_params: int | None = MAX_PARAMS) -> GradCheck:
    """Compare backprop's (dW, db) with central differences over every parameter.

    Refuses a network with more than `max_params` parameters (None: no limit):
    the check costs two forward passes per parameter."""
    _validate(net, eps)
    params = sum(w.size + b.size for w, b in zip(net.weights, net.biases))
    if max_params is not None and params > max_params:
        raise InputError(f"gradient check of {params:,} parameters needs {2 * params:,} forward "
                         f"passes; more than max_params={max_params:,} (check a smaller "
                         f"network, or pass max_params=None to wait)")
    g = net.backprop(X, Y)
    num_w, num_b = numerical_gradients(net, X, Y, eps)
    flat = np.concatenate([x.ravel() for x in g.dW + g.db]).astype(np.float64)
    approx = np.concatenate([x.ravel() for x in num_w + num_b])
    denom = np.linalg.norm(flat) + np.linalg.norm(approx)
    err = 0.0 if denom == 0 else float(np.linalg.norm(flat - approx) / denom)
    return GradCheck(err, flat, approx)
