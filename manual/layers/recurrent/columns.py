"""Ng's course 5 week 1 ("Building your Recurrent Neural Network - Step by Step"): the
RNN and LSTM cells and sequences in the columns layout, one registry entry each.

The course's arrays are columns (a unit per row, an example per column): xt (n_x, m),
a (n_a, m), x (n_x, m, T_x); its parameters are a dict the entries take as arrays.

    a_next = tanh(Wax xt + Waa a_prev + ba),   yt_pred = softmax(Wya a_next + by)

    concat = [a_prev; xt]
    ft = σ(Wf concat + bf), it = σ(Wi concat + bi), cct = tanh(Wc concat + bc)
    c_next = ft ⊙ c_prev + it ⊙ cct,   ot = σ(Wo concat + bo),   a_next = ot ⊙ tanh(c_next)
    yt_pred = softmax(Wy a_next + by)

The caches are the course's own: a cell's (a_next, a_prev, xt, parameters) and (a_next,
c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters), a sequence's (list of the cell
caches, x). A backward is the course's: it is handed the gradient of the hidden states
(and, for the LSTM cell, of c_next) only, the prediction's gradient reaching a through
the loss's da outside the cell. The registry's convention gives a backward one gradient
per output: the gradients of the predictions (and of an LSTM sequence's c) are accepted
and not used, and the twins differentiate those outputs' paths as constants alike.
"""

from __future__ import annotations

import numpy as np

from ...errors import InputError
from ..base import register_layer
from ._checks import real, upstream

__all__ = ["rnn_cell_columns_forward", "rnn_cell_columns_backward", "rnn_columns_forward",
           "rnn_columns_backward", "lstm_cell_columns_forward", "lstm_cell_columns_backward",
           "lstm_columns_forward", "lstm_columns_backward", "RNN_PARAMETERS",
           "LSTM_PARAMETERS", "softmax_columns"]

RNN_PARAMETERS = ("Wax", "Waa", "Wya", "ba", "by")
LSTM_PARAMETERS = ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by")
GATES = ("f", "i", "c", "o")           # the course's gates, each its own W and b


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)) without overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softmax_columns(z):
    """Softmax of each column (one example per column), the maximum subtracted."""
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _matrix(a, name: str, rows: int | None = None, cols: int | None = None) -> np.ndarray:
    a = real(a, name, 2)
    if (rows is not None and a.shape[0] != rows) or (cols is not None and a.shape[1] != cols):
        want = (rows if rows is not None else "·", cols if cols is not None else "·")
        raise InputError(f"{name} must have shape ({want[0]}, {want[1]}), got {a.shape}")
    return a


def _rnn_parameters(n_x: int, n_a: int, Wax, Waa, Wya, ba, by) -> dict:
    """The course's parameters dict, each array checked against n_x and n_a."""
    Wya = _matrix(Wya, "Wya", cols=n_a)
    return {"Wax": _matrix(Wax, "Wax", n_a, n_x), "Waa": _matrix(Waa, "Waa", n_a, n_a),
            "Wya": Wya, "ba": _matrix(ba, "ba", n_a, 1), "by": _matrix(by, "by", Wya.shape[0], 1)}


def _lstm_parameters(n_x: int, n_a: int, arrays: tuple) -> dict:
    p = dict(zip(LSTM_PARAMETERS, arrays))
    for g in GATES:
        p[f"W{g}"] = _matrix(p[f"W{g}"], f"W{g}", n_a, n_a + n_x)
        p[f"b{g}"] = _matrix(p[f"b{g}"], f"b{g}", n_a, 1)
    p["Wy"] = _matrix(p["Wy"], "Wy", cols=n_a)
    p["by"] = _matrix(p["by"], "by", p["Wy"].shape[0], 1)
    return p


def rnn_cell_columns_forward(xt, a_prev, Wax, Waa, Wya, ba, by):
    """Ng's `rnn_cell_forward`: a_next = tanh(Wax xt + Waa a_prev + ba), yt_pred =
    softmax(Wya a_next + by); the cache (a_next, a_prev, xt, parameters)."""
    xt = _matrix(xt, "xt")
    a_prev = _matrix(a_prev, "a_prev", cols=xt.shape[1])
    p = _rnn_parameters(xt.shape[0], a_prev.shape[0], Wax, Waa, Wya, ba, by)
    a_next = np.tanh(p["Wax"] @ xt + p["Waa"] @ a_prev + p["ba"])
    yt_pred = softmax_columns(p["Wya"] @ a_next + p["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, p)


def rnn_cell_columns_backward(da_next, dyt_pred, cache):
    """Ng's `rnn_cell_backward` (dyt_pred unused, see the module docstring): BP2 through
    the tanh, dtanh = da_next ⊙ (1 − a_next²); dxt = Waxᵀ dtanh, da_prev = Waaᵀ dtanh,
    dWax = dtanh xtᵀ, dWaa = dtanh a_prevᵀ (BP4), dba = Σ over examples (BP3)."""
    a_next, a_prev, xt, p = cache
    dtanh = upstream(da_next, "da_next", a_next.shape) * (1 - a_next**2)
    return (p["Wax"].T @ dtanh, p["Waa"].T @ dtanh, dtanh @ xt.T, dtanh @ a_prev.T,
            dtanh.sum(axis=1, keepdims=True))


def _sequence(x, a0):
    x = real(x, "x", 3)
    a0 = _matrix(a0, "a0", cols=x.shape[1])
    return x, a0


def rnn_columns_forward(x, a0, Wax, Waa, Wya, ba, by):
    """Ng's `rnn_forward`: the cell at every step t of x (n_x, m, T_x), a_prev = a0 first;
    a (n_a, m, T_x), y_pred (n_y, m, T_x), the cache (list of the cells' caches, x)."""
    x, a0 = _sequence(x, a0)
    n_x, m, T_x = x.shape
    a = np.zeros((a0.shape[0], m, T_x), np.result_type(x, a0, Wax))
    y_pred = np.zeros((np.shape(Wya)[0], m, T_x), a.dtype)
    a_next, caches = a0, []
    for t in range(T_x):
        a_next, y_pred[:, :, t], cache = rnn_cell_columns_forward(x[:, :, t], a_next, Wax,
                                                                  Waa, Wya, ba, by)
        a[:, :, t] = a_next
        caches.append(cache)
    return a, y_pred, (caches, x)


def rnn_columns_backward(da, dy_pred, cache):
    """Ng's `rnn_backward` (dy_pred unused): through time, step t's cell is handed
    da[:, :, t] + da_prevt (the loss's gradient and what step t+1 sends back); dx[:, :, t]
    is its dxt, the parameter gradients are summed over the steps, da0 is the last
    da_prevt."""
    caches, x = cache
    da = upstream(da, "da", (caches[0][0].shape[0],) + x.shape[1:])
    dx = np.zeros(x.shape, np.result_type(da, x))
    da_prevt = np.zeros(da.shape[:2], dx.dtype)
    sums = None
    for t in reversed(range(x.shape[2])):
        dxt, da_prevt, *grads = rnn_cell_columns_backward(da[:, :, t] + da_prevt, None,
                                                          caches[t])
        dx[:, :, t] = dxt
        sums = grads if sums is None else [s + g for s, g in zip(sums, grads)]
    return (dx, da_prevt, *sums)


def lstm_cell_columns_forward(xt, a_prev, c_prev, *parameters):
    """Ng's `lstm_cell_forward` (the module docstring's equations, gates f, i, c, o on
    concat = [a_prev; xt]); the cache (a_next, c_next, a_prev, c_prev, ft, it, cct, ot,
    xt, parameters)."""
    xt = _matrix(xt, "xt")
    a_prev = _matrix(a_prev, "a_prev", cols=xt.shape[1])
    c_prev = _matrix(c_prev, "c_prev", *a_prev.shape)
    p = _lstm_parameters(xt.shape[0], a_prev.shape[0], parameters)
    concat = np.concatenate([a_prev, xt], axis=0)
    ft = sigmoid(p["Wf"] @ concat + p["bf"])
    it = sigmoid(p["Wi"] @ concat + p["bi"])
    cct = np.tanh(p["Wc"] @ concat + p["bc"])
    c_next = ft * c_prev + it * cct
    ot = sigmoid(p["Wo"] @ concat + p["bo"])
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax_columns(p["Wy"] @ a_next + p["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p)


def lstm_cell_columns_backward(da_next, dc_next, dyt_pred, cache):
    """Ng's `lstm_cell_backward` (dyt_pred unused). The error reaching c_next is
    dc = dc_next + da_next ⊙ ot ⊙ (1 − tanh²(c_next)); each gate's pre-activation error
    (BP2 through σ or tanh): dot = da_next ⊙ tanh(c_next) ⊙ ot(1 − ot), dcct = dc ⊙ it ⊙
    (1 − cct²), dit = dc ⊙ cct ⊙ it(1 − it), dft = dc ⊙ c_prev ⊙ ft(1 − ft). dW = d concatᵀ
    and db = Σ over examples per gate (BP4, BP3); da_prev and dxt are Σ Wᵀ d split at n_a
    (concat's a_prev rows first); dc_prev = dc ⊙ ft."""
    a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p = cache
    da_next = upstream(da_next, "da_next", a_next.shape)
    dc = upstream(dc_next, "dc_next", c_next.shape) + da_next * ot * (1 - np.tanh(c_next)**2)
    deltas = {"f": dc * c_prev * ft * (1 - ft), "i": dc * cct * it * (1 - it),
              "c": dc * it * (1 - cct**2), "o": da_next * np.tanh(c_next) * ot * (1 - ot)}
    concat = np.concatenate([a_prev, xt], axis=0)
    dconcat = sum(p[f"W{g}"].T @ deltas[g] for g in GATES)
    n_a = a_prev.shape[0]
    grads = []
    for g in GATES:
        grads += [deltas[g] @ concat.T, deltas[g].sum(axis=1, keepdims=True)]
    return (dconcat[n_a:], dconcat[:n_a], dc * ft, *grads)


def lstm_columns_forward(x, a0, *parameters):
    """Ng's `lstm_forward`: the cell at every step, a_prev = a0 and c_prev = 0 first;
    a and c (n_a, m, T_x), y (n_y, m, T_x), the cache (list of the cells' caches, x)."""
    x, a0 = _sequence(x, a0)
    n_x, m, T_x = x.shape
    a = np.zeros((a0.shape[0], m, T_x), np.result_type(x, a0, *parameters))
    c, y = np.zeros_like(a), np.zeros((np.shape(parameters[-2])[0], m, T_x), a.dtype)
    a_next, c_next, caches = a0, np.zeros_like(a0), []
    for t in range(T_x):
        a_next, c_next, y[:, :, t], cache = lstm_cell_columns_forward(x[:, :, t], a_next,
                                                                      c_next, *parameters)
        a[:, :, t], c[:, :, t] = a_next, c_next
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_columns_backward(da, dy, dc, cache):
    """Ng's `lstm_backward` (dy and dc unused: the course hands it da only): step t's cell
    is handed da[:, :, t] + da_prevt and dc_prevt (zero after the last step); the
    parameter gradients summed over the steps, da0 the last da_prevt."""
    caches, x = cache
    da = upstream(da, "da", (caches[0][0].shape[0],) + x.shape[1:])
    dx = np.zeros(x.shape, np.result_type(da, x))
    da_prevt = dc_prevt = np.zeros(da.shape[:2], dx.dtype)
    sums = None
    for t in reversed(range(x.shape[2])):
        dxt, da_prevt, dc_prevt, *grads = lstm_cell_columns_backward(
            da[:, :, t] + da_prevt, dc_prevt, None, caches[t])
        dx[:, :, t] = dxt
        sums = grads if sums is None else [s + g for s, g in zip(sums, grads)]
    return (dx, da_prevt, *sums)


_CELL = {"xt": ("feature", "example"), "a_prev": ("hidden unit", "example"),
         "c_prev": ("hidden unit", "example"), "a_next": ("hidden unit", "example"),
         "c_next": ("hidden unit", "example"), "yt_pred": ("class", "example")}
_SEQ = {"x": ("feature", "example", "time step"), "a0": ("hidden unit", "example"),
        "a": ("hidden unit", "example", "time step"),
        "c": ("hidden unit", "example", "time step"),
        "y_pred": ("class", "example", "time step"), "y": ("class", "example", "time step")}
_RNN_W = {"Wax": ("hidden unit", "feature"), "Waa": ("hidden unit", "previous hidden unit"),
          "Wya": ("class", "hidden unit"), "ba": ("hidden unit", ""), "by": ("class", "")}
_LSTM_W = {**{f"W{g}": ("hidden unit", "concat row") for g in GATES},
           **{f"b{g}": ("hidden unit", "") for g in GATES},
           "Wy": ("class", "hidden unit"), "by": ("class", "")}
_LSTM_GRADS = tuple(f"d{k}" for k in LSTM_PARAMETERS[:-2])


def _concat_meaning(name: str, index, shape) -> str | None:
    """A gate weight's column j of [a_prev; xt]: 'hidden unit 1, a_prev row 2' (or 'xt
    row 0'); n_a is the weight's row count (the gate's units)."""
    if name in {f"W{g}" for g in GATES} and len(index) == 2 and shape is not None:
        n_a = shape[0]
        j = index[1]
        where = f"a_prev row {j}" if j < n_a else f"xt row {j - n_a}"
        return f"gate {name[1:]}, hidden unit {index[0]}, {where}"
    return None


def _register(name: str, forward, backward, arrays: tuple, outputs: tuple, grads: tuple,
              *axes: dict, meaning=None) -> None:
    """One entry; the axes tables narrowed to its own arrays and outputs."""
    table = {k: v for t in axes for k, v in t.items() if k in arrays + outputs}
    register_layer(name, forward, backward, arrays=arrays, outputs=outputs, grads=grads,
                   axes=table, meaning=meaning)


_register("rnn_cell_columns", rnn_cell_columns_forward, rnn_cell_columns_backward,
          ("xt", "a_prev", *RNN_PARAMETERS), ("a_next", "yt_pred"),
          ("dxt", "da_prev", "dWax", "dWaa", "dba"), _CELL, _RNN_W)
_register("rnn_columns", rnn_columns_forward, rnn_columns_backward,
          ("x", "a0", *RNN_PARAMETERS), ("a", "y_pred"), ("dx", "da0", "dWax", "dWaa", "dba"),
          _SEQ, _RNN_W)
_register("lstm_cell_columns", lstm_cell_columns_forward, lstm_cell_columns_backward,
          ("xt", "a_prev", "c_prev", *LSTM_PARAMETERS), ("a_next", "c_next", "yt_pred"),
          ("dxt", "da_prev", "dc_prev", *_LSTM_GRADS), _CELL, _LSTM_W, meaning=_concat_meaning)
_register("lstm_columns", lstm_columns_forward, lstm_columns_backward,
          ("x", "a0", *LSTM_PARAMETERS), ("a", "y", "c"), ("dx", "da0", *_LSTM_GRADS),
          _SEQ, _LSTM_W, meaning=_concat_meaning)
