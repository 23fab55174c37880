"""CS231n assignment 2, `cs231n/layers.py`: the layers, forward and backward, each
graded on its own against its torch twin (a layer style, `layer_style`).

    affine, relu                  out = x w + b (x flattened per example), max(0, x)
    softmax_loss, svm_loss        the loss and its dx, averaged over the batch
    batchnorm (+ backward_alt)    train mode with the running averages, and test mode
    layernorm                     per example over its features
    dropout                       inverted; p keeps a unit (2018 on), or drops it where the
                                  student's docstring says so (the 2017 skeleton)
    conv_*_naive, max_pool_*      padding 0, strides 1 to 3, overlapping windows
    spatial_batchnorm             per channel over the batch and the pixels
    spatial_groupnorm             per example and group of C/G channels (where present)

The cases go beyond the notebook's settings (the samplers' edge cases: a batch of 1,
test mode, p ≠ 0.5, padding 0, stride above 1, non-square images and pools, ties).
A backward runs on the cache the student's own forward returns; spatial batch norm
calls the student's own batchnorm functions, as the course's does.

`classifiers/fc_net.py`'s `FullyConnectedNet.loss` (and `TwoLayerNet.loss` where the
file has it) is graded against torch autograd of the same net (`cs231n_net`): L2 over
every layer's weights, dropout, batch or layer norm, in each course version's
constructor convention, the layers it calls replaced by the grader's in a second run.
"""

from __future__ import annotations

from ..base import Style
from ..books.cs231n import BOOK_A2
from . import cs231n_optim
from .cs231n_net import NETS
from .layer_style import LayerFunction, layer_functions

__all__ = ["STYLE", "LAYERS"]


def _pair(layer: str, suffix: str = "", **kw) -> LayerFunction:
    return LayerFunction(layer, f"{layer}_forward{suffix}", f"{layer}_backward{suffix}", **kw)


# the 2017 skeleton's docstring: p is the probability of dropping a unit (keeping it since
# 2018); a student's file in that convention is given 1 − p, and is right as it ran then
DROP_PROBABILITY = (("p", r"\bdrop\w* each neuron(?: output)? with probability p\b",
                     "complement"),)


LAYERS = (
    _pair("affine"), _pair("relu"),
    LayerFunction("softmax_loss", "softmax_loss", None),
    LayerFunction("svm_loss", "svm_loss", None),
    _pair("batchnorm"),
    LayerFunction("batchnorm", "batchnorm_forward", "batchnorm_backward_alt",
                  grade_forward=False),
    _pair("layernorm"), _pair("dropout", conventions=DROP_PROBABILITY),
    LayerFunction("conv", "conv_forward_naive", "conv_backward_naive"),
    _pair("max_pool", "_naive"),
    _pair("spatial_batchnorm"),
    # the notebooks from 2019 on: graded where the file defines it, else supplied
    _pair("spatial_groupnorm", optional=True),
)

STYLE = Style("cs231n-a2", "rows", layer_functions(LAYERS, book=BOOK_A2) + NETS)
STYLE.functions += cs231n_optim.FUNCTIONS     # cs231n/optim.py: sgd_momentum, rmsprop, adam
