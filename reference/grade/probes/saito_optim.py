"""Probe of Saito's `common/optimizer.py` classes (SGD, Momentum, Nesterov, AdaGrad,
RMSprop, Adam): the student's optimizer built with the book's positional arguments (or
none: the book's defaults) and its `update(params, grads)` called over a few steps on one
params dict, as the book's training loop does; the dict's arrays after each step come back.

Runs in the sandboxed child: NumPy only. `update` changes params in place (the book's
networks read their params after it): the dict the student's object was given is read
after each call. The object keeps its own state (v, h, m, iter) between the calls.
"""

from __future__ import annotations

import dis

import numpy as np

from .remote import note

__all__ = ["update_trajectory"]


def _sqrt_calls(fn) -> int:
    """How many square roots the code takes: the book's Adam two (√(1 − β₂ᵗ) in lr_t and
    √v), the textbook's bias-corrected form one (√v̂)."""
    try:
        return sum(1 for i in dis.get_instructions(fn.__code__) if i.argval == "sqrt")
    except Exception:  # noqa: BLE001 - an odd code object: no note
        return 0


def update_trajectory(ns, inputs):
    """ns[class](*args).update(params, grads_k) for each step k; params after each."""
    cls = ns[inputs["class"]]
    optimizer = cls(*inputs["args"])
    params = {k: np.array(v, dtype=np.float64, copy=True) for k, v in inputs["params"].items()}
    steps = []
    for grads in inputs["grads"]:
        returned = optimizer.update(params, {k: np.array(v, copy=True) for k, v in grads.items()})
        steps.append({"params": {k: np.array(v, copy=True) if isinstance(v, np.ndarray) else v
                                 for k, v in params.items()},
                      "returned": isinstance(returned, dict)})
    if inputs["class"] == "Adam" and _sqrt_calls(getattr(cls, "update", None)) == 1:
        note("saito adam textbook form")
    return {"steps": steps}
