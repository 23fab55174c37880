"""Planted bugs of the norm family (see tests/layer_bugs/__init__.py).

Written as a student writes CS231n's assignment 2, independently of `manual.layers.norm`
(other cache layouts, the staged graph), each with one classic mistake switched on by a
keyword; the `diagnosis=None` entries are right answers written another way and must pass.
"""

from __future__ import annotations

import functools

import numpy as np

from . import Planted

# ------------------------------------------------------------------------ group norm


def gn_forward(x, gamma, beta, G, gn_param, *, per_channel=False):
    """CS231n's spatial_groupnorm_forward, staged: cache (x_hat, gamma, std, G, shape)."""
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    parts = x.reshape(N * C, -1) if per_channel else x.reshape(N * G, -1)
    mu = parts.mean(axis=1, keepdims=True)
    std = np.sqrt(parts.var(axis=1, keepdims=True) + eps)
    x_hat = ((parts - mu) / std).reshape(N, C, H, W)
    return gamma * x_hat + beta, (x_hat, gamma, std, G, (N, C, H, W))


def gn_backward(dout, cache, *, terms=True, dgamma_pixels=True):
    """Its backward through the staged graph, one group a row."""
    x_hat, gamma, std, G, (N, C, H, W) = cache
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3) if dgamma_pixels else 0, keepdims=True)
    rows = std.shape[0]                   # N·G groups (N·C for the per-channel bug)
    dx_hat = (dout * gamma).reshape(rows, -1)
    if not terms:
        return (dx_hat / std).reshape(N, C, H, W), dgamma, dbeta
    xh = x_hat.reshape(rows, -1)
    M = xh.shape[1]
    dx = (M * dx_hat - dx_hat.sum(axis=1, keepdims=True)
          - xh * (dx_hat * xh).sum(axis=1, keepdims=True)) / (M * std)
    return dx.reshape(N, C, H, W), dgamma, dbeta


# ------------------------------------------------------------------------ batch norm


def bn_forward(x, gamma, beta, bn_param, *, swapped=False, unbiased=False,
               test_batch_stats=False, store=True):
    """CS231n's batchnorm_forward; cache (x, mu, var, gamma, eps, train)."""
    mode = bn_param["mode"]
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    if mode == "train" or test_batch_stats:
        mu, var = x.mean(axis=0), x.var(axis=0)
    else:
        mu, var = running_mean, running_var
    if mode == "train":
        a, b = (1 - momentum, momentum) if swapped else (momentum, 1 - momentum)
        running_mean = a * running_mean + b * mu
        # torch's rule, N/(N − 1)·σ² (guarded at N = 1, where it is undefined)
        running_var = a * running_var + b * (var * N / max(N - 1, 1) if unbiased else var)
    if store:
        bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    return out, (x, mu, var, gamma, eps, mode == "train")


def bn_backward(dout, cache, *, terms="both", dgamma_xhat=True, dbeta_sum=True):
    """The compact closed form; `terms` drops the part through the mean ('var') or the
    variance ('mean') or both ('none')."""
    x, mu, var, gamma, eps, train = cache
    N = x.shape[0]
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    dbeta = dout.sum(axis=0) if dbeta_sum else dout.mean(axis=0)
    dgamma = (dout * xhat).sum(axis=0) if dgamma_xhat else dout.sum(axis=0)
    dx = dout.copy()
    if train and terms in ("both", "mean"):
        dx -= dout.sum(axis=0) / N
    if train and terms in ("both", "var"):
        dx -= xhat * (dout * xhat).sum(axis=0) / N
    return dx * gamma / std, dgamma, dbeta


def bn_backward_staged(dout, cache):
    """The staged computational graph (Kratzert's), one node per line."""
    x, mu, var, gamma, eps, train = cache
    N = x.shape[0]
    xmu = x - mu
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    dbeta, dgamma = np.sum(dout, axis=0), np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    if not train:
        return dxhat * ivar, dgamma, dbeta
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / (sqrtvar ** 2) * divar
    dvar = 0.5 * 1.0 / np.sqrt(var + eps) * dsqrtvar
    dsq = 1.0 / N * np.ones_like(x) * dvar
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -1 * np.sum(dxmu1 + dxmu2, axis=0)
    dx2 = 1.0 / N * np.ones_like(x) * dmu
    return dx1 + dx2, dgamma, dbeta


def bn_forward_dict_cache(x, gamma, beta, bn_param):
    """Another valid cache: a dict of x̂, 1/σ and γ (no x, no μ)."""
    out, (x, mu, var, gamma, eps, train) = bn_forward(x, gamma, beta, bn_param)
    inv = 1.0 / np.sqrt(var + eps)
    return out, {"xhat": (x - mu) * inv, "inv": inv, "gamma": gamma, "train": train}


def bn_backward_dict_cache(dout, cache):
    xhat, inv, gamma = cache["xhat"], cache["inv"], cache["gamma"]
    dbeta, dgamma = dout.sum(axis=0), (dout * xhat).sum(axis=0)
    if not cache["train"]:
        return dout * gamma * inv, dgamma, dbeta
    N = dout.shape[0]
    return gamma * inv / N * (N * dout - dbeta - xhat * dgamma), dgamma, dbeta


def bn_forward_no_test_cache(x, gamma, beta, bn_param):
    """CS231n's skeleton as most solutions leave it: cache = None in test mode."""
    out, cache = bn_forward(x, gamma, beta, bn_param)
    return out, (cache if bn_param["mode"] == "train" else None)


# ----------------------------------------------------------------- spatial batch norm


def _channels_last(x):
    N, C, H, W = x.shape
    return x.transpose(0, 2, 3, 1).reshape(-1, C)


def _channels_first(y, shape):
    N, C, H, W = shape
    return y.reshape(N, H, W, C).transpose(0, 3, 1, 2)


def sbn_forward(x, gamma, beta, bn_param, *, forward=bn_forward):
    """CS231n's hint: move the channels last, (N·H·W, C), and reuse the 1-D batch norm."""
    out, cache = forward(_channels_last(x), gamma, beta, bn_param)
    return _channels_first(out, x.shape), (cache, x.shape)


def sbn_backward(dout, cache, *, backward=bn_backward):
    inner, shape = cache
    dx, dgamma, dbeta = backward(_channels_last(dout), inner)
    return _channels_first(dx, shape), dgamma, dbeta


def sbn_forward_unmoved(x, gamma, beta, bn_param):
    """x.reshape(-1, C) with the channels still at axis 1."""
    N, C, H, W = x.shape
    out, cache = bn_forward(x.reshape(-1, C), gamma, beta, bn_param)
    return out.reshape(x.shape), (cache, x.shape)


def sbn_backward_unmoved(dout, cache):
    inner, shape = cache
    dx, dgamma, dbeta = bn_backward(dout.reshape(-1, shape[1]), inner)
    return dx.reshape(shape), dgamma, dbeta


def sbn_forward_per_pixel(x, gamma, beta, bn_param):
    """Statistics over the batch axis alone: one μ, σ² per channel and pixel."""
    N, C, H, W = x.shape
    flat = x.reshape(N, -1)
    g, b = np.repeat(gamma, H * W), np.repeat(beta, H * W)
    stats = {k: np.repeat(v, H * W) for k, v in bn_param.items() if k.startswith("running")}
    inner = dict(bn_param, **stats)
    out, cache = bn_forward(flat, g, b, inner)
    for key in ("running_mean", "running_var"):
        bn_param[key] = inner[key].reshape(C, H * W).mean(axis=1)
    return out.reshape(x.shape), (cache, x.shape)


def sbn_backward_per_pixel(dout, cache):
    inner, (N, C, H, W) = cache
    dx, dgamma, dbeta = bn_backward(dout.reshape(N, -1), inner)
    return dx.reshape(N, C, H, W), dgamma.reshape(C, -1).sum(1), dbeta.reshape(C, -1).sum(1)


# ------------------------------------------------------------------------ layer norm


def ln_forward(x, gamma, beta, ln_param, *, axis=1):
    """Statistics per example (axis 1); axis=0 is batch norm's by mistake."""
    eps = ln_param.get("eps", 1e-5)
    mu, var = x.mean(axis=axis, keepdims=True), x.var(axis=axis, keepdims=True)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, np.sqrt(var + eps), axis)


def ln_backward(dout, cache, *, terms=True, dgamma_xhat=True, dbeta_sum=True):
    xhat, gamma, std, axis = cache
    dbeta = dout.sum(axis=0) if dbeta_sum else dout.mean(axis=0)
    dgamma = (dout * xhat).sum(axis=0) if dgamma_xhat else dout.sum(axis=0)
    dxhat = dout * gamma
    if not terms:
        return dxhat / std, dgamma, dbeta
    dx = (dxhat - dxhat.mean(axis=axis, keepdims=True)
          - xhat * (dxhat * xhat).mean(axis=axis, keepdims=True)) / std
    return dx, dgamma, dbeta


def ln_forward_transposed(x, gamma, beta, ln_param):
    """CS231n's hint: layer norm is batch norm's train mode on x.T, then γ and β."""
    out, cache = bn_forward(x.T, np.ones(x.shape[0]), np.zeros(x.shape[0]),
                            {"mode": "train", "eps": ln_param.get("eps", 1e-5)})
    return out.T * gamma + beta, (cache, out.T, gamma)


def ln_backward_transposed(dout, cache):
    inner, xhat, gamma = cache
    dxT, _, _ = bn_backward((dout * gamma).T, inner)
    return dxT.T, (dout * xhat).sum(axis=0), dout.sum(axis=0)


# --------------------------------------------------------------------------- dropout


def dropout_forward(x, dropout_param, *, scale="p", own_mask=False, test_scale=False):
    """CS231n's inverted dropout; `own_mask` ignores the given mask and draws as the
    assignment does (np.random.seed(seed) when a seed is given)."""
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode == "test":
        return (x * p if test_scale else x), (dropout_param, None)
    if dropout_param.get("mask") is not None and not own_mask:
        mask = dropout_param["mask"]
    else:
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        mask = np.random.rand(*x.shape) < p
    factor = {"p": 1 / p, "1-p": 1 / (1 - p) if p < 1 else 1.0, "none": 1.0}[scale]
    return x * mask * factor, (dropout_param, mask * factor)


def dropout_backward(dout, cache, *, use_mask=True, use_scale=True):
    dropout_param, scaled_mask = cache
    if dropout_param["mode"] == "test":
        return dout
    p = dropout_param["p"]
    if not use_mask:
        return dout / p
    return dout * scaled_mask if use_scale else dout * (scaled_mask != 0)


def _p(fn, **kw):
    return functools.partial(fn, **kw)


PLANTED: list[Planted] = [
    # batch norm: harmless variants
    Planted("batchnorm-compact", "batchnorm", bn_forward, bn_backward, None),
    Planted("batchnorm-staged-graph", "batchnorm", bn_forward, bn_backward_staged, None),
    Planted("batchnorm-dict-cache", "batchnorm", bn_forward_dict_cache,
            bn_backward_dict_cache, None),
    Planted("batchnorm-no-test-mode-cache", "batchnorm", bn_forward_no_test_cache,
            bn_backward, None),
    # batch norm: classic mistakes
    Planted("batchnorm-no-mean-variance-terms", "batchnorm", bn_forward,
            _p(bn_backward, terms="none"), "without the terms through the batch mean"),
    Planted("batchnorm-variance-term-only", "batchnorm", bn_forward,
            _p(bn_backward, terms="var"), "through the variance only"),
    Planted("batchnorm-mean-term-only", "batchnorm", bn_forward,
            _p(bn_backward, terms="mean"), "through the mean only"),
    Planted("batchnorm-dgamma-without-xhat", "batchnorm", bn_forward,
            _p(bn_backward, dgamma_xhat=False), "dgamma without x̂"),
    Planted("batchnorm-dbeta-averaged", "batchnorm", bn_forward,
            _p(bn_backward, dbeta_sum=False), "dbeta averaged"),
    Planted("batchnorm-momentum-swapped", "batchnorm", _p(bn_forward, swapped=True),
            bn_backward, "momentum swapped"),
    Planted("batchnorm-unbiased-running-var", "batchnorm", _p(bn_forward, unbiased=True),
            bn_backward, "unbiased batch variance"),
    Planted("batchnorm-running-not-stored", "batchnorm", _p(bn_forward, store=False),
            bn_backward, "not stored back into bn_param"),
    Planted("batchnorm-test-batch-stats", "batchnorm", _p(bn_forward, test_batch_stats=True),
            bn_backward, "test mode normalized with the batch statistics"),
    # spatial batch norm
    Planted("spatial_batchnorm-channels-last", "spatial_batchnorm", sbn_forward,
            sbn_backward, None),
    Planted("spatial_batchnorm-staged-graph", "spatial_batchnorm", sbn_forward,
            _p(sbn_backward, backward=bn_backward_staged), None),
    Planted("spatial_batchnorm-per-pixel", "spatial_batchnorm", sbn_forward_per_pixel,
            sbn_backward_per_pixel, "per-pixel statistics"),
    Planted("spatial_batchnorm-unmoved-reshape", "spatial_batchnorm", sbn_forward_unmoved,
            sbn_backward_unmoved, "without moving the channel axis last"),
    Planted("spatial_batchnorm-no-mean-variance-terms", "spatial_batchnorm", sbn_forward,
            _p(sbn_backward, backward=_p(bn_backward, terms="none")),
            "without the terms through the batch mean"),
    Planted("spatial_batchnorm-momentum-swapped", "spatial_batchnorm",
            _p(sbn_forward, forward=_p(bn_forward, swapped=True)), sbn_backward,
            "momentum swapped"),
    # layer norm
    Planted("layernorm-rows", "layernorm", ln_forward, ln_backward, None),
    Planted("layernorm-batchnorm-on-transpose", "layernorm", ln_forward_transposed,
            ln_backward_transposed, None),
    Planted("layernorm-over-batch-axis", "layernorm", _p(ln_forward, axis=0), ln_backward,
            "normalized over the batch axis"),
    Planted("layernorm-no-mean-variance-terms", "layernorm", ln_forward,
            _p(ln_backward, terms=False), "without the terms through the example's mean"),
    Planted("layernorm-dgamma-without-xhat", "layernorm", ln_forward,
            _p(ln_backward, dgamma_xhat=False), "dgamma without x̂"),
    Planted("layernorm-dbeta-averaged", "layernorm", ln_forward,
            _p(ln_backward, dbeta_sum=False), "dbeta averaged"),
    # group norm
    Planted("groupnorm-staged", "spatial_groupnorm", gn_forward, gn_backward, None),
    Planted("groupnorm-per-channel", "spatial_groupnorm", _p(gn_forward, per_channel=True),
            gn_backward, "per channel (instance norm)"),
    Planted("groupnorm-no-mean-variance-terms", "spatial_groupnorm", gn_forward,
            _p(gn_backward, terms=False), "without the terms through the group's mean"),
    Planted("groupnorm-dgamma-not-over-pixels", "spatial_groupnorm", gn_forward,
            _p(gn_backward, dgamma_pixels=False), "dgamma not summed over the pixels"),
    # dropout
    Planted("dropout-given-mask", "dropout", dropout_forward, dropout_backward, None),
    Planted("dropout-own-random-mask", "dropout", _p(dropout_forward, own_mask=True),
            dropout_backward, None),
    Planted("dropout-backward-without-mask", "dropout", dropout_forward,
            _p(dropout_backward, use_mask=False), "without the mask"),
    Planted("dropout-backward-without-1/p", "dropout", dropout_forward,
            _p(dropout_backward, use_scale=False), "backward without the 1/p"),
    Planted("dropout-drop-probability", "dropout", _p(dropout_forward, scale="1-p"),
            dropout_backward, "scaled by 1/(1 − p)"),
    Planted("dropout-forward-without-1/p", "dropout", _p(dropout_forward, scale="none"),
            dropout_backward, "forward without the 1/p"),
    Planted("dropout-test-scaled-by-p", "dropout", _p(dropout_forward, test_scale=True),
            dropout_backward, "test mode scaled by p"),
]
