"""Stand-ins for the course's own helper modules, when the student's folder lacks them
(child side: NumPy only).

Ng's course gives the student files they import but do not write: `dnn_utils`
(`dnn_utils_v2`), `dnn_app_utils*`, `testCases*`, `lr_utils`, `public_tests`,
`test_utils`... A stand-in provides what the real module provides to the
student, written from the course's documented contract:

- every one of them does `import numpy as np`, so `from testCases_v2 import *`
  gives the student `np`;
- `dnn_utils*` and `dnn_app_utils*` provide the activations the notebook says
  are given: `sigmoid(Z)` and `relu(Z)` return `(A, cache)` with cache = Z,
  `sigmoid_backward(dA, cache)` and `relu_backward(dA, cache)` return dZ;
- `planar_utils` provides `sigmoid(x)`, `init_utils` and `reg_utils` provide
  `sigmoid(x)` and `relu(x)`, each returning the activation alone;
- any other name (`linear_forward_test_case`, `load_dataset`,
  `L_model_forward_test`) is a placeholder raising a clear error when called.

Only course-provided code is stood in for: a function the book has the student
write is never supplied (a name the student's code uses but nobody defines is
the student's NameError). The functions here are marked `__oracle_standin__`:
a graded function found only in a stand-in counts as not written by the student.
"""

from __future__ import annotations

import re
import types

import numpy as np

__all__ = [
    "ACTIVATIONS", "is_course_helper", "is_course_file", "sigmoid", "relu", "sigmoid_backward",
    "relu_backward", "MissingModuleError", "Missing", "fill",
]

COURSE_HELPERS = re.compile(
    r"^(dnn_utils(_v\d+)?|dnn_app_utils(_v\d+)?|testCases?(_v\d+[a-z]?)?|test_cases(_v\d+)?"
    r"|lr_utils|public_tests|test_utils|planar_utils|init_utils|reg_utils|gc_utils"
    r"|opt_utils(_v\d+[a-z]?)?)$")
ACTIVATIONS = re.compile(r"^dnn(_app)?_utils")


def is_course_helper(name: str) -> bool:
    return bool(COURSE_HELPERS.match(name))


def is_course_file(module: str) -> bool:
    """A module of the student's folder that is the course's own file (`dnn_app_utils_v3`
    has the course's L_model_forward): it serves the student's imports, never graded."""
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


class MissingModuleError(Exception):
    """Graded code called something from a module the grader does not have."""


class Missing:
    """A course helper the grader does not have (a test-case builder, a data loader)."""

    __oracle_stub__ = True

    def __init__(self, name: str):
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and isinstance(args[0], (types.FunctionType, type)):
            return args[0]      # a decorator the course file had (`@timer`): the function as is
        root = self.__name__.split(".")[0]
        raise MissingModuleError(
            f"the code calls `{self.__name__}`, but the module `{root}` is not available to "
            "the grader (a course helper: only what the course documents it provides is "
            "stood in for): define what you need in your submission")


def fill(module: types.ModuleType) -> None:
    """Give a stand-in module what the real one gives to `from module import *`."""
    name = module.__name__
    module.np = np
    if ACTIVATIONS.match(name):
        module.sigmoid, module.relu = sigmoid, relu
        module.sigmoid_backward, module.relu_backward = sigmoid_backward, relu_backward
    elif name == "planar_utils":
        module.sigmoid = plain_sigmoid
    elif name in ("init_utils", "reg_utils"):
        module.sigmoid, module.relu = plain_sigmoid, plain_relu
    module.__all__ = [k for k in vars(module) if not k.startswith("_")]
    module.__oracle_standin__ = True

    def __getattr__(attr: str):           # `from testCases import linear_forward_test_case`
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Missing(f"{name}.{attr}")

    module.__getattr__ = __getattr__
