"""Probes for Nielsen's network.py style ("Neural Networks and Deep Learning", ch. 1-2).

Runs in the sandboxed child: NumPy and the standard library only (never torch,
never the oracle). Per-example column vectors: x is (n, 1), y is (n_L, 1);
`Network(sizes)` holds weights[l] (n_l, n_{l-1}) and biases[l] (n_l, 1);
sigmoid everywhere and the quadratic cost C = ½‖a − y‖².

`Network(sizes)` draws random weights; every probe overwrites them with the
case's arrays. To check each function on its own, what it calls is replaced
by correct versions (the grader's, answered in the parent: proxies here, see
`remote`): the module-level `sigmoid` / `sigmoid_prime` (for
feedforward, backprop, update_mini_batch), the instance's `cost_derivative`
(for backprop) and the instance's `backprop` (for update_mini_batch); so a bug
in sigmoid_prime is reported at sigmoid_prime, not in backprop too.

network.py was Python 2: a submission that still uses `xrange` gets
`xrange = range` (the grade is about the math, not the Python version).
"""

from __future__ import annotations

import numpy as np

from .remote import helper

# the grader's correct pieces (`kit`, answered in the parent): proxies here
sigmoid = helper("nielsen.sigmoid")
sigmoid_prime = helper("nielsen.sigmoid_prime")
cost_derivative_ = helper("nielsen.cost_derivative")
backprop = helper("nielsen.backprop")


def _prepare(ns):
    ns.setdefault("xrange", range)


def _isolate(ns):
    _prepare(ns)
    ns["sigmoid"], ns["sigmoid_prime"] = sigmoid, sigmoid_prime


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
    net.cost_derivative = cost_derivative_
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
