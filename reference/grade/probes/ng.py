"""Probes for Ng's "Building your Deep Neural Network: Step by Step" (columns layout).

Runs in the sandboxed child: NumPy only. Each probe calls the student's
function with the course's signature and returns its raw result. To check a
function on its own, the helpers it calls (sigmoid, linear_forward, ...) are
replaced in the student's namespace by the correct versions below, so a bug
in a helper is reported at the helper, not in everything downstream.

Course layouts: linear_cache = (A_prev, W, b), activation_cache = Z,
cache = (linear_cache, activation_cache); caches = list of cache, one per layer.
"""

from __future__ import annotations

import numpy as np


# --- correct helpers (the course's contract), written from the equations -----------------
def sigmoid(Z):
    """a = σ(z) = 1 / (1 + e^(−z)), computed without overflow; returns (A, Z)."""
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), Z


def relu(Z):
    """a = max(0, z); returns (A, Z)."""
    return np.maximum(Z, 0.0), Z


def sigmoid_backward(dA, cache):
    """dZ = dA ⊙ σ'(z), σ'(z) = σ(z)(1 − σ(z))  (the ⊙ σ'(z) of BP1/BP2)."""
    s = sigmoid(cache)[0]
    return dA * s * (1.0 - s)


def relu_backward(dA, cache):
    """dZ = dA ⊙ 1[z > 0]."""
    return dA * (cache > 0)


def linear_forward(A, W, b):
    """z = W a + b; returns (Z, (A, W, b))."""
    return W @ A + b, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = (sigmoid if activation == "sigmoid" else relu)(Z)
    return A, (linear_cache, activation_cache)


def linear_backward(dZ, cache):
    """BP4 dW = (1/m) dZ A_prevᵀ, BP3 db = (1/m) Σ dZ, and dA_prev = Wᵀ dZ."""
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m


def linear_activation_backward(dA, cache, activation):
    linear_cache, Z = cache
    back = sigmoid_backward if activation == "sigmoid" else relu_backward
    return linear_backward(back(dA, Z), linear_cache)


HELPERS = {name: globals()[name] for name in (
    "sigmoid", "relu", "sigmoid_backward", "relu_backward", "linear_forward",
    "linear_activation_forward", "linear_backward", "linear_activation_backward")}


def _isolate(ns, *names):
    """Replace the helpers a graded function calls by correct versions: in the graded
    namespace, and in the student's other modules the graded functions come from (a
    four-file submission's backward_propagation.py), where those define the name."""
    others = {id(g): g for g in (getattr(v, "__globals__", None) for v in list(ns.values()))
              if isinstance(g, dict) and g is not ns
              and type(g.get("__loader__")).__name__ == "SourceFinder"}
    for name in names:
        ns[name] = HELPERS[name]
        for g in others.values():
            if name in g:
                g[name] = HELPERS[name]


def _caches(raw):
    return [((c[0][0], c[0][1], c[0][2]), c[1]) for c in raw]


# --- probes --------------------------------------------------------------------------------
def initialize_parameters_deep(ns, inputs):
    np.random.seed(int(inputs["seed"]))
    return {"return": ns["initialize_parameters_deep"](list(inputs["layer_dims"]))}


def linear_forward_probe(ns, inputs):
    return {"return": ns["linear_forward"](inputs["A"], inputs["W"], inputs["b"])}


def linear_activation_forward_probe(ns, inputs):
    _isolate(ns, "sigmoid", "relu", "linear_forward")
    return {"return": ns["linear_activation_forward"](inputs["A_prev"], inputs["W"],
                                                      inputs["b"], inputs["activation"])}


def L_model_forward(ns, inputs):
    _isolate(ns, "sigmoid", "relu", "linear_forward", "linear_activation_forward")
    return {"return": ns["L_model_forward"](inputs["X"], inputs["parameters"])}


def compute_cost(ns, inputs):
    return {"return": ns["compute_cost"](inputs["AL"], inputs["Y"])}


def linear_backward_probe(ns, inputs):
    cache = tuple(inputs["linear_cache"])
    return {"return": ns["linear_backward"](inputs["dZ"], cache)}


def linear_activation_backward_probe(ns, inputs):
    _isolate(ns, "sigmoid_backward", "relu_backward", "linear_backward")
    lin, Z = inputs["cache"]
    return {"return": ns["linear_activation_backward"](inputs["dA"], (tuple(lin), Z),
                                                       inputs["activation"])}


def L_model_backward(ns, inputs):
    _isolate(ns, "sigmoid_backward", "relu_backward", "linear_backward",
             "linear_activation_backward")
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
