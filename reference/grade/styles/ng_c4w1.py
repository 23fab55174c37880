"""Ng's course 4 week 1, "Convolutional Model: step by step": the channels-last
convolution, graded as a layer style (`layer_style`) against the registry's
`conv_channels_last` twin.

    conv_forward      Z[i, h, w, c] = Σ a_slice_prev ⊙ W[..., c] + b[..., c], over the
                      windows of the zero-padded A_prev taken every `stride` pixels
    conv_backward     dA_prev, dW, db from dZ, on the cache the student's own
                      conv_forward returned

The cases go beyond the notebook's settings (padding 0, strides 2 and 3, non-square
images and kernels, a batch of 1, a remainder in the output size). The course leaves
conv_backward ungraded; here it is graded on the student's own cache.
"""

from __future__ import annotations

from ..base import Style
from .layer_style import LayerFunction, layer_functions

__all__ = ["STYLE", "LAYERS"]

# the notebook unpacks W as (f, f, n_C_prev, n_C): its kernels are square
SQUARE = ("rect-kernel",)

LAYERS = (LayerFunction("conv_channels_last", "conv_forward", "conv_backward",
                        excluded=SQUARE),)

STYLE = Style("ng-c4w1", "rows", layer_functions(LAYERS))
