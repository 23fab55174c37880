"""Saito's layer classes ("Deep Learning from Scratch", ch. 5): rows layout.

x is (m, n_in), W is (n_in, n_out), b is (n_out,), out = x·W + b. Every layer
has forward/backward; backward(dout) gets ∂C/∂out and returns ∂C/∂x. The
1/m of the batch mean lives in exactly one place: SoftmaxWithLoss.backward
returns (y − t)/m, so every dout upstream is already δ/m and Affine.backward
has no 1/m (docs/DESIGN.md):

    BP1  SoftmaxWithLoss.backward: dx = (y − t)/m        (softmax + cross-entropy)
    BP2  Relu/Sigmoid.backward: dout ⊙ σ'(z); Affine.backward: dx = dout·Wᵀ
    BP3  Affine.db = Σ over the batch of dout (axis=0), shape (n_out,)
    BP4  Affine.dW = xᵀ·dout, shape (n_in, n_out)

Expected values come from torch autograd (single layers) and from the oracle
(softmax/cross-entropy, TwoLayerNet), in the parent only.
"""

from __future__ import annotations

import numpy as np

from ...oracle.diagnose import Kind, as_array, diagnose_array, diagnose_keys, first
from ..base import Finding, GradeCase, GradedFunction, Style
from ..books.saito import BOOK as RECORD
from ..kit import sigmoid as _sig

__all__ = ["STYLE"]

PROBES = "reference.grade.probes.saito"
BIG = 1000.0       # large logits: softmax without the max subtraction gives inf/inf = NaN


def _vjp(fn, arrays, dout):
    """torch autograd: (fn(*arrays), [∂⟨fn, dout⟩/∂array for each array]) in float64."""
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    import torch

    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    with torch.enable_grad():
        out = fn(*ts)
        grads = torch.autograd.grad(out, ts, torch.tensor(dout, dtype=torch.float64))
    return out.detach().numpy(), [g.numpy() for g in grads]


def _off_zero(rng, shape, scale=1.0):
    """Standard normal values kept at least 0.1 away from the ReLU kink at 0."""
    x = rng.standard_normal(shape) * scale
    return np.sign(x + (x == 0)) * (np.abs(x) + 0.1)


def _shapes(base, rng, n, make_random, minimum):
    out = list(base[:max(n, minimum)])
    while len(out) < n:
        out.append(make_random(rng))
    return out


# --- Relu, Sigmoid ---------------------------------------------------------------------------
ACT_SHAPES = [(1, 1), (1, 4), (3, 1), (3, 3), (4, 5)]    # (m, n)


def _rand_act(rng):
    return int(rng.integers(1, 7)), int(rng.integers(1, 7))


def relu_cases(rng, n):
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    import torch

    cases = []
    for m, k in _shapes(ACT_SHAPES, rng, n, _rand_act, 3):
        x, dout = _off_zero(rng, (m, k)), rng.standard_normal((m, k))
        out, (dx,) = _vjp(torch.relu, [x], dout)
        cases.append(GradeCase({"x": x, "dout": dout}, {"out": out, "dx": dx},
                               (m * k, m, k), f"x of shape {(m, k)}"))
    return cases


def sigmoid_cases(rng, n):
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    import torch

    cases = []
    shapes = _shapes(ACT_SHAPES, rng, n, _rand_act, 3) + [(2, 3)]
    for i, (m, k) in enumerate(shapes):
        x, dout = rng.standard_normal((m, k)) * 2, rng.standard_normal((m, k))
        desc = f"x of shape {(m, k)}"
        big = i == len(shapes) - 1
        if big:                                # overflow-prone code fails here
            x[0, 0], x[-1, -1] = 800.0, -800.0
            desc += ", with x = ±800"
        out, (dx,) = _vjp(torch.sigmoid, [x], dout)
        cases.append(GradeCase({"x": x, "dout": dout}, {"out": out, "dx": dx, "big": big},
                               (int(big), m * k, m, k), desc))
    return cases


def _overflow(found: Finding | None, case: GradeCase, what: str) -> Finding | None:
    """A NaN/inf on the large-input case names the overflow and its fix."""
    if found and case.expected.get("big") and found.kind is Kind.NON_FINITE:
        found.diagnosis = what
    return found


def judge_relu_forward(got, case):
    """out = max(0, x) (Saito: mask = x <= 0, out = x.copy(), out[mask] = 0)."""
    x = case.inputs["x"]
    return diagnose_array(got.get("out"), case.expected["out"], equation="forward", name="out",
                          mistakes=[("the mask is inverted: positive entries were zeroed",
                                     x * (x <= 0)),
                                    ("returned the mask instead of the output", x <= 0)])


def _forward_first(got, case, cls):
    """When the student's forward is wrong, backward (which uses its state) is suspect."""
    f = diagnose_array(got.get("out"), case.expected["out"], equation="forward", name="out")
    if f is not None:
        return Finding("forward", f"{cls}.backward relies on what {cls}.forward stores, and "
                       f"{cls}.forward is wrong ({f.diagnosis}); fix forward first", f.detail)
    return None


def judge_relu_backward(got, case):
    """dx = dout ⊙ 1[x > 0]: the σ'(z) factor of BP2 for ReLU.

    Saito's own Relu.backward does `dout[self.mask] = 0; dx = dout`, modifying
    dout in place. That is the book's code, and harmless there (dout is a
    temporary nobody reads again), so `dout` may be modified in place here
    (allow_mutation); x, which belongs to the caller, may not (Relu.forward).
    """
    x, dout = case.inputs["x"], case.inputs["dout"]
    exp = case.expected["dx"]
    found = diagnose_array(got.get("dx"), exp, equation="BP2", name="dx",
                           mistakes=[("the mask is inverted: the gradient passes where x <= 0 "
                                      "and is blocked where x > 0", dout * (x <= 0)),
                                     ("dout is not multiplied in: returned the ReLU derivative "
                                      "(the mask) instead of dout ⊙ mask", (x > 0) * 1.0)])
    if found:
        return _forward_first(got, case, "Relu") or found
    return None


def judge_sigmoid_forward(got, case):
    """out = σ(x) = 1 / (1 + e^(−x))."""
    found = diagnose_array(got.get("out"), case.expected["out"], equation="forward", name="out",
                           mistakes=[("computed e^(−x)/(1 + e^(−x)) = 1 − σ(x); the sign of "
                                      "the exponent is wrong", 1 - case.expected["out"])])
    return _overflow(found, case, "out contains NaN/inf for x = ±800: the sigmoid overflows "
                     "(e.g. np.exp(x)/(1 + np.exp(x)) gives inf/inf); use 1/(1 + np.exp(-x)) "
                     "or split on the sign of x")


def judge_sigmoid_backward(got, case):
    """dx = dout ⊙ (1 − out) ⊙ out, out = σ(x) stored by forward (BP2's σ'(z))."""
    x, dout = case.inputs["x"], case.inputs["dout"]
    s = case.expected["out"]
    found = diagnose_array(
        got.get("dx"), case.expected["dx"], equation="BP2", name="dx",
        mistakes=[("derivative of the wrong quantity: computed σ'(out) = σ(out)(1 − σ(out)), "
                   "but out already is σ(x); use dout * (1 - self.out) * self.out",
                   dout * _sig(s) * (1 - _sig(s))),
                  ("derivative of the wrong quantity: used x where the sigmoid's output "
                   "belongs (dout * (1 - x) * x); store out = σ(x) in forward and use it",
                   dout * (1 - x) * x),
                  ("dout is not multiplied in: returned σ'(x) instead of dout ⊙ σ'(x)",
                   s * (1 - s))])
    if found:
        return _forward_first(got, case, "Sigmoid") or _overflow(
            found, case, "dx contains NaN/inf for x = ±800: numerically unstable sigmoid "
            "derivative; compute it from the stored out: dout * (1 - out) * out")
    return None


# --- Affine ------------------------------------------------------------------------------------
# square W so a missing transpose is caught by value; (2, 3, 3): db over axis=1 by shape
AFFINE_SHAPES = [(1, 1, 1), (2, 2, 2), (1, 4, 2), (2, 3, 3), (3, 3, 3), (5, 2, 4)]


def _rand_affine(rng):
    return tuple(int(v) for v in rng.integers(1, 7, 3))


def affine_cases(rng, n):
    cases = []
    for m, n_in, n_out in _shapes(AFFINE_SHAPES, rng, n, _rand_affine, 4):
        x = rng.standard_normal((m, n_in))
        W = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
        b = rng.standard_normal(n_out) * 0.5
        dout = rng.standard_normal((m, n_out))
        out, (dx, dW, db) = _vjp(lambda x_, W_, b_: x_ @ W_ + b_, [x, W, b], dout)
        cases.append(GradeCase({"x": x, "W": W, "b": b, "dout": dout},
                               {"out": out, "dx": dx, "dW": dW, "db": db, "m": m},
                               (m + n_in + n_out, m, n_in, n_out),
                               f"x {(m, n_in)}, W {(n_in, n_out)}, b {(n_out,)}"))
    return cases


def judge_affine_forward(got, case):
    """out = x·W + b (W is (n_in, n_out): no transpose in Saito's layout)."""
    x, W, b = case.inputs["x"], case.inputs["W"], case.inputs["b"]
    mistakes = [("the bias b is missing", x @ W)]
    if W.shape[0] == W.shape[1]:
        mistakes.append(("used W.T: in Saito's layout W is (n_in, n_out), so out = x·W + b",
                         x @ W.T + b))
    return diagnose_array(got.get("out"), case.expected["out"], equation="forward", name="out",
                          mistakes=mistakes)


NO_EXTRA_M = ("divided by the batch size: in Saito's layers the 1/m is applied once, in "
              "SoftmaxWithLoss.backward, so dout already carries it; Affine.backward must "
              "not divide again")


def _judge_db(db, case) -> Finding | None:
    """BP3 in the rows layout: db = np.sum(dout, axis=0), shape (n_out,) like b."""
    dout, exp, m = case.inputs["dout"], case.expected["db"], case.expected["m"]
    g = as_array(db)
    n_out = exp.shape[0]
    if g is not None and g.shape != exp.shape:
        detail = {"expected_shape": list(exp.shape), "got_shape": list(g.shape)}
        what = f"self.db has shape {g.shape}, expected {exp.shape}"
        if g.shape == (1, n_out):
            return Finding("BP3", f"{what}: b is rank-1 (n_out,), so sum without keepdims: "
                           "db = np.sum(dout, axis=0)", detail)
        if g.shape == (m,) or g.shape == (m, 1):
            return Finding("BP3", f"{what}: summed over the wrong axis; in the rows layout "
                           "the examples are the rows, so db = np.sum(dout, axis=0)", detail)
        if g.size == 1:
            return Finding("BP3", f"{what}: summed over all axes; sum over the batch only "
                           "(axis=0)", detail)
    mistakes = [("summed over the wrong axis (axis=1 sums each example's outputs); in the "
                 "rows layout use np.sum(dout, axis=0)", dout.sum(axis=1))] if m == n_out else []
    if m > 1:
        mistakes.append((NO_EXTRA_M, exp / m))
    return diagnose_array(db, exp, equation="BP3", name="self.db", scale_m=m,
                          mistakes=mistakes)


def judge_affine_backward(got, case):
    """dx = dout·Wᵀ (BP2), self.dW = xᵀ·dout (BP4), self.db = Σ_batch dout (BP3); no 1/m."""
    W, dout = case.inputs["W"], case.inputs["dout"]
    e, m = case.expected, case.expected["m"]
    for attr in ("dW", "db"):
        if not got.get(f"has_{attr}"):
            return Finding("BP4" if attr == "dW" else "BP3",
                           f"Affine.backward must store the gradient as self.{attr} "
                           f"(the attribute is missing after backward)")
    dx_mistakes = [("used W instead of W.T: dx = dout·Wᵀ", dout @ W)] if W.shape[0] == \
        W.shape[1] else []
    dW_mistakes = [(NO_EXTRA_M, e["dW"] / m)] if m > 1 else []
    return first([
        diagnose_array(got.get("dx"), e["dx"], equation="BP2", name="dx", mistakes=dx_mistakes),
        diagnose_array(got.get("dW"), e["dW"], equation="BP4", name="self.dW", scale_m=m,
                       mistakes=dW_mistakes),
        _judge_db(got.get("db"), case)])


# --- SoftmaxWithLoss ---------------------------------------------------------------------------
# (m, K, targets, large logits)
SOFTMAX_SHAPES = [(1, 3, "onehot", False), (1, 3, "labels", False), (4, 2, "onehot", False),
                  (3, 3, "labels", False), (5, 4, "onehot", False), (4, 4, "labels", False)]
SOFTMAX_BIG = [(5, 4, "onehot", True), (4, 3, "labels", True)]


def _rand_softmax(rng):
    return (int(rng.integers(1, 7)), int(rng.integers(2, 6)),
            str(rng.choice(["onehot", "labels"])), False)


def softmax_cases(rng, n):
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    from reference.oracle import oracle_backprop

    cases = []
    for m, K, kind, big in _shapes(SOFTMAX_SHAPES, rng, n, _rand_softmax, 4) + SOFTMAX_BIG:
        z = rng.standard_normal((m, K))
        labels = rng.integers(0, K, m)
        onehot = np.eye(K)[labels]
        x = z + BIG if big else z
        # one softmax layer in the rows layout whose pre-activation is x: X = I, W = x, b = 0
        g = oracle_backprop([x], [np.zeros(K)], ["softmax"], "cross_entropy", np.eye(m),
                            onehot, "rows", "mean")
        y = g.activations[-1]
        # Saito's cross_entropy_error adds 1e-7 inside the log: accepted as equivalent
        loss_delta = float(-np.mean(np.log(y[np.arange(m), labels] + 1e-7)))
        t = onehot if kind == "onehot" else labels.astype(np.int64)
        desc = (f"x {(m, K)}, t " + ("one-hot " + str((m, K)) if kind == "onehot"
                                      else f"label indices {(m,)}")
                + (f", large logits (x ≈ {BIG:g})" if big else ""))
        cases.append(GradeCase(
            {"x": x, "t": t},
            {"loss": g.cost, "loss_delta": loss_delta, "dx": g.deltas[0] / m, "y": y,
             "onehot": onehot, "m": m, "big": big, "labels_given": kind == "labels"},
            (int(big), m * K, m, K, kind == "labels"), desc))
    return cases


UNSTABLE_SOFTMAX = ("NaN/inf on large logits: the softmax overflows (np.exp(1000) = inf); "
                    "subtract each row's maximum first: np.exp(x - np.max(x, axis=1, "
                    "keepdims=True))")


def _whole_batch_softmax(x):
    """The 1-D softmax applied to a batch: normalised over all entries, not per row."""
    ex = np.exp(x - x.max())
    return ex / ex.sum()


def _either_target(judge):
    """A case with label indices passes when the student's layer is right on them, or on
    the same targets one-hot (the book's ch. 5 text, `dx = (self.y - self.t) / batch_size`,
    takes one-hot t only, and ch05 trains with one-hot labels): a TA accepts both. When
    both are wrong, the one-hot run's finding is the bug. A backward that branches on the
    targets' form itself (`label_branch`) claims label indices: it is judged on them."""
    def judged(got, case):
        found = judge(got, case)
        if (found is None or not isinstance(got.get("onehot"), dict)
                or got.get("label_branch")):
            return found
        onehot = GradeCase(case.inputs, case.expected, case.size, case.description)
        return judge(got["onehot"], onehot)
    judged.__doc__ = judge.__doc__
    return judged


def judge_softmax_forward(got, case):
    """loss = −(1/m) Σ log y[true class], y = softmax(x) row by row."""
    e, x = case.expected, case.inputs["x"]
    loss = got.get("loss")
    if diagnose_array(loss, e["loss_delta"], equation="cost", name="loss") is None:
        return None
    m = e["m"]
    mistakes = []
    if m > 1:
        whole = _whole_batch_softmax(x)
        labels = e["onehot"].argmax(axis=1)
        mistakes.append(("the softmax normalised over the whole batch instead of each row: "
                         "sum over axis=1 with keepdims=True",
                         -np.mean(np.log(whole[np.arange(m), labels]))))
    found = diagnose_array(loss, e["loss"], equation="cost", name="loss", scale_m=m,
                           mistakes=mistakes)
    if found and found.kind is Kind.SCALE_M_LARGE:
        found.diagnosis += " (the loss is the mean over the batch: divide by batch_size)"
    return _overflow(found, case, "loss: " + UNSTABLE_SOFTMAX)


def judge_softmax_backward(got, case):
    """BP1 with the batch mean: dx = (y − t)/m (Saito's backward divides by batch_size)."""
    e = case.expected
    m, y, onehot = e["m"], e["y"], e["onehot"]
    mistakes = []
    if m > 1:
        mistakes.append(("not divided by the batch size: dx = (y - t) / batch_size (in "
                         "Saito's layers the 1/m of the mean loss is applied here, once)",
                         y - onehot))
        mistakes.append(("the softmax normalised over the whole batch instead of each row: "
                         "sum over axis=1 with keepdims=True",
                         (_whole_batch_softmax(case.inputs["x"]) - onehot) / m))
    found = diagnose_array(got.get("dx"), e["dx"], equation="BP1", name="dx", scale_m=m,
                           mistakes=mistakes)
    return _overflow(found, case, "dx: " + UNSTABLE_SOFTMAX)


# --- TwoLayerNet.gradient ----------------------------------------------------------------------
NET_SHAPES = [(1, 2, 3, 2, "onehot"), (3, 3, 3, 3, "onehot"), (2, 4, 1, 3, "labels"),
              (4, 2, 3, 2, "onehot"), (5, 4, 4, 4, "labels")]   # (m, n, hidden, K, targets)


def _rand_net(rng):
    return (*(int(v) for v in rng.integers(1, 6, 3)), int(rng.integers(2, 5)), "onehot")


def net_cases(rng, n):
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    from reference.oracle import oracle_backprop

    cases = []
    for m, n_in, h, K, kind in _shapes(NET_SHAPES, rng, n, _rand_net, 3):
        W1 = rng.standard_normal((n_in, h)) / np.sqrt(n_in)
        W2 = rng.standard_normal((h, K)) / np.sqrt(h)
        b1, b2 = rng.standard_normal(h) * 0.5, rng.standard_normal(K) * 0.5
        x = rng.standard_normal((m, n_in))
        labels = rng.integers(0, K, m)
        onehot = np.eye(K)[labels]
        g = oracle_backprop([W1, W2], [b1, b2], ["relu", "softmax"], "cross_entropy", x,
                            onehot, "rows", "mean")
        # the ch. 4 TwoLayerNet (sigmoid hidden layer), to name that mix-up
        g4 = oracle_backprop([W1, W2], [b1, b2], ["sigmoid", "softmax"], "cross_entropy", x,
                             onehot, "rows", "mean")
        t = onehot if kind == "onehot" else labels.astype(np.int64)
        cases.append(GradeCase(
            {"sizes": [n_in, h, K], "W1": W1, "b1": b1, "W2": W2, "b2": b2, "x": x, "t": t},
            {"W1": g.dW[0], "b1": g.db[0], "W2": g.dW[1], "b2": g.db[1], "m": m,
             "sigmoid_hidden": {"W1": g4.dW[0], "b1": g4.db[0], "W2": g4.dW[1],
                                "b2": g4.db[1]}},
            (m + n_in + h + K, m), f"sizes {n_in}x{h}x{K}, m={m}, t {kind}"))
    return cases


def judge_net_gradient(got, case):
    """grads W2, b2 (BP1 then BP4/BP3), W1, b1 (BP2 then BP4/BP3), batch mean."""
    grads = got.get("grads")
    found = diagnose_keys(grads, ["W1", "b1", "W2", "b2"], equation="api", name="grads")
    if found:
        return found
    e = case.expected
    for key, eq in (("W2", "BP4"), ("b2", "BP3"), ("W1", "BP4"), ("b1", "BP3")):
        found = diagnose_array(grads[key], e[key], equation=eq, name=f"grads['{key}']",
                               scale_m=e["m"], mistakes=[(
                                   "the hidden layer is a sigmoid (the ch. 4 network); the "
                                   "graded TwoLayerNet is ch. 5's Affine1, Relu1, Affine2 and "
                                   "SoftmaxWithLoss", e["sigmoid_hidden"][key])])
        if found:
            found.detail["layer_error_equation"] = "BP1" if key.endswith("2") else "BP2"
            return found
    return None


def _fn(name, probe, cases, judge, **kw):
    """A graded function allowed the helpers its record says it calls (`Book.calls`)."""
    return GradedFunction(name, f"{PROBES}:{probe}", cases, judge,
                          helpers=RECORD.helpers_of(name), **kw)


def _unless_blocked(judge, cls: str):
    """A backward whose class has no forward is run on the state the book's forward sets
    (the probe's `_forward`); one that cannot run on it is blocked by its missing forward
    (kind FORWARD_RAISED), never failed as its own error."""
    def judged(got, case):
        blocked = got.get("blocked")
        if isinstance(blocked, str):
            return Finding("forward", f"{cls}.backward cannot be graded: {cls}.forward is "
                           "missing, and it does not run on the state the book's forward "
                           f"sets ({blocked})", {}, Kind.FORWARD_RAISED)
        return judge(got, case)
    return judged


# In-place modification: forward(x) must leave x alone (it is the caller's data: Relu.forward
# zeroing x is a bug), but backward(dout) may consume dout. Saito's own Relu.backward does
# `dout[self.mask] = 0; dx = dout`, and in his framework nobody reads a dout after the layer
# that received it, so modifying dout in place is harmless there; the same reasoning holds for
# every backward, so none is penalized for it (its returned values are still checked).
CONSUMES_DOUT = ("dout",)

STYLE = Style("saito", "rows", [
    _fn("Relu.forward", "relu_forward", relu_cases, judge_relu_forward, inputs=("x",)),
    _fn("Relu.backward", "relu_backward", relu_cases,
        _unless_blocked(judge_relu_backward, "Relu"), allow_mutation=CONSUMES_DOUT),
    _fn("Sigmoid.forward", "sigmoid_forward", sigmoid_cases, judge_sigmoid_forward,
        inputs=("x",)),
    _fn("Sigmoid.backward", "sigmoid_backward", sigmoid_cases,
        _unless_blocked(judge_sigmoid_backward, "Sigmoid"), allow_mutation=CONSUMES_DOUT),
    _fn("Affine.forward", "affine_forward", affine_cases, judge_affine_forward,
        inputs=("x", "W", "b")),
    _fn("Affine.backward", "affine_backward", affine_cases,
        _unless_blocked(judge_affine_backward, "Affine"), allow_mutation=CONSUMES_DOUT),
    _fn("SoftmaxWithLoss.forward", "softmax_with_loss_forward", softmax_cases,
        _either_target(judge_softmax_forward)),
    _fn("SoftmaxWithLoss.backward", "softmax_with_loss_backward", softmax_cases,
        _either_target(judge_softmax_backward)),
    _fn("TwoLayerNet.gradient", "two_layer_net_gradient", net_cases,
        _either_target(judge_net_gradient), optional=True),
])
