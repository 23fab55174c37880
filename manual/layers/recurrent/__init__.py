"""The recurrent family in CS231n's convention (assignment 3, rnn_layers.py):
word_embedding, rnn_step, rnn, lstm_step, lstm, temporal_affine and
temporal_softmax_loss, each a registry entry (`manual.layers.base`).

    h, cache = rnn_forward(x, h0, Wx, Wh, b)            # x (N, T, D), h (N, T, H)
    dx, dh0, dWx, dWh, db = rnn_backward(dh, cache)
    loss, dscores = temporal_softmax_loss(scores, y, mask)

and Ng's course 5 week 1 in the columns layout (`columns`: rnn_cell_columns,
rnn_columns, lstm_cell_columns, lstm_columns; x (n_x, m, T_x), parameters by name).
"""

from .columns import (
    lstm_cell_columns_backward,
    lstm_cell_columns_forward,
    lstm_columns_backward,
    lstm_columns_forward,
    rnn_cell_columns_backward,
    rnn_cell_columns_forward,
    rnn_columns_backward,
    rnn_columns_forward,
)
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

__all__ = ["lstm_cell_columns_backward", "lstm_cell_columns_forward", "lstm_columns_backward",
           "lstm_columns_forward", "rnn_cell_columns_backward", "rnn_cell_columns_forward",
           "rnn_columns_backward", "rnn_columns_forward",
           "GATES", "lstm_backward", "lstm_forward", "lstm_step_backward", "lstm_step_forward",
           "rnn_backward", "rnn_forward", "rnn_step_backward", "rnn_step_forward", "sigmoid",
           "temporal_affine_backward", "temporal_affine_forward", "temporal_softmax_loss",
           "word_embedding_backward", "word_embedding_forward"]
