"""Judging an update rule over a trajectory, shared by the optimizer parts of the styles
(CS231n's `optim.py`, Ng's course 2 week 2, Saito's `common/optimizer.py`).

A trajectory is a few steps from a fresh state, each next step starting from the state the
student's code stored (as the course's loop runs it). Each step is judged against the
registry's step (`manual.optimizers`, checked against torch.optim by
`tests/test_optimizers.py`) from that stored state: the step next_w − w (so a mistake in
a small step is not hidden by the size of w) and the state stored. A course's conventions
that are equal after rescaling (`Convention`: torch's momentum buffer for the course's
velocity, Adam's lr_t form) are each a prediction of the same quantities; the first step
picks the ones that match, and every later step must match one of them. When none does,
the first convention (the course's own) explains the step, with the known mistakes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from manual.optimizers import step as registry_step

from ...oracle.diagnose import Finding, Kind, as_array, diagnose_array, diagnose_keys
from ...oracle.tolerances import GRADER, allowance

__all__ = ["Convention", "registry_step", "close_scaled", "diagnose_scaled", "judge_steps",
           "Step", "as_state"]

RTOL, ATOL = GRADER

# predict(w, dw, stored state or None at the start, hp) -> (next_w, {state name: value})
Predict = Callable[[np.ndarray, np.ndarray, dict | None, dict], tuple[np.ndarray, dict]]
# mistakes(w, dw, stored, hp) -> [(diagnosis, the next_w that mistake gives)]
Mistakes = Callable[[np.ndarray, np.ndarray, dict | None, dict], list]


@dataclass(frozen=True)
class Convention:
    predict: Predict
    label: str = ""            # "" for the course's own


@dataclass
class Step:
    """What the student's code gave at one step: next_w and the state it stored."""

    next_w: object
    state: object               # a dict of the stored state (or what came back instead)


def _atol(expected) -> float:
    """The grader's tolerance relative to the array's own scale (a step of 1e-5 is judged
    to 1e-5 of itself, not to 1e-5 absolute)."""
    e = as_array(expected)
    scale = float(np.max(np.abs(e), initial=0.0)) if e is not None and e.size else 0.0
    return ATOL * min(1.0, scale) if scale > 0 else ATOL


def close_scaled(got, expected) -> bool:
    g, e = as_array(got), as_array(expected)
    if g is None or e is None or g.dtype == object:
        return False
    if e.ndim == 0 and g.size == 1:
        g = g.reshape(())
    if g.shape != e.shape or not np.all(np.isfinite(g)):
        return False
    return bool(np.all(np.abs(g - e) <= allowance(e, RTOL, _atol(e), scale=1.0)))


def diagnose_scaled(got, expected, name: str, mistakes: Sequence = ()) -> Finding | None:
    return diagnose_array(got, expected, equation="update", name=name, mistakes=mistakes,
                          rtol=RTOL, atol=_atol(expected))


def as_state(stored) -> dict | None:
    return stored if isinstance(stored, dict) else None


def _matches(conv: Convention, w, dw, stored, hp, got: Step, keys) -> bool:
    try:
        exp_w, exp_state = conv.predict(w, dw, stored, hp)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, FloatingPointError):
        return False
    state = as_state(got.state)
    return (close_scaled(got.next_w, exp_w) and state is not None
            and all(k in state and close_scaled(state[k], exp_state[k]) for k in keys))


def _explain(conv: Convention, mistakes: Mistakes | None, point: tuple, got: Step,
             keys, where: str) -> Finding:
    """Why the step is wrong, in the course's convention: next_w first (its shape, then the
    step next_w − w against the known mistakes), then the state's keys and values.
    point: (w, dw, the stored state, hp) the step started from."""
    w, dw, stored, hp = point
    exp_w, exp_state = conv.predict(w, dw, stored, hp)
    g = as_array(got.next_w)
    found = None
    if g is None or g.dtype == object or g.shape != np.shape(exp_w):
        found = diagnose_array(got.next_w, exp_w, equation="update", name="next_w")
    if found is None:
        wrong = [(d, m - w) for d, m in (mistakes(w, dw, stored, hp) if mistakes else ())
                 if m is not None and np.all(np.isfinite(m))]
        found = diagnose_scaled(g - w, exp_w - w, "the step next_w − w", wrong)
    if found is None:
        found = diagnose_keys(got.state, list(keys), equation="update", name=where)
    for key in keys if found is None else ():
        found = diagnose_scaled(got.state[key], exp_state[key], f"{where}['{key}']")
        if found:
            break
    return found or Finding("update", "the step matches none of the accepted conventions "
                            "from one step to the next", kind=Kind.VALUE)


def judge_steps(got_steps: Sequence[Step], w0, grads, hp: dict,
                conventions: Sequence[Convention], keys: Sequence[str],
                mistakes: Mistakes | None = None, where: str = "config") -> Finding | None:
    """None when every step matches an accepted convention (the same one throughout);
    else the first wrong step explained, "step k: ..."."""
    alive, w, stored = list(conventions), np.asarray(w0, dtype=np.float64), None
    for k, dw in enumerate(grads):
        got = got_steps[k]
        matching = [c for c in alive if _matches(c, w, dw, stored, hp, got, keys)]
        if not matching:
            found = _explain(alive[0], mistakes, (w, dw, stored, hp), got, keys, where)
            found.diagnosis = f"step {k + 1}: {found.diagnosis}"
            return found
        alive = matching
        w, stored = np.asarray(as_array(got.next_w), dtype=np.float64), as_state(got.state)
    return None
