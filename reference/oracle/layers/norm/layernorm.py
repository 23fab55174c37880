"""Layer norm's twin: F.layer_norm, statistics per example over its features."""

from __future__ import annotations

import numpy as np

from ..base import F, register_twin
from .batchnorm import EPS, averaged_dbeta, spread


def _layernorm(t, config):
    x = t["x"]
    return {"out": F.layer_norm(x, (x.shape[1],), t["gamma"], t["beta"],
                                eps=config.get("eps", EPS))}


def _layernorm_sample(rng, dtype):
    """x (N, D): D = 1 (x − μ = 0: out = β, dx = 0), batch 1, per-example offsets."""
    n = int(rng.choice([1, 2, 3, 4, 6, 8], p=[.15, .15, .15, .2, .15, .2]))
    d = int(rng.choice([1, 2, 3, 5, 8, 16], p=[.1, .15, .15, .2, .2, .2]))
    loc = rng.uniform(-2, 2, (n, 1)) * (scale := rng.uniform(1.0, 3.0, (n, 1)))
    x = spread(spread(loc + scale * rng.standard_normal((n, d)), (0,)), (1,), 0.5 * scale)
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
    "dbeta averaged over the batch (it is the sum Σ dout)": averaged_dbeta((0,)),
})
