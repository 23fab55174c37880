"""Spatial group norm's twin (CS231n assignment 2, where the notebook has it):
F.group_norm, statistics per example and group of C/G channels over their pixels; γ and
β of shape (1, C, 1, 1) as the course keeps them, G an integer among the arrays (the
student's `spatial_groupnorm_forward(x, gamma, beta, G, gn_param)` takes it there)."""

from __future__ import annotations

import numpy as np

from ..base import F, register_twin
from .batchnorm import EPS, spread


def _groupnorm(t, config):
    x, G = t["x"], int(t["G"])
    c = x.shape[1]
    return {"out": F.group_norm(x, G, t["gamma"].reshape(c), t["beta"].reshape(c),
                                eps=config.get("eps", EPS))}


def _groupnorm_sample(rng, dtype):
    """x (N, C, H, W) with G dividing C: G = 1 (layer norm over channels and pixels) and
    G = C (one channel a group), one pixel, batch 1, non-square images, ε given or not."""
    n = int(rng.choice([1, 2, 3, 4], p=[.2, .3, .3, .2]))
    G = int(rng.choice([1, 2, 3]))
    c = G * int(rng.choice([1, 2, 3], p=[.3, .4, .3]))
    h, w = (int(v) for v in rng.choice([1, 2, 3, 4], size=2, p=[.15, .3, .3, .25]))
    scale = rng.uniform(1.0, 3.0, (n, G, 1))
    groups = rng.uniform(-2, 2, (n, G, 1)) * scale + scale * rng.standard_normal(
        (n, G, (c // G) * h * w))
    # each example's group spread (its statistics), then the batch axis (the known mistake's)
    x = spread(spread(groups, (2,), 0.5 * scale).reshape(n, c, h, w), (0,))
    gamma = (rng.uniform(0.5, 2.0, c) * rng.choice([-1.0, 1.0], c)).reshape(1, c, 1, 1)
    config = {"eps": float(rng.choice([1e-5, 1e-3]))} if rng.random() < 0.3 else {}
    tags = (("batch1",) * (n == 1) + ("one-group",) * (G == 1) + ("channel-groups",)
            * (G == c) + ("pixel1",) * (h * w == 1) + ("non-square",) * (h != w)
            + ("eps",) * bool(config))
    arrays = {"x": x, "gamma": gamma, "beta": rng.normal(0, 1, (1, c, 1, 1))}
    arrays = {k: v.astype(dtype) for k, v in arrays.items()}
    return {**arrays, "G": np.int64(G)}, config, tags


def _gn_parts(arrays, config, up):
    """x's groups (N, G, C/G·H·W), x̂ in x's shape, 1/σ per group, γ, dout (float64)."""
    x = np.asarray(arrays["x"], dtype=np.float64)
    groups = x.reshape(x.shape[0], int(arrays["G"]), -1)
    inv = 1.0 / np.sqrt(groups.var(axis=2, keepdims=True) + config.get("eps", EPS))
    xhat = ((groups - groups.mean(axis=2, keepdims=True)) * inv).reshape(x.shape)
    return groups, xhat, inv, np.asarray(arrays["gamma"], dtype=np.float64), \
        np.asarray(up["dout"], dtype=np.float64)


def _gn_no_terms(arrays, config, up):
    """dx = dout·γ/σ: the terms through the group's mean and variance left out."""
    groups, xhat, inv, gamma, dout = _gn_parts(arrays, config, up)
    return {"dx": ((dout * gamma).reshape(groups.shape) * inv).reshape(xhat.shape)}


def _gn_per_channel(arrays, config, up):
    """The statistics per example and channel (instance norm), not per group."""
    x = np.asarray(arrays["x"], dtype=np.float64)
    if int(arrays["G"]) == x.shape[1]:
        return {}       # one channel a group: the same thing
    mu = x.mean(axis=(2, 3), keepdims=True)
    inv = 1.0 / np.sqrt(x.var(axis=(2, 3), keepdims=True) + config.get("eps", EPS))
    return {"out": (x - mu) * inv * np.asarray(arrays["gamma"]) + np.asarray(arrays["beta"])}


def _gn_dgamma_unsummed(arrays, config, up):
    """dgamma summed over the batch only (shape (1, C, H, W))."""
    _, xhat, _, _, dout = _gn_parts(arrays, config, up)
    if xhat.shape[2] * xhat.shape[3] == 1:
        return {}
    return {"dgamma": (dout * xhat).sum(axis=0, keepdims=True)}


register_twin("spatial_groupnorm", _groupnorm, _groupnorm_sample, mistakes={
    "dx without the terms through the group's mean and variance (dx = dout·γ/σ)":
        _gn_no_terms,
    "the statistics per channel (instance norm), not per group of C/G channels":
        _gn_per_channel,
    "dgamma not summed over the pixels (Σ over N, H and W of dout·x̂)": _gn_dgamma_unsummed,
})
