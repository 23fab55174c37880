"""The correct functions of Ng's course 5 week 1, on the parent's side only, in the
course's signatures and caches: answered to the student's process (`kit.answer`) when a
function is graded with the ones it calls replaced (a sequence with the grader's cells, a
backward on the course's forward). They are the registry's own columns layers
(`manual.layers.recurrent.columns`) with the parameters as the course's dict and the
gradients as the course's dict."""

from __future__ import annotations

from manual.layers.recurrent.columns import (
    LSTM_PARAMETERS,
    RNN_PARAMETERS,
    lstm_cell_columns_backward,
    lstm_cell_columns_forward,
    lstm_columns_forward,
    rnn_cell_columns_backward,
    rnn_cell_columns_forward,
    rnn_columns_forward,
)

__all__ = ["HELPERS", "rnn_cell_forward", "rnn_cell_backward", "rnn_forward",
           "lstm_cell_forward", "lstm_cell_backward", "lstm_forward"]

LSTM_CELL_GRADS = ("dxt", "da_prev", "dc_prev", *(f"d{k}" for k in LSTM_PARAMETERS[:-2]))


def rnn_cell_forward(xt, a_prev, parameters):
    """a_next, yt_pred and the course's cache (a_next, a_prev, xt, parameters)."""
    return rnn_cell_columns_forward(xt, a_prev, *(parameters[k] for k in RNN_PARAMETERS))


def rnn_cell_backward(da_next, cache):
    """{dxt, da_prev, dWax, dWaa, dba} on the course's cell cache."""
    return dict(zip(("dxt", "da_prev", "dWax", "dWaa", "dba"),
                    rnn_cell_columns_backward(da_next, None, cache)))


def rnn_forward(x, a0, parameters):
    """a, y_pred and the course's (list of the cells' caches, x)."""
    return rnn_columns_forward(x, a0, *(parameters[k] for k in RNN_PARAMETERS))


def _gates(parameters: dict) -> dict:
    """The parameters with the update gate as i (the 2018 notebooks' Wu, bu read as Wi, bi)."""
    named = dict(parameters)
    for i, u in (("Wi", "Wu"), ("bi", "bu")):
        if i not in named and u in named:
            named[i] = named[u]
    return named


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """a_next, c_next, yt_pred and the course's cache (a_next, c_next, a_prev, c_prev, ft,
    it, cct, ot, xt, parameters): the caller's parameters, as the course keeps them."""
    p = _gates(parameters)
    *out, cache = lstm_cell_columns_forward(xt, a_prev, c_prev,
                                            *(p[k] for k in LSTM_PARAMETERS))
    return (*out, cache[:-1] + (parameters,))


def lstm_cell_backward(da_next, dc_next, cache):
    """{dxt, da_prev, dc_prev, dWf, dbf, dWi, dbi, dWc, dbc, dWo, dbo}, and the update gate's
    under the 2018 notebooks' names too (dWu, dbu)."""
    cache = tuple(cache[:-1]) + (_gates(cache[-1]),)
    grads = dict(zip(LSTM_CELL_GRADS, lstm_cell_columns_backward(da_next, dc_next, None,
                                                                 cache)))
    return {**grads, "dWu": grads["dWi"], "dbu": grads["dbi"]}


def lstm_forward(x, a0, parameters):
    """a, y, c and the course's (list of the cells' caches, x)."""
    a, y, c, (caches, x) = lstm_columns_forward(
        x, a0, *(_gates(parameters)[k] for k in LSTM_PARAMETERS))
    return a, y, c, ([cache[:-1] + (parameters,) for cache in caches], x)


HELPERS = {"rnn_cell_forward": rnn_cell_forward, "rnn_cell_backward": rnn_cell_backward,
           "rnn_forward": rnn_forward, "lstm_cell_forward": lstm_cell_forward,
           "lstm_cell_backward": lstm_cell_backward, "lstm_forward": lstm_forward}
