"""Layers beyond dense: each layer type's forward and hand-written backward in
CS231n's convention, one registry entry each (`manual.layers.base`).

    from manual.layers import conv_forward, conv_backward, LAYERS
    out, cache = conv_forward(x, w, b, {"stride": 1, "pad": 1})
    dx, dw, db = conv_backward(dout, cache)

Families: `dense` (affine, relu, flatten, softmax_loss, svm_loss, l2), `conv`
(conv, conv_channels_last, max_pool, avg_pool), `norm` (batchnorm,
spatial_batchnorm, layernorm, spatial_groupnorm, dropout), `recurrent` (word_embedding, rnn_step,
rnn, lstm_step, lstm, temporal_affine, temporal_softmax_loss; Ng's
course 5 columns cells and sequences: rnn_cell_columns, rnn_columns, lstm_cell_columns,
lstm_columns).
"""

from . import conv, dense, norm, recurrent  # noqa: F401  (each registers its entries)
from .base import LAYERS, Layer, get_layer, register_layer
from .conv import *  # noqa: F403  (conv_forward, conv_backward, max_pool_forward, ...)
from .dense import *  # noqa: F403  (affine_forward, softmax_loss, ...)
from .norm import *  # noqa: F403  (batchnorm_forward, dropout_forward, ...)
from .recurrent import *  # noqa: F403  (rnn_step_forward, lstm_backward, ...)

__all__ = ["LAYERS", "Layer", "get_layer", "register_layer", *conv.__all__, *dense.__all__,
           *norm.__all__, *recurrent.__all__]
