"""Parameter initializers: "ng" (randn·0.01, zero biases, as in the course), "he", "xavier"."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .equations import COLUMNS, ROWS
from .errors import InputError, validate_seed

__all__ = ["initialize"]

METHODS = ("ng", "he", "xavier")


def initialize(sizes: Sequence[int], *, layout: str = COLUMNS, seed: int = 0,
               method: str = "he", dtype=np.float64) -> tuple[list, list]:
    """Weights and biases for layer sizes [n₀, ..., n_L], drawn from `seed`.

    ng: W ~ N(0, 1)·0.01, b = 0. he: W ~ N(0, 2/nₗ₋₁), b = 0.
    xavier: W ~ N(0, 1/nₗ₋₁), b = 0. Shapes follow the layout (docs/DESIGN.md).
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (Sequence, np.ndarray)):
        raise InputError(f"sizes must be a list of layer sizes [n_in, ..., n_out], "
                         f"got {sizes!r}")
    sizes = [n.item() if isinstance(n, np.generic) else n for n in sizes]
    if len(sizes) < 2:
        raise InputError(f"sizes {sizes} describe no layer: give at least [n_in, n_out]")
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in sizes):
        raise InputError(f"every layer size must be a positive integer, got {sizes}")
    if method not in METHODS:
        raise InputError(f"unknown initializer {method!r} (known: {', '.join(METHODS)})")
    if layout not in (COLUMNS, ROWS):
        raise InputError(f"layout must be 'columns' or 'rows', not {layout!r}")
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise InputError(f"dtype must be float32 or float64, not {dtype!r}") from None
    if dtype not in (np.float32, np.float64):
        raise InputError(f"dtype must be float32 or float64, not {dtype}")
    seed = validate_seed(seed)
    _validate_memory(sizes, dtype)
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


def _available_memory() -> int | None:
    """Bytes of memory available now (Linux: MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _validate_memory(sizes: list[int], dtype: np.dtype) -> None:
    """Refuse sizes whose parameters cannot fit in memory, before drawing them (a
    draw that overcommits is killed by the OOM killer, or raises MemoryError)."""
    params = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    largest = max(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    need = params * dtype.itemsize + 2 * largest * 8  # the float64 draw of one layer, and a copy
    available = _available_memory()
    if available is not None and need > available:
        raise InputError(f"sizes {sizes} need {params:,} parameters ({need / 2**30:.1f} GiB), "
                         f"more than the {available / 2**30:.1f} GiB of memory available")
