"""Stand-ins for the course's own helper modules, when the student's folder lacks them
(child side: NumPy only).

A course gives the student files they import but do not write; each book's record
lists them (`Book.course_modules`: a pattern of names, and what a star import of
each provides). A stand-in provides what the real module provides to the
student, written from the course's documented contract:

- every one of them does `import numpy as np`, so a star import gives the
  student `np`;
- the names the record lists, each implemented here (`IMPLEMENTATIONS`): an
  activation returning `(A, cache)` with cache = Z, its backward returning dZ,
  or the activation alone;
- any other name (a test-case builder, a data loader) is a placeholder raising
  a clear error when called.

Only course-provided code is stood in for: a function the book has the student
write is never supplied (a name the student's code uses but nobody defines is
the student's NameError). The functions here are marked `__oracle_standin__`:
a graded function found only in a stand-in counts as not written by the student.
"""

from __future__ import annotations

import types

import numpy as np

from .books import SHELF
from .probes.remote import is_stub

__all__ = [
    "IMPLEMENTATIONS", "is_course_helper", "is_course_file", "sigmoid", "relu",
    "sigmoid_backward", "relu_backward", "MissingModuleError", "Missing", "is_stub", "fill",
]


def is_course_helper(name: str) -> bool:
    """A module name one of the courses provides (the books' records)."""
    return SHELF.is_course_module(name)


def is_course_file(module: str) -> bool:
    """A module of the student's folder that is the course's own file (it may hold the
    course's own version of a graded function): it serves the student's imports, never
    graded."""
    return is_course_helper(module.rpartition(".")[2])


def _mark(fn):
    fn.__oracle_standin__ = True
    return fn


@_mark
def sigmoid(Z):
    """A = σ(Z) = 1 / (1 + e^(−Z)); the cache is Z."""
    Z = np.asarray(Z, dtype=float)
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), Z


@_mark
def relu(Z):
    """A = max(0, Z); the cache is Z."""
    return np.maximum(0, Z), Z


@_mark
def sigmoid_backward(dA, cache):
    """dZ = dA ⊙ σ'(Z), σ' = σ(1 − σ) (BP1/BP2 for a sigmoid layer)."""
    s = sigmoid(cache)[0]
    return dA * s * (1 - s)


@_mark
def relu_backward(dA, cache):
    """dZ = dA where Z > 0, else 0 (BP2 for a ReLU layer)."""
    return np.where(np.asarray(cache) > 0, dA, 0.0)


@_mark
def plain_sigmoid(x):
    """σ(x) alone (the week-3 and course-2 helpers return no cache)."""
    return sigmoid(x)[0]


@_mark
def plain_relu(x):
    """max(0, x) alone."""
    return np.maximum(0, x)


@_mark
def softmax_columns(x):
    """Each column's softmax (one example per column), the max subtracted."""
    x = np.asarray(x, dtype=float)
    e = np.exp(x - np.max(x, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


# what a record's `CourseModule.provides` may name
IMPLEMENTATIONS = {"sigmoid_with_cache": sigmoid, "relu_with_cache": relu,
                   "sigmoid_backward": sigmoid_backward, "relu_backward": relu_backward,
                   "sigmoid": plain_sigmoid, "relu": plain_relu,
                   "softmax_columns": softmax_columns}


class MissingModuleError(Exception):
    """Graded code called something from a module the grader does not have."""


class Missing(types.ModuleType):
    """Stands in for what the grader does not have: a module the student imports that is
    not there (`import tests_helpers`), a name imported from one, and a course helper the
    stand-ins do not implement (a test-case builder, a data loader). Calling it raises a
    clear `MissingModuleError`; used as a decorator (`@profile`, `@timer`), it gives the
    function back; its attributes are more of the same (`helpers.plot.show`)."""

    __oracle_stub__ = True

    def __init__(self, name: str, *, course: bool = False):
        super().__init__(name)
        self.__oracle_course__ = course   # a course module's name: what is stood in for

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Missing(f"{self.__name__}.{attr}", course=self.__oracle_course__)

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and isinstance(args[0], (types.FunctionType, type)):
            return args[0]      # a decorator from a module the grader lacks: the function
        root = self.__name__.split(".")[0]
        why = ("a course helper: only what the course documents it provides is stood in for"
               if self.__oracle_course__ else "a course helper file?")
        raise MissingModuleError(
            f"the code calls `{self.__name__}`, but the module `{root}` is not available to "
            f"the grader ({why}): define what you need in your submission")


def fill(module: types.ModuleType) -> None:
    """Give a stand-in module what the real one gives to `from module import *`."""
    name = module.__name__
    module.np = np
    course = SHELF.course_module(name)
    for attr, implementation in course.provides if course else ():
        setattr(module, attr, IMPLEMENTATIONS[implementation])
    module.__all__ = [k for k in vars(module) if not k.startswith("_")]
    module.__oracle_standin__ = True

    def __getattr__(attr: str):           # `from <course module> import <a test case>`
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Missing(f"{name}.{attr}", course=True)

    module.__getattr__ = __getattr__
