"""Ng's course 2 week 1: three notebooks graded as one style (columns layout).

Initialization (init_utils)
    initialize_parameters_zeros    W{l} and b{l} all zeros, shapes (n_l, n_{l-1}), (n_l, 1)
    initialize_parameters_random   W{l} ~ randn · 10 (the notebook's large draw), b{l} = 0
    initialize_parameters_he       W{l} ~ randn · √(2/n_{l-1}), b{l} = 0
  judged by keys, shapes, a float dtype, zero biases and, on the large layers, the draw's
  mean and spread (`tolerances.INIT_*`): any correct distribution in any draw order
  passes. Matching the notebook's own draw (np.random.seed(3) inside, W before b) is not
  used as a cheaper exact test: it fails a right answer drawn in another order.
Regularization (reg_utils), the notebook's LINEAR→RELU→LINEAR→RELU→LINEAR→SIGMOID net
    compute_cost_with_regularization   C = cross-entropy + (λ/2m) Σₗ ‖Wˡ‖²_F
    backward_propagation_with_regularization   BP4 + (λ/m) Wˡ on every dW, BP3 unchanged
    forward_propagation_with_dropout   aˡ = relu(zˡ) ⊙ Dˡ / keep_prob, Dˡ = rand < keep_prob
                                       (read from the returned cache: any right mask
                                       passes; its rate judged statistically)
    backward_propagation_with_dropout  dAˡ ⊙ Dˡ / keep_prob, then BP2..BP4, on the
                                       notebook's cache (Z1, D1, A1, W1, b1, Z2, D2, ...)
  against torch autograd of the same net (`ng_c2w1_kit.oracle_net`).
Gradient Checking (gc_utils)
    forward_propagation, backward_propagation   J = θx, dJ/dθ = x
    gradient_check, gradient_check_n   a checker: graded by whether it DETECTS a wrong
                                       gradient (below tol.GRADIENT_CHECK on the right one,
                                       above it on each planted wrong one), not by the
                                       number it prints; its return value, or its message
                                       when it returns none

The three notebooks are separate files: a submission holding one or two of them is
graded on those, and the functions of a notebook it does not hand in are "supplied"
(full credit, as the course's optional functions: the instructor grades each notebook's
file, and an absent notebook costs nothing in the others' grade). A notebook is handed in
when one of its marks is defined (`books.ng_c2w1.PARTS`: the 1-D forward_propagation and
backward_propagation are no mark, init_utils and reg_utils have functions of those names
that students copy into the other notebooks). Within a notebook handed in, a function left
out is missing; a file defining none of the three notebooks' marks has every one missing.
"""

from __future__ import annotations

import numpy as np

from ...oracle import tolerances as tol
from ...oracle.diagnose import Finding, Kind, as_array, diagnose_array, diagnose_keys, first
from ..base import GradeCase, GradedFunction, Style
from ..books.ng_c2w1 import BOOK as RECORD
from ..books.ng_c2w1 import GRADIENT_CHECKING, PARTS
from . import ng_c2w1_kit as kit

__all__ = ["STYLE", "init_scale"]

PROBES = "reference.grade.probes.ng_c2w1"
PLANTED = RECORD.helpers_of("gradient_check")   # ng_c2.forward_propagation, planted_backward
KEYS = kit.KEYS
GRADS = tuple("d" + k for k in KEYS)


# --- Initialization -----------------------------------------------------------------------
# small dims for the shapes and edge cases; large layers (≥ tol.INIT_MIN_DRAWS weights) whose
# n_l and n_{l-1} differ, so He's n_{l-1} is told from n_l
INIT_DIMS = ([1, 1], [3, 2, 1], [60, 20, 80, 1], [2, 50, 40, 1])
# a deep net of small layers (2 to 9 units, 3,360 weights): each layer too small for its own
# statistics, their weights pooled (each divided by its layer's spread) are judged alike, so
# an initializer right only on the large layers is told
DEEP = [2 + (5 * i) % 8 for i in range(121)]


def init_scale(function: str, n_prev: int) -> float:
    """The spread each notebook asks of W{l}: 0, ×10, He's √(2/n_{l-1})."""
    return {"zeros": 0.0, "random": 10.0, "he": float(np.sqrt(2.0 / n_prev))}[
        function.rsplit("_", 1)[-1]]


def init_cases(function: str):
    def make(rng, n):
        dims = [*INIT_DIMS, DEEP]
        dims += [[int(v) for v in rng.integers(1, 8, int(rng.integers(2, 5)))]
                 for _ in range(max(0, n - len(dims)))]
        return [GradeCase({"function": function, "layers_dims": d,
                           "seed": int(rng.integers(0, 2**31))}, {"dims": d},
                          (sum(d), len(d)), f"layers_dims={d}" if len(d) < 10 else
                          f"layers_dims of {len(d)} layers of {min(d)} to {max(d)} units")
                for d in dims]
    return make


def _wrong_scales(function: str, n_prev: int, n: int) -> list[tuple[str, float]]:
    """The known wrong spreads, each with its diagnosis."""
    if function.endswith("he"):
        return [("Xavier's √(1/n_{l-1}): He's is √(2/n_{l-1})", np.sqrt(1.0 / n_prev)),
                ("√(2/n_l) of this layer's size: He's uses the previous layer's, "
                 "√(2/layers_dims[l-1])", np.sqrt(2.0 / n)),
                ("2/√n_{l-1}: the square root covers the 2 too, √(2/n_{l-1})",
                 2.0 / np.sqrt(n_prev)),
                ("×0.01, course 1's scale: He's is √(2/n_{l-1})", 0.01),
                ("np.random.randn unscaled: multiply by √(2/layers_dims[l-1])", 1.0)]
    return [("np.random.randn unscaled: the notebook multiplies it by 10", 1.0),
            ("×0.01, course 1's scale: this notebook's is ×10", 0.01)]


def _judge_spread(W: np.ndarray, key: str, function: str, n_prev: int, n: int):
    """A large W: centered (tol.INIT_MEAN_Z) with the asked spread (tol.INIT_STD_REL)."""
    target = init_scale(function, n_prev)
    mean, std = float(W.mean()), float(W.std())
    detail = {"mean": mean, "std": std, "expected_std": target, "draws": int(W.size)}
    if abs(mean) > tol.INIT_MEAN_Z * max(std, 1e-300) / np.sqrt(W.size):
        what = ("every weight is ≥ 0: np.random.rand draws uniformly from [0, 1)"
                if W.min() >= 0 else f"not centered at 0 (mean {mean:.3g})")
        return Finding("init", f"parameters['{key}']: {what}; use np.random.randn",
                       detail, Kind.INIT)
    if abs(std - target) <= tol.INIT_STD_REL * target:
        return None
    why = next((w for w, s in _wrong_scales(function, n_prev, n)
                if abs(std - s) <= tol.INIT_STD_REL * s), None)
    return Finding("init", f"parameters['{key}'] has standard deviation {std:.3g}, expected "
                   f"{target:.3g}" + (f": {why}" if why else ""), detail, Kind.INIT)


def _judge_array(value, dtype, key: str, shape, zeros: bool) -> Finding | None:
    """One parameter: its shape, a float dtype, zeros where the notebook asks for them."""
    arr = as_array(value)
    if arr is None or arr.shape != shape:
        return diagnose_array(value, np.zeros(shape), equation="init",
                              name=f"parameters['{key}']")
    if not np.all(np.isfinite(arr)):
        return Finding("init", f"parameters['{key}'] contains NaN or inf (on every layer, "
                       "small ones too: a scale dividing by zero?)", kind=Kind.INIT)
    if not str(dtype or "float64").startswith("float"):
        return Finding("init", f"parameters['{key}'] has dtype {dtype}: the parameters are "
                       "floats (np.zeros gives float64; integer zeros stay integers in the "
                       "updates)", kind=Kind.INIT)
    if zeros and np.any(arr != 0):
        what = "biases" if key[0] == "b" else "weights"
        return Finding("init", f"parameters['{key}'] should be zeros: the {what} start at "
                       f"np.zeros({shape})", kind=Kind.INIT)
    return None


def _judge_layer(got, case, l: int) -> Finding | None:
    function, dims = case.inputs["function"], case.expected["dims"]
    n, n_prev = dims[l], dims[l - 1]
    params, dtypes = got.get("return"), got.get("dtypes") or {}
    for key, shape in ((f"W{l}", (n, n_prev)), (f"b{l}", (n, 1))):
        found = _judge_array(params[key], dtypes.get(key), key, shape,
                             key[0] == "b" or function.endswith("zeros"))
        if found:
            return found
    W = as_array(params[f"W{l}"])
    if function.endswith("zeros"):
        return None
    if n > 1 and np.allclose(W, W[:1], atol=0):
        return Finding("init", f"parameters['W{l}'] has identical rows: no symmetry breaking",
                       kind=Kind.INIT)
    return _judge_spread(W, f"W{l}", function, n_prev, n) if W.size >= tol.INIT_MIN_DRAWS \
        else None


def judge_init(got, case):
    """Keys W1..WL, b1..bL; shapes; floats; zero biases; the draw's statistics, per large
    layer and pooled over the small ones."""
    dims = case.expected["dims"]
    keys = [f"{p}{l}" for l in range(1, len(dims)) for p in ("W", "b")]
    found = diagnose_keys(got.get("return"), keys, equation="init", name="parameters")
    found = found or first(_judge_layer(got, case, l) for l in range(1, len(dims)))
    return found or _judge_small_layers(got.get("return"), case.inputs["function"], dims)


def _judge_small_layers(params, function: str, dims) -> Finding | None:
    """The small layers' weights, each divided by its layer's asked spread, pooled: centered
    with spread 1 (tol.INIT_*), when they hold tol.INIT_MIN_DRAWS draws or more."""
    if function.endswith("zeros"):
        return None
    small = [(l, as_array(params[f"W{l}"])) for l in range(1, len(dims))]
    pooled = [W.ravel() / init_scale(function, dims[l - 1]) for l, W in small
              if W.size < tol.INIT_MIN_DRAWS]
    z = np.concatenate(pooled) if pooled else np.zeros(0)
    if z.size < tol.INIT_MIN_DRAWS:
        return None
    mean, std = float(z.mean()), float(z.std())
    if abs(mean) <= tol.INIT_MEAN_Z * max(std, 1e-300) / np.sqrt(z.size) \
            and abs(std - 1.0) <= tol.INIT_STD_REL:
        return None
    return Finding("init", f"the small layers' weights (layers under {tol.INIT_MIN_DRAWS} "
                   f"weights, {len(pooled)} of them, each divided by its expected spread) "
                   f"have mean {mean:.3g} and standard deviation {std:.3g}, expected 0 and "
                   "1: the draw is other on small layers than on large ones",
                   {"mean": mean, "std": std, "draws": int(z.size)}, Kind.INIT)


# --- the Regularization notebook's network --------------------------------------------------
NETS = [((2, 20, 3, 1), 5), ((3, 2, 2, 1), 1), ((4, 5, 3, 1), 3)]
LAMBDS = (0.7, 0.1, 1.5)


def _network(rng, sizes, m, gap=0.0):
    """Parameters, X, Y of the 3-layer net (drawn again while a ReLU input lies within
    `gap` of its kink: a central difference across it is no derivative)."""
    for _ in range(100):
        params = {}
        for l in (1, 2, 3):
            params[f"W{l}"] = rng.standard_normal((sizes[l], sizes[l - 1])) / np.sqrt(
                sizes[l - 1])
            params[f"b{l}"] = rng.standard_normal((sizes[l], 1)) * 0.5
        X = rng.standard_normal((sizes[0], m))
        Y = (rng.random((1, m)) < 0.5).astype(float)
        net = kit.oracle_net(X, Y, params)
        if min(np.abs(net["Z1"]).min(), np.abs(net["Z2"]).min()) >= gap:
            return params, X, Y, net
    raise RuntimeError("no network away from the kinks")   # never seen: a draw is ~1e-3


def _nets(rng, n):
    out = list(NETS)
    while len(out) < n:
        out.append(((int(rng.integers(1, 6)), int(rng.integers(1, 6)),
                     int(rng.integers(1, 6)), 1), int(rng.integers(1, 8))))
    return out


def _desc(sizes, m, **extra):
    more = "".join(f", {k}={v}" for k, v in extra.items())
    return f"layers {'x'.join(map(str, sizes))}, m={m}{more}"


def cost_cases(rng, n):
    cases = []
    for k, (sizes, m) in enumerate(_nets(rng, n)):
        params, X, Y, _ = _network(rng, sizes, m)
        lambd = LAMBDS[k % len(LAMBDS)]
        net = kit.oracle_net(X, Y, params, lambd)
        cases.append(GradeCase(
            {"function": "compute_cost_with_regularization",
             "args": [net["A3"], Y, params, lambd]},
            {"cost": net["cost"], "ce": net["cross_entropy"], "m": m},
            (m, sum(sizes)), _desc(sizes, m, lambd=lambd)))
    return sorted(cases, key=lambda c: c.size)


def judge_cost(got, case):
    """C = cross-entropy + (λ/2m) Σₗ ‖Wˡ‖²_F over W1, W2, W3."""
    _, _, params, lambd = case.inputs["args"]
    e, m = case.expected, case.expected["m"]
    sq = [float(np.sum(np.square(params[f"W{l}"]))) for l in (1, 2, 3)]
    norms = [float(np.linalg.norm(params[f"W{l}"])) for l in (1, 2, 3)]
    mistakes = [("the L2 term is λ/m Σ‖W‖²: its ½ is missing (λ/(2m))",
                 e["ce"] + lambd / m * sum(sq)),
                ("the L2 term is λ/2 Σ‖W‖²: its 1/m is missing", e["ce"] + lambd / 2 * sum(sq)),
                ("the last layer's W3 is left out of the L2 term", e["ce"] + lambd / (2 * m)
                 * (sq[0] + sq[1])),
                ("‖W‖ not squared: the L2 term sums np.square(W)", e["ce"] + lambd / (2 * m)
                 * sum(norms)),
                ("the cross-entropy part is missing (compute_cost(A3, Y))",
                 lambd / (2 * m) * sum(sq))]
    return diagnose_array(got.get("return"), e["cost"], equation="cost", name="cost",
                          mistakes=mistakes)


def _cache(net, params, masks=None):
    """The notebook's cache: (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3), with dropout
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)."""
    out = []
    for l in (1, 2, 3):
        mask = [masks[l - 1]] if masks is not None and l < 3 else []
        out += [net[f"Z{l}"], *mask, net[f"A{l}"], params[f"W{l}"], params[f"b{l}"]]
    return out


def regularization_cases(rng, n):
    cases = []
    for k, (sizes, m) in enumerate(_nets(rng, n)):
        params, X, Y, plain = _network(rng, sizes, m)
        lambd = LAMBDS[k % len(LAMBDS)]
        net = kit.oracle_net(X, Y, params, lambd)
        cases.append(GradeCase(
            {"function": "backward_propagation_with_regularization",
             "args": [X, Y, _cache(net, params), lambd]},
            {**{g: net[g] for g in GRADS}, "plain": {g: plain[g] for g in GRADS},
             "params": params, "lambd": lambd, "m": m},
            (m, sum(sizes)), _desc(sizes, m, lambd=lambd)))
    return sorted(cases, key=lambda c: c.size)


def _judge_grads(grads, e, mistakes) -> Finding | None:
    """grads['dW1'] .. grads['db3'] against the oracle's, with each one's known mistakes."""
    found = diagnose_keys(grads, list(GRADS), equation="BP4", name="gradients")
    if found:
        return found
    for l in (3, 2, 1):
        for key, eq in ((f"dW{l}", "BP4"), (f"db{l}", "BP3")):
            found = diagnose_array(grads[key], e[key], equation=eq, name=f"gradients['{key}']",
                                   scale_m=e["m"], mistakes=mistakes.get(key, ()))
            if found:
                return found
    return None


def judge_regularization(got, case):
    """dWˡ = BP4 + (λ/m) Wˡ for l = 1..3; dbˡ = BP3, no L2 term."""
    e, lambd, m = case.expected, case.expected["lambd"], case.expected["m"]
    p, plain = e["params"], e["plain"]
    mistakes = {}
    for l in (1, 2, 3):
        W, key = p[f"W{l}"], f"dW{l}"
        mistakes[key] = [("the L2 term is (λ/2m)·W: the ½ of the cost cancels against the "
                          "2 of d‖W‖²/dW, it is (λ/m)·W", plain[key] + lambd / (2 * m) * W),
                         ("the L2 term is λ·W: its 1/m is missing", plain[key] + lambd * W),
                         ("the L2 term (λ/m)·W is missing" + (" for the last layer"
                                                               if l == 3 else ""), plain[key])]
        mistakes[f"db{l}"] = [("the bias is regularized too: the L2 term covers the weights "
                               "only", plain[f"db{l}"] + lambd / m * p[f"b{l}"])]
    return _judge_grads(got.get("return"), e, mistakes)


# --- dropout --------------------------------------------------------------------------------
KEEP = (0.7, 0.86, 0.6)
# the large case: D1 and D2 hold 2,300 draws, over tol.INIT_MIN_DRAWS for the mask's rate
DROPOUT_NETS = [((2, 20, 3, 1), 100), ((2, 3, 2, 1), 1), ((3, 4, 5, 1), 4)]


def dropout_forward_cases(rng, n):
    cases = []
    nets = DROPOUT_NETS + _nets(rng, n)[len(DROPOUT_NETS):]
    for k, (sizes, m) in enumerate(nets):
        params, X, Y, _ = _network(rng, sizes, m)
        kp = KEEP[k % len(KEEP)]
        cases.append(GradeCase({"function": "forward_propagation_with_dropout",
                                "args": [X, params, kp]},
                               {"X": X, "Y": Y, "params": params, "keep_prob": kp,
                                "sizes": sizes},
                               (m, sum(sizes)), _desc(sizes, m, keep_prob=kp)))
    return sorted(cases, key=lambda c: c.size)


DROPOUT_CACHE = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3",
                 "W3", "b3")


def _masks(cache, sizes, m) -> tuple[list, Finding | None]:
    """D1, D2 read from the student's cache: 0/1 arrays of A1's and A2's shapes."""
    masks = []
    for name, n in (("D1", sizes[1]), ("D2", sizes[2])):
        D = as_array(cache[DROPOUT_CACHE.index(name)])
        if D is None or D.shape != (n, m):
            return masks, diagnose_array(D, np.zeros((n, m)), equation="forward",
                                         name=f"cache's {name} (the mask)")
        if not np.isin(D, (0.0, 1.0)).all():
            return masks, Finding("forward", f"cache's {name} should be the 0/1 mask "
                                  "(np.random.rand(...) < keep_prob), got other values",
                                  kind=Kind.KNOWN_MISTAKE)
        masks.append(D)
    return masks, None


def _mask_rate(masks, kp: float) -> Finding | None:
    """The share of kept units within tol.DROPOUT_RATE_Z binomial standard errors of
    keep_prob: each mask alone (tol.DROPOUT_MASK_MIN_DRAWS draws or more: a slip on one
    layer), then pooled over D1 and D2 (tol.INIT_MIN_DRAWS draws or more)."""
    named = [(f"D{l} keeps", D.ravel()) for l, D in enumerate(masks, 1)
             if D.size >= tol.DROPOUT_MASK_MIN_DRAWS]
    pooled = np.concatenate([D.ravel() for D in masks])
    named += [("the masks keep", pooled)] if pooled.size >= tol.INIT_MIN_DRAWS else []
    return first(_share(what, kept, kp) for what, kept in named)


def _share(what: str, kept: np.ndarray, kp: float) -> Finding | None:
    share, se = float(kept.mean()), float(np.sqrt(kp * (1 - kp) / kept.size))
    if abs(share - kp) <= tol.DROPOUT_RATE_Z * se:
        return None
    why = (": kept with probability 1 − keep_prob; the mask is np.random.rand(...) < "
           "keep_prob" if abs(share - (1 - kp)) <= tol.DROPOUT_RATE_Z * se else
           ": draw it as np.random.rand(...) < keep_prob (uniform on [0, 1))")
    return Finding("forward", f"{what} {share:.3f} of the units, expected keep_prob "
                   f"= {kp:g}{why}", {"kept": share, "draws": int(kept.size)},
                   Kind.KNOWN_MISTAKE)


def _dropout_values(A3, cache, net, e) -> Finding | None:
    """Z1, A1 = relu(Z1)·D1/keep_prob, Z2, A2, Z3, A3 of the cache and A3 returned."""
    kp = e["keep_prob"]
    for l in (1, 2):
        Z, D = net[f"Z{l}"], as_array(cache[DROPOUT_CACHE.index(f"D{l}")])
        mistakes = [("not divided by keep_prob (inverted dropout rescales the kept units)",
                     np.maximum(Z, 0) * D),
                    ("the mask is not applied", np.maximum(Z, 0) / kp),
                    ("multiplied by keep_prob instead of divided", np.maximum(Z, 0) * D * kp)]
        found = first([diagnose_array(cache[DROPOUT_CACHE.index(f"Z{l}")], Z,
                                      equation="forward", name=f"cache's Z{l}"),
                       diagnose_array(cache[DROPOUT_CACHE.index(f"A{l}")], net[f"A{l}"],
                                      equation="forward", name=f"cache's A{l}",
                                      mistakes=mistakes)])
        if found:
            return found
    s = net["A3"]
    g = as_array(A3)
    if g is not None and g.shape == s.shape and not np.allclose(g, s) and \
            np.allclose(g, np.where(g == 0, 0, s / kp)):
        return Finding("forward", "A3: dropout applied to the output layer: only the hidden "
                       "layers A1 and A2 are dropped", kind=Kind.KNOWN_MISTAKE)
    return first([diagnose_array(A3, s, equation="forward", name="A3"),
                  diagnose_array(cache[DROPOUT_CACHE.index("A3")], s, equation="forward",
                                 name="cache's A3")])


def judge_dropout_forward(got, case):
    """aˡ = relu(zˡ) ⊙ Dˡ / keep_prob on the masks the cache holds (any right draw), the
    masks' rate, and the notebook's cache of 14 items."""
    out, e = got.get("return"), case.expected
    if not isinstance(out, list) or len(out) != 2:
        return Finding("forward", "forward_propagation_with_dropout should return (A3, cache)")
    A3, cache = out
    if not isinstance(cache, list) or len(cache) != len(DROPOUT_CACHE):
        return _own_layout(A3, cache, e)
    masks, found = _masks(cache, e["sizes"], e["X"].shape[1])
    if found:       # 14 items in another order, read so by its backward: right too
        return found if _own_masks({"A3": A3, "cache": cache}, e) is None \
            else _own_layout(A3, cache, e)
    found = _mask_rate(masks, e["keep_prob"])
    if found:
        return found
    net = kit.oracle_net(e["X"], e["Y"], e["params"], masks=masks, keep_prob=e["keep_prob"])
    return _dropout_values(A3, cache, net, e)


def _own_layout(A3, cache, e) -> Finding | None:
    """A cache in the student's own layout (its backward reads it so): right when two of
    its arrays are 0/1 masks of A1's and A2's shapes with which the net gives A3, kept at
    keep_prob's rate."""
    net = _own_masks({"A3": A3, "cache": cache}, e)
    if net is None:
        n = len(cache) if isinstance(cache, list) else type(cache).__name__
        return Finding("forward", f"the cache should be the notebook's ("
                       f"{', '.join(DROPOUT_CACHE)}), got {n} items, and no 0/1 masks of "
                       "A1's and A2's shapes in it give the A3 returned", kind=Kind.KEYS)
    return _mask_rate(net["masks"], e["keep_prob"])


def dropout_backward_cases(rng, n):
    cases = []
    nets = DROPOUT_NETS[1:] + _nets(rng, n)[len(DROPOUT_NETS) - 1:]
    for k, (sizes, m) in enumerate(nets):
        params, X, Y, _ = _network(rng, sizes, m)
        kp = KEEP[k % len(KEEP)]
        masks = [rng.random((sizes[l], m)) < kp for l in (1, 2)]
        net = kit.oracle_net(X, Y, params, masks=masks, keep_prob=kp)
        cases.append(GradeCase(
            {"function": "backward_propagation_with_dropout",
             "args": [X, Y, _cache(net, params, masks), kp], "parameters": params},
            {**{g: net[g] for g in GRADS}, "m": m, "keep_prob": kp, "X": X, "Y": Y,
             "params": params, "sizes": sizes},
            (m, sum(sizes)), _desc(sizes, m, keep_prob=kp)))
    return sorted(cases, key=lambda c: c.size)


def _dropout_backward(X, Y, cache, factor) -> dict:
    """The notebook's backward with dropout, NumPy, with dAˡ ⊙ Dˡ · `factor` (the right
    factor is 1/keep_prob): its known mistakes. (A mask left out of dA is no mistake here:
    the notebook's dZ = dA ⊙ (A > 0) reads the dropped A, which is 0 where D is.)"""
    Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = cache
    m = X.shape[1]
    out, dZ = {}, A3 - Y
    prev, W, drop = {3: A2, 2: A1, 1: X}, {3: W3, 2: W2}, {2: (D2, Z2), 1: (D1, Z1)}
    for l in (3, 2, 1):
        out[f"dW{l}"] = dZ @ prev[l].T / m
        out[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        if l > 1:
            D, Z = drop[l - 1]
            dZ = (W[l].T @ dZ) * D * factor * (Z > 0)
    return out


def _arrays(value, depth: int = 0) -> list[np.ndarray]:
    """The numeric arrays of a cache of any form (tuples, lists, dicts, nested)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [a for v in value[:64] for a in _arrays(v, depth + 1)] if depth < 4 else []
    a = as_array(value)
    return [a] if a is not None and a.dtype != object and a.ndim == 2 else []


def _own_masks(own, e) -> dict | None:
    """The oracle on the masks the student's own forward kept in its cache (any layout):
    the 0/1 arrays of A1's and A2's shapes with which the net gives the forward's A3."""
    m = e["X"].shape[1]
    arrays = _arrays(own.get("cache"))
    pick = [[a for a in arrays if a.shape == (e["sizes"][l], m) and np.isin(a, (0, 1)).all()]
            for l in (1, 2)]
    for D1 in pick[0][:4]:
        for D2 in pick[1][:4]:
            net = kit.oracle_net(e["X"], e["Y"], e["params"], masks=[D1, D2],
                                 keep_prob=e["keep_prob"])
            if diagnose_array(own.get("A3"), net["A3"], equation="forward") is None:
                return {**net, "m": m, "masks": [D1, D2]}
    return None


def judge_dropout_backward(got, case):
    """dAˡ ⊙ Dˡ / keep_prob, then dZˡ = dAˡ ⊙ relu'(zˡ), BP4, BP3 (torch autograd of the
    net with the cache's masks), on the notebook's cache; when that raised, on the cache
    the student's own forward returned (its layout, its masks)."""
    if "error" not in got:
        return _judge_dropout_grads(got, case)
    own = got.get("own") if isinstance(got.get("own"), dict) else None
    expected = _own_masks(own, case.expected) if own else None
    if expected is not None:
        return _judge_grads(own.get("return"), expected, {})
    return Finding("BP2", f"on the notebook's cache (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, "
                   f"Z3, A3, W3, b3) it raised {got['error']}" + (
                       "; on its own forward's cache no masks give that forward's A3"
                       if own else ""), kind=Kind.RUNTIME)


def _judge_dropout_grads(got, case):
    X, Y, cache, kp = case.inputs["args"]
    cache = [np.asarray(c, dtype=np.float64) for c in cache]
    wrong = [("not divided by keep_prob: the kept units were scaled by 1/keep_prob in the "
              "forward, so are their gradients", _dropout_backward(X, Y, cache, 1.0)),
             ("multiplied by keep_prob instead of divided",
              _dropout_backward(X, Y, cache, kp))]
    mistakes = {g: [(why, w[g]) for why, w in wrong] for g in GRADS}
    return _judge_grads(got.get("return"), case.expected, mistakes)


# --- Gradient Checking ------------------------------------------------------------------------
POINTS = [(2.0, 4.0), (-1.5, 3.0), (0.5, -2.5), (3.0, 0.7)]     # (x, θ); the notebook's first


def _point(rng) -> tuple[float, float]:
    """(x, θ) with |x|, |θ| in [0.5, 3] and θ ≠ x."""
    x, theta = (float(rng.choice((-1, 1)) * rng.uniform(0.5, 3)) for _ in range(2))
    return (x, -theta) if abs(x - theta) < 0.5 else (x, theta)


def one_d_cases(function: str):
    def make(rng, n):
        points = POINTS + [_point(rng) for _ in range(max(0, n - len(POINTS)))]
        cases = []
        for x, theta in points:
            exp = {"forward_propagation": theta * x, "backward_propagation": x}.get(function)
            cases.append(GradeCase({"function": function, "args": [x, theta]},
                                   {"return": exp}, (abs(x) + abs(theta),),
                                   f"x={x:g}, theta={theta:g}"))
        return cases
    return make


# gradient_check's planted backwards, a·x + b·θ: the right one (1, 0), the notebook's bug
# returning θ, the sign flipped. The cost stays the notebook's J = θx (the older notebook
# writes it inline in gradient_check, not calling forward_propagation)
ONE_D = {"right": (1.0, 0.0), "returning θ": (0.0, 1.0), "returning −x, the sign flipped":
         (-1.0, 0.0)}


def gradient_check_cases(rng, n):
    """One planted backward per case, right or wrong (each wrong kind at least once, the
    right one at least twice), in an order drawn from the seed: the student's process gets
    only x, θ and the backward's opaque token (`kit.plant`)."""
    total = max(2 * n, 6)
    names = list(ONE_D)
    kinds = [names[0], names[1], names[0], names[2]] + [names[i % 3] for i in range(total - 4)]
    kinds = [kinds[i] for i in rng.permutation(total)]    # no point is always the right one
    points = POINTS + [_point(rng) for _ in range(total - len(POINTS))]
    cases = []
    for (x, theta), kind, rank in zip(points, kinds, rng.permutation(total)):
        cases.append(GradeCase({"x": x, "theta": theta, "token": kit.plant(*ONE_D[kind])},
                               {"right": kind == "right", "what": kind, "hint": ""},
                               (int(rank),), f"x={x:g}, theta={theta:g}"))
    return cases


def judge_one_d(got, case):
    """J = θx; dJ/dθ = x."""
    name = case.inputs["function"]
    x, theta = case.inputs["args"]
    mistakes = ([("dJ/dθ of J = θx is x, not θ", theta)] if name == "backward_propagation"
                else [("J = θ·x, not θ + x", theta + x)])
    return diagnose_array(got.get("return"), case.expected["return"], equation=name.split("_")[0],
                          name="dtheta" if name == "backward_propagation" else "J",
                          mistakes=mistakes)


GC_SIZES = (4, 5, 3, 1)          # gc_utils' vector_to_dictionary: the notebook's network
GC_M = (3, 1, 5, 2)              # the notebook's m = 3 first


def _vector(gradients) -> np.ndarray:
    return np.concatenate([np.reshape(gradients[g], -1) for g in GRADS])


def _dictionary(vector, like) -> dict:
    out, start = {}, 0
    for g in GRADS:
        size = np.size(like[g])
        out[g] = vector[start:start + size].reshape(np.shape(like[g]))
        start += size
    return out


def _planted(gradients) -> list[tuple[dict, str, str]]:
    """Wrong gradients a checker must detect, each with its words and the hint when it is
    missed: the notebook's own planted bug, a sign flipped (the norm unchanged: a
    difference of norms misses it), +d and −d on two entries (the sum unchanged)."""
    v = _vector(gradients)
    order = np.argsort(-np.abs(v))
    flipped, moved = v.copy(), v.copy()
    flipped[order[0]] *= -1
    moved[order[0]] += abs(v[order[0]])
    moved[order[1]] -= abs(v[order[0]])
    notebook = {**gradients, "dW2": gradients["dW2"] * 2, "db1": gradients["db1"] * 4}
    return [(notebook, "the notebook's planted bug, dW2 ×2 and db1 ×4", ""),
            (_dictionary(flipped, gradients), "one entry's sign flipped, ‖grad‖ unchanged",
             "; the numerator is np.linalg.norm(grad − gradapprox), not a difference of norms"),
            (_dictionary(moved, gradients), "two entries moved by +d and −d, Σ grad unchanged",
             "; the numerator is np.linalg.norm(grad − gradapprox), not a sum of the "
             "differences (they cancel)")]


def _relative(a, b) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def _checked_network(rng, m):
    """The notebook's network, its right gradients and the planted wrong ones, drawn again
    while a planted one is within GRADIENT_CHECK_PLANTED of the right one (with m = 1 dead
    ReLUs can leave dW2 and db1 zero: the notebook's ×2 and ×4 would change nothing)."""
    for _ in range(100):
        params, X, Y, net = _network(rng, GC_SIZES, m, gap=tol.KINK_GAP_GRADCHECK)
        gradients = {g: net[g] for g in GRADS}
        planted = _planted(gradients)
        if min(_relative(_vector(p[0]), _vector(gradients)) for p in planted) \
                >= tol.GRADIENT_CHECK_PLANTED:
            return params, X, Y, gradients, planted
    raise RuntimeError("no network whose planted gradients differ")   # never seen


def gradient_check_n_cases(rng, n):
    """One network per case with its right gradients or one planted wrong kind (each at
    least once, the right ones at least twice), in an order drawn from the seed: the
    student's process gets one gradient and nothing that says which it is."""
    total = max(2 * n, 6)
    kinds = [None, 0, None, 1, None, 2] + [None if i % 2 else int(rng.integers(0, 3))
                                           for i in range(total - 6)]
    kinds = [kinds[i] for i in rng.permutation(total)]    # no m is always the right one
    ms = list(GC_M) + [int(rng.integers(1, 8)) for _ in range(total - len(GC_M))]
    cases = []
    for m, kind, rank in zip(ms, kinds, rng.permutation(total)):
        params, X, Y, gradients, planted = _checked_network(rng, m)
        given, what, hint = (gradients, "right", "") if kind is None else planted[kind]
        cases.append(GradeCase({"parameters": params, "gradients": given, "X": X, "Y": Y},
                               {"right": kind is None, "what": what, "hint": hint},
                               (int(rank),), _desc(GC_SIZES, m)))
    return cases


def _difference(run) -> float | None:
    """What a checker reported: the difference it returns, else what its message says."""
    value = as_array(run.get("return")) if isinstance(run, dict) else None
    if value is not None and value.size == 1:
        return float(value.reshape(()))
    text = str(run.get("printed") or "").lower() if isinstance(run, dict) else ""
    if any(w in text for w in ("mistake", "wrong", "incorrect", "not correct")):
        return float("inf")
    return 0.0 if "perfectly fine" in text or "correct" in text else None


def _right_missed(d: float) -> str:
    """Why a checker reports a large difference on a right gradient."""
    if abs(d - 1.0 / 3.0) < 0.01:
        return ("; gradapprox is off by a factor of 2: divided by ε instead of 2ε, or "
                "thetaplus and thetaminus are the same array (np.copy them), so J_minus is "
                "J(θ)")
    if abs(d - 1.0) < 0.01:
        return ("; gradapprox is about 0: `(J_plus - J_minus) / 2 * epsilon` multiplies by ε "
                "(write / (2 * epsilon))")
    return "" if np.isfinite(d) else "; the difference is not finite (a division by zero?)"


def judge_checker(got, case):
    """Below tol.GRADIENT_CHECK on a right gradient, above it on a planted wrong one."""
    runs, e = got.get("runs"), case.expected
    if not isinstance(runs, list) or len(runs) != 1:
        return Finding("gradcheck", "the checker gave no verdict on the gradient",
                       kind=Kind.MISSING)
    d = _difference(runs[0])
    if d is None:
        return Finding("gradcheck", "the checker should return the difference "
                       "‖grad − gradapprox‖ / (‖grad‖ + ‖gradapprox‖) (it returned "
                       f"{type(runs[0].get('return')).__name__})", kind=Kind.NOT_NUMERIC)
    if e["right"] and not d < tol.GRADIENT_CHECK:
        return Finding("gradcheck", f"reported a difference of {d:.3g} on a right "
                       f"gradient (below {tol.GRADIENT_CHECK:g} expected){_right_missed(d)}",
                       {"difference": d})
    if not e["right"] and not d > tol.GRADIENT_CHECK:
        return Finding("gradcheck", f"did not detect a wrong gradient ({e['what']}): "
                       f"reported {d:.3g}{e['hint']}", {"difference": d})
    return None


def _unless_stub(name: str, judge):
    """The judge, after the probe's word that the function is still the skeleton."""
    def judged(got, case):
        if got.get("stub"):
            return Finding("api", f"{name} is a stub (not implemented yet: {got['stub']})",
                           kind=Kind.MISSING)
        return judge(got, case)
    judged.__doc__ = judge.__doc__
    return judged


def _fn(name, probe, cases, judge, **kw):
    part = next((i for i, p in enumerate(PARTS) if name in p), GRADIENT_CHECKING)
    return GradedFunction(name, f"{PROBES}:{probe}", cases, _unless_stub(name, judge),
                          parts=PARTS, part=part, **kw)


STYLE = Style("ng-c2w1", "columns", [
    *[_fn(f"initialize_parameters_{k}", "init", init_cases(f"initialize_parameters_{k}"),
          judge_init) for k in ("zeros", "random", "he")],
    _fn("compute_cost_with_regularization", "with_course", cost_cases, judge_cost),
    _fn("backward_propagation_with_regularization", "call", regularization_cases,
        judge_regularization),
    _fn("forward_propagation_with_dropout", "with_course", dropout_forward_cases,
        judge_dropout_forward),
    _fn("backward_propagation_with_dropout", "dropout_backward", dropout_backward_cases,
        judge_dropout_backward),
    _fn("forward_propagation", "call", one_d_cases("forward_propagation"), judge_one_d,
        points=0.5),
    _fn("backward_propagation", "call", one_d_cases("backward_propagation"), judge_one_d,
        points=0.5),
    _fn("gradient_check", "gradient_check", gradient_check_cases, judge_checker,
        helpers=PLANTED, inputs=("x", "theta", "token")),
    _fn("gradient_check_n", "gradient_check_n", gradient_check_n_cases, judge_checker,
        inputs=("parameters", "gradients", "X", "Y")),
])
