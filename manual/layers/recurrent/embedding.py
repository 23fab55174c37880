"""Word embedding (CS231n rnn_layers.py): each index of x picks a row of W."""

from __future__ import annotations

import numpy as np

from ...errors import InputError
from ..base import register_layer
from ._checks import indices, real, upstream

__all__ = ["word_embedding_forward", "word_embedding_backward"]


def word_embedding_forward(x, W):
    """out[n, t] = W[x[n, t]]: x (N, T) integer indices into a vocabulary of V words,
    W (V, D), out (N, T, D). The cache is (x, W's shape and dtype)."""
    W = real(W, "W", 2)
    if np.ndim(x) != 2:
        raise InputError(f"x must be (N, T) word indices, got shape {np.shape(x)}")
    x = indices(x, "x", np.shape(x), W.shape[0], "the vocabulary")
    return W[x], (x, W.shape, W.dtype)


def word_embedding_backward(dout, cache):
    """dW[v] = Σ over the (n, t) with x[n, t] = v of dout[n, t]: a word used twice
    gets both gradients (np.add.at accumulates where `dW[x] += dout` keeps one)."""
    x, shape, dtype = cache
    dout = upstream(dout, "dout", x.shape + shape[1:])
    dW = np.zeros(shape, dtype=np.result_type(dtype, dout.dtype))
    np.add.at(dW, x.ravel(), dout.reshape(-1, shape[1]))
    return dW


register_layer("word_embedding", word_embedding_forward, word_embedding_backward,
               arrays=("x", "W"), grads=("dW",),
               axes={"x": ("example", "time step"), "W": ("word", "feature"),
                     "out": ("example", "time step", "feature")})
