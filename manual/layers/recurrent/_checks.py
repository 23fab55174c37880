"""Validation shared by the recurrent layers: each refuses what cannot work with a
one-line `InputError` naming the array and the problem."""

from __future__ import annotations

import numpy as np

from ...errors import InputError

__all__ = ["real", "indices", "shaped", "upstream", "mask_of", "recurrence"]


def real(a, name: str, ndim: int) -> np.ndarray:
    """`a` as a real array of `ndim` axes (integers become float64; bool, complex and
    objects are refused)."""
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        a = a.astype(np.float64)
    if a.dtype.kind != "f":
        raise InputError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    if a.ndim != ndim:
        raise InputError(f"{name} must have {ndim} axes, got shape {a.shape}")
    return a


def indices(x, name: str, shape: tuple[int, ...], size: int, what: str) -> np.ndarray:
    """Integer indices of `shape`, each in 0..size-1 (`what` names the range in the
    message: 'the vocabulary', 'the classes')."""
    x = np.asarray(x)
    if x.dtype.kind not in "iu":
        raise InputError(f"{name} must be integer indices, got dtype {x.dtype}")
    if x.shape != shape:
        raise InputError(f"{name} must have shape {shape}, got {x.shape}")
    if x.size and x.min() < 0:
        raise InputError(f"{name} has a negative index ({x.min()})")
    if x.size and x.max() >= size:
        raise InputError(f"{name} has index {x.max()}, out of {what} of size {size}")
    return x.astype(np.intp, copy=False)


def shaped(a, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A real array of exactly `shape` (the message names the expected shape)."""
    a = real(a, name, len(shape))
    if a.shape != shape:
        raise InputError(f"{name} must have shape {shape}, got {a.shape}")
    return a


def upstream(d, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """The upstream gradient given to a backward, shaped as the forward's output."""
    d = np.asarray(d)
    if d.shape != shape:
        raise InputError(f"{name} must have the forward output's shape {shape}, got {d.shape}")
    return d


def mask_of(mask, shape: tuple[int, ...]) -> np.ndarray:
    """A boolean mask of `shape` (a 0/1 integer or float mask is read as one)."""
    mask = np.asarray(mask)
    if mask.shape != shape:
        raise InputError(f"mask must have shape {shape} (as y), got {mask.shape}")
    if mask.dtype.kind != "b":
        if mask.dtype.kind not in "iuf" or not np.all((mask == 0) | (mask == 1)):
            raise InputError("mask must be boolean (or 0/1), got other values")
        mask = mask != 0
    return mask


def recurrence(x, h, Wx, Wh, b, *, h_name: str, gates: int, steps: bool):
    """The arrays of an RNN (gates=1) or LSTM (gates=4) step or sequence, checked
    against each other: x (N, D) or with `steps` (N, T, D), h (N, H), Wx (D, gH),
    Wh (H, gH), b (gH,), where H is Wh's first axis."""
    x = real(x, "x", 3 if steps else 2)
    Wh = real(Wh, "Wh", 2)
    H, D, N = Wh.shape[0], x.shape[-1], x.shape[0]
    if steps and x.shape[1] == 0:
        raise InputError(f"x must have at least one time step, got shape {x.shape}")
    width = gates * H
    if Wh.shape[1] != width:
        raise InputError(f"Wh must have shape (H, {gates if gates > 1 else ''}H) = "
                         f"{(H, width)}, got {Wh.shape}")
    Wx = shaped(Wx, "Wx", (D, width))
    b = shaped(b, "b", (width,))
    h = real(h, h_name, 2)
    if h.shape != (N, H):
        raise InputError(f"{h_name} must have shape (N, H) = {(N, H)} (N of x, H of Wh), "
                         f"got {h.shape}")
    return x, h, Wx, Wh, b
