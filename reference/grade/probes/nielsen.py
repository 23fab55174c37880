"""Probes for Nielsen's network.py and network2.py ("Neural Networks and Deep Learning").

Runs in the sandboxed child: NumPy and the standard library only (never torch,
never the oracle). Per-example column vectors: x is (n, 1), y is (n_L, 1);
`Network(sizes)` holds weights[l] (n_l, n_{l-1}) and biases[l] (n_l, 1);
sigmoid everywhere and the quadratic cost C = ½‖a − y‖².

`Network(sizes)` draws random weights; every probe overwrites them with the
case's arrays. To check each function on its own, what it calls is replaced
by correct versions (the grader's, answered in the parent: proxies here, see
`remote`): the module-level `sigmoid` / `sigmoid_prime`, when defined (for
feedforward, backprop, update_mini_batch), the instance's `cost_derivative`
(for backprop) and the instance's `backprop` (for update_mini_batch); so a bug
in sigmoid_prime is reported at sigmoid_prime, not in backprop too.

Chapter 3 (network2.py, the `nielsen2` style): `Network(sizes, cost=...)` with
cost classes (`fn(a, y)`, `delta(z, a, y)`); backprop and update_mini_batch run
with the correct cost class (`cost` input: "cross_entropy" or "quadratic";
its fn and delta answered by the grader), so a bug in the student's cost class
is reported at the class.

network.py was Python 2: a submission that still uses `xrange` gets
`xrange = range` (the grade is about the math, not the Python version).
"""

from __future__ import annotations

import dis
import re

import numpy as np

from ..books.nielsen import BOOK, SIGMAS
from .remote import helper, replace

__all__ = [
    "sigmoid", "sigmoid_prime", "cost_derivative_", "backprop", "COSTS", "sigmoid_probe",
    "sigmoid_prime_probe", "cost_derivative", "feedforward", "backprop_probe", "update_mini_batch",
    "ROLES", "cost_fn_probe", "cost_delta_probe", "feedforward2", "backprop2",
    "update_mini_batch2", "total_cost_probe", "weight_initializer_probe",
]

# the grader's correct pieces (`kit`, answered in the parent): proxies here
sigmoid = helper("nielsen.sigmoid")
sigmoid_prime = helper("nielsen.sigmoid_prime")
cost_derivative_ = helper("nielsen.cost_derivative")
backprop = helper("nielsen.backprop")        # (weights, biases, x, y, cost name)
COSTS = {"quadratic": "QuadraticCost", "cross_entropy": "CrossEntropyCost"}


def _prepare(ns):
    ns.setdefault("xrange", range)


def _isolate(ns):
    """Replace the student's module-level sigmoid / sigmoid_prime by correct ones; never
    add one the student did not define (the book has the student write them: a file whose
    sigmoid is inside the class cannot run, and must fail with its NameError)."""
    _prepare(ns)
    for name in SIGMAS:             # the record's
        _replace(ns, name, helper(f"{BOOK.helper_prefix}.{name}"))


def _replace(ns, name, correct):
    """The student's `name` replaced by the correct one wherever they define it (`replace`):
    module-level, and as a method of their classes (`self.sigmoid_prime(z)`, static or
    taking self)."""
    replace(ns, lambda key, value: correct if key == name else None, methods=True)


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
    graded = ns["sigmoid_prime"]     # bound before its class's sigmoid is replaced
    _replace(ns, "sigmoid", sigmoid)
    return {"return": graded(inputs["z"])}


def cost_derivative(ns, inputs):
    _isolate(ns)
    net = _network(ns, inputs)
    return {"return": net.cost_derivative(inputs["a"], inputs["y"])}


def feedforward(ns, inputs):
    _isolate(ns)
    net = _network(ns, inputs)
    return {"return": net.feedforward(inputs["x"])}


def _as_layers(result):
    """(nabla_b, nabla_w) as lists: `np.array([np.zeros(b.shape) for b in self.biases])`
    is an array of objects (layers of different shapes, NumPy before 1.24) or a stack
    (layers of one shape), one layer per entry either way."""
    if not isinstance(result, (list, tuple)):
        return result
    return [list(x) if isinstance(x, np.ndarray) and (x.dtype == object or x.ndim == 3)
            else x for x in result]


def _own_helpers(ns) -> dict:
    """The student's module-level sigmoid / sigmoid_prime, before `_isolate` replaces them."""
    return {name: ns[name] for name in ("sigmoid", "sigmoid_prime") if name in ns}


def _with_own_helpers(ns, own: dict, run):
    """run() again with the student's own sigmoid / sigmoid_prime: a backprop written for
    a sigmoid_prime that takes the activation (`a * (1 - a)`, called on activations[-l])
    is right with it. Its result (a list), or its error's text."""
    ns.update(own)
    try:
        result = run()
    except Exception as exc:  # noqa: BLE001 - the correct helpers' run is the verdict
        return f"{type(exc).__name__}: {exc}"
    return _as_layers(result)


def backprop_probe(ns, inputs):
    own = _own_helpers(ns)
    _isolate(ns)
    net = _network(ns, inputs)
    net.cost_derivative = cost_derivative_
    result = _as_layers(net.backprop(inputs["x"], inputs["y"]))
    out = {"return": result, "w_first": int(_unpacks_w_first(ns))}
    if own.get("sigmoid_prime") is not None:
        out["own"] = _with_own_helpers(ns, own, lambda: net.backprop(inputs["x"], inputs["y"]))
    return out


def update_mini_batch(ns, inputs):
    """The weights after one step; backprop is the correct one (update is graded alone).

    The network gets copies of the weights: updating its own weights in place
    is fine (the harness would otherwise report them as modified inputs).
    """
    _isolate(ns)
    net = _network(ns, inputs, [np.array(w, dtype=float) for w in inputs["weights"]],
                   [np.array(b, dtype=float) for b in inputs["biases"]])
    swapped = _unpacks_w_first(ns)
    net.backprop = lambda x, y: _ordered(backprop(net.weights, net.biases, x, y), swapped)
    mini_batch = [(x, y) for x, y in inputs["mini_batch"]]
    net.update_mini_batch(mini_batch, inputs["eta"])
    return {"weights": list(net.weights), "biases": list(net.biases)}


def _unpacks_w_first(ns) -> bool:
    """Does the student's update_mini_batch unpack `dnw, dnb = self.backprop(x, y)`, the
    book's (nabla_b, nabla_w) swapped? Read from its bytecode (the names stored from the
    call's two results): nothing of the student's runs."""
    code = getattr(getattr(ns.get("Network"), "update_mini_batch", None), "__code__", None)
    if code is None:
        return False
    ins = list(dis.get_instructions(code))
    for k, i in enumerate(ins[:-1]):
        if i.opname != "UNPACK_SEQUENCE" or i.arg != 2 or not any(
                j.argval == "backprop" for j in ins[max(0, k - 12):k]):
            continue
        names = tuple(str(n).lower() for n in _stored(ins[k + 1:k + 3])[:2])
        return len(names) == 2 and names[0].endswith("w") and names[1].endswith("b")
    return False


def _stored(instructions) -> list:
    """The names the leading store instructions bind, in order, by opname family rather
    than by one CPython's opcodes: STORE_FAST, STORE_NAME, ..., and the fused forms
    (3.13's STORE_FAST_STORE_FAST, STORE_FAST_LOAD_FAST) whose argval pairs the names of
    the parts, of which only the STORE_ ones bind."""
    names = []
    for i in instructions:
        parts = re.findall(r"(STORE|LOAD)_[A-Z]+", i.opname)
        if not parts or parts[0] != "STORE":
            break
        values = i.argval if len(parts) > 1 and isinstance(i.argval, tuple) else (i.argval,)
        names += [v for part, v in zip(parts, values) if part == "STORE"]
    return names


def _ordered(nablas, swapped: bool):
    """The grader's (nabla_b, nabla_w) in the order the student's update unpacks."""
    nabla_b, nabla_w = nablas
    return (nabla_w, nabla_b) if swapped else (nabla_b, nabla_w)


# --- chapter 3 (network2.py) ---------------------------------------------------------------
ROLES = {"z": "z", "zl": "z", "a": "a", "al": "a", "output": "a", "output_activations": "a",
         "activation": "a", "activations": "a", "y": "y", "target": "y", "label": "y",
         "expected": "y", "t": "y"}


def _order(method, canonical):
    """The order the student's method takes its arguments in, as canonical names: the
    book's delta(z, a, y), or the same names in another order (`delta(a, y, z)`,
    `delta(aL, y, zL)`); the book's order when the names say nothing."""
    code = getattr(method, "__code__", None)
    if code is None:
        return canonical
    names = list(code.co_varnames[:code.co_argcount])
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    roles = [ROLES.get(n.lower().strip("_")) for n in names[:len(canonical)]]
    return tuple(roles) if sorted(r or "" for r in roles) == sorted(canonical) else canonical


def _cost_class(ns, kind):
    """The correct cost class of `kind` (its fn and delta answered by the grader), taking
    fn's and delta's arguments in the order of the student's class of the same name (or
    of their other cost class), so the student's backprop, which calls self.cost.delta
    its own way, gets the right δ; records the calls of delta."""
    name = COSTS[kind]
    own = next((ns[n] for n in (name, "CrossEntropyCost", "QuadraticCost")
                if hasattr(ns.get(n), "delta")), None)     # the network's convention
    d_order = _order(getattr(own, "delta", None), ("z", "a", "y"))
    f_order = _order(getattr(own, "fn", None), ("a", "y"))
    correct_fn, correct_delta = helper(f"nielsen.{kind}.fn"), helper(f"nielsen.{kind}.delta")

    class Cost:
        calls = []

        @staticmethod
        def fn(*args):
            kw = dict(zip(f_order, args))
            return correct_fn(kw["a"], kw["y"])

        @staticmethod
        def delta(*args):
            Cost.calls.append(1)
            kw = dict(zip(d_order, args))
            return correct_delta(kw["z"], kw["a"], kw["y"])

    Cost.__name__ = Cost.__qualname__ = name
    return Cost


def _network2(ns, inputs, copies=False):
    """Network(sizes, cost=the correct cost class), holding the case's (or copied) arrays;
    `net.had_cost`: whether the student's own network has a cost attribute."""
    _isolate(ns)
    cost = _cost_class(ns, inputs.get("cost", "cross_entropy"))
    sizes = [int(s) for s in inputs["sizes"]]
    try:
        net = ns["Network"](sizes, cost=cost)
    except TypeError:                  # an __init__ without `cost=`: set it afterwards
        net = ns["Network"](sizes)
    had_cost = hasattr(net, "cost")
    net.cost = cost
    net.had_cost = had_cost
    copy = (lambda a: np.array(a, dtype=float)) if copies else (lambda a: a)
    net.weights = [copy(w) for w in inputs["weights"]]
    net.biases = [copy(b) for b in inputs["biases"]]
    return net


def _cost_method(ns, inputs, name, canonical):
    """cls.fn / cls.delta as the book calls them (on the class: static methods); a class
    written with instance methods (`def fn(self, a, y)`) is instantiated first. Returns
    the method and the order of its arguments."""
    _isolate(ns)
    cls = ns[inputs["cls"]]
    method = getattr(cls, name)
    code = getattr(method, "__code__", None)
    if isinstance(cls, type) and code is not None and code.co_argcount == len(canonical) + 1:
        method = getattr(cls(), name)
    return method, _order(method, canonical)


def cost_fn_probe(ns, inputs):
    """QuadraticCost.fn / CrossEntropyCost.fn (a, y): the cost of one example."""
    method, order = _cost_method(ns, inputs, "fn", ("a", "y"))
    return {"return": method(*(inputs[k] for k in order))}


def cost_delta_probe(ns, inputs):
    """QuadraticCost.delta / CrossEntropyCost.delta (z, a, y): δᴸ of one example."""
    method, order = _cost_method(ns, inputs, "delta", ("z", "a", "y"))
    return {"return": method(*(inputs[k] for k in order))}


def feedforward2(ns, inputs):
    return {"return": _network2(ns, inputs).feedforward(inputs["x"])}


def backprop2(ns, inputs):
    """backprop(x, y) with the correct cost class, recording whether it calls
    self.cost.delta (a chapter 1 backprop with L2 added has no cost to call)."""
    own = _own_helpers(ns)
    net = _network2(ns, inputs)
    result = net.backprop(inputs["x"], inputs["y"])
    out = {"return": _as_layers(result),
           "has_cost": int(net.had_cost), "used_cost": int(bool(net.cost.calls)),
           "w_first": int(_unpacks_w_first(ns))}
    if own.get("sigmoid_prime") is not None:
        out["own"] = _with_own_helpers(ns, own, lambda: net.backprop(inputs["x"], inputs["y"]))
    return out


def update_mini_batch2(ns, inputs):
    """The weights after one L2-regularized step; backprop is the correct one."""
    net = _network2(ns, inputs, copies=True)
    kind = inputs.get("cost", "cross_entropy")
    swapped = _unpacks_w_first(ns)
    net.backprop = lambda x, y: _ordered(backprop(net.weights, net.biases, x, y, kind), swapped)
    net.update_mini_batch([(x, y) for x, y in inputs["mini_batch"]], inputs["eta"],
                          inputs["lmbda"], inputs["n"])
    return {"weights": list(net.weights), "biases": list(net.biases)}


def _returns_lists(net, data) -> bool:
    """Does the student's feedforward return (activations, zs), which their total_cost
    reads as feedforward(x)[0][-1], rather than the output?"""
    try:
        got = net.feedforward(np.array(data[0][0], copy=True)) if data else None
    except Exception:  # noqa: BLE001 - its error is Network.feedforward's, reported there
        return False
    return isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], list)


def total_cost_probe(ns, inputs):
    """total_cost(data, lmbda): feedforward is the correct one (returning what the
    student's own returns: the output, or their (activations, zs))."""
    net = _network2(ns, inputs)
    lists = _returns_lists(net, inputs["data"])

    def feedforward(a):
        activations, zs = [a], []
        for w, b in zip(net.weights, net.biases):
            zs.append(w @ activations[-1] + b)
            activations.append(sigmoid(zs[-1]))
        return (activations, zs) if lists else activations[-1]
    net.feedforward = feedforward
    return {"return": net.total_cost([(x, y) for x, y in inputs["data"]], inputs["lmbda"])}


def weight_initializer_probe(ns, inputs):
    """default_weight_initializer() on a network of the case's sizes, seeded."""
    _isolate(ns)
    net = ns["Network"]([int(s) for s in inputs["sizes"]])
    np.random.seed(int(inputs["seed"]))
    net.default_weight_initializer()
    return {"weights": list(net.weights), "biases": list(net.biases)}
