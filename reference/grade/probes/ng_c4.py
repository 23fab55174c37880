"""Probes of Ng's course 4 week 1 small functions (`zero_pad`, `conv_single_step`,
`create_mask_from_window`, `distribute_value`): the student's function called with the
notebook's positional arguments, on copies; its raw return comes back.

Runs in the sandboxed child: NumPy only. The layers (`conv_forward`, `conv_backward`)
are probed by `probes.layers`.
"""

from __future__ import annotations

import numpy as np

from .layers import skeleton_raised, stub_reason

__all__ = ["call"]


def call(ns, inputs):
    """`inputs["function"]`(*args), each array argument a copy (tuples stay tuples: the
    `shape` of distribute_value); the course's skeleton left in place: {"stub": why}."""
    args = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a
            for a in inputs["args"]]
    if inputs.get("tuple_last"):
        args[-1] = tuple(int(v) for v in args[-1])
    fn = ns[inputs["function"]]
    reason = stub_reason(fn)
    if reason:
        return {"stub": reason}
    try:
        return {"return": fn(*args)}
    except (TypeError, NameError) as exc:   # the skeleton's placeholders: missing
        why = skeleton_raised([fn], exc)
        if why:
            return {"stub": why}
        raise
