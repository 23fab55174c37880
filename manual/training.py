"""Mini-batch stochastic gradient descent with L2 regularization.

For a mini-batch of m examples the regularized cost is C + (λ/2m) Σ‖Wˡ‖², so
∇W gains the term (λ/m)·Wˡ; the biases are not regularized. Each step is
Wˡ ← Wˡ − η ∇Wˡ, bˡ ← bˡ − η ∇bˡ.
"""

from __future__ import annotations

import numpy as np

from .equations import batch_axis
from .errors import validate_int, validate_real, validate_seed

__all__ = ["iter_minibatches", "validate_hyperparameters", "sgd_step", "fit"]


def iter_minibatches(n: int, batch_size: int, epochs: int, seed: int):
    """The example indices of every mini-batch, one epoch at a time (seeded shuffling;
    memory does not grow with the epochs)."""
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        perm = rng.permutation(n)
        yield [perm[k:k + batch_size] for k in range(0, n, batch_size)]


def validate_hyperparameters(epochs, batch_size, lr, l2, seed):
    """(epochs, batch_size, lr, l2, seed) checked: integers epochs >= 0, batch_size >= 1 or
    None, seed >= 0; finite lr > 0 and l2 >= 0. InputError names the first bad one."""
    return (validate_int(epochs, "epochs", 0),
            None if batch_size is None else validate_int(batch_size, "batch_size", 1),
            validate_real(lr, "lr", positive=True), validate_real(l2, "l2"), validate_seed(seed))


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
    """Train `net` in place; returns the (unregularized) cost after each epoch.

    batch_size None is the whole batch; a batch_size above the number of
    examples is the whole batch too."""
    epochs, batch_size, lr, l2, seed = validate_hyperparameters(epochs, batch_size, lr, l2, seed)
    X, Y = net.validate_batch(X, Y)
    axis = batch_axis(net.layout)
    n = X.shape[axis]
    batch_size = batch_size or n
    net.weights = [w.copy() for w in net.weights]
    net.biases = [b.copy() for b in net.biases]
    costs = []
    for epoch in iter_minibatches(n, batch_size, epochs, seed):
        for idx in epoch:
            sgd_step(net, X.take(idx, axis=axis), Y.take(idx, axis=axis), lr, l2)
        costs.append(net.cost(X, Y))
    return costs
