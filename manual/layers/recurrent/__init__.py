"""The recurrent family in CS231n's convention (assignment 3, rnn_layers.py):
word_embedding, rnn_step, rnn, lstm_step, lstm, temporal_affine and
temporal_softmax_loss, each a registry entry (`manual.layers.base`).

    h, cache = rnn_forward(x, h0, Wx, Wh, b)            # x (N, T, D), h (N, T, H)
    dx, dh0, dWx, dWh, db = rnn_backward(dh, cache)
    loss, dscores = temporal_softmax_loss(scores, y, mask)
"""

from .embedding import word_embedding_backward, word_embedding_forward
from .lstm import (
    GATES,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    sigmoid,
)
from .rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from .temporal import temporal_affine_backward, temporal_affine_forward, temporal_softmax_loss

__all__ = ["GATES", "lstm_backward", "lstm_forward", "lstm_step_backward", "lstm_step_forward",
           "rnn_backward", "rnn_forward", "rnn_step_backward", "rnn_step_forward", "sigmoid",
           "temporal_affine_backward", "temporal_affine_forward", "temporal_softmax_loss",
           "word_embedding_backward", "word_embedding_forward"]
