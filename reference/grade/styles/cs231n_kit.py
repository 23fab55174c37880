"""The correct functions of CS231n's assignments, on the parent's side only: answered to the
student's process (`kit.answer`) when a function is graded with the functions it calls
replaced by correct ones. They are the registry's own layers (`manual.layers`), in the
course's convention.

- assignment 3: the step functions a sequence (`rnn_forward`, `lstm_backward`) calls;
- assignment 2: the layers of `layers.py` and the course's `layer_utils.affine_relu_*`
  a fully connected net (`FullyConnectedNet.loss`) calls. A cache goes to the student's
  process and comes back plain (a tuple as a list): batch norm's is rebuilt here.
  `dropout_forward_drop` is dropout for a 2016-17 net, whose p is the drop probability.
"""

from __future__ import annotations

import numpy as np

from manual.layers.dense import (
    affine_backward,
    affine_forward,
    relu_backward,
    relu_forward,
    softmax_loss,
)
from manual.layers.norm import (
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    dropout_backward,
    dropout_forward,
    layernorm_backward,
    layernorm_forward,
)
from manual.layers.recurrent import (
    lstm_step_backward,
    lstm_step_forward,
    rnn_step_backward,
    rnn_step_forward,
)

__all__ = ["HELPERS"]


def _bn_cache(cache) -> tuple:
    """Batch norm's cache as the grader's backward reads it (its axes a tuple again)."""
    xhat, gamma, inv_std, axes, shape, mode = cache
    return xhat, gamma, inv_std, tuple(int(a) for a in axes), tuple(shape), mode


def _batchnorm_backward(dout, cache):
    """(dx, dgamma, dbeta) of batch norm, BN2."""
    return batchnorm_backward(dout, _bn_cache(cache))


def _batchnorm_backward_alt(dout, cache):
    """(dx, dgamma, dbeta) of batch norm, the staged graph."""
    return batchnorm_backward_alt(dout, _bn_cache(cache))


def _softmax_loss(x, y):
    """The softmax loss and its dx; y, sent as numbers, back to class indices."""
    y = np.asarray(y)
    if y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    return softmax_loss(x, y)


def _dropout_forward_drop(x, dropout_param):
    """Inverted dropout with p the probability of dropping a unit (CS231n 2016-17): the
    grader's dropout keeping a unit with probability 1 − p."""
    param = dict(dropout_param)
    param["p"] = 1 - param["p"]
    return dropout_forward(x, param)


def _affine_relu_forward(x, w, b):
    """The course's layer_utils: an affine then a ReLU; cache (fc_cache, relu_cache)."""
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def _affine_relu_backward(dout, cache):
    """(dx, dw, db) through the ReLU then the affine."""
    fc_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), fc_cache)


HELPERS = {"rnn_step_forward": rnn_step_forward, "rnn_step_backward": rnn_step_backward,
           "lstm_step_forward": lstm_step_forward, "lstm_step_backward": lstm_step_backward,
           "affine_forward": affine_forward, "affine_backward": affine_backward,
           "relu_forward": relu_forward, "relu_backward": relu_backward,
           "softmax_loss": _softmax_loss, "batchnorm_forward": batchnorm_forward,
           "batchnorm_backward": _batchnorm_backward,
           "batchnorm_backward_alt": _batchnorm_backward_alt,
           "layernorm_forward": layernorm_forward, "layernorm_backward": layernorm_backward,
           "dropout_forward": dropout_forward, "dropout_forward_drop": _dropout_forward_drop,
           "dropout_backward": dropout_backward,
           "affine_relu_forward": _affine_relu_forward,
           "affine_relu_backward": _affine_relu_backward}
