"""Batch norm's twins (the 1-D and the spatial form): F.batch_norm and CS231n's running
averages by hand (see the package docstring), the samplers and the mistakes."""

from __future__ import annotations

import numpy as np

from ..base import F, register_twin, torch

__all__ = ["EPS", "MOMENTUM", "averaged_dbeta", "spread"]

EPS, MOMENTUM = 1e-5, 0.9     # CS231n's defaults of bn_param / ln_param


# ---------------------------------------------------------------- batch norm: the twins

def _running(config: dict, width: int):
    return [torch.as_tensor(np.asarray(config[k], dtype=np.float64)) if config.get(k) is
            not None else torch.zeros(width, dtype=torch.float64)
            for k in ("running_mean", "running_var")]


def _batchnorm(t, config, dims=(0,)):
    """out by F.batch_norm (train: batch statistics; test: the running averages), and the
    running averages by CS231n's rule with the biased batch variance, by hand: torch's
    buffers would average the unbiased N/(N − 1)·σ² with momentum 1 − CS231n's."""
    x, gamma, beta = t["x"], t["gamma"], t["beta"]
    eps, m = config.get("eps", EPS), config.get("momentum", MOMENTUM)
    running_mean, running_var = _running(config, x.shape[1])
    if config["mode"] == "test":
        out = F.batch_norm(x, running_mean, running_var, gamma, beta, training=False, eps=eps)
        return {"out": out, "running_mean": running_mean, "running_var": running_var}
    shape = [1, -1] + [1] * (x.dim() - 2)
    mean = x.mean(dim=dims)
    var = x.var(dim=dims, correction=0)
    if x.numel() > x.shape[1]:
        out = F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
    else:   # one value per channel: torch refuses training mode, so BN1 written out
        out = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps) \
            * gamma.reshape(shape) + beta.reshape(shape)
    mean, var = mean.detach(), var.detach()
    return {"out": out, "running_mean": m * running_mean + (1 - m) * mean,
            "running_var": m * running_var + (1 - m) * var}


def _spatial_batchnorm(t, config):
    return _batchnorm(t, config, dims=(0, 2, 3))


# ------------------------------------------------------------- batch norm: the samplers

def spread(z: np.ndarray, axes: tuple[int, ...], floor=0.5) -> np.ndarray:
    """z with each statistic group's spread at least `floor` (a number, or an array that
    broadcasts against the groups): a group of 2 or 3 nearly equal values has σ² ≈ 0,
    where float32's x − μ loses its digits and a right float32 answer would look wrong
    (the conditioning, not the code). With the scales ≥ 1 below, σ ≥ 0.5 and γ/σ ≤ 4:
    for two values BN2's dx is 0 up to ε/σ², all cancellation, and its float32 noise,
    ~γ/σ·|dout|·ε₃₂, stays well inside the float32 row's absolute allowance (seen: up to
    0.48 of it when σ could be 0.15, in 5,000 cases)."""
    mean = z.mean(axis=axes, keepdims=True)
    std = z.std(axis=axes, keepdims=True)
    if z.size == mean.size:          # one value per group: σ² = 0 exactly, no rounding
        return z
    return mean + (z - mean) * np.maximum(1.0, floor / np.maximum(std, np.finfo(float).tiny))


def _features(rng, shape, width, axes):
    """x with a per-feature offset and scale (|offset| ≤ 2 scales) and its scale; in the
    spatial form spread per pixel over the batch first, so that the per-pixel statistics
    of a known mistake are as well conditioned as the right ones (the per-channel spread
    after it only widens them)."""
    loc = rng.uniform(-2, 2, width) * (scale := rng.uniform(1.0, 3.0, width))
    bshape = (1, width) + (1,) * (len(shape) - 2)
    z = rng.standard_normal(shape)
    z = spread(spread(z, (0,)) if len(shape) > 2 else z, axes)
    return loc.reshape(bshape) + scale.reshape(bshape) * z, loc, scale


def _bn_config(rng, width, loc, scale, tags: list) -> dict:
    """bn_param: train or test mode, CS231n's defaults or the values people set (never
    momentum 0.5, where a swapped momentum is invisible), running averages near the
    data's, or absent in train mode (zeros)."""
    mode = "test" if rng.random() < 0.3 else "train"
    config = {"mode": mode}
    if rng.random() < 0.3:
        config["eps"] = float(rng.choice([1e-3, 1e-5, 1e-4]))
        tags.append("eps")
    if rng.random() < 0.4:
        config["momentum"] = float(rng.choice([0.99, 0.8, 0.95, 0.0]))
        tags.append("momentum")
    if mode == "train" and rng.random() < 0.3:
        tags.append("no-running-stats")
    else:
        config["running_mean"] = loc + rng.normal(0, 0.5, width) * scale
        config["running_var"] = scale ** 2 * rng.uniform(0.5, 2.0, width)
    if mode == "test":
        tags.append("test-mode")
    return config


def _bn_sample(rng, shape, axes, dtype, tags):
    width = shape[1]
    x, loc, scale = _features(rng, shape, width, axes)
    gamma = rng.uniform(0.5, 2.0, width) * rng.choice([-1.0, 1.0], width)
    beta = rng.normal(0, 1, width)
    config = _bn_config(rng, width, loc, scale, tags)
    for key in ("running_mean", "running_var"):
        if key in config:
            config[key] = config[key].astype(dtype)
    arrays = {"x": x, "gamma": gamma, "beta": beta}
    return {k: v.astype(dtype) for k, v in arrays.items()}, config, tuple(tags)


def _batchnorm_sample(rng, dtype):
    """x (N, D): batch 1 (x − μ = 0: out = β, dx = 0), D = 1, small and larger batches."""
    n = int(rng.choice([1, 2, 3, 4, 5, 8, 16, 32], p=[.08, .12, .12, .16, .16, .16, .1, .1]))
    d = int(rng.choice([1, 2, 3, 5, 8, 13], p=[.12, .16, .18, .18, .18, .18]))
    tags = ["batch1"] * (n == 1) + ["feature1"] * (d == 1)
    return _bn_sample(rng, (n, d), (0,), dtype, tags)


def _spatial_sample(rng, dtype):
    """x (N, C, H, W): one channel, batch 1, odd and non-square sizes, rarely 1×1 (where
    per-pixel and per-channel statistics coincide)."""
    n = int(rng.choice([1, 2, 3, 4], p=[.2, .3, .25, .25]))
    c = int(rng.choice([1, 2, 3, 4], p=[.2, .3, .25, .25]))
    h, w = (int(s) for s in rng.choice([1, 2, 3, 4, 5, 7], 2, p=[.06, .14, .25, .2, .2, .15]))
    tags = ["batch1"] * (n == 1) + ["channel1"] * (c == 1) + ["odd"] * bool(h % 2 or w % 2) \
        + ["nonsquare"] * (h != w) + ["pixel1"] * (h * w == 1)
    return _bn_sample(rng, (n, c, h, w), (0, 2, 3), dtype, tags)


# ------------------------------------------------------------- batch norm: the mistakes

def _bn_parts(arrays, config, axes):
    """Float64 pieces of batch norm for the mistakes' formulas: x, γ, x̂, 1/σ, N per
    statistic, the batch μ and σ², the running averages (zeros when absent), all shaped
    to broadcast against x."""
    x = np.asarray(arrays["x"], dtype=np.float64)
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    gamma = np.asarray(arrays["gamma"], dtype=np.float64).reshape(shape)
    mu, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    run = [np.zeros(shape) if config.get(k) is None else
           np.asarray(config[k], dtype=np.float64).reshape(shape)
           for k in ("running_mean", "running_var")]
    if config["mode"] == "test":
        use_mu, use_var = run
    else:
        use_mu, use_var = mu, var
    inv = 1.0 / np.sqrt(use_var + config.get("eps", EPS))
    return dict(x=x, gamma=gamma, xhat=(x - use_mu) * inv, inv=inv, n=x.size // x.shape[1],
                mu=mu, var=var, run=run, shape=shape)


def _train_only(formula, axes, spread: bool = False):
    """A mistake of train mode: formula(b, dout, config, mean over the statistic's axes)."""
    def mistake(arrays, config, up):
        if config["mode"] != "train":
            return {}   # in test mode μ and σ² are constants: dx = dout·γ/σ is right
        b = _bn_parts(arrays, config, axes)
        if spread and b["n"] == 1:
            return {}   # one value per statistic: x̂ = 0, the half-terms coincide
        return formula(b, np.asarray(up["dout"], dtype=np.float64), config,
                       lambda a: a.mean(axis=axes, keepdims=True))
    return mistake


def _no_terms(b, dout, config, mean):
    return {"dx": dout * b["gamma"] * b["inv"]}


def _variance_only(b, dout, config, mean):
    return {"dx": b["gamma"] * b["inv"] * (dout - b["xhat"] * mean(dout * b["xhat"]))}


def _mean_only(b, dout, config, mean):
    return {"dx": b["gamma"] * b["inv"] * (dout - mean(dout))}


def _swapped(b, dout, config, mean):
    m = config.get("momentum", MOMENTUM)
    if m == 0.5:
        return {}
    return {k: ((1 - m) * r + m * s).ravel()
            for k, r, s in zip(("running_mean", "running_var"), b["run"], (b["mu"], b["var"]))}


def _unbiased(b, dout, config, mean):
    m, n = config.get("momentum", MOMENTUM), b["n"]
    if n == 1 or m == 1:
        return {}
    return {"running_var": (m * b["run"][1] + (1 - m) * b["var"] * n / (n - 1)).ravel()}


def _not_stored(b, dout, config, mean):
    if any(config.get(k) is None for k in ("running_mean", "running_var")):
        return {}   # absent before: the state is missing after, which says so itself
    if config.get("momentum", MOMENTUM) == 1:
        return {}
    return {k: np.asarray(config[k], dtype=np.float64) for k in ("running_mean", "running_var")}


def _bn_mistakes(axes):
    """The classic wrong answers of batch norm, for statistics over `axes`."""
    return {
        "dx without the terms through the batch mean and variance (dx = dout·γ/σ): in train "
        "mode μ and σ² depend on every x of the batch": _train_only(_no_terms, axes),
        "dx with the term through the variance only (the term through the batch mean, "
        "−mean(dout)·γ/σ, is missing)": _train_only(_variance_only, axes, spread=True),
        "dx with the term through the mean only (the term through the batch variance, "
        "−x̂·mean(dout·x̂)·γ/σ, is missing)": _train_only(_mean_only, axes, spread=True),
        "dgamma without x̂ (dgamma = Σ dout; it is Σ dout·x̂)":
            lambda arrays, config, up: {"dgamma": np.asarray(up["dout"], dtype=np.float64)
                                        .sum(axis=axes)},
        "dbeta averaged over the batch (it is the sum Σ dout)": averaged_dbeta(axes),
        "running averages with the momentum swapped (running = momentum·running + "
        "(1 − momentum)·batch)": _train_only(_swapped, axes),
        "running_var updated with the unbiased batch variance (torch's rule); CS231n's "
        "uses the biased variance it normalizes with": _train_only(_unbiased, axes),
        "running averages computed but not stored back into bn_param (bn_param"
        "['running_mean'] = running_mean): the next call starts from the old ones":
            _train_only(_not_stored, axes),
        "test mode normalized with the batch statistics (it uses the running averages)":
            _test_with_batch_stats(axes),
    }


def averaged_dbeta(axes):
    def mistake(arrays, config, up):
        dout = np.asarray(up["dout"], dtype=np.float64)
        if dout.size == dout.shape[1]:
            return {}   # one value per sum: the mean is the sum
        return {"dbeta": dout.mean(axis=axes)}
    return mistake


def _test_with_batch_stats(axes):
    def mistake(arrays, config, up):
        if config["mode"] != "test":
            return {}
        train = dict(config, mode="train")
        b = _bn_parts(arrays, train, axes)
        beta = np.asarray(arrays["beta"], dtype=np.float64).reshape(b["shape"])
        dout = np.asarray(up["dout"], dtype=np.float64)
        return {"out": b["gamma"] * b["xhat"] + beta, "dx": dout * b["gamma"] * b["inv"],
                "dgamma": (dout * b["xhat"]).sum(axis=axes)}
    return mistake


def _per_pixel(arrays, config, up):
    """Spatial batch norm with μ, σ² over the batch axis alone, one per channel and pixel."""
    x = np.asarray(arrays["x"], dtype=np.float64)
    if config["mode"] != "train" or x.shape[2] * x.shape[3] == 1:
        return {}
    g = np.asarray(arrays["gamma"], dtype=np.float64)[None, :, None, None]
    beta = np.asarray(arrays["beta"], dtype=np.float64)[None, :, None, None]
    dout = np.asarray(up["dout"], dtype=np.float64)
    var = x.var(axis=0, keepdims=True)
    inv = 1.0 / np.sqrt(var + config.get("eps", EPS))
    xhat = (x - x.mean(axis=0, keepdims=True)) * inv
    dx = g * inv * (dout - dout.mean(axis=0) - xhat * (dout * xhat).mean(axis=0))
    m = config.get("momentum", MOMENTUM)
    run = np.zeros(x.shape[1]) if config.get("running_var") is None else np.asarray(
        config["running_var"], dtype=np.float64)
    return {"out": g * xhat + beta, "dx": dx, "dgamma": (dout * xhat).sum(axis=(0, 2, 3)),
            # its running σ², if kept per channel, averages the pixels' σ² (μ comes out right)
            "running_var": m * run + (1 - m) * var.mean(axis=(0, 2, 3))}


def _unmoved_reshape(arrays, config, up):
    """Spatial batch norm by x.reshape(-1, C) without moving the channel axis last: the
    'channels' of that matrix mix channels and pixels."""
    x = np.asarray(arrays["x"], dtype=np.float64)
    n, c, h, w = x.shape
    if h * w == 1 or c == 1:      # one pixel or one channel: the reshape is right
        return {}
    flat = {"x": x.reshape(-1, c), "gamma": arrays["gamma"]}
    b = _bn_parts(flat, config, (0,))
    beta = np.asarray(arrays["beta"], dtype=np.float64)
    dout = np.asarray(up["dout"], dtype=np.float64).reshape(-1, c)
    wrong = {"out": (b["gamma"] * b["xhat"] + beta).reshape(x.shape),
             "dgamma": (dout * b["xhat"]).sum(axis=0), "dbeta": dout.sum(axis=0)}
    if config["mode"] == "train":
        m = config.get("momentum", MOMENTUM)
        wrong["running_mean"] = (m * b["run"][0] + (1 - m) * b["mu"]).ravel()
        wrong["running_var"] = (m * b["run"][1] + (1 - m) * b["var"]).ravel()
        dout = dout - dout.mean(axis=0) - b["xhat"] * (dout * b["xhat"]).mean(axis=0)
    wrong["dx"] = (b["gamma"] * b["inv"] * dout).reshape(x.shape)
    return wrong


def _test_mode(config) -> bool:
    """CS231n's batchnorm_forward keeps no cache in test mode (its backward is for train
    mode): there a backward that raises is not a failure (`Twin.forward_only`)."""
    return isinstance(config, dict) and config.get("mode") == "test"


register_twin("batchnorm", _batchnorm, _batchnorm_sample, mistakes=_bn_mistakes((0,)),
              forward_only=_test_mode)
register_twin("spatial_batchnorm", _spatial_batchnorm, _spatial_sample,
              forward_only=_test_mode, mistakes={
    **_bn_mistakes((0, 2, 3)),
    "per-pixel statistics (μ and σ² over the batch axis alone); spatial batch norm "
    "normalizes each channel over the batch and all its pixels (N, H, W)": _per_pixel,
    "x.reshape(-1, C) without moving the channel axis last first (transpose to "
    "(N, H, W, C) before the reshape): the statistics mix channels and pixels":
        _unmoved_reshape,
})
