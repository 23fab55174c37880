"""Parameter initializers: "ng" (randn·0.01, zero biases, as in the course), "he", "xavier"."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .equations import COLUMNS
from .errors import InputError

METHODS = ("ng", "he", "xavier")


def initialize(sizes: Sequence[int], *, layout: str = COLUMNS, seed: int = 0,
               method: str = "he", dtype=np.float64) -> tuple[list, list]:
    """Weights and biases for layer sizes [n₀, ..., n_L], drawn from `seed`.

    ng: W ~ N(0, 1)·0.01, b = 0. he: W ~ N(0, 2/nₗ₋₁), b = 0.
    xavier: W ~ N(0, 1/nₗ₋₁), b = 0. Shapes follow the layout (DESIGN.md).
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise InputError(f"sizes {sizes} describe no layer: give at least [n_in, n_out]")
    if any(not isinstance(n, (int, np.integer)) or n < 1 for n in sizes):
        raise InputError(f"every layer size must be a positive integer, got {sizes}")
    if method not in METHODS:
        raise InputError(f"unknown initializer {method!r} (known: {', '.join(METHODS)})")
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        w = rng.standard_normal((n_out, n_in))
        w *= {"ng": 0.01, "he": np.sqrt(2.0 / n_in), "xavier": np.sqrt(1.0 / n_in)}[method]
        if layout == COLUMNS:
            weights.append(w.astype(dtype))
            biases.append(np.zeros((n_out, 1), dtype))
        else:
            weights.append(np.ascontiguousarray(w.T, dtype=dtype))
            biases.append(np.zeros(n_out, dtype))
    return weights, biases
