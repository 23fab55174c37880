"""Ng's course 5 week 1, "Building your Recurrent Neural Network - Step by Step": the RNN
and LSTM cells and sequences in the columns layout, graded as a layer style
(`layer_style`) against the registry's columns twins (`rnn_cell_columns`, `rnn_columns`,
`lstm_cell_columns`, `lstm_columns`: CS231n's steps under a layout adapter, torch
autograd).

    rnn_cell_forward     a_next = tanh(Wax xt + Waa a_prev + ba), yt_pred = softmax(Wya
                         a_next + by)
    rnn_forward          the cell over x (n_x, m, T_x) from a0: a, y_pred, (caches, x)
    lstm_cell_forward    gates f, i, c̃, o on [a_prev; xt]; c_next = ft c_prev + it c̃t,
                         a_next = ot tanh(c_next), yt_pred = softmax(Wy a_next + by)
    lstm_forward         the cell over x from a0 and c = 0: a, y, c, (caches, x)
    *_backward           the course's dicts of gradients, given da (and a cell's dc_next)
                         only, on the cache the student's own forward returned

The course's function is called in its signature (`probes.ng_c5`: the parameters dict, the
gradients' dict). The cases go beyond the notebook's (m = 1, T_x = 1, n_a ≠ n_x, n_y ≠
n_x). A function is graded twice where it calls others of the assignment (a sequence its
cells; a backward its own forward: the course's forward gives the second run its cache),
and passes when either run is right, so a cell's or a forward's bug is reported there only.
The course leaves the backward section optional and ungraded; here it is graded (the
record, `books/ng_c5.py`, says which course versions differ and what a TA grades).
"""

from __future__ import annotations

import dataclasses

from manual.layers import get_layer

from ..base import GradedFunction, Style
from ..books.ng_c5 import BOOK
from .layer_style import LayerFunction, layer_functions

__all__ = ["STYLE", "LAYERS"]

PROBE = "reference.grade.probes.ng_c5"

LAYERS = (LayerFunction("rnn_cell_columns", "rnn_cell_forward", "rnn_cell_backward"),
          LayerFunction("rnn_columns", "rnn_forward", "rnn_backward"),
          LayerFunction("lstm_cell_columns", "lstm_cell_forward", "lstm_cell_backward"),
          LayerFunction("lstm_columns", "lstm_forward", "lstm_backward"))

# the course's call of each layer: the arrays passed as they are, and the upstream
# gradients its backward is handed (the rest of the arrays are the `parameters` dict)
POSITIONAL = {"rnn_cell_columns": 2, "rnn_columns": 2, "lstm_cell_columns": 3,
              "lstm_columns": 2}
GIVEN = {"rnn_cell_columns": 1, "rnn_columns": 1, "lstm_cell_columns": 2, "lstm_columns": 1}

# the 2018 notebooks' update gate u: its parameters Wu, bu (and gradients dWu, dbu) are the
# later notebooks' Wi, bi
UPDATE_GATE = (("Wi", "Wu"), ("bi", "bu"))

def _course(layer: str) -> dict:
    entry = get_layer(layer)
    k = POSITIONAL[layer]
    course = {"positional": k, "parameters": list(entry.arrays[k:]), "given": GIVEN[layer],
              "grads": list(entry.grads)}
    if layer.startswith("lstm"):
        course["aliases"] = dict(UPDATE_GATE)
    return course


def _cases(cases, helpers: tuple[str, ...]):
    """The layer style's cases with the course's call (`course`) and the functions replaced
    in the second run (`calls`)."""
    def built(rng, n: int):
        out = cases(rng, n)
        for case in out:
            case.inputs["course"] = _course(case.expected["case"].layer)
            case.inputs.pop("calls", None)
            if helpers:
                case.inputs["calls"] = list(helpers)
        return out
    return built


def _course_function(fn: GradedFunction) -> GradedFunction:
    helpers = BOOK.helpers_of(fn.name)     # the record's `calls`: replaced in the second run
    probe = PROBE + (":layer_backward" if fn.name.endswith("_backward") else ":layer_forward")
    return dataclasses.replace(fn, probe=probe, cases=_cases(fn.cases, helpers),
                               helpers=helpers)


STYLE = Style("ng-c5w1", "columns", [_course_function(f) for f in layer_functions(LAYERS)])
