"""The dense family: affine, relu, flatten, the class losses (softmax, SVM) and the
L2 penalty, in CS231n's convention (rows: x is (N, D), w is (D, M)).

Affine is the four equations' layer: its backward is BP2's Wᵀδ (dx = dout wᵀ, in
rows), BP3 (db = Σₙ dout) and BP4 (dw = xᵀ dout); relu is BP2's ⊙ σ'(z) on its
own. The losses return the loss and the gradient of the scores at once (BP1).
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from .base import register_layer

__all__ = ["affine_forward", "affine_backward", "relu_forward", "relu_backward",
           "flatten_forward", "flatten_backward", "softmax_loss", "svm_loss", "l2_loss"]


def _rows(x, what: str) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim < 2 or x.shape[0] < 1:
        raise InputError(f"{what}: x must have a batch axis and at least one more, shape "
                         f"(N, d1, ...), got shape {x.shape}")
    return x


def affine_forward(x, w, b):
    """out = x w + b with x reshaped to (N, D), D = d1·…·dk (z = a W + b, rows layout).
    The cache is (x, w, b)."""
    x = _rows(x, "affine_forward")
    w, b = np.asarray(w), np.asarray(b)
    D = int(np.prod(x.shape[1:]))
    if w.ndim != 2 or w.shape[0] != D or b.shape != (w.shape[1],):
        raise InputError(f"affine_forward: x {x.shape} (D = {D}) needs w of shape (D, M) and b "
                         f"of shape (M,), got w {w.shape}, b {b.shape}")
    return x.reshape(x.shape[0], D) @ w + b, (x, w, b)


def affine_backward(dout, cache):
    """dx = dout wᵀ (BP2 before its ⊙ σ'), back in x's shape; dw = xᵀ dout (BP4,
    summed over the batch); db = Σₙ dout (BP3)."""
    x, w, _ = cache
    x2 = x.reshape(x.shape[0], -1)
    return (dout @ w.T).reshape(x.shape), x2.T @ dout, dout.sum(axis=0)


def relu_forward(x):
    """out = max(0, x); the cache is x."""
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    """dx = dout ⊙ σ'(x), σ'(x) = [x > 0] (BP2's ⊙ σ'(z) on its own)."""
    return dout * (cache > 0)


def flatten_forward(x):
    """out = x reshaped to (N, D); the cache is x's shape."""
    x = _rows(x, "flatten_forward")
    return x.reshape(x.shape[0], -1), x.shape


def flatten_backward(dout, cache):
    """dx = dout reshaped back to x's shape (a reshape's Jacobian is a permutation: I)."""
    return np.reshape(dout, cache)


def _labels(x, y, what: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
        raise InputError(f"{what}: scores x must be (N, C), got shape {x.shape}")
    if y.shape != (x.shape[0],) or y.dtype.kind not in "iu":
        raise InputError(f"{what}: y must be N = {x.shape[0]} integer class indices, got "
                         f"{y.dtype} of shape {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= x.shape[1]):
        raise InputError(f"{what}: class index out of range [0, {x.shape[1]}): "
                         f"{int(y.min())}..{int(y.max())}")
    return x, y


def softmax_loss(x, y):
    """loss = −(1/N) Σₙ log softmax(xₙ)[yₙ]; dx = (softmax(x) − onehot(y)) / N
    (BP1 for softmax with cross-entropy, averaged over the batch)."""
    x, y = _labels(x, y, "softmax_loss")
    N = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].mean()
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1
    return loss, dx / N


def svm_loss(x, y):
    """loss = (1/N) Σₙ Σ_{j≠yₙ} max(0, xₙⱼ − xₙ,yₙ + 1); dx = [margin > 0] for the
    other classes and −(their count) for the correct one, over N."""
    x, y = _labels(x, y, "svm_loss")
    N, rows = x.shape[0], np.arange(x.shape[0])
    margins = np.maximum(0, x - x[rows, y][:, None] + 1)
    margins[rows, y] = 0
    positive = (margins > 0).astype(x.dtype)
    positive[rows, y] = -positive.sum(axis=1)
    return margins.sum() / N, positive / N


def l2_loss(w, l2_param):
    """penalty = λ/(2m) ‖w‖², dw = λ/m · w, with λ = l2_param['reg'] and m =
    l2_param.get('m', 1) (CS231n's 0.5·reg·Σw² is m = 1; Nielsen's and Ng's course
    use the batch size m)."""
    reg, m = _l2_param(l2_param)
    w = np.asarray(w)
    return reg / (2 * m) * np.sum(w * w), (reg / m) * w


def _l2_param(l2_param) -> tuple[float, float]:
    if not isinstance(l2_param, dict) or "reg" not in l2_param:
        raise InputError(f"l2_loss: l2_param must be a dict with 'reg' (and optionally 'm'), "
                         f"got {l2_param!r}")
    reg, m = l2_param["reg"], l2_param.get("m", 1)
    if not np.isfinite(reg) or reg < 0:
        raise InputError(f"l2_loss: l2_param['reg'] must be a finite number >= 0, got {reg!r}")
    if not np.isfinite(m) or m <= 0:
        raise InputError(f"l2_loss: l2_param['m'] must be a positive number, got {m!r}")
    return float(reg), float(m)


_SCORES = {"x": ("example", "class")}

register_layer("affine", affine_forward, affine_backward, arrays=("x", "w", "b"),
               grads=("dx", "dw", "db"),
               axes={"x": ("example", "feature"), "w": ("input feature", "output unit"),
                     "b": ("output unit",), "out": ("example", "output unit")})
register_layer("relu", relu_forward, relu_backward, arrays=("x",),
               axes={"x": ("example", "feature")})
register_layer("flatten", flatten_forward, flatten_backward, arrays=("x",),
               axes={"x": ("example", "axis 1", "axis 2", "axis 3", "axis 4"),
                     "out": ("example", "feature")})
register_layer("softmax_loss", softmax_loss, None, arrays=("x", "y"), outputs=("loss",),
               axes=_SCORES, loss=True)
register_layer("svm_loss", svm_loss, None, arrays=("x", "y"), outputs=("loss",),
               axes=_SCORES, loss=True)
register_layer("l2", l2_loss, None, arrays=("w",), config="l2_param", outputs=("loss",),
               grads=("dw",), loss=True)
