"""Probes of Ng's course 2 week 2, "Optimization methods" (columns layout, the course's
parameters dict W1, b1, ...): the student's function called with the notebook's
positional arguments, on deep copies (students update parameters, v and s in place);
the raw return comes back.

Runs in the sandboxed child: NumPy only. The update rules run over a few steps, each
next step given what the student's function returned (parameters, v, s), as the
notebook's `model` loop does.
"""

from __future__ import annotations

import copy

import numpy as np

from .remote import note

__all__ = ["call", "trajectory", "mini_batches"]


def call(ns, inputs):
    """`inputs["function"]`(*args) on deep copies."""
    return {"return": ns[inputs["function"]](*copy.deepcopy(list(inputs["args"])))}


def _returned(value, n_state: int):
    """(parameters, the state dicts, the whole return as a list) of one step's return:
    `parameters` alone, or a tuple whose first 1 + n_state items are those."""
    items = list(value) if isinstance(value, (tuple, list)) else [value]
    return items[0] if items else None, items[1:1 + n_state], items


def trajectory(ns, inputs):
    """`inputs["function"]`(parameters, grads, *state, *extra(step)) for each step's
    grads: the first state the case's, then what the student's function returned."""
    fn = ns[inputs["function"]]
    parameters, state = inputs["parameters"], list(inputs["state"])
    n_state, steps = len(state), []
    for k, grads in enumerate(inputs["grads"]):
        extra = list(inputs["extra"][k])
        # each its own copy: v and s never one dict, whatever the inputs shared
        value = fn(*[copy.deepcopy(a) for a in (parameters, grads, *state)], *extra)
        params, new_state, items = _returned(value, n_state)
        steps.append({"count": len(items) if isinstance(value, (tuple, list)) else -1,
                      "return": items})
        if not isinstance(params, dict) or len(new_state) != n_state \
                or not all(isinstance(s, dict) for s in new_state):
            break
        parameters, state = params, new_state
    if inputs["function"] == "update_parameters_with_adam" and steps \
            and steps[0]["count"] == 3:
        note("adam three values")
    return {"steps": steps}


def mini_batches(ns, inputs):
    """random_mini_batches(X, Y, mini_batch_size, seed) on copies, then with seed + 1;
    notes a shuffle other than the notebook's (np.random.seed(seed), then
    np.random.permutation(m))."""
    X, Y = np.array(inputs["X"], copy=True), np.array(inputs["Y"], copy=True)
    size, seed = int(inputs["mini_batch_size"]), int(inputs["seed"])
    value = ns["random_mini_batches"](X, Y, size, seed)
    try:
        order = np.concatenate([np.asarray(b[0]) for b in value], axis=1)
        notebook = np.asarray(inputs["X"])[:, np.random.RandomState(seed).permutation(
            X.shape[1])]
        shuffled = order.shape == X.shape and not np.array_equal(order, inputs["X"]) \
            and np.array_equal(np.sort(order[0]), np.sort(np.asarray(inputs["X"])[0]))
        if shuffled and not np.array_equal(order, notebook):
            note("shuffled otherwise")
    except Exception:  # noqa: BLE001 - an odd return: the parent judges it, no note
        pass
    return {"return": value, "again": _again(ns, inputs, seed + 1)}


def _again(ns, inputs, seed: int):
    """The same call with the next seed (the notebook's model reshuffles each epoch so): a
    shuffle that ignores its seed gives the same mini-batches. None when it raises."""
    try:
        return ns["random_mini_batches"](np.array(inputs["X"], copy=True),
                                         np.array(inputs["Y"], copy=True),
                                         int(inputs["mini_batch_size"]), seed)
    except Exception:  # noqa: BLE001 - the first call is the one judged
        return None
