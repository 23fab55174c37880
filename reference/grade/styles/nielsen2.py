"""Nielsen's network2.py (chapter 3): cost classes, cross-entropy, L2 regularization.

Same layout as chapter 1 (`styles.nielsen`: per-example columns, sigmoid
units), plus the cost as a class, `Network(sizes, cost=CrossEntropyCost)`:

    QuadraticCost     fn = ½‖a − y‖²                      delta = (a − y) ⊙ σ'(zᴸ)
    CrossEntropyCost  fn = −Σ [y ln a + (1 − y) ln(1 − a)]  delta = a − y  (σ' cancels)

    BP1       δᴸ = self.cost.delta(zs[-1], activations[-1], y)   (per example, no 1/m)
    update    w ← (1 − ηλ/n) w − (η/m) Σₓ nabla_w,  b ← b − (η/m) Σₓ nabla_b
              (m = len(mini_batch), n = the size of the whole training set)
    total_cost  (1/N) Σₓ cost.fn(a, y) + ½ (λ/N) Σ ‖w‖²  over the N examples of `data`

Expected values come from the oracle (torch autograd, float64: loss "bce" is the
sigmoid cross-entropy summed over the output units of one example, "quadratic"
½‖a − y‖²), in the parent only. `recognize` tells a chapter 3 submission from a
chapter 1 one (the `nielsen` style hands it here).
"""

from __future__ import annotations

import ast

import numpy as np

from ...oracle.diagnose import diagnose_array, diagnose_shape, diagnose_spread
from ..base import Finding, GradeCase, GradedFunction, Style
from . import nielsen as ch1
from .nielsen_kit import COSTS
from .nielsen_kit import backprop as np_backprop

__all__ = ["STYLE", "TITLE", "recognize"]

PROBES = "reference.grade.probes.nielsen"
TITLE = "Nielsen's chapter 3 network2.py"
LOSS = {"cross_entropy": "bce", "quadratic": "quadratic"}
LMBDA_NAMES = {"lmbda", "lmbd", "lmbda_", "lam", "lambd", "lambda_", "reg", "l2"}


# --- recognizing chapter 3 ------------------------------------------------------------------
def _classes(loaded) -> dict[str, ast.ClassDef]:
    """The top-level classes of the kept segments, the last definition of each name."""
    out = {}
    for seg in getattr(loaded, "segments", []):
        try:
            body = ast.parse(seg.source).body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        out.update({node.name: node for node in body if isinstance(node, ast.ClassDef)})
    return out


def _methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _params(fn: ast.FunctionDef) -> list[str]:
    a = fn.args
    return [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]


def recognize(loaded) -> str | None:
    """Why the submission is chapter 3 (network2.py), or None for chapter 1 code: a
    `cost` parameter of Network.__init__, a regularization parameter of
    update_mini_batch, `self.cost` in backprop, or a cost class with fn and delta."""
    classes = _classes(loaded)
    # a Network the student named otherwise (`Net`), bound as it by its shape
    renamed = [b.attr for b in getattr(loaded, "binds", ()) if b.name == "Network"]
    net = classes.get("Network") or (classes.get(renamed[0]) if renamed else None)
    if net is not None:
        m = _methods(net)
        if "__init__" in m and "cost" in _params(m["__init__"]):
            return "Network.__init__ takes cost="
        if "update_mini_batch" in m:
            params = _params(m["update_mini_batch"])
            if LMBDA_NAMES & set(params) or len(params) >= 5:
                return "update_mini_batch takes the regularization " \
                       f"({', '.join(params[1:])})"
        if "backprop" in m and any(isinstance(n, ast.Attribute) and n.attr == "cost"
                                   and isinstance(n.value, ast.Name) and n.value.id == "self"
                                   for n in ast.walk(m["backprop"])):
            return "backprop calls self.cost"
    costs = sorted(name for name, cls in classes.items()
                   if {"fn", "delta"} <= set(_methods(cls)))
    if costs:
        return f"cost classes {', '.join(costs)} with fn and delta"
    return None


# --- cost classes ----------------------------------------------------------------------------
def _oracle_one(z, y, cost):
    """The oracle on one example whose output pre-activation is z: a one-layer sigmoid
    network with W = z, b = 0 and x = [[1]]. Returns (C_x, δᴸ)."""
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    from reference.oracle import oracle_backprop

    g = oracle_backprop([z], [np.zeros_like(z)], ["sigmoid"], LOSS[cost], np.ones((1, 1)), y,
                        "columns", "sum")
    return g.cost, g.deltas[0]


def cost_cases(cls, cost):
    def make(rng, n):
        cases = []
        for k, units in enumerate(([1, 3, 2, 4] + [int(rng.integers(1, 6))
                                                   for _ in range(max(0, n - 4))])[:max(n, 4)]):
            z = rng.standard_normal((units, 1)) * 2
            a = ch1._sig(z)
            if k % 2:                  # a one-hot label, as MNIST's vectorized_result
                y = np.zeros((units, 1))
                y[int(rng.integers(units))] = 1.0
            else:
                y = rng.random((units, 1))
            c, delta = _oracle_one(z, y, cost)
            cases.append(GradeCase({"cls": cls, "z": z, "a": a, "y": y},
                                   {"fn": c, "delta": delta, "cost": cost},
                                   (units,), f"{units} output unit(s)"))
        return cases
    return make


def judge_cost_fn(got, case):
    """The cost of one example: ½‖a − y‖² or −Σ [y ln a + (1 − y) ln(1 − a)]."""
    i, e = case.inputs, case.expected
    a, y = i["a"], i["y"]
    ce = -(y * np.log(a) + (1 - y) * np.log(1 - a))
    sq = (a - y) ** 2
    mistakes = ([("only the y·ln(a) term: the cross-entropy also has (1 − y)·ln(1 − a)",
                  float(-np.sum(y * np.log(a)))),
                 ("averaged over the output units: the cost of one example sums them",
                  float(ce.mean())),
                 ("computed the quadratic cost ½‖a − y‖²", 0.5 * float(sq.sum()))]
                if e["cost"] == "cross_entropy" else
                [("the ½ is missing: C = ½‖a − y‖²", float(sq.sum())),
                 ("‖a − y‖ is not squared: C = 0.5*np.linalg.norm(a-y)**2",
                  0.5 * float(np.sqrt(sq.sum()))),
                 ("averaged over the output units: C = ½ Σ (a − y)²", 0.5 * float(sq.mean()))])
    return diagnose_array(got.get("return"), e["fn"], equation="cost",
                          name=f"{i['cls']}.fn(a, y)", mistakes=mistakes)


def judge_cost_delta(got, case):
    """δᴸ of one example for the cost (BP1): (a − y) ⊙ σ'(z), or a − y for cross-entropy."""
    i, e = case.inputs, case.expected
    z, a, y = i["z"], i["a"], i["y"]
    if e["cost"] == "cross_entropy":
        mistakes = [("multiplied by σ'(z): that is the quadratic cost's δ; with the "
                     "cross-entropy cost σ' cancels and δᴸ = a − y", (a - y) * ch1._sig_prime(z)),
                    ("returned ∂C/∂a = (a − y)/(a(1 − a)), not δ = ∂C/∂z: multiply by σ'(z), "
                     "which leaves a − y", (a - y) / (a * (1 - a)))]
    else:
        mistakes = [("σ'(z) is missing: δᴸ = (a − y) ⊙ σ'(z) for the quadratic cost (a − y "
                     "alone is the cross-entropy cost's δ)", a - y),
                    ("sigmoid_prime applied to a instead of z", (a - y) * ch1._sig_prime(a))]
    return diagnose_array(got.get("return"), e["delta"], equation="BP1",
                          name=f"{i['cls']}.delta(z, a, y)", mistakes=mistakes)


# --- Network.backprop with the chosen cost ---------------------------------------------------
def net_cases(rng, n):
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    from reference.oracle import oracle_backprop

    cases = []
    for k, sizes in enumerate(ch1._take(rng, n)):
        cost = ("cross_entropy", "quadratic")[k % 2]
        W, b = ch1._params(rng, sizes)
        x = rng.standard_normal((sizes[0], 1))
        y = rng.random((sizes[-1], 1))
        expected = {}
        for loss in dict.fromkeys((cost, "quadratic")):
            g = oracle_backprop(W, b, ["sigmoid"] * len(W), LOSS[loss], x, y, "columns", "sum")
            expected[loss] = {"a": g.activations[-1], "zs": g.zs,
                              "activations": g.activations, "deltas": g.deltas, "dW": g.dW,
                              "db": g.db}
        cases.append(GradeCase(
            {"sizes": sizes, "weights": W, "biases": b, "x": x, "y": y, "cost": cost},
            dict(expected[cost], quadratic=expected["quadratic"]),
            (len(W), sum(sizes)), f"{ch1._desc(sizes)}, {cost.replace('_', '-')} cost"))
    return cases


def judge_backprop(got, case):
    """BP1..BP4 with the network's cost: the case's cost class when the network has one
    (a backprop that ignores self.cost fails the cross-entropy cases); a network without
    a cost attribute (chapter 1's backprop, L2 added to the update) has the quadratic
    cost of chapter 1."""
    own = not float(got.get("has_cost") or 0) and not float(got.get("used_cost") or 0)
    if own and case.inputs["cost"] != "quadratic":
        case = GradeCase(dict(case.inputs, cost="quadratic"), case.expected["quadratic"],
                         case.size, case.description)
    return ch1.judge_backprop(got, case)


# --- Network.update_mini_batch with L2 --------------------------------------------------------
def update_cases(rng, n):
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    from reference.oracle import oracle_backprop

    cases = []
    for k, sizes in enumerate(ch1._take(rng, n)):
        m = [1, 3, 2, 4, 3, 5][k] if k < 6 else int(rng.integers(1, 6))
        W, b = ch1._params(rng, sizes)
        X = rng.standard_normal((sizes[0], m))
        Y = rng.random((sizes[-1], m))
        eta, lmbda = float(rng.choice([0.5, 0.25])), float(rng.choice([5.0, 2.0]))
        big_n = int(rng.choice([10, 20, 50]))         # never m: /n and /m tell apart
        g = oracle_backprop(W, b, ["sigmoid"] * len(W), "bce", X, Y, "columns", "mean",
                            keep_forward=False)
        batch = [(X[:, j:j + 1].copy(), Y[:, j:j + 1].copy()) for j in range(m)]
        decay = 1 - eta * lmbda / big_n
        cases.append(GradeCase(
            {"sizes": sizes, "weights": W, "biases": b, "mini_batch": batch, "eta": eta,
             "lmbda": lmbda, "n": big_n, "cost": "cross_entropy"},
            {"weights": [decay * w - eta * d for w, d in zip(W, g.dW)],
             "biases": [c - eta * d for c, d in zip(b, g.db)],
             "dW": g.dW, "db": g.db, "m": m},
            (len(W), sum(sizes), m),
            f"{ch1._desc(sizes, m)}, eta={eta:g}, lmbda={lmbda:g}, n={big_n}"))
    return cases


def _sequential(i):
    """The mistake of updating after every example (the whole step moved into the loop)."""
    W = [np.array(w, dtype=float) for w in i["weights"]]
    b = [np.array(c, dtype=float) for c in i["biases"]]
    m, eta = len(i["mini_batch"]), i["eta"]
    for x, y in i["mini_batch"]:
        nb, nw = np_backprop(W, b, x, y, COSTS["cross_entropy"])
        W = [(1 - eta * i["lmbda"] / i["n"]) * w - eta / m * d for w, d in zip(W, nw)]
        b = [c - eta / m * d for c, d in zip(b, nb)]
    return W, b


def judge_update(got, case):
    """w ← (1 − ηλ/n) w − (η/m) Σ nabla_w, b ← b − (η/m) Σ nabla_b (no decay for b)."""
    e, i = case.expected, case.inputs
    L, m, eta, lmbda, big_n = len(e["dW"]), e["m"], i["eta"], i["lmbda"], i["n"]
    for key in ("weights", "biases"):
        bad = ch1._seq(got.get(key), L, f"self.{key} should stay a list of {L} arrays",
                       "update")
        if bad:
            return bad
    seq_w, seq_b = _sequential(i) if m > 1 else (None, None)
    sequential = ("the parameters were updated inside the loop, after every example: sum "
                  "nabla_w, nabla_b over the whole mini-batch first, then update once")
    for l in range(L - 1, -1, -1):
        w, dw, b, db = i["weights"][l], e["dW"][l], i["biases"][l], e["db"][l]
        decayed = (1 - eta * lmbda / big_n) * w
        step = [(text, value) for text, value in ch1._update_mistakes(decayed, dw, eta, m)
                if "did not change" not in text]
        w_mistakes = [
            ("the L2 weight decay is missing: w ← (1 − η·lmbda/n)·w − (η/m)·Σ nabla_w",
             w - eta * dw),
            ("the weight decay is not divided by n (the size of the training set): "
             "(1 - eta*(lmbda/n))*w", (1 - eta * lmbda) * w - eta * dw),
            ("the weight decay is divided by len(mini_batch) instead of n, the size of the "
             "training set: (1 - eta*(lmbda/n))*w", (1 - eta * lmbda / m) * w - eta * dw),
            ("the weight decay has no η: (1 - eta*(lmbda/n))*w",
             (1 - lmbda / big_n) * w - eta * dw),
            ("the weight decay has the wrong sign: (1 - eta*(lmbda/n))*w",
             (1 + eta * lmbda / big_n) * w - eta * dw),
            *step,
            ("the parameters did not change: assign the updated list back to self.weights",
             w)]
        b_mistakes = [("the weight decay was applied to the biases too: only the weights "
                       "are regularized, b ← b − (η/m)·Σ nabla_b",
                       (1 - eta * lmbda / big_n) * b - eta * db),
                      *ch1._update_mistakes(b, db, eta, m)]
        if seq_w is not None:
            w_mistakes.append((sequential, seq_w[l]))
            b_mistakes.append((sequential, seq_b[l]))
        for key, mistakes in (("weights", w_mistakes), ("biases", b_mistakes)):
            found = diagnose_array(got[key][l], e[key][l], equation="update",
                                   name=f"self.{key}[{l}]", mistakes=mistakes)
            if found:
                return found
    return None


# --- Network.total_cost ---------------------------------------------------------------------
def total_cost_cases(rng, n):
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    from reference.oracle import oracle_backprop

    cases = []
    for k, sizes in enumerate(ch1._take(rng, n)):
        cost = ("cross_entropy", "quadratic")[k % 2]
        N = [1, 3, 4, 5][k] if k < 4 else int(rng.integers(1, 6))
        W, b = ch1._params(rng, sizes)
        X = rng.standard_normal((sizes[0], N))
        Y = rng.random((sizes[-1], N))
        lmbda = float(rng.choice([0.5, 5.0]))
        g = oracle_backprop(W, b, ["sigmoid"] * len(W), LOSS[cost], X, Y, "columns", "mean")
        reg = 0.5 * (lmbda / N) * sum(float(np.sum(w ** 2)) for w in W)   # ½(λ/N) Σ‖w‖²
        data = [(X[:, j:j + 1].copy(), Y[:, j:j + 1].copy()) for j in range(N)]
        cases.append(GradeCase(
            {"sizes": sizes, "weights": W, "biases": b, "data": data, "lmbda": lmbda,
             "cost": cost},
            {"cost": g.cost + reg, "data_cost": g.cost, "reg": reg, "N": N},
            (len(W), sum(sizes), N),
            f"{ch1._desc(sizes)}, {N} examples, lmbda={lmbda:g}, {cost.replace('_', '-')}"))
    return cases


def judge_total_cost(got, case):
    """(1/N) Σₓ cost.fn(a, y) + ½ (λ/N) Σ ‖w‖²."""
    e = case.expected
    c, reg, N = e["data_cost"], e["reg"], e["N"]
    mistakes = [("the regularization term ½(λ/n)·Σ‖w‖² is missing", c),
                ("the regularization term has no ½: 0.5*(lmbda/len(data))*Σ‖w‖²", c + 2 * reg),
                ("the regularization term is not divided by len(data)", c + N * reg)]
    if N > 1:
        mistakes.append(("the cost is summed over the examples, not averaged: divide by "
                         "len(data)", N * c + reg))
    return diagnose_array(got.get("return"), e["cost"], equation="cost",
                          name="total_cost(data, lmbda)", mistakes=mistakes)


# --- Network.default_weight_initializer ------------------------------------------------------
INIT_SIZES = [[2, 3, 1], [784, 30, 10], [100, 50, 1]]


def init_cases(rng, n):
    return [GradeCase({"sizes": s, "seed": int(rng.integers(0, 2**31))}, {"sizes": s},
                      (len(s), sum(s)), f"sizes {s}") for s in INIT_SIZES]


def judge_init(got, case):
    """weights[l] ~ N(0, 1/n_in) of shape (n_l, n_{l-1}), biases[l] of shape (n_l, 1)."""
    sizes = case.expected["sizes"]
    L = len(sizes) - 1
    for key in ("weights", "biases"):
        bad = ch1._seq(got.get(key), L, f"self.{key} should be a list of {L} arrays", "init")
        if bad:
            return bad
    for l in range(L):
        n_in, n_out = sizes[l], sizes[l + 1]
        for key, shape in (("weights", (n_out, n_in)), ("biases", (n_out, 1))):
            arr = np.asarray(got[key][l], dtype=float)
            found = diagnose_shape(arr, np.zeros(shape), equation="init",
                                   name=f"self.{key}[{l}]")
            if found:
                return found
            if not np.isfinite(arr).all():
                return Finding("init", f"self.{key}[{l}] contains NaN/inf")
        W = np.asarray(got["weights"][l], dtype=float)
        if n_out > 1 and np.allclose(W, W[:1], atol=0):
            return Finding("init", f"self.weights[{l}] has identical rows: no symmetry "
                           "breaking (draw from np.random.randn)")
        found = diagnose_spread(W, {"1/sqrt(n_in)": 1 / np.sqrt(n_in)},
                                name=f"self.weights[{l}]",
                                hint="default_weight_initializer divides np.random.randn(y, x) "
                                     "by np.sqrt(x), x the number of inputs")
        if found:
            return found
    return None


def _fn(name, probe, cases, judge, **kw):
    return GradedFunction(name, f"{PROBES}:{probe}", cases, judge, **kw)


# the grader's helpers each function may ask for (kit.HELPERS): never its own answer
COST_HELPERS = tuple(f"nielsen.{kind}.{m}" for kind in COSTS for m in ("fn", "delta"))


def _cost(cls, cost, **kw):
    return [_fn(f"{cls}.fn", "cost_fn_probe", cost_cases(cls, cost), judge_cost_fn,
                points=0.5, helpers=ch1.SIGMAS, **kw),
            _fn(f"{cls}.delta", "cost_delta_probe", cost_cases(cls, cost), judge_cost_delta,
                helpers=ch1.SIGMAS, **kw)]


STYLE = Style("nielsen2", "columns", [
    _fn("sigmoid", "sigmoid_probe", ch1.z_cases, ch1.judge_sigmoid, optional=True, points=0.5,
        inputs=("z",)),
    _fn("sigmoid_prime", "sigmoid_prime_probe", ch1.z_cases, ch1.judge_sigmoid_prime,
        inputs=("z",), helpers=("nielsen.sigmoid",)),
    *_cost("QuadraticCost", "quadratic", optional=True),
    *_cost("CrossEntropyCost", "cross_entropy"),
    _fn("Network.default_weight_initializer", "weight_initializer_probe", init_cases,
        judge_init, optional=True, points=0.5, helpers=ch1.SIGMAS),
    _fn("Network.feedforward", "feedforward2", ch1.net_cases, ch1.judge_feedforward,
        helpers=ch1.SIGMAS + COST_HELPERS),
    _fn("Network.backprop", "backprop2", net_cases, judge_backprop,
        helpers=ch1.SIGMAS + COST_HELPERS),
    _fn("Network.update_mini_batch", "update_mini_batch2", update_cases, judge_update,
        helpers=ch1.SIGMAS + COST_HELPERS + ("nielsen.backprop",)),
    _fn("Network.total_cost", "total_cost_probe", total_cost_cases, judge_total_cost,
        optional=True, points=0.5, helpers=ch1.SIGMAS + COST_HELPERS),
])
