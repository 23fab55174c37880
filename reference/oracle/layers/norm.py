"""The torch twins of the norm family: batch norm (1-D and spatial), layer norm and
inverted dropout, with their samplers and the classic mistakes as NumPy formulas.

Running averages. CS231n's skeleton (`batchnorm_forward`'s docstring) updates them with
the *uncorrected* (biased) batch variance,

    running = momentum · running + (1 − momentum) · batch      (momentum 0.9 by default),

while torch's `F.batch_norm(..., training=True, momentum=m)` updates its buffers in place
with m = 1 − CS231n's momentum and with the *unbiased* variance N/(N − 1) · σ² in
running_var (torch normalizes with the biased one, as CS231n does). So the twin normalizes
with `F.batch_norm` (no buffers: nothing is updated in place) and computes the running
averages by hand in torch from the batch's mean and biased variance, returning them as
outputs ('running_mean', 'running_var': the entry's `state`). torch refuses training mode
on one value per channel (N·H·W = 1); there the normalization is written out (x − μ = 0,
so out = β and dx = 0 exactly, for every right implementation).

Dropout's p is the probability of *keeping* a unit (CS231n since 2018; torch's
`F.dropout` takes the drop probability and draws its own mask, so the twin writes
x ⊙ mask / p out). The mask is the config's 'mask', else CS231n's draw from 'seed';
`adopt` takes the one the forward under test used, read from its output (a kept unit is
x/p ≠ 0: x is drawn away from 0), so a student's own random mask is checked for
consistency: out must be 0 or x/p everywhere.
"""

from __future__ import annotations

import numpy as np

from .base import F, register_twin, torch

EPS, MOMENTUM = 1e-5, 0.9     # CS231n's defaults of bn_param / ln_param


# ---------------------------------------------------------------- batch norm: the twins

def _running(config: dict, width: int):
    return [torch.as_tensor(np.asarray(config[k], dtype=np.float64)) if config.get(k) is
            not None else torch.zeros(width, dtype=torch.float64)
            for k in ("running_mean", "running_var")]


def _batchnorm(t, config, dims=(0,)):
    """out by F.batch_norm (train: batch statistics; test: the running averages), and the
    running averages by CS231n's rule with the biased batch variance."""
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

def _spread(z: np.ndarray, axes: tuple[int, ...], floor=0.5) -> np.ndarray:
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
    z = _spread(_spread(z, (0,)) if len(shape) > 2 else z, axes)
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
        "dbeta averaged over the batch (it is the sum Σ dout)": _averaged_dbeta(axes),
        "running averages with the momentum swapped (running = momentum·running + "
        "(1 − momentum)·batch)": _train_only(_swapped, axes),
        "running_var updated with the unbiased batch variance (torch's rule); CS231n's "
        "uses the biased variance it normalizes with": _train_only(_unbiased, axes),
        "test mode normalized with the batch statistics (it uses the running averages)":
            _test_with_batch_stats(axes),
    }


def _averaged_dbeta(axes):
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


# ------------------------------------------------------------------------ layer norm

def _layernorm(t, config):
    x = t["x"]
    return {"out": F.layer_norm(x, (x.shape[1],), t["gamma"], t["beta"],
                                eps=config.get("eps", EPS))}


def _layernorm_sample(rng, dtype):
    """x (N, D): D = 1 (x − μ = 0: out = β, dx = 0), batch 1, per-example offsets."""
    n = int(rng.choice([1, 2, 3, 4, 6, 8], p=[.15, .15, .15, .2, .15, .2]))
    d = int(rng.choice([1, 2, 3, 5, 8, 16], p=[.1, .15, .15, .2, .2, .2]))
    loc = rng.uniform(-2, 2, (n, 1)) * (scale := rng.uniform(1.0, 3.0, (n, 1)))
    x = _spread(_spread(loc + scale * rng.standard_normal((n, d)), (0,)), (1,), 0.5 * scale)
    # the batch-axis statistics (the known mistake's) spread first, the row's own last
    gamma = rng.uniform(0.5, 2.0, d) * rng.choice([-1.0, 1.0], d)
    config = {"eps": float(rng.choice([1e-5, 1e-3]))} if rng.random() < 0.3 else {}
    tags = ("batch1",) * (n == 1) + ("feature1",) * (d == 1) + ("eps",) * bool(config)
    arrays = {"x": x, "gamma": gamma, "beta": rng.normal(0, 1, d)}
    return {k: v.astype(dtype) for k, v in arrays.items()}, config, tags


def _ln_parts(arrays, config, up):
    x = np.asarray(arrays["x"], dtype=np.float64)
    inv = 1.0 / np.sqrt(x.var(axis=1, keepdims=True) + config.get("eps", EPS))
    return (x, np.asarray(arrays["gamma"], dtype=np.float64), (x - x.mean(axis=1,
            keepdims=True)) * inv, inv, np.asarray(up["dout"], dtype=np.float64))


def _ln_over_batch(arrays, config, up):
    """Layer norm with batch norm's statistics (over the batch axis, per feature)."""
    x = np.asarray(arrays["x"], dtype=np.float64)
    if x.shape == (1, 1):
        return {}       # one value: both statistics give x̂ = 0
    g, beta = (np.asarray(arrays[k], dtype=np.float64) for k in ("gamma", "beta"))
    dout = np.asarray(up["dout"], dtype=np.float64)
    inv = 1.0 / np.sqrt(x.var(axis=0) + config.get("eps", EPS))
    xhat = (x - x.mean(axis=0)) * inv
    dx = g * inv * (dout - dout.mean(axis=0) - xhat * (dout * xhat).mean(axis=0))
    return {"out": g * xhat + beta, "dx": dx, "dgamma": (dout * xhat).sum(axis=0)}


def _ln_no_terms(arrays, config, up):
    x, g, xhat, inv, dout = _ln_parts(arrays, config, up)
    return {"dx": dout * g * inv}


register_twin("layernorm", _layernorm, _layernorm_sample, mistakes={
    "layer norm normalized over the batch axis (batch norm's statistics); its mean and "
    "variance are per example, over the features": _ln_over_batch,
    "dx without the terms through the example's mean and variance (dx = dout·γ/σ)":
        _ln_no_terms,
    "dgamma without x̂ (dgamma = Σ dout; it is Σ dout·x̂)":
        lambda arrays, config, up: {"dgamma": np.asarray(up["dout"], dtype=np.float64)
                                    .sum(axis=0)},
    "dbeta averaged over the batch (it is the sum Σ dout)": _averaged_dbeta((0,)),
})


# --------------------------------------------------------------------------- dropout

def dropout_mask(shape: tuple[int, ...], config: dict) -> np.ndarray:
    """The kept units: config['mask'], else CS231n's draw, np.random.seed(seed) then
    np.random.rand(*shape) < p (a RandomState(seed) gives the same numbers)."""
    if config.get("mask") is not None:
        return np.asarray(config["mask"]).astype(bool)
    return np.random.RandomState(config["seed"]).rand(*shape) < config["p"]


def _dropout(t, config):
    x = t["x"]
    if config["mode"] == "test":
        return {"out": x.clone()}
    mask = dropout_mask(tuple(x.shape), config)
    if mask.shape != tuple(x.shape):    # adopted from an output of another shape
        mask = dropout_mask(tuple(x.shape), dict(config, mask=None))
    mask = torch.from_numpy(mask)
    return {"out": x * mask / config["p"]}


def _dropout_adopt(config: dict, outputs) -> dict:
    """The mask the forward under test used: its out is x/p where a unit was kept and 0
    where dropped (x is never 0), so mask = out ≠ 0; anything else in out (x/(1 − p), x)
    then differs from the oracle's x ⊙ mask / p and is reported there."""
    out = outputs.get("out") if isinstance(outputs, dict) else None
    if config.get("mode") != "train" or out is None:
        return config
    out = np.asarray(out)
    if out.dtype.kind not in "fiu":
        return config
    shape = np.shape(config["mask"]) if config.get("mask") is not None else None
    if shape is not None and out.shape != shape:
        return config
    return dict(config, mask=out != 0)


def _dropout_sample(rng, dtype):
    """x (N, D) away from 0; p the keep probability (0.3, 0.5, 0.8, 1.0 or another);
    the mask given (sometimes a row all dropped) or drawn from a seed."""
    n, d = int(rng.integers(1, 9)), int(rng.integers(1, 17))
    x = rng.standard_normal((n, d))
    x = np.where(np.abs(x) < 1e-3, 0.5, x)
    p = float(rng.choice([0.3, 0.5, 0.8, 1.0, round(float(rng.uniform(0.1, 0.95)), 3)]))
    config = {"p": p, "mode": "test" if rng.random() < 0.2 else "train"}
    tags = ["batch1"] * (n == 1) + ["feature1"] * (d == 1) + [f"p{p:g}"]
    if config["mode"] == "test":
        tags.append("test-mode")
    if rng.random() < 0.5:
        config["seed"] = int(rng.integers(0, 2 ** 31))
        tags.append("seeded")
    else:
        mask = rng.random((n, d)) < p
        if n > 1 and rng.random() < 0.2:
            mask[int(rng.integers(n))] = False
            tags.append("dropped-row")
        config["mask"] = mask
    return {"x": x.astype(dtype)}, config, tuple(tags)


def _dropout_mistake(formula, *, train: bool = True):
    """A mistake of dropout, where it shows: not at p = 1 (everything kept), and only its
    arrays that differ from the right ones (1/(1 − p) is 1/p at p = 0.5; a mask that keeps
    every unit hides a missing mask)."""
    def mistake(arrays, config, up):
        p = config["p"]
        if (config["mode"] == "train") != train or p == 1:
            return {}
        x = np.asarray(arrays["x"], dtype=np.float64)
        dout = np.asarray(up["dout"], dtype=np.float64)
        mask = dropout_mask(x.shape, config) if train else np.ones(x.shape, dtype=bool)
        right = {"out": x * mask / p if train else x, "dx": dout * mask / p if train else dout}
        wrong = formula(x, mask, p, dout)
        return {k: v for k, v in wrong.items() if not np.array_equal(v, right[k])}
    return mistake


register_twin("dropout", _dropout, _dropout_sample, adopt=_dropout_adopt, mistakes={
    "dropout backward without the mask (dx = dout/p; the dropped units get no gradient)":
        _dropout_mistake(lambda x, mask, p, dout: {"dx": dout / p}),
    "dropout backward without the 1/p (dx = dout·mask; inverted dropout scales by 1/p)":
        _dropout_mistake(lambda x, mask, p, dout: {"dx": dout * mask}),
    "dropout scaled by 1/(1 − p): p is the probability of keeping a unit (CS231n since "
    "2018), not of dropping it":
        _dropout_mistake(lambda x, mask, p, dout: {"out": x * mask / (1 - p),
                                                   "dx": dout * mask / (1 - p)}),
    "dropout forward without the 1/p (vanilla dropout; inverted dropout scales the kept "
    "units by 1/p in train mode)":
        _dropout_mistake(lambda x, mask, p, dout: {"out": x * mask, "dx": dout * mask}),
    "test mode scaled by p (vanilla dropout's test time); inverted dropout is the "
    "identity in test mode":
        _dropout_mistake(lambda x, mask, p, dout: {"out": x * p}, train=False),
})
