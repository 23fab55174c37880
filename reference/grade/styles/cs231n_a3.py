"""CS231n assignment 3, `cs231n/rnn_layers.py`: the recurrent layers, forward and
backward, each graded on its own against its torch twin (a layer style,
`layer_style`).

    rnn_step, rnn                 h = tanh(x Wx + prev_h Wh + b), and through time
    word_embedding                out[n, t] = W[x[n, t]]; dW accumulates repeated words
    temporal_affine               out = x w + b at every time step
    temporal_softmax_loss         the masked softmax loss, summed over time, mean over N
    lstm_step, lstm               gates i, f, o, g from the 4H columns, in that order

A backward runs on the cache the student's own forward returns (caches are the
student's business: tuples, dicts, lists of step caches). A sequence layer calls the
student's own step functions, so a bug in a step is also seen in its sequence.
"""

from __future__ import annotations

from ..base import Style
from .layer_style import LayerFunction, layer_functions

__all__ = ["STYLE", "LAYERS"]


def _pair(layer: str) -> LayerFunction:
    return LayerFunction(layer, f"{layer}_forward", f"{layer}_backward")


LAYERS = (
    _pair("rnn_step"), _pair("rnn"), _pair("word_embedding"), _pair("temporal_affine"),
    LayerFunction("temporal_softmax_loss", "temporal_softmax_loss", None),
    _pair("lstm_step"), _pair("lstm"),
)

STYLE = Style("cs231n-a3", "rows", layer_functions(LAYERS))
