"""The correct pieces of Saito's chapter 7 on the parent's side only (answered to the
student's process through `kit.answer`): `common/util.py`'s im2col and col2im, and the
layers of `SimpleConvNet` (Convolution, Pooling, Relu, Affine on 4-D input,
SoftmaxWithLoss), answered method by method.

NCHW throughout: x (N, C, H, W), W (FN, C, FH, FW), b (FN,). im2col's rows are the
windows, example-major then output row and column; its columns the window's entries,
channel-major then kernel row and column (so that W.reshape(FN, -1) multiplies them).
col2im is im2col's adjoint (Jᵀ of the gather: each entry of a window is added back to
its pixel, overlaps accumulating), which is what the convolution's dx needs.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..books.saito_ch67 import BOOK_CH7
from ..kit import cross_entropy_error, softmax
from .saito_kit import Relu, SoftmaxWithLoss, layer_methods

__all__ = ["im2col", "col2im", "Convolution", "Pooling", "Affine", "LAYERS", "HELPERS",
           "out_size"]


def out_size(size: int, kernel: int, stride: int, pad: int) -> int:
    """The book's output size, floored: (H + 2·pad − FH) // stride + 1."""
    return (int(size) + 2 * int(pad) - int(kernel)) // int(stride) + 1


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """(N·OH·OW, C·FH·FW): row (n, oy, ox) holds the padded window at (oy·s, ox·s)."""
    x = np.asarray(input_data, dtype=float)
    N, C, H, W = x.shape
    oh, ow = out_size(H, filter_h, stride, pad), out_size(W, filter_w, stride, pad)
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    win = sliding_window_view(img, (filter_h, filter_w), axis=(2, 3))[:, :, ::stride, ::stride]
    win = win[:, :, :oh, :ow]                                   # (N, C, OH, OW, FH, FW)
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(N * oh * ow, -1)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """im2col's adjoint: each window's entries added back to their pixels (overlapping
    windows accumulate), the padding cropped."""
    N, C, H, W = (int(n) for n in input_shape)
    oh, ow = out_size(H, filter_h, stride, pad), out_size(W, filter_w, stride, pad)
    col = np.asarray(col, dtype=float).reshape(N, oh, ow, C, filter_h, filter_w)
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for y in range(filter_h):
        for x in range(filter_w):
            img[:, :, y:y + stride * oh:stride, x:x + stride * ow:stride] += \
                col[:, :, :, :, y, x].transpose(0, 3, 1, 2)
    return img[:, :, pad:H + pad, pad:W + pad]


def _defaults(layer) -> None:
    """The constructor's defaults (stride 1, pad 0) for what the student's call left out
    (`Pooling(pool_h=2, pool_w=2, stride=2)`: the proxy holds None for pad)."""
    layer.stride = 1 if layer.stride is None else int(layer.stride)
    layer.pad = 0 if layer.pad is None else int(layer.pad)


class Convolution:
    def forward(self, x):
        _defaults(self)
        FN, C, FH, FW = self.W.shape
        N, _, H, W = x.shape
        oh, ow = out_size(H, FH, self.stride, self.pad), out_size(W, FW, self.stride, self.pad)
        self.x = x
        self.col = im2col(x, FH, FW, self.stride, self.pad)
        self.col_W = self.W.reshape(FN, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(N, oh, ow, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        _defaults(self)
        FN, C, FH, FW = self.W.shape
        dout = np.asarray(dout).transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = dout.sum(axis=0)                              # BP3: over examples and pixels
        self.dW = (self.col.T @ dout).T.reshape(FN, C, FH, FW)  # BP4
        dcol = dout @ self.col_W.T                              # Wᵀ δ of BP2, per window
        return col2im(dcol, np.shape(self.x), FH, FW, self.stride, self.pad)


class Pooling:
    def forward(self, x):
        _defaults(self)
        N, C, H, W = x.shape
        oh = out_size(H, self.pool_h, self.stride, self.pad)
        ow = out_size(W, self.pool_w, self.stride, self.pad)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        self.x, self.arg_max = x, np.argmax(col, axis=1)
        return np.max(col, axis=1).reshape(N, oh, ow, C).transpose(0, 3, 1, 2)

    def backward(self, dout):
        _defaults(self)
        dout = np.asarray(dout).transpose(0, 2, 3, 1)
        size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, size))
        dmax[np.arange(np.size(self.arg_max)), np.ravel(self.arg_max)] = dout.ravel()
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, np.shape(self.x), self.pool_h, self.pool_w, self.stride, self.pad)


class Affine:
    """The book's Affine of common/layers.py: a tensor input flattened per example."""

    def forward(self, x):
        self.original_x_shape = tuple(np.shape(x))
        self.x = np.asarray(x).reshape(np.shape(x)[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = np.sum(dout, axis=0)
        return (dout @ self.W.T).reshape(self.original_x_shape)


LAYERS = {cls.__name__: cls for cls in (Convolution, Pooling, Relu, Affine, SoftmaxWithLoss)}


LAYER_METHODS = layer_methods(LAYERS, BOOK_CH7.layers)
# answered as "saito7.<name>" (`kit.helpers`)
HELPERS = {"im2col": im2col, "col2im": col2im, "softmax": softmax,
           "cross_entropy_error": cross_entropy_error, **LAYER_METHODS}
