"""Nielsen's network.py ("Neural Networks and Deep Learning", ch. 1-2): per-example columns.

`Network(sizes)`: weights[l] is (n_l, n_{l-1}), biases[l] is (n_l, 1), x is
(n_0, 1), y is (n_L, 1); sigmoid everywhere and the quadratic cost
C = ½‖a − y‖² of ONE example, so backprop has no 1/m; the batch mean lives in
update_mini_batch (w ← w − (η/len(mini_batch)) Σ nabla_w):

    BP1  δᴸ = (aᴸ − y) ⊙ σ'(zᴸ)         cost_derivative(aᴸ, y) * sigmoid_prime(zs[-1])
    BP2  δˡ = (Wˡ⁺¹ᵀ δˡ⁺¹) ⊙ σ'(zˡ)
    BP3  nabla_b[l] = δˡ                  (n_l, 1)
    BP4  nabla_w[l] = δˡ (aˡ⁻¹)ᵀ          (n_l, n_{l-1})

Expected values come from the oracle (torch autograd, float64), in the parent only.
"""

from __future__ import annotations

import numpy as np

from ...oracle.diagnose import Kind, diagnose_array, first
from ..base import Finding, GradeCase, GradedFunction, Style
from ..books.nielsen import BOOK as RECORD
from ..books.nielsen import SIGMAS as RECORD_SIGMAS
from ..kit import sigmoid as _sig
from ..kit import sigmoid_prime as _sig_prime
from .nielsen_kit import backprop as np_backprop  # NumPy only, the correct backprop

__all__ = ["STYLE"]

PROBES = "reference.grade.probes.nielsen"


# sizes: width 1, square layers (2x2x2 comes first: a missing transpose is caught by value
# before a shape error), depth 3
NET_SIZES = [[1, 1], [2, 2, 2], [2, 3, 1], [2, 4, 3, 2], [3, 3, 3], [3, 2, 2, 1]]


def _rand_sizes(rng):
    return [int(v) for v in rng.integers(1, 6, int(rng.integers(2, 5)))]


def _take(rng, n, minimum=4):
    out = [list(s) for s in NET_SIZES[:max(n, minimum)]]
    while len(out) < n:
        out.append(_rand_sizes(rng))
    return out


def _params(rng, sizes):
    W = [rng.standard_normal((k, p)) / np.sqrt(p) for p, k in zip(sizes[:-1], sizes[1:])]
    b = [rng.standard_normal((k, 1)) * 0.5 for k in sizes[1:]]
    return W, b


def _desc(sizes, m=None):
    return f"sizes {sizes}" + (f", mini-batch of {m}" if m is not None else "")


def _seq(got, n, what, equation):
    if not isinstance(got, list) or len(got) != n:
        kind = f"{len(got)} items" if isinstance(got, list) else type(got).__name__
        return Finding(equation, f"{what} (got {kind})")
    return None


OVERFLOW = ("contains NaN/inf for z = ±800: numerically unstable (np.exp overflowing, "
            "e.g. inf/inf); use 1.0/(1.0 + np.exp(-z))")
OVERFLOW_PRIME = OVERFLOW + " and σ'(z) = sigmoid(z)*(1-sigmoid(z))"


# --- sigmoid, sigmoid_prime -------------------------------------------------------------------
def z_cases(rng, n):
    shapes = [(1, 1), (3, 1), (5, 1), (2, 3)][:max(n, 3)]
    shapes += [(int(rng.integers(1, 6)), 1) for _ in range(n - len(shapes))]
    cases = []
    for r, c in shapes + [(4, 1)]:
        z = rng.standard_normal((r, c)) * 2
        big = len(cases) == len(shapes)
        if big:
            z[0, 0], z[-1, -1] = 800.0, -800.0
        cases.append(GradeCase({"z": z}, {"big": big}, (int(big), r * c),
                               f"z of shape {(r, c)}" + (", with z = ±800" if big else "")))
    return cases


def _overflow(found, case, name, text=OVERFLOW):
    if found and case.expected.get("big") and found.kind is Kind.NON_FINITE:
        found.diagnosis = f"{name} {text}"
    return found


def judge_sigmoid(got, case):
    """σ(z) = 1 / (1 + e^(−z))."""
    z = case.inputs["z"]
    found = diagnose_array(got.get("return"), _sig(z), equation="forward", name="sigmoid(z)",
                           mistakes=[("the sign of the exponent is wrong: computed 1 − σ(z)",
                                      1 - _sig(z))])
    return _overflow(found, case, "sigmoid(z)")


def judge_sigmoid_prime(got, case):
    """σ'(z) = σ(z)(1 − σ(z)), the factor of BP1 and BP2."""
    z = case.inputs["z"]
    s = _sig(z)
    found = diagnose_array(
        got.get("return"), s * (1 - s), equation="BP1/BP2", name="sigmoid_prime(z)",
        mistakes=[("derivative of the wrong quantity: z(1 − z) is σ' written in terms of the "
                   "activation a = σ(z), but sigmoid_prime takes z: use "
                   "sigmoid(z)*(1-sigmoid(z))", z * (1 - z)),
                  ("computed σ(z)(1 − z): apply σ to both factors, sigmoid(z)*(1-sigmoid(z))",
                   s * (1 - z)),
                  ("returned σ(z) instead of its derivative", s)])
    return _overflow(found, case, "sigmoid_prime(z)", OVERFLOW_PRIME)


# --- Network.cost_derivative, feedforward ------------------------------------------------------
def cost_derivative_cases(rng, n):
    cases = []
    for sizes in _take(rng, n):
        W, b = _params(rng, sizes)
        a = _sig(rng.standard_normal((sizes[-1], 1)))
        y = rng.random((sizes[-1], 1))
        cases.append(GradeCase({"sizes": sizes, "weights": W, "biases": b, "a": a, "y": y},
                               {"return": a - y}, (len(sizes), sum(sizes)), _desc(sizes)))
    return cases


def judge_cost_derivative(got, case):
    """∂Cₓ/∂aᴸ = aᴸ − y for the quadratic cost ½‖a − y‖² (BP1's first factor)."""
    return diagnose_array(got.get("return"), case.expected["return"], equation="BP1",
                          name="cost_derivative(output_activations, y)")


def net_cases(rng, n):
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    from reference.oracle import oracle_backprop

    cases = []
    for sizes in _take(rng, n):
        W, b = _params(rng, sizes)
        x = rng.standard_normal((sizes[0], 1))
        y = rng.random((sizes[-1], 1))
        g = oracle_backprop(W, b, ["sigmoid"] * len(W), "quadratic", x, y, "columns", "sum")
        cases.append(GradeCase(
            {"sizes": sizes, "weights": W, "biases": b, "x": x, "y": y},
            {"a": g.activations[-1], "zs": g.zs, "activations": g.activations,
             "deltas": g.deltas, "dW": g.dW, "db": g.db},
            (len(W), sum(sizes)), _desc(sizes)))
    return cases


def _activations_and_zs(got) -> bool:
    """A pair of lists (every layer's activations, every layer's z) returned for the output."""
    return (isinstance(got, (list, tuple)) and len(got) == 2
            and all(isinstance(part, (list, tuple)) and part
                    and all(isinstance(v, np.ndarray) for v in part) for part in got))


def judge_feedforward(got, case):
    """a ← σ(w·a + b) layer by layer; returns the output activation (n_L, 1)."""
    W, x = case.inputs["weights"], case.inputs["x"]
    no_bias = x
    for w in W:
        no_bias = _sig(w @ no_bias)
    zs = case.expected["zs"]
    if _activations_and_zs(got.get("return")):
        return Finding("forward", "feedforward(a) returns (activations, zs): the book's "
                                  "feedforward returns the output, activations[-1]")
    return diagnose_array(got.get("return"), case.expected["a"], equation="forward",
                          name="feedforward(a)",
                          mistakes=[("the biases are missing: a = sigmoid(np.dot(w, a) + b)",
                                     no_bias),
                                    ("returned z of the last layer: apply the sigmoid",
                                     zs[-1]),
                                    ("returned the input unchanged: assign a = sigmoid(...) "
                                     "inside the loop", x)])


# --- Network.backprop -----------------------------------------------------------------------
def _delta_mistakes(case, l):
    """Known wrong δˡ (assuming δˡ⁺¹ correct: layers are checked from the output back)."""
    e, W = case.expected, case.inputs["weights"]
    L = len(W)
    z, a = e["zs"][l], e["activations"][l + 1]
    if l == L - 1 and case.inputs.get("cost") == "cross_entropy":
        y = case.inputs["y"]
        return [("BP1 multiplies by σ'(zᴸ), the quadratic cost's factor: with the "
                 "cross-entropy cost δᴸ = aᴸ − y (σ' cancels); use "
                 "self.cost.delta(zs[-1], activations[-1], y)", (a - y) * _sig_prime(z)),
                ("sigmoid_prime applied to the activation: σ'(aᴸ) (and the cross-entropy "
                 "cost's δᴸ = aᴸ − y has no σ' at all)", (a - y) * _sig_prime(a))]
    if l == L - 1:
        y = case.inputs["y"]
        cost = case.inputs.get("cost")
        return [("sigmoid_prime applied to the activation instead of z: σ'(aᴸ); call "
                 "sigmoid_prime(zs[-1])", (a - y) * _sig_prime(a)),
                ("BP1 is missing σ'(zᴸ): δᴸ = (aᴸ − y) is the cross-entropy cost's error, "
                 "this network uses the quadratic cost: "
                 + ("use self.cost.delta(zs[-1], activations[-1], y)" if cost else
                    "multiply by sigmoid_prime(zs[-1])"), a - y)]
    back = W[l + 1].T @ e["deltas"][l + 1]
    out = [("sigmoid_prime applied to the activation instead of z: use sigmoid_prime(zs[-l]), "
            "not sigmoid_prime(activations[-l])", back * _sig_prime(a)),
           ("BP2 is missing the factor σ'(zˡ) (sigmoid_prime(z))", back)]
    if W[l + 1].shape[0] == W[l + 1].shape[1]:
        out.append(("BP2 uses W instead of its transpose: δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ σ'(zˡ), "
                    "np.dot(self.weights[-l+1].transpose(), delta)",
                    (W[l + 1] @ e["deltas"][l + 1]) * _sig_prime(z)))
    return out


def judge_backprop(got, case):
    """(nabla_b, nabla_w) for one example: BP1, BP2 (δ per layer), BP3, BP4. A backprop
    returning (nabla_w, nabla_b), the other order, with every array right passes when the
    student's update_mini_batch unpacks it that way (`w_first`: the probe read it), and so
    does one right with the student's own sigmoid_prime (`own`: the probe's second run)."""
    out = got.get("return")
    found = _judge_nablas(out, case)
    if found is not None and got.get("w_first") and isinstance(out, list) and len(out) == 2 \
            and _judge_nablas([out[1], out[0]], case) is None:
        return None
    # with the student's own sigmoid_prime (one taking the activation, called on the
    # activations): the gradients the student's code computes are right
    if found is not None and isinstance(got.get("own"), list) and \
            _judge_nablas(got["own"], case) is None:
        return None
    return found


def _judge_nablas(out, case):
    e = case.expected
    L = len(e["dW"])
    bad = _seq(out, 2, "backprop should return (nabla_b, nabla_w)", "api")
    if bad:
        return bad
    for i, what in enumerate(("nabla_b", "nabla_w")):
        bad = _seq(out[i], L, f"{what} should be a list with one array per layer ({L})",
                   "api")
        if bad:
            return bad
    nabla_b, nabla_w = out
    acts = e["activations"]
    for l in range(L - 1, -1, -1):
        eq = "BP1" if l == L - 1 else "BP2"
        found = diagnose_array(nabla_b[l], e["db"][l], equation=eq,
                               name=f"nabla_b[{l}] (= δ of layer {l}"
                               + (", the output layer" if l == L - 1 else "") + ")",
                               mistakes=_delta_mistakes(case, l))
        if found:
            return found
        w_mistakes = [("used zs instead of activations: nabla_w = np.dot(delta, "
                       "activations[-l-1].transpose())", e["db"][l] @ e["zs"][l - 1].T)
                      ] if l > 0 else []
        if acts[l + 1].shape == acts[l].shape:
            w_mistakes.append(("used this layer's activation instead of the previous "
                               "layer's: nabla_w = np.dot(delta, activations[-l-1].transpose())",
                               e["db"][l] @ acts[l + 1].T))
        found = diagnose_array(nabla_w[l], e["dW"][l], equation="BP4", name=f"nabla_w[{l}]",
                               mistakes=w_mistakes)
        if found:
            return found
    return None


# --- Network.update_mini_batch ---------------------------------------------------------------
def update_cases(rng, n):
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    from reference.oracle import oracle_backprop

    cases = []
    for k, sizes in enumerate(_take(rng, n)):
        m = [1, 3, 2, 4, 3, 5][k] if k < 6 else int(rng.integers(1, 6))
        W, b = _params(rng, sizes)
        X = rng.standard_normal((sizes[0], m))
        Y = rng.random((sizes[-1], m))
        eta = float(rng.choice([3.0, 0.5]))
        g = oracle_backprop(W, b, ["sigmoid"] * len(W), "quadratic", X, Y, "columns", "mean",
                            keep_forward=False)
        batch = [(X[:, j:j + 1].copy(), Y[:, j:j + 1].copy()) for j in range(m)]
        seq_w, seq_b = _sequential_update(W, b, batch, eta)
        cases.append(GradeCase(
            {"sizes": sizes, "weights": W, "biases": b, "mini_batch": batch, "eta": eta},
            {"weights": [w - eta * d for w, d in zip(W, g.dW)],
             "biases": [c - eta * d for c, d in zip(b, g.db)],
             "dW": g.dW, "db": g.db, "m": m, "eta": eta,
             "sequential": {"weights": seq_w, "biases": seq_b}},
            (len(W), sum(sizes), m), _desc(sizes, m)))
    return cases


def _sequential_update(W, b, batch, eta):
    """The known mistake of updating after every example instead of once per mini-batch."""
    W, b = [w.copy() for w in W], [c.copy() for c in b]
    for x, y in batch:
        nb, nw = np_backprop(W, b, x, y)
        W = [w - eta / len(batch) * d for w, d in zip(W, nw)]
        b = [c - eta / len(batch) * d for c, d in zip(b, nb)]
    return W, b


def _update_mistakes(old, grad, eta, m):
    out = [("the gradient was added: w - (eta/len(mini_batch))*nw, with a minus",
            old + eta * grad),
           ("the parameters did not change: assign the updated list back to self.weights / "
            "self.biases", old),
           ("the learning rate eta is missing from the step", old - grad)]
    if m > 1:
        out.insert(0, ("the step is not divided by len(mini_batch): "
                       "w - (eta/len(mini_batch))*nw", old - eta * m * grad))
        out.insert(1, ("the step is divided by len(mini_batch) twice", old - eta * grad / m))
    return out


def judge_update(got, case):
    """w ← w − (η/m) Σₓ nabla_wₓ, b ← b − (η/m) Σₓ nabla_bₓ over the mini-batch."""
    e, i = case.expected, case.inputs
    L = len(e["dW"])
    for key in ("weights", "biases"):
        bad = _seq(got.get(key), L, f"self.{key} should stay a list of {L} arrays", "update")
        if bad:
            return bad
    sequential = ("the parameters were updated inside the loop, after every example: sum "
                  "nabla_w, nabla_b over the whole mini-batch first, then update once")
    return first(
        diagnose_array(got[key][l], e[key][l], equation="update", name=f"self.{key}[{l}]",
                       mistakes=_update_mistakes(i[key][l], e[grad][l], e["eta"], e["m"])
                       + ([(sequential, e["sequential"][key][l])] if e["m"] > 1 else []))
        for l in range(L - 1, -1, -1) for key, grad in (("weights", "dW"), ("biases", "db")))


def _fn(name, probe, cases, judge, **kw):
    return GradedFunction(name, f"{PROBES}:{probe}", cases, judge, **kw)


SIGMAS = tuple(f"{RECORD.helper_prefix}.{name}" for name in RECORD_SIGMAS)   # the record's
NET = ("sizes", "weights", "biases")

STYLE = Style("nielsen", "columns", [
    _fn("sigmoid", "sigmoid_probe", z_cases, judge_sigmoid, optional=True, points=0.5,
        inputs=("z",)),
    _fn("sigmoid_prime", "sigmoid_prime_probe", z_cases, judge_sigmoid_prime, inputs=("z",),
        helpers=("nielsen.sigmoid",)),
    _fn("Network.feedforward", "feedforward", net_cases, judge_feedforward,
        inputs=NET + ("x",), helpers=SIGMAS),
    _fn("Network.cost_derivative", "cost_derivative", cost_derivative_cases,
        judge_cost_derivative, inputs=NET + ("a", "y"), helpers=SIGMAS),
    _fn("Network.backprop", "backprop_probe", net_cases, judge_backprop,
        inputs=NET + ("x", "y"), helpers=SIGMAS + ("nielsen.cost_derivative",)),
    _fn("Network.update_mini_batch", "update_mini_batch", update_cases, judge_update,
        inputs=NET + ("mini_batch", "eta"), helpers=SIGMAS + ("nielsen.backprop",)),
])
