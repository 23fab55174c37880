"""Probe of CS231n's `optim.py` (`sgd_momentum`, `rmsprop`, `adam`): the student's update
rule run over a few steps as the course's Solver runs it, the returned config fed back.

Runs in the sandboxed child: NumPy only. Students write into w and config in place
(`w -= ...`, `config['t'] += 1`), so each call gets copies; what comes back per step is
what the function returned: next_w, the number of values returned, and the config it
returned (its numbers and arrays: the state the next step starts from).
"""

from __future__ import annotations

import dis

import numpy as np

from .remote import note

__all__ = ["trajectory", "plain_config"]



def _copy(value):
    return np.array(value, copy=True) if isinstance(value, np.ndarray) else value


def _plain(value):
    """A config value as the parent reads it: an array, a number, None, or a type name."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biuf":
        return np.array(value, copy=True)
    return {"type": type(value).__name__}


def plain_config(config) -> dict | None:
    if not isinstance(config, dict):
        return None
    return {str(k): _plain(v) for k, v in config.items()}


def trajectory(ns, inputs):
    """`inputs["function"]`(w, dw, config) for each dw of `grads`: the first config is the
    case's (hyper-parameters only, or {}), each next one a copy of what the student's
    function returned; w is the returned next_w (the case's w again if it is not an
    array). Stops at a step whose return is not (next_w, config)."""
    fn = ns[inputs["function"]]
    w, config, steps = np.array(inputs["w"], copy=True), dict(inputs["config"]), []
    for dw in inputs["grads"]:
        value = fn(np.array(w, copy=True), np.array(dw, copy=True),
                   {k: _copy(v) for k, v in config.items()})
        count = len(value) if isinstance(value, (tuple, list)) else -1
        if count != 2:
            steps.append({"count": count, "next_w": _plain(value if count < 0 else None)})
            break
        next_w, returned = value
        steps.append({"count": 2, "next_w": _plain(next_w), "config": plain_config(returned)})
        if not isinstance(returned, dict) or not isinstance(next_w, np.ndarray):
            break
        w, config = np.array(next_w, dtype=np.float64), returned
    _notes(fn, inputs, steps)
    return {"steps": steps}


def _notes(fn, inputs, steps) -> None:
    """The conventions read in the student's own answers and file (`books/optim.py`): the
    velocity stored as torch's buffer or negated, t counted from 1, Adam's lr_t form."""
    first = steps[0] if steps else {}
    config = first.get("config") if isinstance(first.get("config"), dict) else {}
    name = inputs["function"]
    if name == "sgd_momentum":
        _velocity_note(np.asarray(inputs["w"]), first.get("next_w"), config)
    elif name == "adam":
        if isinstance(config.get("t"), (int, float)) and config["t"] == 2:
            note("adam t from 1")
        if _sqrt_calls(fn) >= 2:
            note("adam lr_t")


def _sqrt_calls(fn) -> int:
    """How many square roots the student's code takes: Adam's lr_t form takes two
    (√(1 − β₂ᵗ) and √v), the textbook form one (√v̂)."""
    try:
        return sum(1 for i in dis.get_instructions(fn.__code__) if i.argval == "sqrt")
    except Exception:  # noqa: BLE001 - an odd code object: no note
        return 0


def _velocity_note(w, next_w, config) -> None:
    velocity, lr = config.get("velocity"), config.get("learning_rate")
    if not isinstance(next_w, np.ndarray) or not isinstance(velocity, np.ndarray) \
            or not isinstance(lr, (int, float)) or not lr or velocity.shape != w.shape:
        return
    step = next_w - w
    if np.allclose(velocity, step):
        return
    if np.allclose(velocity, -step / lr):
        note("torch momentum")
    elif np.allclose(velocity, -step):
        note("negated velocity")
