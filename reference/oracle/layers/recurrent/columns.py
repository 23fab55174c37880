"""The oracle's side of Ng's course 5 week 1 (`manual.layers.recurrent.columns`):
rnn_cell_columns, rnn_columns, lstm_cell_columns and lstm_columns, each the CS231n
twin's step (`twins`) under a layout adapter, CS231n's sampler's case read in Ng's
layout, and the course's classic mistakes.

The adapter: Ng's a_next = tanh(Wax xt + Waa a_prev + ba) is CS231n's step on the
transposes (x = xtᵀ, Wx = Waxᵀ, Wh = Waaᵀ, b = ba); Ng's four gate matrices on
concat = [a_prev; xt] are CS231n's Wx (n_x, 4n_a) and Wh (n_a, 4n_a) with the gates in
CS231n's column order i, f, o, g (g is Ng's c̃, gate c): W_g[:, n_a:]ᵀ and W_g[:, :n_a]ᵀ.
The course's backward is handed the gradient of the hidden states (and a cell's c_next)
only: the predictions (and a sequence's c) are outputs whose path autograd treats as a
constant (a leaf copy, `_cut`), so the oracle's gradients are the course's contract.

The mistakes are written from the equations in float64 (a small walker whose switches
are the mistakes, never `manual`), each what a backward with that one mistake returns
(and a cell's forward outputs, when the mistake changes them too: the concat's order).
"""

from __future__ import annotations

import numpy as np

from ..base import torch
from . import samplers
from .twins import _lstm_step, _tanh_step

__all__ = ["NAMES", "TWINS", "SAMPLERS", "MISTAKES"]

NAMES = ("rnn_cell_columns", "rnn_columns", "lstm_cell_columns", "lstm_columns")
NG_GATES = "fico"            # the course's order; CS231n's 4H columns are i, f, o, g (= c)
CS231N_ORDER = "ifoc"
TAGS = {"batch1": "m=1", "seq1": "T_x=1", "D!=H": "n_a!=n_x"}


# --- the twins -------------------------------------------------------------------------

def _softmax(z):
    return torch.softmax(z, dim=0)


def _cut(a):
    """a as a fresh leaf: an output computed from it is differentiable (autograd takes its
    upstream gradient) but sends nothing back to the case's arrays."""
    return a.detach().requires_grad_()


def _rnn_cell(t, xt, a_prev):
    return _tanh_step(xt.T, a_prev.T, t["Wax"].T, t["Waa"].T, t["ba"].reshape(-1)).T


def _cs231n_weights(t):
    """Ng's gate matrices as CS231n's (Wx, Wh, b)."""
    W = {g: t[f"W{g}"] for g in NG_GATES}
    n_a = W["f"].shape[0]
    Wx = torch.cat([W[g][:, n_a:] for g in CS231N_ORDER], dim=0).T
    Wh = torch.cat([W[g][:, :n_a] for g in CS231N_ORDER], dim=0).T
    b = torch.cat([t[f"b{g}"].reshape(-1) for g in CS231N_ORDER])
    return Wx, Wh, b


def _lstm_cell(weights, xt, a_prev, c_prev):
    h, c = _lstm_step(xt.T, a_prev.T, c_prev.T, *weights)
    return h.T, c.T


def rnn_cell_columns(t, config):
    a_next = _rnn_cell(t, t["xt"], t["a_prev"])
    return {"a_next": a_next, "yt_pred": _softmax(t["Wya"] @ _cut(a_next) + t["by"])}


def rnn_columns(t, config):
    a, ys = t["a0"], []
    hs = []
    for step in range(t["x"].shape[2]):
        a = _rnn_cell(t, t["x"][:, :, step], a)
        hs.append(a)
        ys.append(_softmax(t["Wya"] @ _cut(a) + t["by"]))
    return {"a": torch.stack(hs, dim=2), "y_pred": torch.stack(ys, dim=2)}


def lstm_cell_columns(t, config):
    a_next, c_next = _lstm_cell(_cs231n_weights(t), t["xt"], t["a_prev"], t["c_prev"])
    return {"a_next": a_next, "c_next": c_next,
            "yt_pred": _softmax(t["Wy"] @ _cut(a_next) + t["by"])}


def lstm_columns(t, config):
    weights = _cs231n_weights(t)
    a = t["a0"]
    c = torch.zeros_like(a)
    hs, cs, ys = [], [], []
    for step in range(t["x"].shape[2]):
        a, c = _lstm_cell(weights, t["x"][:, :, step], a, c)
        hs.append(a)
        cs.append(_cut(c))
        ys.append(_softmax(t["Wy"] @ _cut(a) + t["by"]))
    return {"a": torch.stack(hs, dim=2), "y": torch.stack(ys, dim=2),
            "c": torch.stack(cs, dim=2)}


TWINS = {"rnn_cell_columns": rnn_cell_columns, "rnn_columns": rnn_columns,
         "lstm_cell_columns": lstm_cell_columns, "lstm_columns": lstm_columns}


# --- the samplers: CS231n's case in Ng's layout ----------------------------------------

def _prediction(rng, n_a: int, n_x: int, tags: list) -> tuple[np.ndarray, np.ndarray]:
    """Wy (n_y, n_a), by (n_y, 1): n_y ≠ n_x two times in three (tagged)."""
    n_y = int(rng.integers(1, 6))
    if n_y != n_x:
        tags.append("n_y!=n_x")
    return rng.standard_normal((n_y, n_a)), rng.uniform(-0.5, 0.5, (n_y, 1))


def _ng(rng, dtype, cs231n, lstm: bool):
    arrays, _, tags = cs231n(rng, dtype)
    tags = [TAGS.get(tag, tag) for tag in tags]
    x = arrays["x"]
    steps = x.ndim == 3
    h = arrays["h0" if steps else "prev_h"]
    n_x, n_a = x.shape[-1], h.shape[1]
    Wy, by = _prediction(rng, n_a, n_x, tags)
    out = {"x" if steps else "xt": x.transpose(2, 0, 1) if steps else x.T,
           "a0" if steps else "a_prev": h.T}
    if not lstm:
        out.update(Wax=arrays["Wx"].T, Waa=arrays["Wh"].T, Wya=Wy, ba=arrays["b"][:, None],
                   by=by)
    else:
        if not steps:
            out["c_prev"] = arrays["prev_c"].T
        for g in NG_GATES:                  # the course's order, CS231n's columns
            k = CS231N_ORDER.index(g)
            cols = slice(k * n_a, (k + 1) * n_a)
            out[f"W{g}"] = np.concatenate([arrays["Wh"][:, cols].T, arrays["Wx"][:, cols].T], 1)
            out[f"b{g}"] = arrays["b"][cols][:, None]
        out.update(Wy=Wy, by=by)
    return ({k: np.ascontiguousarray(v).astype(dtype) for k, v in out.items()}, None,
            tuple(tags))


SAMPLERS = {
    "rnn_cell_columns": lambda rng, dtype: _ng(rng, dtype, samplers.rnn_step, False),
    "rnn_columns": lambda rng, dtype: _ng(rng, dtype, samplers.rnn, False),
    "lstm_cell_columns": lambda rng, dtype: _ng(rng, dtype, samplers.lstm_step, True),
    "lstm_columns": lambda rng, dtype: _ng(rng, dtype, samplers.lstm, True),
}


# --- the mistakes: a walker from the equations, in float64 -----------------------------

def _sig(z):
    return 1 / (1 + np.exp(-z))


def _db(delta, how):
    """A bias gradient: summed over the examples (True), not summed (False) or summed over
    the units ("axis 0")."""
    if how == "axis 0":
        return delta.sum(axis=0, keepdims=True)
    return delta.sum(axis=1, keepdims=True) if how else delta


def _rnn_walk(a, da, *, tanh_prime="1-a^2", carry=True, sum_db=True):
    """(dx, da0, dWax, dWaa, dba) of Ng's RNN over x (n_x, m, T) from a0."""
    x, a_prev = a["x"], a["a0"]
    states = []
    for t in range(x.shape[2]):
        a_prev = np.tanh(a["Wax"] @ x[:, :, t] + a["Waa"] @ a_prev + a["ba"])
        states.append(a_prev)
    dx, dnext = np.zeros_like(x), np.zeros_like(a["a0"])
    dW = [np.zeros_like(a["Wax"]), np.zeros_like(a["Waa"]), 0.0]
    for t in reversed(range(x.shape[2])):
        act, before = states[t], (states[t - 1] if t else a["a0"])
        given = da[:, :, t] + (dnext if carry else 0)
        dtanh = given * ((1 - act**2) if tanh_prime == "1-a^2" else (1 - act))
        dx[:, :, t], dnext = a["Wax"].T @ dtanh, a["Waa"].T @ dtanh
        dW = [dW[0] + dtanh @ x[:, :, t].T, dW[1] + dtanh @ before.T,
              dW[2] + _db(dtanh, sum_db)]
    return dx, dnext, *dW


def _lstm_cell_walk(a, xt, a_prev, c_prev, da_next, dc_next, *, ft_in_dc=True,
                    sum_db=True, order="a_prev;xt"):
    """Ng's cell forward's (a_next, c_next) and its backward's gradients, with the switches
(`order`: the forward's concat, and so its backward's, as [xt; a_prev])."""
    concat = np.concatenate([a_prev, xt] if order == "a_prev;xt" else [xt, a_prev])
    g = {k: a[f"W{k}"] @ concat + a[f"b{k}"] for k in NG_GATES}
    ft, it, ot, cct = _sig(g["f"]), _sig(g["i"]), _sig(g["o"]), np.tanh(g["c"])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    dc = dc_next + da_next * ot * (1 - np.tanh(c_next)**2)
    d = {"f": dc * c_prev * ft * (1 - ft), "i": dc * cct * it * (1 - it),
         "c": dc * it * (1 - cct**2), "o": da_next * np.tanh(c_next) * ot * (1 - ot)}
    n_a, n_x = a_prev.shape[0], xt.shape[0]
    dconcat = sum(a[f"W{k}"].T @ d[k] for k in NG_GATES)
    dxt, da_prev = ((dconcat[n_a:], dconcat[:n_a]) if order == "a_prev;xt"
                    else (dconcat[:n_x], dconcat[n_x:]))
    grads = {}
    for k in NG_GATES:
        grads[f"dW{k}"] = d[k] @ concat.T
        grads[f"db{k}"] = _db(d[k], sum_db)
    dc_prev = dc * ft if ft_in_dc else dc
    return (a_next, c_next), {"dxt": dxt, "da_prev": da_prev, "dc_prev": dc_prev, **grads}


def _lstm_walk(a, da, *, carry=True, carry_c=True, **switches):
    x = a["x"]
    a_prev, c_prev, steps = a["a0"], np.zeros_like(a["a0"]), []
    for t in range(x.shape[2]):
        steps.append((a_prev, c_prev))
        (a_prev, c_prev), _ = _lstm_cell_walk(a, x[:, :, t], a_prev, c_prev, a_prev * 0,
                                              a_prev * 0)
    dx, dnext, dcnext, total = np.zeros_like(x), np.zeros_like(a["a0"]), 0.0, {}
    for t in reversed(range(x.shape[2])):
        given = da[:, :, t] + (dnext if carry else 0)
        _, g = _lstm_cell_walk(a, x[:, :, t], *steps[t], given, dcnext, **switches)
        dx[:, :, t], dnext, dcnext = g.pop("dxt"), g.pop("da_prev"), g.pop("dc_prev")
        dcnext = dcnext if carry_c else 0 * dcnext
        total = {k: total.get(k, 0) + v for k, v in g.items()}
    return {"dx": dx, "da0": dnext, **total}


def _f64(arrays):
    return {k: np.asarray(v, dtype=np.float64) for k, v in arrays.items()}


def _rnn_mistake(step: bool, **switches):
    names = ("dxt", "da_prev") if step else ("dx", "da0")

    def wrong(arrays, config, up):
        a = _f64(arrays)
        if step:
            a = {**a, "x": a["xt"][:, :, None], "a0": a["a_prev"]}
        da = np.asarray(up["da_next" if step else "da"], float)
        da = da[:, :, None] if step else da
        dx, da0, dWax, dWaa, dba = _rnn_walk(a, da, **switches)
        return {names[0]: dx[:, :, 0] if step else dx, names[1]: da0, "dWax": dWax,
                "dWaa": dWaa, "dba": dba}
    return wrong


def _lstm_mistake(step: bool, **switches):
    def wrong(arrays, config, up):
        a = _f64(arrays)
        if step:
            (a_next, c_next), g = _lstm_cell_walk(a, a["xt"], a["a_prev"], a["c_prev"],
                                   np.asarray(up["da_next"], float),
                                   np.asarray(up["dc_next"], float), **switches)
            return {**g, "a_next": a_next, "c_next": c_next}
        return _lstm_walk(a, np.asarray(up["da"], float), **switches)
    return wrong


_NO_CARRY = ("da_prevt not added: step t's cell handed da[:, :, t] alone, not "
             "da[:, :, t] + da_prevt (what an older notebook's own expected output did)")
_DB = "the bias gradient not summed over the examples (axis 1)"
_DB0 = "the bias gradient summed over the hidden units (axis 0), not the examples (axis 1)"
_ORDER = "concat taken as [xt; a_prev]: the course's is [a_prev; xt] (a_prev's rows first)"

MISTAKES = {
    "rnn_cell_columns": {
        "tanh's derivative taken as 1 − a_next, not 1 − a_next²":
            _rnn_mistake(True, tanh_prime="1-a"),
        _DB: _rnn_mistake(True, sum_db=False),
        _DB0: _rnn_mistake(True, sum_db="axis 0"),
    },
    "rnn_columns": {
        _NO_CARRY: _rnn_mistake(False, carry=False),
        "tanh's derivative taken as 1 − a, not 1 − a²": _rnn_mistake(False, tanh_prime="1-a"),
    },
    "lstm_cell_columns": {
        "dc_prev without the forget gate: dc_prev = dc_next + da_next ⊙ ot ⊙ (1 − "
        "tanh²(c_next)), not that ⊙ ft": _lstm_mistake(True, ft_in_dc=False),
        _DB: _lstm_mistake(True, sum_db=False),
        _DB0: _lstm_mistake(True, sum_db="axis 0"),
        _ORDER: _lstm_mistake(True, order="xt;a_prev"),
    },
    "lstm_columns": {
        _NO_CARRY: _lstm_mistake(False, carry=False),
        "da_prevt and dc_prevt never updated from the cell's gradients: every step handed "
        "da[:, :, t] and a zero dc_next": _lstm_mistake(False, carry=False, carry_c=False),
        "dc_prev without the forget gate": _lstm_mistake(False, ft_in_dc=False),
    },
}
