"""CS231n assignment 3, `cs231n/rnn_layers.py`: the recurrent layers, forward and
backward, each graded on its own against its torch twin (a layer style,
`layer_style`).

    rnn_step, rnn                 h = tanh(x Wx + prev_h Wh + b), and through time
    word_embedding                out[n, t] = W[x[n, t]]; dW accumulates repeated words
    temporal_affine               out = x w + b at every time step
    temporal_softmax_loss         the masked softmax loss, summed over time, mean over N
    lstm_step, lstm               gates i, f, o, g from the 4H columns, in that order

A backward runs on the cache the student's own forward returns (caches are the
student's business: tuples, dicts, lists of step caches). A sequence is graded twice,
calling the student's own step functions and the grader's (answered by the parent,
`cs231n_kit`): it passes when either is right, so a step's bug is reported at the step
only.
"""

from __future__ import annotations

from ..base import Style
from ..books.cs231n import BOOK_A3 as RECORD
from .layer_style import LayerFunction, layer_functions

__all__ = ["STYLE", "LAYERS"]


def _pair(layer: str, calls: str = "") -> LayerFunction:
    steps = tuple(f"{RECORD.helper_prefix}.{calls}_{d}" for d in ("forward", "backward")
                  ) if calls else ()
    return LayerFunction(layer, f"{layer}_forward", f"{layer}_backward", calls=steps)


LAYERS = (
    _pair("rnn_step"), _pair("rnn", calls="rnn_step"), _pair("word_embedding"),
    _pair("temporal_affine"),
    LayerFunction("temporal_softmax_loss", "temporal_softmax_loss", None),
    _pair("lstm_step"), _pair("lstm", calls="lstm_step"),
)

STYLE = Style("cs231n-a3", "rows", layer_functions(LAYERS))
