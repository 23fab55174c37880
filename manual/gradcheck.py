"""Central-difference gradient checking: a third oracle that needs no autograd.

Each parameter θᵢ is moved by ±ε and the cost recomputed:
    gradapproxᵢ = (C(θ + εeᵢ) − C(θ − εeᵢ)) / 2ε
and the result is compared with backprop's gradient by the relative error of
the course's gradient checking, ‖g − gradapprox‖ / (‖g‖ + ‖gradapprox‖).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network


@dataclass
class GradCheck:
    relative_error: float
    backprop: np.ndarray
    approx: np.ndarray

    def ok(self, threshold: float = 1e-7) -> bool:
        return self.relative_error < threshold


def numerical_gradients(net: Network, X, Y, eps: float = 1e-6) -> tuple[list, list]:
    """(dW, db) by central differences, in float64 whatever the network's dtype."""
    work = Network([w.astype(np.float64) for w in net.weights],
                   [b.astype(np.float64) for b in net.biases], net.sigmas, net.loss,
                   net.layout, net.reduction)
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64)
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


def gradient_check(net: Network, X, Y, eps: float = 1e-6) -> GradCheck:
    """Compare backprop's (dW, db) with central differences over every parameter."""
    g = net.backprop(X, Y)
    num_w, num_b = numerical_gradients(net, X, Y, eps)
    flat = np.concatenate([x.ravel() for x in g.dW + g.db]).astype(np.float64)
    approx = np.concatenate([x.ravel() for x in num_w + num_b])
    denom = np.linalg.norm(flat) + np.linalg.norm(approx)
    err = 0.0 if denom == 0 else float(np.linalg.norm(flat - approx) / denom)
    return GradCheck(err, flat, approx)
