"""Probes of Ng's course 2 week 1 (Initialization, Regularization, Gradient Checking).

Runs in the sandboxed child: NumPy only. Each probe calls the student's function with
the notebook's positional arguments, on copies, and returns its raw result. What a
graded function calls from the course is put in place first, correct, wherever the
student may call it (`remote.replace`, then the graded namespace): reg_utils'
`compute_cost`, `relu` and `sigmoid`, gc_utils' `dictionary_to_vector`,
`vector_to_dictionary` and `gradients_to_vector`, and the notebook's own
`forward_propagation_n` (course code the student does not write, and none of it a graded
function). The 1-D `forward_propagation` and `backward_propagation` are graded
functions: gradient_check gets the grader's (proxies answered by the parent, `remote`),
and once a planted wrong backward built on them.

A checker (`gradient_check`, `gradient_check_n`) runs once on the right gradient and
once on each planted wrong one; what it returns and what it prints come back.
"""

from __future__ import annotations

import contextlib
import io
import types

import numpy as np

from .layers import stub_reason
from .remote import helper, replace

__all__ = ["init", "call", "with_course", "dropout_backward", "gradient_check",
           "gradient_check_n",
           "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector",
           "forward_propagation_n"]

PRINTED = 2000          # characters of a checker's printed message kept (its last ones)
KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")
# gc_utils' vector_to_dictionary: the Gradient Checking notebook's 4-5-3-1 network
SHAPES = ((5, 4), (5, 1), (3, 5), (3, 1), (1, 3), (1, 1))


# --- the course's code, correct (reg_utils, gc_utils, the notebook's forward_propagation_n)
def relu(x):
    """reg_utils.relu: max(0, x), the activation alone."""
    return np.maximum(0, x)


def sigmoid(x):
    """reg_utils.sigmoid: 1 / (1 + e^(−x)), the activation alone."""
    return 1 / (1 + np.exp(-x))


def compute_cost(a3, Y):
    """reg_utils.compute_cost: the cross-entropy −(1/m) Σ [y log a + (1 − y) log(1 − a)]."""
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1.0 / m * np.nansum(logprobs)


def dictionary_to_vector(parameters):
    """gc_utils: W1, b1, W2, b2, W3, b3 flattened into one column, and the key of each
    entry."""
    parts = [np.reshape(parameters[k], (-1, 1)) for k in KEYS]
    keys = [k for k, p in zip(KEYS, parts) for _ in range(p.shape[0])]
    return np.concatenate(parts, axis=0), keys


def vector_to_dictionary(theta):
    """gc_utils: the column back into the 4-5-3-1 network's parameters."""
    out, start = {}, 0
    for key, shape in zip(KEYS, SHAPES):
        size = shape[0] * shape[1]
        out[key] = np.asarray(theta)[start:start + size].reshape(shape)
        start += size
    return out


def gradients_to_vector(gradients):
    """gc_utils: dW1, db1, ..., db3 flattened into one column."""
    return np.concatenate([np.reshape(gradients["d" + k], (-1, 1)) for k in KEYS], axis=0)


def forward_propagation_n(X, Y, parameters):
    """The notebook's forward_propagation_n: the 3-layer network's cost and its cache."""
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in KEYS)
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    m = X.shape[1]
    cost = 1.0 / m * np.sum(np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y))
    return cost, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


COURSE = {"relu": relu, "sigmoid": sigmoid, "compute_cost": compute_cost,
          "dictionary_to_vector": dictionary_to_vector,
          "vector_to_dictionary": vector_to_dictionary,
          "gradients_to_vector": gradients_to_vector,
          "forward_propagation_n": forward_propagation_n}


def _install(ns, pieces: dict, course: bool = False) -> None:
    """`pieces` wherever the student may call them, and in the graded namespace; with
    `course`, also on the course modules the grader stands in for (`import reg_utils`,
    then `reg_utils.compute_cost(...)`)."""
    replace(ns, lambda name, value: pieces.get(name))
    ns.update(pieces)
    for value in list(ns.values()) if course else ():
        if isinstance(value, types.ModuleType) and getattr(value, "__oracle_standin__", False):
            for name, piece in pieces.items():
                setattr(value, name, piece)


def _copy(value):
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(_copy(v) for v in value)
    return value


class Stub(Exception):
    """The graded function is still the notebook's skeleton."""


def _placeholder(fn, exc: Exception) -> str:
    """Why an error raised in `fn`'s own frame is the skeleton's (a placeholder left at
    None: TypeError on NoneType; a commented-out body: NameError in a function that binds
    no name at all), or ''. An error raised deeper (a helper, NumPy) is the code's own."""
    frames = _frames(exc)
    if not frames or frames[-1].f_code is not getattr(fn, "__code__", None):
        return ""
    if isinstance(exc, TypeError) and "NoneType" in str(exc) and None in fn.__code__.co_consts:
        return f"a placeholder left at None ({exc})"
    code = fn.__code__
    binds_nothing = code.co_nlocals == code.co_argcount + code.co_kwonlyargcount
    if isinstance(exc, NameError) and not isinstance(exc, UnboundLocalError) and binds_nothing:
        return f"a line still commented out ({exc})"    # a typo in written code: its own
    return ""


def _frames(exc: BaseException) -> list:
    tb, out = exc.__traceback__, []
    while tb is not None:
        out.append(tb.tb_frame)
        tb = tb.tb_next
    return out


def _run(fn, *args):
    """fn(*args), or `Stub` when its code or its error is the skeleton's."""
    reason = stub_reason(fn)
    if reason:
        raise Stub(reason)
    try:
        return fn(*args)
    except (TypeError, NameError) as exc:
        why = _placeholder(fn, exc)
        if why:
            raise Stub(why) from None
        raise


def _answer(probe):
    """A probe whose `Stub` becomes {"stub": why} (the parent's judges: missing)."""
    def run(ns, inputs):
        try:
            return probe(ns, inputs)
        except Stub as stub:
            return {"stub": str(stub)}
    run.__name__, run.__doc__ = probe.__name__, probe.__doc__
    return run


# --- probes --------------------------------------------------------------------------------
@_answer
def init(ns, inputs):
    """initialize_parameters_*(layers_dims) after np.random.seed; the dtypes come back too
    (the parent rebuilds arrays as float64)."""
    np.random.seed(int(inputs["seed"]))
    out = _run(ns[inputs["function"]], list(inputs["layers_dims"]))
    dtypes = ({str(k): str(np.asarray(v).dtype) for k, v in out.items()}
              if isinstance(out, dict) else {})
    return {"return": out, "dtypes": dtypes}


@_answer
def call(ns, inputs):
    """`inputs["function"]`(*args) on copies (a cache given as a list becomes a tuple)."""
    return {"return": _run(ns[inputs["function"]], *[_copy(a) for a in inputs["args"]])}


@_answer
def with_course(ns, inputs):
    """`call`, with the course's reg_utils functions in place (compute_cost, relu,
    sigmoid): the regularized cost and the forward with dropout."""
    _install(ns, COURSE, course=True)
    return call(ns, inputs)


@_answer
def dropout_backward(ns, inputs):
    """backward_propagation_with_dropout on the notebook's cache, then (when the student's
    forward_propagation_with_dropout is written) on the cache that forward returns: a
    backward reading its own forward's layout is graded on it. An error of either run
    comes back as text (the parent judges both)."""
    backward = ns["backward_propagation_with_dropout"]
    out: dict = {}
    try:
        out["return"] = _run(backward, *[_copy(a) for a in inputs["args"]])
    except Stub:
        raise
    except Exception as exc:  # noqa: BLE001 - the student's error: judged in the parent
        out["error"] = f"{type(exc).__name__}: {exc}"[:300]
    forward = ns.get("forward_propagation_with_dropout")
    if callable(forward) and not stub_reason(forward) and "error" in out:
        X, Y, _, keep_prob = inputs["args"]
        _install(ns, COURSE, course=True)
        try:
            A3, cache = forward(_copy(X), _copy(inputs["parameters"]), keep_prob)
            grads = backward(_copy(X), _copy(Y), cache, keep_prob)
            out["own"] = {"A3": A3, "cache": cache, "return": grads}
        except Exception:  # noqa: BLE001 - no cache of its own to grade on
            pass
    return out


def _checker(fn, args) -> dict:
    """A checker's return value and its printed message."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        value = _run(fn, *args)
    return {"return": value, "printed": printed.getvalue()[-PRINTED:]}


def _planted(token):
    """One planted backward_propagation, answered by the parent: the token is opaque (the
    parent alone knows whether it is the right one)."""
    ask = helper("ng_c2.planted_backward")

    def backward_propagation(x, theta):
        return ask(x, theta, token)

    return backward_propagation


@_answer
def gradient_check(ns, inputs):
    """gradient_check(x, theta) with the grader's forward_propagation and one planted
    backward_propagation (right or wrong: the case does not say, the parent knows)."""
    forward, backward = helper("ng_c2.forward_propagation"), _planted(inputs["token"])
    _install(ns, {"forward_propagation": forward, "backward_propagation": backward})
    return {"runs": [_checker(ns["gradient_check"], (inputs["x"], inputs["theta"]))]}


@_answer
def gradient_check_n(ns, inputs):
    """gradient_check_n(parameters, gradients, X, Y) on one network's gradients (right or
    planted wrong: the case does not say), with gc_utils and forward_propagation_n in
    place."""
    _install(ns, COURSE, course=True)
    args = (_copy(inputs["parameters"]), _copy(inputs["gradients"]), _copy(inputs["X"]),
            _copy(inputs["Y"]))
    return {"runs": [_checker(ns["gradient_check_n"], args)]}
