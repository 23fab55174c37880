"""Probes for Nielsen's network.py style ("Neural Networks and Deep Learning", ch. 1-2).

Runs in the sandboxed child: NumPy and the standard library only (never torch,
never the oracle). Per-example column vectors: x is (n, 1), y is (n_L, 1);
`Network(sizes)` holds weights[l] (n_l, n_{l-1}) and biases[l] (n_l, 1);
sigmoid everywhere and the quadratic cost C = ½‖a − y‖².

`Network(sizes)` draws random weights; every probe overwrites them with the
case's arrays. To check each function on its own, what it calls is replaced
by correct versions: the module-level `sigmoid` / `sigmoid_prime`, when defined (for
feedforward, backprop, update_mini_batch), the instance's `cost_derivative`
(for backprop) and the instance's `backprop` (for update_mini_batch); so a bug
in sigmoid_prime is reported at sigmoid_prime, not in backprop too.

network.py was Python 2: a submission that still uses `xrange` gets
`xrange = range` (the grade is about the math, not the Python version).
"""

from __future__ import annotations

import numpy as np


# --- correct pieces, written from the equations --------------------------------------------
def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)) without overflow."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def backprop(weights, biases, x, y):
    """(nabla_b, nabla_w) for one example, quadratic cost: BP1..BP4."""
    a, activations, zs = x, [x], []
    for w, b in zip(weights, biases):
        z = w @ a + b
        zs.append(z)
        a = sigmoid(z)
        activations.append(a)
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])            # BP1
    nabla_b, nabla_w = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        if l < len(weights) - 1:
            delta = (weights[l + 1].T @ delta) * sigmoid_prime(zs[l])  # BP2
        nabla_b[l] = delta                                           # BP3
        nabla_w[l] = delta @ activations[l].T                        # BP4
    return nabla_b, nabla_w


def _prepare(ns):
    ns.setdefault("xrange", range)


def _isolate(ns):
    """Replace the student's module-level sigmoid / sigmoid_prime by correct ones; never
    add one the student did not define (the book has the student write them: a file whose
    sigmoid is inside the class cannot run, and must fail with its NameError)."""
    _prepare(ns)
    for name, correct in (("sigmoid", sigmoid), ("sigmoid_prime", sigmoid_prime)):
        if name in ns:
            ns[name] = correct


def _network(ns, inputs, weights=None, biases=None):
    sizes = [int(s) for s in inputs["sizes"]]
    net = ns["Network"](sizes)
    net.weights = list(inputs["weights"] if weights is None else weights)
    net.biases = list(inputs["biases"] if biases is None else biases)
    return net


# --- probes ------------------------------------------------------------------------------
def sigmoid_probe(ns, inputs):
    _prepare(ns)
    return {"return": ns["sigmoid"](inputs["z"])}


def sigmoid_prime_probe(ns, inputs):
    _prepare(ns)
    if "sigmoid" in ns:
        ns["sigmoid"] = sigmoid
    return {"return": ns["sigmoid_prime"](inputs["z"])}


def cost_derivative(ns, inputs):
    _isolate(ns)
    net = _network(ns, inputs)
    return {"return": net.cost_derivative(inputs["a"], inputs["y"])}


def feedforward(ns, inputs):
    _isolate(ns)
    net = _network(ns, inputs)
    return {"return": net.feedforward(inputs["x"])}


def backprop_probe(ns, inputs):
    _isolate(ns)
    net = _network(ns, inputs)
    net.cost_derivative = lambda output_activations, y: output_activations - y
    result = net.backprop(inputs["x"], inputs["y"])
    if isinstance(result, tuple):
        result = list(result)
    return {"return": result}


def update_mini_batch(ns, inputs):
    """The weights after one step; backprop is the correct one (update is graded alone).

    The network gets copies of the weights: updating its own weights in place
    is fine (the harness would otherwise report them as modified inputs).
    """
    _isolate(ns)
    net = _network(ns, inputs, [np.array(w, dtype=float) for w in inputs["weights"]],
                   [np.array(b, dtype=float) for b in inputs["biases"]])
    net.backprop = lambda x, y: backprop(net.weights, net.biases, x, y)
    mini_batch = [(x, y) for x, y in inputs["mini_batch"]]
    net.update_mini_batch(mini_batch, inputs["eta"])
    return {"weights": list(net.weights), "biases": list(net.biases)}
