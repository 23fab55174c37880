"""Probes for Ng's "Building your Deep Neural Network: Step by Step" (columns layout).

Runs in the sandboxed child: NumPy only. Each probe calls the student's
function with the course's signature and returns its raw result. To check a
function on its own, the helpers it calls (sigmoid, linear_forward, ...) are
replaced in the student's namespace by correct versions, so a bug in a helper
is reported at the helper, not in everything downstream. The correct versions
are the grader's (`kit`, in the parent): here they are proxies (`remote`),
answered only while a function that may call them runs.

Course layouts: linear_cache = (A_prev, W, b), activation_cache = Z,
cache = (linear_cache, activation_cache); caches = list of cache, one per layer.
"""

from __future__ import annotations

import numpy as np

from ..books.ng import BOOK
from .remote import helper, is_stub, replace

__all__ = [
    "initialize_parameters_deep", "linear_forward_probe", "linear_activation_forward_probe",
    "L_model_forward", "compute_cost", "linear_backward_probe", "linear_activation_backward_probe",
    "L_model_backward", "update_parameters", "activation_probe", "activation_backward_probe",
]


def _isolate(ns, function: str):
    """Replace the helpers a graded function calls (the record's `calls`: the style allows
    the same ones) by the grader's correct versions (proxies: the code runs in the parent,
    see `remote`) wherever the student may call them (`replace`: the graded namespace,
    the student's other modules a four-file submission's functions come from, their
    classes' methods, `self.linear_backward(...)`)."""
    proxies = {}
    for name, prefixed in zip(BOOK.calls_of(function), BOOK.helpers_of(function)):
        alone = name in ("sigmoid", "relu") and _returns_a_alone(ns.get(name))
        proxies[name] = _alone(helper(prefixed)) if alone else helper(prefixed)
    replace(ns, lambda name, value: proxies.get(name), methods=True)
    ns.update(proxies)      # in the graded namespace even where the student relied on none


def _returns_a_alone(own) -> bool:
    """Does the student's own sigmoid/relu return A alone (the week 2-3 helpers' contract,
    `A = sigmoid(Z)` in their linear_activation_forward) rather than the course's (A, cache)?
    Asked on one number; the course's stand-ins and anything that raises: no."""
    if not callable(own) or getattr(own, "__oracle_standin__", False) \
            or is_stub(own):
        return False
    try:
        return isinstance(own(np.zeros((1, 1))), np.ndarray)
    except Exception:  # noqa: BLE001 - the student's helper is graded on its own
        return False


def _alone(proxy):
    """The grader's helper answering A alone, as the student's own helper does."""
    def activation(Z):
        return proxy(Z)[0]
    activation.__name__ = proxy.__name__
    return activation


def _caches(raw):
    return [((c[0][0], c[0][1], c[0][2]), c[1]) for c in raw]


# --- probes --------------------------------------------------------------------------------
def initialize_parameters_deep(ns, inputs):
    np.random.seed(int(inputs["seed"]))
    return {"return": ns["initialize_parameters_deep"](list(inputs["layer_dims"]))}


def linear_forward_probe(ns, inputs):
    return {"return": ns["linear_forward"](inputs["A"], inputs["W"], inputs["b"])}


def linear_activation_forward_probe(ns, inputs):
    _isolate(ns, "linear_activation_forward")
    return {"return": ns["linear_activation_forward"](inputs["A_prev"], inputs["W"],
                                                      inputs["b"], inputs["activation"])}


def L_model_forward(ns, inputs):
    _isolate(ns, "L_model_forward")
    return {"return": ns["L_model_forward"](inputs["X"], inputs["parameters"])}


def compute_cost(ns, inputs):
    return {"return": ns["compute_cost"](inputs["AL"], inputs["Y"])}


def linear_backward_probe(ns, inputs):
    cache = tuple(inputs["linear_cache"])
    return {"return": ns["linear_backward"](inputs["dZ"], cache)}


def linear_activation_backward_probe(ns, inputs):
    _isolate(ns, "linear_activation_backward")
    lin, Z = inputs["cache"]
    return {"return": ns["linear_activation_backward"](inputs["dA"], (tuple(lin), Z),
                                                       inputs["activation"])}


def L_model_backward(ns, inputs):
    _isolate(ns, "L_model_backward")
    return {"return": ns["L_model_backward"](inputs["AL"], inputs["Y"],
                                             _caches(inputs["caches"]))}


def update_parameters(ns, inputs):
    return {"return": ns["update_parameters"](inputs["parameters"], inputs["grads"],
                                              inputs["learning_rate"])}


def activation_probe(ns, inputs):
    """sigmoid / relu: (A, cache) = f(Z)."""
    return {"return": ns[inputs["function"]](inputs["Z"])}


def activation_backward_probe(ns, inputs):
    """sigmoid_backward / relu_backward: dZ = f(dA, cache=Z)."""
    return {"return": ns[inputs["function"]](inputs["dA"], inputs["Z"])}
