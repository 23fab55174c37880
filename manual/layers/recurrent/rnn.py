"""The vanilla (tanh) RNN, one step and a whole sequence with backpropagation
through time, in CS231n's convention (rnn_layers.py):

    a = x Wx + prev_h Wh + b,   next_h = tanh(a)

The step's backward is BP2 through a tanh: δa = dnext_h ⊙ (1 − next_h²), then
dx = δa Wxᵀ, dprev_h = δa Whᵀ and the parameter gradients BP3/BP4 (db = Σ δa,
dWx = xᵀ δa, dWh = prev_hᵀ δa).
"""

from __future__ import annotations

import numpy as np

from ..base import register_layer
from ._checks import recurrence, upstream

__all__ = ["rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward"]


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """next_h = tanh(x Wx + prev_h Wh + b): x (N, D), prev_h (N, H), Wx (D, H),
    Wh (H, H), b (H,). The cache is (x, prev_h, Wx, Wh, next_h)."""
    x, prev_h, Wx, Wh, b = recurrence(x, prev_h, Wx, Wh, b, h_name="prev_h", gates=1,
                                      steps=False)
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    """(dx, dprev_h, dWx, dWh, db) of one step; tanh'(a) = 1 − tanh(a)² = 1 − next_h²."""
    x, prev_h, Wx, Wh, next_h = cache
    dnext_h = upstream(dnext_h, "dnext_h", next_h.shape)
    delta = dnext_h * (1 - next_h**2)
    return delta @ Wx.T, delta @ Wh.T, x.T @ delta, prev_h.T @ delta, delta.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    """h[:, t] = tanh(x[:, t] Wx + h[:, t-1] Wh + b), h[:, -1] = h0: x (N, T, D),
    h0 (N, H), h (N, T, H). The cache is (x, h0, Wx, Wh, h)."""
    x, h0, Wx, Wh, b = recurrence(x, h0, Wx, Wh, b, h_name="h0", gates=1, steps=True)
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx, Wh, b))
    xw = x @ Wx + b                      # the input's part of every step's a, at once
    prev_h = h0
    for t in range(T):
        prev_h = h[:, t] = np.tanh(xw[:, t] + prev_h @ Wh)
    return h, (x, h0, Wx, Wh, h)


def rnn_backward(dh, cache):
    """(dx, dh0, dWx, dWh, db) by backpropagation through time: the error reaching
    h[:, t] is the loss's own dh[:, t] plus what step t+1 sends back (δa_{t+1} Whᵀ);
    δa_t = that ⊙ (1 − h[:, t]²). The loop runs over time only; the parameter
    gradients are then summed over examples and steps at once."""
    x, h0, Wx, Wh, h = cache
    dh = upstream(dh, "dh", h.shape)
    delta = np.empty(h.shape, dtype=np.result_type(dh, h))
    dprev_h = np.zeros_like(h0, dtype=delta.dtype)
    for t in reversed(range(h.shape[1])):
        delta[:, t] = (dh[:, t] + dprev_h) * (1 - h[:, t] ** 2)
        dprev_h = delta[:, t] @ Wh.T
    h_before = np.concatenate([h0[:, None], h[:, :-1]], axis=1)   # h[:, t-1], h0 first
    D, H = Wx.shape
    dWx = x.reshape(-1, D).T @ delta.reshape(-1, H)
    dWh = h_before.reshape(-1, H).T @ delta.reshape(-1, H)
    return delta @ Wx.T, dprev_h, dWx, dWh, delta.sum(axis=(0, 1))


_STEP_AXES = {"x": ("example", "feature"), "prev_h": ("example", "hidden unit"),
              "Wx": ("feature", "hidden unit"), "Wh": ("previous hidden unit", "hidden unit"),
              "b": ("hidden unit",), "next_h": ("example", "hidden unit")}
_SEQ_AXES = {**_STEP_AXES, "x": ("example", "time step", "feature"),
             "h0": ("example", "hidden unit"), "h": ("example", "time step", "hidden unit")}
del _SEQ_AXES["prev_h"], _SEQ_AXES["next_h"]

register_layer("rnn_step", rnn_step_forward, rnn_step_backward,
               arrays=("x", "prev_h", "Wx", "Wh", "b"), outputs=("next_h",),
               grads=("dx", "dprev_h", "dWx", "dWh", "db"), axes=_STEP_AXES)
register_layer("rnn", rnn_forward, rnn_backward, arrays=("x", "h0", "Wx", "Wh", "b"),
               outputs=("h",), grads=("dx", "dh0", "dWx", "dWh", "db"), axes=_SEQ_AXES)
