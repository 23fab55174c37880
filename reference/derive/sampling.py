"""Where a claim is tested: sample points in float64, drawn from a seed.

Elementwise claims are tested one number per point (K = 1). Claims over class
vectors (softmax outputs, one-hot targets) are tested on examples of K = 3, 4
and 5 classes, one block per K.
"""

from __future__ import annotations

import numpy as np

from manual.errors import InputError

from ..oracle.custom import parse_domain

__all__ = [
    "TARGETS", "parse_domain", "validate_points", "validate_target", "block_sizes", "uniform",
    "targets",
]

MAX_POINTS = 100_000
VECTOR_CLASSES = (3, 4, 5)
TARGETS = ("real", "binary", "onehot", "pm1")
REAL_TARGET_RANGE = (-2.0, 2.0)


def validate_points(points: int) -> int:
    """The number of sample points: an integer from 1 to MAX_POINTS."""
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) \
            or not 1 <= points <= MAX_POINTS:
        raise InputError(f"points must be an integer from 1 to {MAX_POINTS}, not {points!r}")
    return int(points)


def validate_target(target: str) -> str:
    """A claim's target: one of TARGETS."""
    if target not in TARGETS:
        raise InputError(f"target must be one of {', '.join(TARGETS)}, not {target!r}")
    return target


def block_sizes(points: int, vector: bool) -> list[tuple[int, int]]:
    """[(examples, classes)]: one block of K = 1, or blocks of K = 3, 4, 5."""
    if not vector:
        return [(points, 1)]
    n = len(VECTOR_CLASSES)
    sizes = [(points // n + (i < points % n), k) for i, k in enumerate(VECTOR_CLASSES)]
    return [(m, k) for m, k in sizes if m > 0]


def uniform(rng: np.random.Generator, lo: float, hi: float, shape: tuple[int, int],
            special: tuple[float, ...] = ()) -> np.ndarray:
    """Uniform draws in [lo, hi]; for K = 1 the first points are the domain's ends
    and any `special` points inside it (0 is where kinks usually are).
    Computed as lo·(1 − u) + hi·u, which cannot overflow even for ±1e308."""
    u = rng.random(size=shape)
    x = np.clip(lo * (1.0 - u) + hi * u, lo, hi)
    if shape[1] == 1:
        fixed = [lo, hi] + [s for s in special if lo < s < hi]
        fixed = fixed[:shape[0]]
        x[:len(fixed), 0] = fixed
    return x


def targets(rng: np.random.Generator, kind: str, shape: tuple[int, int]) -> np.ndarray:
    """y: real numbers in REAL_TARGET_RANGE, 0/1 or -1/+1 (pm1, hinge's labels; both
    values present), or one-hot rows."""
    n, k = shape
    if kind == "real":
        return rng.uniform(*REAL_TARGET_RANGE, size=shape)
    if kind in ("binary", "pm1"):
        y = (np.arange(n * k) % 2).astype(np.float64)
        y = rng.permutation(y).reshape(shape)
        return 2 * y - 1 if kind == "pm1" else y
    return np.eye(k)[rng.integers(0, k, size=n)]
