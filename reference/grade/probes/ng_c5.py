"""Probes of Ng's course 5 week 1: the course's signatures read as the layer convention,
then the layer probes (`probes.layers`) run as for any layer style.

Runs in the sandboxed child: NumPy and the standard library only. The case's `course`
says how the registry's arrays map to the course's call: the first `positional` arrays
are passed as they are (xt, a_prev[, c_prev]; x, a0), the rest as the `parameters` dict
by name; a backward is handed the first `given` upstream gradients (da_next[, dc_next];
da) and the cache, and its dict of gradients is read by the course's keys, in the
registry's order. A bias gradient returned as a vector (n_a,) is read as the notebook's
(n_a, 1) (the record's "keepdims"); the 2018 notebooks named the LSTM's update gate u
(`aliases`: the dict holds Wu and bu too, and dWu is read for dWi: "update gate u").

The student's function is looked up by its name in its own module each time it is
called (and read, for the stub test), so that a run with the functions it calls replaced
(`calls`: a sequence with the grader's cells, a backward on the course's forward) reaches
the grader's: a backward whose forward is missing or a stub is graded on the course's
forward's cache in that run, and is blocked by the forward in the run as written.

The course's skeleton of a sequence (`n_x, m, T_x = None`, `dWax += None`, a loop) is
not a body of constants (`probes.layers.stub_reason`): a TypeError raised where its code
still unpacks or adds a placeholder says it is the stub (`skeleton`).
"""

from __future__ import annotations

import numpy as np

from . import layers
from .remote import note

__all__ = ["layer_forward", "layer_backward", "skeleton"]


class _Course:
    """The student's function `name` called in the course's convention; its code and
    module are the student's (the stub reading and the replacement of what it calls read
    them)."""

    def __init__(self, fn, name: str, course: dict, backward: bool, space=None):
        self._fn, self._name, self._course, self._backward = fn, name, course, backward
        space = getattr(fn, "__globals__", space)
        self.__globals__ = space if isinstance(space, dict) else {}
        self.__doc__ = getattr(fn, "__doc__", None)

    @property
    def __code__(self):
        """The code of the function the name holds now (the grader's, once replaced)."""
        return getattr(self._current(), "__code__", None)

    def _current(self):
        fn = self.__globals__.get(self._name)
        return fn if callable(fn) else self._fn

    def __call__(self, *args, **kwargs):
        course = self._course
        if self._current() is None:
            raise NameError(f"name {self._name!r} is not defined")
        if self._backward:
            given = int(course["given"])
            return _read(self._current()(*args[:given], args[-1], **kwargs), course["grads"],
                         course.get("aliases"))
        k = int(course["positional"])
        parameters = dict(zip(course["parameters"], args[k:]))
        for name, alias in (course.get("aliases") or {}).items():
            parameters[alias] = parameters[name]       # the 2018 notebooks' Wu, bu
        return self._current()(*args[:k], parameters, **kwargs)


def _read(value, names, aliases=None):
    """The course's dict of gradients as the registry's tuple (a key left out: None; the
    2018 notebooks' dWu for dWi, with a note)."""
    if not isinstance(value, dict):
        return value
    out = []
    for name in names:
        got = value.get(name)
        alias = "d" + (aliases or {}).get(name[1:], "")
        if got is None and alias != "d" and value.get(alias) is not None:
            note("update gate u")
            got = value[alias]
        if name.startswith("db") and isinstance(got, np.ndarray) and got.ndim == 1:
            note("keepdims")
            got = got[:, None]
        out.append(got)
    return tuple(out)


def _namespace(ns, inputs, grading_backward: bool = False) -> dict:
    """The graded namespace with the forward and backward read in the course's convention
    (grading a backward whose forward is missing: a forward looked up where the second run
    puts the course's)."""
    course = inputs["course"]
    view = dict(ns)
    for key, backward in (("backward", True), ("forward", False)):
        name = inputs.get(key)
        fn = ns.get(name) if name else None
        if callable(fn):
            view[name] = _Course(fn, name, course, backward)
        elif grading_backward and name and key == "forward" and isinstance(
                view.get(inputs.get("backward")), _Course):
            # a backward whose forward is missing: the name is looked up in the backward's
            # module, where the second run puts the course's forward
            view[name] = _Course(None, name, course, False,
                                 view[inputs["backward"]].__globals__)
    return view


# the course's skeleton: `layers.skeleton` (a `= None` placeholder unpacked or added)
skeleton = layers.skeleton


def _still_skeleton(ns, name: str, got: dict) -> dict:
    """A function that raised TypeError where its code still unpacks or adds the course's
    `None` placeholders is the course's stub (missing), not a crash."""
    runs = [got, got.get("replaced")] if isinstance(got, dict) else []
    for run in runs:       # as written, or on the course's pieces when its forward blocked it
        raised = run.get("raised") if isinstance(run, dict) else None
        if isinstance(raised, dict) and raised.get("type") == "TypeError" and skeleton(
                ns.get(name)):
            return {"stub": "its `= None` placeholders are still in place (the course's "
                            f"skeleton: TypeError: {raised.get('error', '')})"[:300]}
    return got


def layer_forward(ns, inputs):
    """The student's forward, called as the course calls it (`probes.layers`)."""
    got = layers.layer_forward(_namespace(ns, inputs), inputs)
    return _still_skeleton(ns, inputs["forward"], got)


def layer_backward(ns, inputs):
    """The student's forward for its cache, then the backward, as the course calls them."""
    got = layers.layer_backward(_namespace(ns, inputs, grading_backward=True), inputs)
    return _still_skeleton(ns, inputs["backward"], got)
