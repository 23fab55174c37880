"""The correct small functions of Ng's course 4 week 1, on the parent's side only: the
closed forms the style's judges compare with (and the helpers the record names, for a
function graded with the ones it calls replaced)."""

from __future__ import annotations

import numpy as np

__all__ = ["HELPERS", "zero_pad", "conv_single_step", "create_mask_from_window",
           "distribute_value"]


def zero_pad(X, pad):
    """X (m, n_H, n_W, n_C) with `pad` zeros before and after its rows and columns."""
    return np.pad(np.asarray(X, dtype=np.float64),
                  ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def conv_single_step(a_slice_prev, W, b):
    """Z = Σ a_slice_prev ⊙ W + b: one window, one filter, a scalar."""
    return float(np.sum(np.asarray(a_slice_prev) * np.asarray(W)) + np.sum(b))


def create_mask_from_window(x):
    """True where the window x reaches its maximum (every tied position, as the course's
    `x == np.max(x)`)."""
    x = np.asarray(x)
    return x == np.max(x)


def distribute_value(dz, shape):
    """The average pool's gradient: dz spread evenly over a window of `shape` (n_H, n_W)."""
    n_H, n_W = shape
    return np.full((n_H, n_W), float(dz) / (n_H * n_W))


HELPERS = {"zero_pad": zero_pad, "conv_single_step": conv_single_step,
           "create_mask_from_window": create_mask_from_window,
           "distribute_value": distribute_value}
