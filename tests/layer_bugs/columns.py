"""Planted bugs of Ng's course 5 columns layers (see tests/layer_bugs/__init__.py), in the
registry's convention (the arrays positional, one upstream gradient per output, the
unused ones ignored as the course's backward ignores them).

Each wraps the registry's own correct pieces with one classic mistake of the course's
students; the entry with diagnosis None (the cell's caches kept in a dict) must pass.
"""

from __future__ import annotations

import numpy as np

from manual.layers.recurrent.columns import (
    lstm_cell_columns_backward,
    lstm_cell_columns_forward,
    rnn_cell_columns_backward,
    rnn_cell_columns_forward,
    rnn_columns_forward,
)

from . import Planted


def rnn_cell_backward_one_minus_a(da_next, dyt_pred, cache):
    """tanh' taken as 1 − a_next: the same as the right backward handed da_next ⊙
    (1 − a_next) / (1 − a_next²)."""
    a_next = cache[0]
    return rnn_cell_columns_backward(da_next * (1 - a_next) / (1 - a_next**2), None, cache)


def rnn_backward_no_carry(da, dy_pred, cache):
    """Each step's cell handed da[:, :, t] alone."""
    caches, x = cache
    steps = [rnn_cell_columns_backward(da[:, :, t], None, caches[t])
             for t in range(x.shape[2])]
    dx = np.stack([s[0] for s in steps], axis=2)
    return (dx, steps[0][1], *(sum(s[k] for s in steps) for k in (2, 3, 4)))


def lstm_cell_backward_no_ft(da_next, dc_next, dyt_pred, cache):
    """dc_prev = dc (the forget gate left out): the right dc_prev divided by ft."""
    grads = list(lstm_cell_columns_backward(da_next, dc_next, None, cache))
    grads[2] = grads[2] / cache[4]
    return tuple(grads)


def rnn_cell_forward_dict_cache(*arrays):
    a_next, yt_pred, cache = rnn_cell_columns_forward(*arrays)
    return a_next, yt_pred, dict(zip(("a_next", "a_prev", "xt", "parameters"), cache))


def rnn_cell_backward_dict_cache(da_next, dyt_pred, cache):
    return rnn_cell_columns_backward(da_next, dyt_pred, (cache["a_next"], cache["a_prev"],
                                                         cache["xt"], cache["parameters"]))


PLANTED = [
    Planted("rnn_cell_columns-tanh-one-minus-a", "rnn_cell_columns", rnn_cell_columns_forward,
            rnn_cell_backward_one_minus_a, "1 − a_next, not 1 − a_next²"),
    Planted("rnn_columns-no-carry", "rnn_columns", rnn_columns_forward, rnn_backward_no_carry,
            "da_prevt not added"),
    Planted("lstm_cell_columns-dc_prev-without-ft", "lstm_cell_columns",
            lstm_cell_columns_forward, lstm_cell_backward_no_ft,
            "dc_prev without the forget gate"),
    Planted("rnn_cell_columns-dict-cache", "rnn_cell_columns", rnn_cell_forward_dict_cache,
            rnn_cell_backward_dict_cache, None),
]
