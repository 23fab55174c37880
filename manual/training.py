"""Mini-batch stochastic gradient descent with L2 regularization.

For a mini-batch of m examples the regularized cost is C + (λ/2m) Σ‖Wˡ‖², so
∇W gains the term (λ/m)·Wˡ; the biases are not regularized. Each step is
Wˡ ← Wˡ − η ∇Wˡ, bˡ ← bˡ − η ∇bˡ.
"""

from __future__ import annotations

import numpy as np

from .equations import batch_axis
from .errors import InputError


def minibatches(n: int, batch_size: int, epochs: int, seed: int) -> list[list[np.ndarray]]:
    """The example indices of every mini-batch of every epoch (seeded shuffling)."""
    rng = np.random.default_rng(seed)
    order = []
    for _ in range(epochs):
        perm = rng.permutation(n)
        order.append([perm[k:k + batch_size] for k in range(0, n, batch_size)])
    return order


def sgd_step(net, X, Y, lr: float, l2: float):
    """One gradient step on the batch (X, Y); returns the Gradients used."""
    g = net.backprop(X, Y)
    m = X.shape[batch_axis(net.layout)]
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        grad_w = g.dW[l] + (l2 / m) * w if l2 else g.dW[l]
        w -= lr * grad_w
        b -= lr * g.db[l]
    return g


def fit(net, X, Y, *, epochs: int = 1, batch_size: int | None = None, lr: float = 0.1,
        l2: float = 0.0, seed: int = 0) -> list[float]:
    """Train `net` in place; returns the (unregularized) cost after each epoch."""
    X, Y = np.asarray(X, net.dtype), np.asarray(Y, net.dtype)
    axis = batch_axis(net.layout)
    n = X.shape[axis]
    batch_size = batch_size or n
    if epochs < 0 or batch_size < 1 or lr <= 0 or l2 < 0:
        raise InputError("need epochs >= 0, batch_size >= 1, lr > 0 and l2 >= 0")
    net.weights = [w.copy() for w in net.weights]
    net.biases = [b.copy() for b in net.biases]
    costs = []
    for epoch in minibatches(n, batch_size, epochs, seed):
        for idx in epoch:
            sgd_step(net, X.take(idx, axis=axis), Y.take(idx, axis=axis), lr, l2)
        costs.append(net.cost(X, Y))
    return costs
