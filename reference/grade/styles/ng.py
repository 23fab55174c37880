"""Ng's "Building your Deep Neural Network: Step by Step" (columns layout).

Every case is built from the oracle (torch autograd, float64) on a network
with ReLU hidden layers, a sigmoid output and the binary cross-entropy
C = −(1/m) Σ [y log a + (1 − y) log(1 − a)]. The course's dZ is the per-example
error δ (no 1/m); its dW, db carry the 1/m (docs/DESIGN.md):

    BP1  dZᴸ = dAᴸ ⊙ σ'(Zᴸ)            (linear_activation_backward, "sigmoid")
    BP2  dZˡ = (Wˡ⁺¹ᵀ dZˡ⁺¹) ⊙ g'(Zˡ)    (dA_prev = Wᵀ dZ, then ⊙ g'(Z))
    BP3  db  = (1/m) Σₓ dZ             (sum over axis 1, keepdims)
    BP4  dW  = (1/m) dZ A_prevᵀ
"""

from __future__ import annotations

import numpy as np

from ...oracle.diagnose import as_array, diagnose_array, diagnose_init, diagnose_keys, first
from ..base import Finding, GradeCase, GradedFunction, Style
from ..books.ng import BOOK
from ..kit import sigmoid as _sig

__all__ = ["STYLE"]

PROBES = "reference.grade.probes.ng"


def _net(rng, sizes, m, hidden="relu"):
    """Random network + batch, and the oracle's forward and backward pass."""
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    from reference.oracle import oracle_backprop

    L = len(sizes) - 1
    W = [rng.standard_normal((n, p)) / np.sqrt(p) for p, n in zip(sizes[:-1], sizes[1:])]
    b = [rng.standard_normal((n, 1)) * 0.5 for n in sizes[1:]]
    X = rng.standard_normal((sizes[0], m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    acts = [hidden] * (L - 1) + ["sigmoid"]
    return W, b, X, Y, acts, oracle_backprop(W, b, acts, "bce", X, Y, "columns", "mean")


def _desc(sizes, m):
    return f"L={len(sizes) - 1}, sizes {'x'.join(map(str, sizes))}, m={m}"


NET_SHAPES = [([2, 1], 3), ([1, 2, 1], 2), ([3, 3, 3, 1], 1), ([3, 3, 3, 1], 4),
              ([4, 3, 2, 1], 5)]
LAYER_SHAPES = [(2, 1, 3), (1, 3, 1), (3, 3, 4), (4, 2, 5)]   # (n_prev, n, m)


EDGE = 3     # the first 3 shapes of each list cover width 1, batch size 1 and square layers


def _take(shapes, rng, n, make_random):
    """The first n shapes (at least the EDGE ones, whatever n is), then random ones."""
    out = list(shapes[:max(n, EDGE)])
    while len(out) < n:
        out.append(make_random(rng))
    return out


def _rand_net(rng):
    L = int(rng.integers(1, 4))
    return [int(x) for x in rng.integers(1, 6, L)] + [1], int(rng.integers(1, 8))


def _rand_layer(rng):
    return int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 8))


def _seq(got, n, what, equation):
    """got must be a tuple/list of n items."""
    if not isinstance(got, list) or len(got) != n:
        kind = f"{len(got)} items" if isinstance(got, list) else type(got).__name__
        return Finding(equation, f"{what} (got {kind})")
    return None


# --- cases ------------------------------------------------------------------------------------
def layer_cases(rng, n):
    """One layer (n_prev -> n, relu or sigmoid) inside a 2-layer net, so dA is a real Wᵀδ."""
    cases = []
    for n_prev, units, m in _take(LAYER_SHAPES, rng, n, _rand_layer):
        for act in ("relu", "sigmoid"):
            W, b, X, Y, _, g = _net(rng, [n_prev, units, 1], m, hidden=act)
            dA = W[1].T @ g.deltas[1]
            cases.append(GradeCase(
                inputs={"A": X, "A_prev": X, "W": W[0], "b": b[0], "activation": act,
                        "dZ": g.deltas[0], "dA": dA, "linear_cache": [X, W[0], b[0]],
                        "cache": [[X, W[0], b[0]], g.zs[0]]},
                expected={"Z": g.zs[0], "A": g.activations[1], "dZ": g.deltas[0],
                          "dA_prev": W[0].T @ g.deltas[0], "dW": g.dW[0], "db": g.db[0],
                          "m": m},
                size=(1, n_prev + units, m),
                description=f"one {act} layer {n_prev}->{units}, m={m}"))
    return sorted(cases, key=lambda c: c.size)


def net_cases(rng, n):
    cases = []
    for sizes, m in _take(NET_SHAPES, rng, n, _rand_net):
        W, b, X, Y, acts, g = _net(rng, sizes, m)
        L = len(W)
        params = {}
        for l in range(L):
            params[f"W{l + 1}"], params[f"b{l + 1}"] = W[l], b[l]
        caches = [[[g.activations[l], W[l], b[l]], g.zs[l]] for l in range(L)]
        cases.append(GradeCase(
            inputs={"X": X, "Y": Y, "parameters": params, "AL": g.activations[-1],
                    "caches": caches},
            expected={"AL": g.activations[-1], "zs": g.zs, "activations": g.activations,
                      "W": W, "b": b, "deltas": g.deltas, "dW": g.dW, "db": g.db, "m": m},
            size=(L, sum(sizes), m), description=_desc(sizes, m)))
    return sorted(cases, key=lambda c: c.size)


# --- judges -------------------------------------------------------------------------------------
def _judge_cache(cache, A, W, b, Z=None, where="cache"):
    """linear_cache = (A_prev, W, b); with Z: cache = (linear_cache, Z)."""
    if Z is not None:
        bad = _seq(cache, 2, f"{where} should be (linear_cache, activation_cache)", "forward")
        if bad:
            return bad
        return first([_judge_cache(cache[0], A, W, b, where=f"{where}[0]"),
                      diagnose_array(cache[1], Z, equation="forward",
                                     name=f"{where}[1] (activation_cache = Z)")])
    bad = _seq(cache, 3, f"{where} should be the linear cache (A_prev, W, b)", "forward")
    if bad:
        return bad
    return first(diagnose_array(got, exp, equation="forward", name=f"{where}[{i}] ({nm})")
                 for i, (got, exp, nm) in enumerate(zip(cache, (A, W, b), ("A_prev", "W", "b"))))


def judge_linear_forward(got, case):
    """z = W a + b and the cache (A_prev, W, b)."""
    out = got.get("return")
    bad = _seq(out, 2, "linear_forward should return (Z, cache)", "forward")
    if bad:
        return bad
    i, e = case.inputs, case.expected
    return first([diagnose_array(out[0], e["Z"], equation="forward", name="Z",
                                 mistakes=[("the bias b is missing", i["W"] @ i["A"])]),
                  _judge_cache(out[1], i["A"], i["W"], i["b"])])


def judge_linear_activation_forward(got, case):
    """A = g(W A_prev + b) and cache ((A_prev, W, b), Z)."""
    out = got.get("return")
    bad = _seq(out, 2, "linear_activation_forward should return (A, cache)", "forward")
    if bad:
        return bad
    i, e = case.inputs, case.expected
    other = _sig(e["Z"]) if i["activation"] == "relu" else np.maximum(e["Z"], 0)
    return first([diagnose_array(out[0], e["A"], equation="forward", name="A",
                                 mistakes=[("applied the other activation (check the "
                                            "'sigmoid'/'relu' branches)", other),
                                           ("returned Z: the activation was not applied",
                                            e["Z"])]),
                  _judge_cache(out[1], i["A_prev"], i["W"], i["b"], e["Z"])])


def judge_L_model_forward(got, case):
    """AL after L−1 ReLU layers and a sigmoid, and one cache per layer."""
    out = got.get("return")
    bad = _seq(out, 2, "L_model_forward should return (AL, caches)", "forward")
    if bad:
        return bad
    e = case.expected
    L = len(e["W"])
    found = diagnose_array(out[0], e["AL"], equation="forward", name="AL")
    if found:
        return found
    caches = out[1]
    if not isinstance(caches, list) or len(caches) != L:
        n = len(caches) if isinstance(caches, list) else type(caches).__name__
        return Finding("forward", f"caches should hold one cache per layer ({L}), got {n}")
    for l in range(L):
        found = _judge_cache(caches[l], e["activations"][l], e["W"][l], e["b"][l],
                             e["zs"][l], where=f"caches[{l}]")
        if found:
            return found
    return None


def judge_compute_cost(got, case):
    """C = −(1/m) Σ [y log a + (1 − y) log(1 − a)], a number (np.squeeze)."""
    i, e = case.inputs, case.expected
    out = got.get("return")
    AL, Y = i["AL"], i["Y"]
    per = -(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    mistakes = [("computed only the y·log(a) term", -np.sum(Y * np.log(AL)) / e["m"]),
                ("summed without the mean over examples (1/m missing)", per.sum()),
                ("averaged over all entries, not per example", per.mean())]
    return diagnose_array(out, e["cost"], equation="cost", name="cost", scale_m=e["m"],
                          mistakes=mistakes)


def cost_cases(rng, n):
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    from reference.oracle import oracle_backprop

    cases = []
    for m in [1, 3, 5, 8][:n] + [int(rng.integers(1, 10)) for _ in range(n - 4)]:
        z = rng.standard_normal((1, m)) * 2
        Y = (rng.random((1, m)) < 0.5).astype(float)
        # a one-layer sigmoid net whose pre-activation is z: X = I, W = z, b = 0
        g = oracle_backprop([z], [np.zeros((1, 1))], ["sigmoid"], "bce", np.eye(m), Y)
        cases.append(GradeCase({"AL": g.activations[-1], "Y": Y},
                               {"cost": g.cost, "m": m}, (m,), f"m={m}"))
    return sorted(cases, key=lambda c: c.size)


def _backward_mistakes(i, e, act):
    """Known wrong dZ formulas for the activation, pushed through dW/db/dA_prev."""
    dA, Z, A_prev, W, m = i["dA"], i["cache"][1], i["A_prev"], i["W"], e["m"]
    wrongs = []
    if act == "sigmoid":
        A = _sig(Z)
        wrongs.append(("σ'(a) used instead of σ'(z): the derivative was taken of the "
                       "activation A rather than of Z", dA * _sig(A) * (1 - _sig(A))))
        wrongs.append(("the cache holds Z, not A: dZ = dA·Z(1−Z) treats Z as the "
                       "activation; compute s = σ(Z) first", dA * Z * (1 - Z)))
    wrongs.append(("dZ = dA: the activation derivative g'(Z) is missing", dA))
    wrongs.append(("the other activation's derivative was used", dA * (Z > 0)
                   if act == "sigmoid" else dA * _sig(Z) * (1 - _sig(Z))))
    out = {"dA_prev": [], "dW": [], "db": []}
    for text, dZ in wrongs:
        out["dA_prev"].append((text, W.T @ dZ))
        out["dW"].append((text, dZ @ A_prev.T / m))
        out["db"].append((text, dZ.sum(axis=1, keepdims=True) / m))
    return out


DB_FROM_W = ("computed as Wᵀ·dZ/m (dA_prev's product): db is the sum of dZ over the "
             "examples, np.sum(dZ, axis=1, keepdims=True) / m; W does not enter it")


def _judge_grads(out, e, equation_dz, mistakes=None):
    """(dA_prev, dW, db): dA_prev = Wᵀ dZ (BP2's first factor), BP4 dW, BP3 db."""
    mistakes = mistakes or {"dA_prev": [], "dW": [], "db": []}
    m = e["m"]
    # dA_prev's product where db belongs (its own shape, (n_prev, m), or db's when they agree)
    mistakes = {**mistakes, "db": [*mistakes["db"], (DB_FROM_W, e["dA_prev"] / m)]}
    return first([
        diagnose_array(out[0], e["dA_prev"], equation=equation_dz, name="dA_prev",
                       scale_m=m, mistakes=mistakes["dA_prev"]),
        diagnose_array(out[1], e["dW"], equation="BP4", name="dW", scale_m=m,
                       mistakes=mistakes["dW"]),
        diagnose_array(out[2], e["db"], equation="BP3", name="db", scale_m=m,
                       mistakes=mistakes["db"])])


def judge_linear_backward(got, case):
    """BP4 dW = (1/m) dZ A_prevᵀ, BP3 db = (1/m) Σ dZ (keepdims), dA_prev = Wᵀ dZ (BP2)."""
    out = got.get("return")
    return (_seq(out, 3, "linear_backward should return (dA_prev, dW, db)", "BP2")
            or _judge_grads(out, case.expected, "BP2"))


def judge_linear_activation_backward(got, case):
    """dZ = dA ⊙ g'(Z) (BP1 for the sigmoid output, BP2 for ReLU), then BP3/BP4."""
    out = got.get("return")
    act = case.inputs["activation"]
    eq = "BP1" if act == "sigmoid" else "BP2"
    return (_seq(out, 3, "linear_activation_backward should return (dA_prev, dW, db)", eq)
            or _judge_grads(out, case.expected, eq,
                            _backward_mistakes(case.inputs, case.expected, act)))


def judge_L_model_backward(got, case):
    """grads dA{l-1} (or the older dA{l}), dW{l}, db{l} for l = 1..L: BP1..BP4."""
    grads = got.get("return")
    e = case.expected
    L, m = len(e["W"]), e["m"]
    keys = [f"{p}{l}" for l in range(1, L + 1) for p in ("dW", "db")]
    found = diagnose_keys(grads, keys, equation="BP1", name="grads")
    if found:
        return found
    for l in range(L, 0, -1):
        eq = "BP1" if l == L else "BP2"
        for key, exp, bp in ((f"dW{l}", e["dW"][l - 1], "BP4"), (f"db{l}", e["db"][l - 1], "BP3")):
            # linear_backward is the grader's here: a wrong dW/db comes from dZ (BP1/BP2)
            found = diagnose_array(grads[key], exp, equation=eq, name=f"grads['{key}']",
                                   scale_m=m)
            if found:
                found.detail["gradient_equation"] = bp
                return found
    # dA: current course dA{l-1} = ∂/∂A^(l-1); the older one stores it as dA{l}
    dA = {l: e["W"][l].T @ e["deltas"][l] for l in range(L)}   # ∂/∂A^l for layer l+1
    current = [f"dA{l}" for l in range(L)]
    older = [f"dA{l + 1}" for l in range(L)]
    use = current if all(k in grads for k in current) else older
    if not all(k in grads for k in use):
        return Finding("BP2", f"grads is missing the dA keys: expected {', '.join(current)} "
                       f"(or the older {', '.join(older)})")
    for l in range(L - 1, -1, -1):
        found = diagnose_array(grads[use[l]], dA[l], equation="BP2",
                               name=f"grads['{use[l]}']", scale_m=m)
        if found:
            return found
    return None


def judge_update_parameters(got, case):
    """θ ← θ − α ∂C/∂θ for every W{l}, b{l}."""
    params = got.get("return")
    e = case.expected
    found = diagnose_keys(params, list(e["params"]), equation="update", name="parameters")
    if found:
        return found
    for key, exp in e["params"].items():
        grad = case.inputs["grads"]["d" + key]
        old = case.inputs["parameters"][key]
        found = diagnose_array(params[key], exp, equation="update", name=f"parameters['{key}']",
                               mistakes=[("added the gradient instead of subtracting it",
                                          old + case.inputs["learning_rate"] * grad),
                                         ("the learning rate is missing", old - grad)])
        if found:
            return found
    return None


def update_cases(rng, n):
    cases = []
    for sizes, m in _take(NET_SHAPES, rng, n, _rand_net):
        W, b, X, Y, acts, g = _net(rng, sizes, m)
        params, grads, new = {}, {}, {}
        lr = float(rng.choice([0.1, 0.0075, 1.2]))
        for l in range(len(W)):
            for key, p, d in ((f"W{l + 1}", W[l], g.dW[l]), (f"b{l + 1}", b[l], g.db[l])):
                params[key], grads["d" + key], new[key] = p, d, p - lr * d
        cases.append(GradeCase({"parameters": params, "grads": grads, "learning_rate": lr},
                               {"params": new}, (len(W), sum(sizes)), _desc(sizes, m)))
    return sorted(cases, key=lambda c: c.size)


def init_cases(rng, n):
    dims = [[3, 1], [2, 2, 2], [5, 4, 3, 1], [64, 32, 16, 1]]
    dims += [[int(x) for x in rng.integers(1, 8, int(rng.integers(2, 5)))]
             for _ in range(max(0, n - 4))]
    return [GradeCase({"layer_dims": d, "seed": int(rng.integers(0, 2**31))}, {"dims": d},
                      (len(d), sum(d)), f"layer_dims={d}") for d in dims[:max(n, 4)]]


def judge_init(got, case):
    """W{l}: (n_l, n_{l-1}) small random (symmetry breaking), b{l}: zeros (n_l, 1)."""
    return diagnose_init(got.get("return"), case.expected["dims"])


# --- sigmoid, relu and their backward (the course provides them; graded when defined) -----
def act_cases(function):
    def make(rng, n):
        cases = []
        shapes = [(1, 1), (3, 1), (2, 4), (4, 3)][:max(n, 2)]
        for k, (r, c) in enumerate(shapes):
            Z = rng.standard_normal((r, c)) * 3
            if k == len(shapes) - 1:
                Z.flat[0] = 800.0          # numerically unstable code overflows here
                Z.flat[-1] = -800.0
                if Z.size > 2:
                    Z.flat[1] = 0.0        # the ReLU kink: either one-sided derivative passes
            dA = rng.standard_normal((r, c))
            cases.append(GradeCase({"function": function, "Z": Z, "dA": dA}, {},
                                   (r * c,), f"Z of shape {(r, c)}"
                                   + (", with |z| = 800 and z = 0" if Z.size > 1
                                      and k == len(shapes) - 1 else "")))
        return cases
    return make


def judge_activation(got, case):
    """a = σ(z) (sigmoid) or max(0, z) (relu); returns (A, cache = Z). The course provides
    both: a student's own returning A alone (the week 2-3 contract, which their
    linear_activation_forward then uses, and the probes follow) is right too."""
    out = got.get("return")
    fn, Z = case.inputs["function"], case.inputs["Z"]
    exp = _sig(Z) if fn == "sigmoid" else np.maximum(Z, 0)
    if not isinstance(out, list):
        return diagnose_array(out, exp, equation="forward", name="A")
    bad = _seq(out, 2, f"{fn} should return (A, cache) with cache = Z", "forward")
    if bad:
        return bad
    return first([diagnose_array(out[0], exp, equation="forward", name="A"),
                  diagnose_array(out[1], Z, equation="forward", name="cache (should be Z)")])


def judge_activation_backward(got, case):
    """dZ = dA ⊙ σ'(z) (BP1/BP2's factor); at z = 0 ReLU' may be 0 or 1."""
    out = got.get("return")
    fn, Z, dA = case.inputs["function"], case.inputs["Z"], case.inputs["dA"]
    if fn == "sigmoid_backward":
        s = _sig(Z)
        exp = dA * s * (1 - s)
        mistakes = [("σ'(a) used instead of σ'(z): the cache holds Z, apply σ first",
                     dA * Z * (1 - Z)),
                    ("dA is not multiplied in", s * (1 - s))]
    else:
        exp = dA * (Z > 0)
        g = as_array(out)
        if g is not None and g.shape == exp.shape:
            kink = (Z == 0) & np.isclose(g, dA)
            exp = np.where(kink, dA, exp)
        mistakes = [("dA is not multiplied in", (Z > 0).astype(float))]
    return diagnose_array(out, exp, equation="BP1/BP2", name="dZ", mistakes=mistakes)


def _fn(name, probe, cases, judge, **kw):
    return GradedFunction(name, f"{PROBES}:{probe}", cases, judge, **kw)



STYLE = Style("ng", "columns", [
    _fn("sigmoid", "activation_probe", act_cases("sigmoid"), judge_activation,
        optional=True, provided=f"{PROBES}:sigmoid", points=0.5, inputs=("function", "Z")),
    _fn("relu", "activation_probe", act_cases("relu"), judge_activation,
        optional=True, provided=f"{PROBES}:relu", points=0.5, inputs=("function", "Z")),
    _fn("initialize_parameters_deep", "initialize_parameters_deep", init_cases, judge_init),
    _fn("linear_forward", "linear_forward_probe", layer_cases, judge_linear_forward,
        inputs=("A", "W", "b")),
    _fn("linear_activation_forward", "linear_activation_forward_probe", layer_cases,
        judge_linear_activation_forward, inputs=("A_prev", "W", "b", "activation"),
        helpers=BOOK.helpers_of("linear_activation_forward")),
    _fn("L_model_forward", "L_model_forward", net_cases, judge_L_model_forward,
        inputs=("X", "parameters"), helpers=BOOK.helpers_of("L_model_forward")),
    _fn("compute_cost", "compute_cost", cost_cases, judge_compute_cost, inputs=("AL", "Y")),
    _fn("sigmoid_backward", "activation_backward_probe", act_cases("sigmoid_backward"),
        judge_activation_backward, optional=True, provided=f"{PROBES}:sigmoid_backward",
        points=0.5, inputs=("function", "dA", "Z")),
    _fn("relu_backward", "activation_backward_probe", act_cases("relu_backward"),
        judge_activation_backward, optional=True, provided=f"{PROBES}:relu_backward",
        points=0.5, inputs=("function", "dA", "Z")),
    _fn("linear_backward", "linear_backward_probe", layer_cases, judge_linear_backward,
        inputs=("dZ", "linear_cache")),
    _fn("linear_activation_backward", "linear_activation_backward_probe", layer_cases,
        judge_linear_activation_backward, inputs=("dA", "cache", "activation"),
        helpers=BOOK.helpers_of("linear_activation_backward")),
    _fn("L_model_backward", "L_model_backward", net_cases, judge_L_model_backward,
        inputs=("AL", "Y", "caches"), helpers=BOOK.helpers_of("L_model_backward")),
    _fn("update_parameters", "update_parameters", update_cases, judge_update_parameters,
        allow_mutation=("parameters",)),
])
