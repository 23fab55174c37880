"""The grader's correct NumPy pieces, on the parent's side only (never in the student process).

The styles use them to name known mistakes (`sigmoid`, `sigmoid_prime`, a
NumPy backprop); the harness uses them to answer the helpers a graded function
may call: in the student's process such a helper is a proxy
(`probes.remote`) that asks the parent, which answers with `answer(name, args)`
from `helpers()`, only for the names the running function allows
(`GradedFunction.helpers`, never the graded function itself).

Helper names carry the book's prefix (`Book.helper_prefix`): the same name may
mean another contract in another book (one returns (A, cache), another the
activation alone). A book's layer classes are answered method by method
("<prefix>.<Layer>.backward"): the proxy sends the layer's state (`Book.layers`),
gets back the value and the attributes the method sets. The pieces themselves
live with each style (`styles/<style>_kit.py`, named by the record's `kit`).
"""

from __future__ import annotations

import functools
import importlib
import inspect

import numpy as np

from .books import BOOKS

__all__ = [
    "sigmoid", "sigmoid_prime", "softmax", "labels", "cross_entropy_error", "helpers", "answer",
]


# --- the equations, shared by the styles -----------------------------------------------------
def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), computed without overflow (e^(−|z|) never overflows)."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z)), the ⊙ σ'(z) factor of BP1 and BP2."""
    s = sigmoid(z)
    return s * (1.0 - s)


def softmax(x):
    """Softmax along the last axis with the maximum subtracted (no overflow)."""
    x = np.asarray(x, dtype=float)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def labels(y, t):
    """Class indices from one-hot targets (same size as y) or from label indices."""
    t = np.asarray(t)
    return t.argmax(axis=-1) if t.size == np.size(y) else t.astype(int).reshape(-1)


def cross_entropy_error(y, t):
    """Mean over the batch of −log y[true class]; t one-hot (m, K) or labels (m,)."""
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    y2 = y.reshape(1, -1) if y.ndim == 1 else y
    idx = labels(y2, t.reshape(1, -1) if (y.ndim == 1 and t.size == y.size) else t)
    m = y2.shape[0]
    return float(-np.sum(np.log(y2[np.arange(m), idx] + 1e-300)) / m)


# --- the books' own pieces, answered by name ---------------------------------------------------
@functools.cache          # built whole before it is returned: threads never see a part
def helpers() -> dict:
    """Every helper the parent answers, by its full name ("<prefix>.<name>"): each book's
    record names the module holding its correct pieces (`Book.kit`, imported here on the
    first call: the records are read in the student's process, the pieces never are)."""
    table = {}
    for book in BOOKS.values():
        if book.kit:
            pieces = importlib.import_module(book.kit).HELPERS
            table.update({f"{book.helper_prefix}.{k}": v for k, v in pieces.items()})
    return table


MAX_AXIS = 1024          # per axis of an argument: a product of two stays at 8 MB, ~1 GFLOP
MAX_ELEMENTS = 2**20     # per argument array


def _too_large(value, depth: int = 0) -> bool:
    """Does an argument exceed what the grader computes for a student? (the course's arrays
    are tens of units wide; a huge outer product must not exhaust the parent)"""
    if isinstance(value, np.ndarray):
        return value.ndim > 4 or value.size > MAX_ELEMENTS or max(value.shape,
                                                                  default=0) > MAX_AXIS
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return depth > 8 or len(value) > 1000 or any(_too_large(v, depth + 1) for v in value)
    return False


NEUTRAL = (0, 1, None, False)     # lambd=0, keep_prob=1, dropout=None: the course's helper


def _without_neutral_extras(fn, args: list, kwargs: dict) -> tuple[list, dict]:
    """A student who extended the course's helpers for the next assignment
    (`linear_backward(dZ, cache, lambd)`, `..., keep_prob=1.0`) calls them with
    arguments the course's helper does not take: those left at their neutral value
    (no regularization, no dropout) are dropped; any other stays (and raises)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return args, kwargs
    extra_pos = args[len(params):]
    extra_kw = {k: v for k, v in kwargs.items() if k not in params}
    values = extra_pos + list(extra_kw.values())
    if values and all(isinstance(v, (int, float, bool, type(None))) and v in NEUTRAL
                      for v in values):
        return args[:len(params)], {k: v for k, v in kwargs.items() if k in params}
    return args, kwargs


def answer(name: str, args, kwargs, allowed) -> dict:
    """{"ok": True, "value": ...} or {"ok": False, "type": ..., "error": ...}: the helper
    `name` applied to plain arguments, when `allowed` holds it."""
    table = helpers()
    if name not in allowed or name not in table:
        return {"ok": False, "type": "NameError",
                "error": f"the grader does not provide {name!r} to this function"}
    if not isinstance(args, (list, tuple)) or not isinstance(kwargs, dict):
        return {"ok": False, "type": "TypeError", "error": "malformed helper call"}
    if _too_large([args, kwargs]):
        return {"ok": False, "type": "ValueError",
                "error": f"arguments too large for the grader's {name.split('.')[-1]} "
                         f"(at most {MAX_AXIS} per axis)"}
    args, kwargs = _without_neutral_extras(table[name], list(args), dict(kwargs))
    try:
        with np.errstate(all="ignore"):
            return {"ok": True, "value": table[name](*args, **kwargs)}
    except Exception as exc:  # noqa: BLE001 - the student's arguments: report, never crash
        return {"ok": False, "type": type(exc).__name__, "error": str(exc)[:300]}
