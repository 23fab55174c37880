"""The dense family: affine, relu, flatten, the class losses (softmax, SVM) and the
L2 penalty, in CS231n's convention (rows: x is (N, D), w is (D, M))."""

from __future__ import annotations

import numpy as np

from .base import register_layer

__all__ = ["relu_forward", "relu_backward"]


def relu_forward(x):
    """out = max(0, x); the cache is x."""
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    """dx = dout ⊙ σ'(x), σ'(x) = [x > 0] (BP2's ⊙ σ'(z) on its own)."""
    return dout * (cache > 0)


register_layer("relu", relu_forward, relu_backward, arrays=("x",),
               axes={"x": ("example", "feature")})
