"""The correct helpers of Ng's course, on the parent's side only (answered to the
student's process through `kit.answer`, never sent to it).

Columns layout; linear_cache = (A_prev, W, b), cache = (linear_cache, Z).
"""

from __future__ import annotations

import numpy as np

from ..kit import sigmoid as _sigma
from ..kit import sigmoid_prime

__all__ = [
    "sigmoid", "relu", "sigmoid_backward", "relu_backward", "linear_forward",
    "linear_activation_forward", "linear_backward", "linear_activation_backward", "HELPERS",
]


def sigmoid(Z):
    """a = σ(z); returns (A, Z)."""
    return _sigma(Z), Z


def relu(Z):
    """a = max(0, z); returns (A, Z)."""
    return np.maximum(Z, 0.0), Z


def sigmoid_backward(dA, cache):
    """dZ = dA ⊙ σ'(z)."""
    return dA * sigmoid_prime(cache)


def relu_backward(dA, cache):
    """dZ = dA ⊙ 1[z > 0]."""
    return dA * (np.asarray(cache) > 0)


def linear_forward(A, W, b):
    """z = W a + b; returns (Z, (A, W, b))."""
    return W @ A + b, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = (sigmoid if activation == "sigmoid" else relu)(Z)
    return A, (linear_cache, activation_cache)


def linear_backward(dZ, cache):
    """BP4 dW = (1/m) dZ A_prevᵀ, BP3 db = (1/m) Σ dZ, and dA_prev = Wᵀ dZ."""
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m


def linear_activation_backward(dA, cache, activation):
    linear_cache, Z = cache
    back = sigmoid_backward if activation == "sigmoid" else relu_backward
    return linear_backward(back(dA, Z), linear_cache)


# answered as "<the book's helper_prefix>.<name>" (`kit.helpers`)
HELPERS = {fn.__name__: fn for fn in (
    sigmoid, relu, sigmoid_backward, relu_backward, linear_forward, linear_activation_forward,
    linear_backward, linear_activation_backward)}
