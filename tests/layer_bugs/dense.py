"""Planted bugs of the dense family (see tests/layer_bugs/__init__.py): CS231n-style
implementations with one classic mistake each, written as a student writes them, and
right answers written another way (harmless), which must pass."""

import numpy as np

from manual.layers.dense import (
    affine_backward,
    affine_forward,
    l2_loss,
    relu_forward,
    softmax_loss,
    svm_loss,
)

from . import Planted


def affine_backward_db_mean(dout, cache):
    dx, dw, _ = affine_backward(dout, cache)
    return dx, dw, np.mean(dout, axis=0)


def affine_backward_dw_mean(dout, cache):
    dx, dw, db = affine_backward(dout, cache)
    return dx, dw / dout.shape[0], db


def affine_backward_dw_transposed(dout, cache):
    x, w, _ = cache
    dx, _, db = affine_backward(dout, cache)
    return dx, dout.T @ x.reshape(x.shape[0], -1), db


def affine_backward_dx_flat(dout, cache):
    _, w, _ = cache
    _, dw, db = affine_backward(dout, cache)
    return dout @ w.T, dw, db


def affine_forward_reshape_prod(x, w, b):
    """Harmless: reshape with an explicit product, cache the reshaped x and x's shape."""
    x2 = x.reshape(x.shape[0], int(np.prod(x.shape[1:])))
    return x2.dot(w) + b, (x2, w, x.shape)


def affine_backward_reshape_prod(dout, cache):
    x2, w, shape = cache
    return dout.dot(w.T).reshape(shape), x2.T.dot(dout), np.sum(dout, axis=0)


def relu_backward_no_mask(dout, cache):
    return dout


def relu_forward_inplace(x):
    """Harmless: overwrites its own x (a copy) and caches the output."""
    x[x < 0] = 0
    return x, x


def relu_backward_inplace(dout, cache):
    """Harmless: writes into dout (the engine's copy)."""
    dout[cache <= 0] = 0
    return dout


def flatten_forward(x):
    return x.reshape(x.shape[0], -1), x.shape


def flatten_backward_flat(dout, cache):
    return dout


def softmax_loss_no_mean(x, y):
    loss, dx = softmax_loss(x, y)
    return loss, dx * x.shape[0]


def softmax_loss_no_onehot(x, y):
    p = np.exp(x - x.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(y)), y])), p / len(y)


def softmax_loss_summed(x, y):
    loss, dx = softmax_loss(x, y)
    return loss * x.shape[0], dx


def softmax_loss_logsumexp(x, y):
    """Harmless: log-sum-exp through np.logaddexp.reduce, one-hot by np.eye."""
    lse = np.logaddexp.reduce(x, axis=1)
    onehot = np.eye(x.shape[1])[y]
    return np.mean(lse - x[np.arange(len(y)), y]), (np.exp(x - lse[:, None]) - onehot) / len(y)


def svm_loss_counts_correct(x, y):
    rows = np.arange(x.shape[0])
    margins = np.maximum(0, x - x[rows, y][:, None] + 1)  # margins[y] = 1 kept
    positive = (margins > 0).astype(x.dtype)
    positive[rows, y] = -positive.sum(axis=1)
    return margins.sum() / x.shape[0], positive / x.shape[0]


def svm_loss_no_mean_dx(x, y):
    loss, dx = svm_loss(x, y)
    return loss, dx * x.shape[0]


def svm_loss_loop(x, y):
    """Harmless: CS231n's naive loops."""
    dx, loss = np.zeros_like(x), 0.0
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            margin = x[i, j] - x[i, y[i]] + 1
            if j != y[i] and margin > 0:
                loss += margin
                dx[i, j] += 1
                dx[i, y[i]] -= 1
    return loss / x.shape[0], dx / x.shape[0]


def l2_no_lambda_m(w, l2_param):
    penalty, _ = l2_loss(w, l2_param)
    return penalty, w


def l2_no_m(w, l2_param):
    return 0.5 * l2_param["reg"] * np.sum(w * w), l2_param["reg"] * w


def l2_no_half(w, l2_param):
    reg, m = l2_param["reg"], l2_param.get("m", 1)
    return reg / m * np.sum(w ** 2), reg / m * w


PLANTED = [
    Planted("affine-db-mean", "affine", affine_forward, affine_backward_db_mean, "db averaged"),
    Planted("affine-dw-mean", "affine", affine_forward, affine_backward_dw_mean, "dw averaged"),
    Planted("affine-dw-transposed", "affine", affine_forward, affine_backward_dw_transposed,
            "dw transposed"),
    Planted("affine-dx-not-reshaped", "affine", affine_forward, affine_backward_dx_flat,
            "not reshaped back"),
    Planted("affine-reshape-prod", "affine", affine_forward_reshape_prod,
            affine_backward_reshape_prod, None),
    Planted("relu-no-mask", "relu", relu_forward, relu_backward_no_mask, "mask [x > 0]"),
    Planted("relu-inplace", "relu", relu_forward_inplace, relu_backward_inplace, None),
    Planted("flatten-dx-flat", "flatten", flatten_forward, flatten_backward_flat,
            "not reshaped back"),
    Planted("softmax-no-mean", "softmax_loss", softmax_loss_no_mean, None, "without the 1/N"),
    Planted("softmax-no-onehot", "softmax_loss", softmax_loss_no_onehot, None,
            "one-hot of y is not subtracted"),
    Planted("softmax-loss-summed", "softmax_loss", softmax_loss_summed, None,
            "loss summed over the batch"),
    Planted("softmax-logsumexp", "softmax_loss", softmax_loss_logsumexp, None, None),
    Planted("svm-counts-correct-class", "svm_loss", svm_loss_counts_correct, None,
            "correct class's own margin counted"),
    Planted("svm-no-mean-dx", "svm_loss", svm_loss_no_mean_dx, None, "without the 1/N"),
    Planted("svm-loops", "svm_loss", svm_loss_loop, None, None),
    Planted("l2-no-lambda-m", "l2", l2_no_lambda_m, None, "factor λ/m is missing"),
    Planted("l2-no-m", "l2", l2_no_m, None, "1/m is missing"),
    Planted("l2-no-half", "l2", l2_no_half, None, "without the ½"),
]
