"""Helpers the graded function may call, as proxies: the correct code stays in the parent.

In the student's process a helper (ng's `sigmoid`, Nielsen's `backprop`, one of
Saito's layers inside TwoLayerNet) is a proxy that sends its arguments to the
grader and returns the grader's answer (`kit.answer`, only for the helpers the
running function allows). `connect(call)` is done by the worker (over the
result and job pipes) or by a test (in-process); `call(name, args, kwargs)`
returns the value or raises the helper's error.

A proxy is put wherever the student may call the helper (`replace`: the graded
namespace, the student's other modules it reaches, their classes' methods), once
for every style; what the grader lacks is marked (`is_stub`: `standins.Missing`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

__all__ = ["ERRORS", "connect", "raise_for", "helper", "layer", "note", "take_notes",
           "is_stub", "student_spaces", "replace", "replaced"]

_channel = []      # [call]: set by connect()
_notes: list[str] = []     # the accommodations a probe applied (`note`), in order

ERRORS = {"ValueError": ValueError, "TypeError": TypeError, "IndexError": IndexError,
          "KeyError": KeyError, "AttributeError": AttributeError, "NameError": NameError,
          "ZeroDivisionError": ZeroDivisionError}


def connect(call) -> None:
    _channel[:] = [call]


def note(accommodation: str) -> None:
    """Say that a probe applied one of the book's accommodations (`Book.accommodations`,
    by name: "dw"); the worker sends the names with the function's answer and the parent
    prints the record's note for each (a name it does not know is dropped)."""
    if accommodation not in _notes:
        _notes.append(accommodation)


def take_notes() -> list[str]:
    """The accommodations noted since the last call (the worker's, after the cases)."""
    taken = list(_notes)
    _notes.clear()
    return taken


def raise_for(reply):
    """The value of a reply {"ok", "value" | "type", "error"}, or its error raised."""
    if not isinstance(reply, dict):
        raise RuntimeError("the grader's helper gave no answer")
    if reply.get("ok"):
        return reply.get("value")
    raise ERRORS.get(str(reply.get("type")), RuntimeError)(str(reply.get("error")))


def helper(name: str):
    """A function named like the helper (`ng.sigmoid` -> `sigmoid`) that asks the grader."""
    short = name.rsplit(".", 1)[-1]

    def proxy(*args, **kwargs):
        return _channel[0](name, args, kwargs)

    proxy.__name__ = proxy.__qualname__ = short
    return proxy


def layer(style: str, cls_name: str, state: tuple[str, ...], init: tuple[str, ...] = ()):
    """A layer class whose forward/backward are answered by the grader (Saito's layers
    inside TwoLayerNet): the layer's attributes travel with every call."""

    def __init__(self, *args, **kwargs):
        for key in state:
            setattr(self, key, None)
        for key, value in zip(init, args):
            setattr(self, key, value)
        for name, value in kwargs.items():      # Affine(w=..., b=...): the student's case
            key = next((k for k in init if k.lower() == name.lower()), name)
            if key != name:
                note("keyword constructor")
            setattr(self, key, value)

    def __getattr__(self, name):
        """`layer.dw` for the book's `dW`: a student whose whole project spells it so."""
        key = next((k for k in state if k.lower() == name.lower() and k != name), None)
        if key is None:
            raise AttributeError(name)
        if key == "dW":
            note("dw")
        return getattr(self, key)

    def _call(self, method, args):
        held = {key: getattr(self, key, None) for key in state}
        value, changed = _channel[0](f"{style}.{cls_name}.{method}", (held, *args), {})
        for key, new in dict(changed).items():
            if key in state:
                setattr(self, key, new)
        return value

    def forward(self, *args):
        return _call(self, "forward", args)

    def backward(self, *args):
        return _call(self, "backward", args)

    return type(cls_name, (), {"__init__": __init__, "__getattr__": __getattr__,
                               "forward": forward, "backward": backward})


def is_stub(obj) -> bool:
    """Is `obj` what stands in for something the grader lacks (`standins.Missing`, read by
    its mark: a probe asks it of the student's namespace)?"""
    return getattr(type(obj), "__oracle_stub__", False) is True


# --- replace a helper wherever the student may call it -------------------------------------
def _served(space) -> bool:
    """A namespace of a module the worker served from the student's files (`SourceFinder`
    marks each one `__oracle_served__`)."""
    return isinstance(space, dict) and space.get("__oracle_served__") is True


def student_spaces(ns: dict) -> list[dict]:
    """The graded namespace, then the student's modules it reaches: those it holds
    (`import layers as L`) and those its functions were defined in."""
    spaces = {id(ns): ns}
    for value in list(ns.values()):
        space = vars(value) if isinstance(value, ModuleType) else getattr(value, "__globals__",
                                                                           None)
        if _served(space):
            spaces.setdefault(id(space), space)
    return list(spaces.values())


def replace(ns: dict, pick: Callable[[str, Any], Any], *, methods: bool = False) -> None:
    """Every name the student defines, in `ns` and the student's modules it reaches, that
    `pick(name, value)` answers (not None) is replaced by that answer; with `methods`, also
    a method of the student's classes by that name (as a staticmethod: `self.sigmoid(z)`).
    A name the student did not define is never added."""
    spaces = student_spaces(ns)
    classes = [v for space in spaces for v in list(space.values()) if isinstance(v, type)]
    _substitute(spaces, pick, [])
    for cls in classes if methods else ():
        for name, value in list(vars(cls).items()):
            new = pick(name, value)
            if new is not None:
                setattr(cls, name, staticmethod(new))


def _substitute(spaces: list[dict], pick: Callable[[str, Any], Any], saved: list) -> None:
    """Each name of `spaces` that `pick(name, value)` answers (not None) set to that answer;
    what was there appended to `saved` as (space, name, value), in order."""
    for space in spaces:
        for name, value in list(space.items()):
            new = pick(name, value)
            if new is not None:
                saved.append((space, name, value))
                space[name] = new


@contextlib.contextmanager
def replaced(spaces: list[dict], pick: Callable[[str, Any], Any]) -> Iterator[None]:
    """`replace`'s substitution in `spaces` for the time of the block only: every name
    `pick(name, value)` answers is replaced, and what was there put back after (a net graded
    again with the grader's layers, a SimpleConvNet with the book's)."""
    saved: list = []
    try:
        _substitute(spaces, pick, saved)
        yield
    finally:
        for space, name, value in reversed(saved):
            space[name] = value
