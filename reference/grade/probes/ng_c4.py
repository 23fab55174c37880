"""Probes of Ng's course 4 week 1 small functions (`zero_pad`, `conv_single_step`,
`create_mask_from_window`, `distribute_value`): the student's function called with the
notebook's positional arguments, on copies; its raw return comes back.

Runs in the sandboxed child: NumPy only. The layers (`conv_forward`, `conv_backward`)
are probed by `probes.layers`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["call"]


def call(ns, inputs):
    """`inputs["function"]`(*args), each array argument a copy (tuples stay tuples: the
    `shape` of distribute_value)."""
    args = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a
            for a in inputs["args"]]
    if inputs.get("tuple_last"):
        args[-1] = tuple(int(v) for v in args[-1])
    return {"return": ns[inputs["function"]](*args)}
