"""The torch twins of the dense family."""

from __future__ import annotations

import numpy as np

from .base import F, register_twin


def _relu(t, config):
    return {"out": F.relu(t["x"])}


def _relu_sample(rng, dtype):
    """x of 2 to 4 axes, kept at least 1e-3 off relu's kink at 0."""
    shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(2, 5))))
    x = rng.standard_normal(shape)
    x = np.where(np.abs(x) < 1e-3, 1e-2, x)
    return {"x": x.astype(dtype)}, None, ("batch1",) if shape[0] == 1 else ()


register_twin("relu", _relu, _relu_sample, mistakes={
    "the gradient passed where x < 0 (the mask [x > 0] is missing)":
        lambda arrays, config, up: {"dx": up["dout"]},
})
