"""The LSTM, one step and a whole sequence with backpropagation through time, in
CS231n's convention (rnn_layers.py): the 4H columns of Wx, Wh and b hold the gates
in the order i, f, o, g.

    a = x Wx + prev_h Wh + b = [a_i | a_f | a_o | a_g]
    i, f, o = σ(a_i), σ(a_f), σ(a_o);   g = tanh(a_g)
    next_c = f ⊙ prev_c + i ⊙ g;        next_h = o ⊙ tanh(next_c)

Backward (BP2 through each gate): the error reaching the cell is
δc = dnext_c + dnext_h ⊙ o ⊙ (1 − tanh²(next_c)); then
δa_i = δc ⊙ g ⊙ i(1 − i), δa_f = δc ⊙ prev_c ⊙ f(1 − f),
δa_o = dnext_h ⊙ tanh(next_c) ⊙ o(1 − o), δa_g = δc ⊙ i ⊙ (1 − g²), dprev_c = δc ⊙ f,
and dx, dprev_h, dWx, dWh, db from δa as for any affine map (BP3/BP4).
"""

from __future__ import annotations

import numpy as np

from ..base import register_layer
from ._checks import recurrence, shaped, upstream

__all__ = ["lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
           "GATES", "sigmoid"]

GATES = "ifog"   # the order of the gates in the 4H columns (CS231n's)


def sigmoid(a):
    """σ(a) = 1 / (1 + e^−a), written so that neither branch overflows."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def _step(xw, prev_h, prev_c, Wh):
    """One step from the input's part of a (x Wx + b): (next_h, next_c, gates), gates =
    (i, f, o, g, tanh(next_c))."""
    H = prev_h.shape[1]
    a = xw + prev_h @ Wh
    ifo = sigmoid(a[:, :3 * H])
    i, f, o = ifo[:, :H], ifo[:, H:2 * H], ifo[:, 2 * H:]
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    return o * tanh_c, next_c, (i, f, o, g, tanh_c)


def _step_delta(dnext_h, dnext_c, prev_c, gates):
    """(δa, dprev_c) of one step, δa in the gate order i, f, o, g (module docstring)."""
    i, f, o, g, tanh_c = gates
    dc = dnext_c + dnext_h * o * (1 - tanh_c**2)
    delta = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                            dnext_h * tanh_c * o * (1 - o), dc * i * (1 - g**2)], axis=1)
    return delta, dc * f


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """(next_h, next_c, cache): x (N, D), prev_h and prev_c (N, H), Wx (D, 4H),
    Wh (H, 4H), b (4H,). The cache is (x, prev_h, prev_c, Wx, Wh, gates)."""
    x, prev_h, Wx, Wh, b = recurrence(x, prev_h, Wx, Wh, b, h_name="prev_h", gates=4,
                                      steps=False)
    prev_c = shaped(prev_c, "prev_c", prev_h.shape)
    next_h, next_c, gates = _step(x @ Wx + b, prev_h, prev_c, Wh)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, gates)


def lstm_step_backward(dnext_h, dnext_c, cache):
    """(dx, dprev_h, dprev_c, dWx, dWh, db) of one step."""
    x, prev_h, prev_c, Wx, Wh, gates = cache
    dnext_h = upstream(dnext_h, "dnext_h", prev_h.shape)
    dnext_c = upstream(dnext_c, "dnext_c", prev_h.shape)
    delta, dprev_c = _step_delta(dnext_h, dnext_c, prev_c, gates)
    return (delta @ Wx.T, delta @ Wh.T, dprev_c, x.T @ delta, prev_h.T @ delta,
            delta.sum(axis=0))


def lstm_forward(x, h0, Wx, Wh, b):
    """h (N, T, H) of the whole sequence from h0 (N, H) and c0 = 0; x (N, T, D). The
    cache is (x, h0, Wx, Wh, h, c, gates of every step)."""
    x, h0, Wx, Wh, b = recurrence(x, h0, Wx, Wh, b, h_name="h0", gates=4, steps=True)
    N, T, _ = x.shape
    dtype = np.result_type(x, h0, Wx, Wh, b)
    h = np.empty((N, T, h0.shape[1]), dtype=dtype)
    c = np.empty_like(h)
    xw = x @ Wx + b                      # the input's part of every step's a, at once
    prev_h, prev_c, steps = h0, np.zeros_like(h0, dtype=dtype), []
    for t in range(T):
        prev_h, prev_c, gates = _step(xw[:, t], prev_h, prev_c, Wh)
        h[:, t], c[:, t] = prev_h, prev_c
        steps.append(gates)
    return h, (x, h0, Wx, Wh, h, c, steps)


def lstm_backward(dh, cache):
    """(dx, dh0, dWx, dWh, db) by backpropagation through time: step t receives the
    loss's dh[:, t] plus dprev_h from step t+1, and dprev_c from step t+1 as its
    dnext_c (the cell carries its gradient through time; c0 = 0 is no input)."""
    x, h0, Wx, Wh, h, c, steps = cache
    dh = upstream(dh, "dh", h.shape)
    N, T, H = h.shape
    delta = np.empty((N, T, 4 * H), dtype=np.result_type(dh, h))
    dprev_h = np.zeros_like(h0, dtype=delta.dtype)
    dprev_c = np.zeros_like(dprev_h)
    for t in reversed(range(T)):
        prev_c = c[:, t - 1] if t else np.zeros_like(dprev_c)
        delta[:, t], dprev_c = _step_delta(dh[:, t] + dprev_h, dprev_c, prev_c, steps[t])
        dprev_h = delta[:, t] @ Wh.T
    h_before = np.concatenate([h0[:, None], h[:, :-1]], axis=1)   # h[:, t-1], h0 first
    dWx = x.reshape(N * T, -1).T @ delta.reshape(N * T, -1)
    dWh = h_before.reshape(N * T, H).T @ delta.reshape(N * T, -1)
    return delta @ Wx.T, dprev_h, dWx, dWh, delta.sum(axis=(0, 1))


def gate_meaning(name: str, index: tuple[int, ...], shape) -> str | None:
    """A column of Wx, Wh or b (or of their gradients) named by its gate: with H = 2,
    dWx[1, 7] is 'feature 1, gate g, unit 1' (columns 0..H-1 are i, then f, o, g)."""
    axes = _AXES.get(name)
    if name not in ("Wx", "Wh", "b") or shape is None or len(index) != len(axes):
        return None
    H, column = shape[-1] // 4, index[-1]
    if not H or not 0 <= column < 4 * H:
        return None
    rows = [f"{axis} {i}" for axis, i in zip(axes[:-1], index[:-1])]
    return ", ".join([*rows, f"gate {GATES[column // H]}, unit {column % H}"])


_STEP_AXES = {"x": ("example", "feature"), "prev_h": ("example", "hidden unit"),
              "prev_c": ("example", "hidden unit"), "Wx": ("feature", "gate column"),
              "Wh": ("previous hidden unit", "gate column"), "b": ("gate column",),
              "next_h": ("example", "hidden unit"), "next_c": ("example", "hidden unit")}
_AXES = {**_STEP_AXES, "x": ("example", "time step", "feature"),
         "h0": ("example", "hidden unit"), "h": ("example", "time step", "hidden unit")}
for _name in ("prev_h", "prev_c", "next_h", "next_c"):
    del _AXES[_name]

register_layer("lstm_step", lstm_step_forward, lstm_step_backward,
               arrays=("x", "prev_h", "prev_c", "Wx", "Wh", "b"), outputs=("next_h", "next_c"),
               grads=("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"), axes=_STEP_AXES,
               meaning=gate_meaning)
register_layer("lstm", lstm_forward, lstm_backward, arrays=("x", "h0", "Wx", "Wh", "b"),
               outputs=("h",), grads=("dx", "dh0", "dWx", "dWh", "db"), axes=_AXES,
               meaning=gate_meaning)
