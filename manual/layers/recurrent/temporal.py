"""The layers applied at every time step (CS231n rnn_layers.py): an affine map of
each step's vector, and the softmax loss over a vocabulary at every step, masked."""

from __future__ import annotations

import numpy as np

from ...errors import InputError
from ..base import register_layer
from ._checks import indices, mask_of, real, shaped, upstream

__all__ = ["temporal_affine_forward", "temporal_affine_backward", "temporal_softmax_loss"]


def temporal_affine_forward(x, w, b):
    """out[n, t] = x[n, t] w + b: x (N, T, D), w (D, M), b (M,), out (N, T, M). The
    cache is (x, w)."""
    x = real(x, "x", 3)
    w = real(w, "w", 2)
    if w.shape[0] != x.shape[2]:
        raise InputError(f"w must have shape (D, M) with D = {x.shape[2]} (of x), got {w.shape}")
    b = shaped(b, "b", (w.shape[1],))
    return x @ w + b, (x, w)


def temporal_affine_backward(dout, cache):
    """(dx, dw, db): BP2's dx = dout wᵀ at every step; BP3/BP4 summed over the
    examples and the steps alike, db = Σ dout, dw = Σ x[n, t]ᵀ dout[n, t]."""
    x, w = cache
    dout = upstream(dout, "dout", x.shape[:2] + (w.shape[1],))
    dw = x.reshape(-1, x.shape[2]).T @ dout.reshape(-1, w.shape[1])
    return dout @ w.T, dw, dout.sum(axis=(0, 1))


def temporal_softmax_loss(x, y, mask, verbose: bool = False):
    """(loss, dx) of a softmax over V words at every step, CS231n's convention: the
    loss is summed over the steps where mask is true and averaged over the N
    examples (divided by N, not by N·T nor by the number of true mask entries),

        loss = −(1/N) Σ_{n,t} mask[n, t] · log softmax(x[n, t])[y[n, t]],
        dx[n, t] = mask[n, t] · (softmax(x[n, t]) − onehot(y[n, t])) / N.

    x (N, T, V) scores, y (N, T) integer targets in 0..V-1, mask (N, T) boolean
    (0/1 accepted); a masked step contributes nothing, whatever its target.
    `verbose` is CS231n's debugging flag, accepted for its signature and ignored."""
    x = real(x, "x", 3)
    N, T, V = x.shape
    y = indices(y, "y", (N, T), V, "the vocabulary")
    mask = mask_of(mask, (N, T))
    shifted = x - x.max(axis=2, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    n, t = np.arange(N)[:, None], np.arange(T)       # log softmax(x[n, t])[y[n, t]]
    loss = -np.sum(log_probs[n, t, y], where=mask) / N
    dx = np.exp(log_probs)
    dx[n, t, y] -= 1                                 # softmax − onehot(y)
    dx *= mask[..., None] / N
    return loss, dx


_SEQ = ("example", "time step")
register_layer("temporal_affine", temporal_affine_forward, temporal_affine_backward,
               arrays=("x", "w", "b"), grads=("dx", "dw", "db"),
               axes={"x": (*_SEQ, "feature"), "w": ("feature", "output"), "b": ("output",),
                     "out": (*_SEQ, "output")})
register_layer("temporal_softmax_loss", temporal_softmax_loss, None, arrays=("x", "y", "mask"),
               outputs=("loss",), loss=True,
               axes={"x": (*_SEQ, "word"), "y": _SEQ, "mask": _SEQ})
