"""The grader's correct NumPy pieces, on the parent's side only (never in the student process).

The styles use them to name known mistakes (`sigmoid`, `sigmoid_prime`, a
NumPy backprop); the harness uses them to answer the helpers a graded function
may call: in the student's process such a helper is a proxy
(`probes.remote`) that asks the parent, which answers with `answer(name, args)`
from `HELPERS`, only for the names the running function allows
(`GradedFunction.helpers`, never the graded function itself).

Helper names carry the style: "ng.sigmoid" returns (A, Z) like the course's
dnn_utils, "nielsen.sigmoid" returns σ(z). Saito's layer classes are answered
method by method ("saito.Affine.backward"): the proxy sends the layer's state
(`LAYER_STATE`), gets back the value and the attributes the method sets.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid", "sigmoid_prime", "softmax", "labels", "cross_entropy_error", "QuadraticCost",
    "CrossEntropyCost", "COSTS", "backprop", "ng_linear_backward", "Relu", "Sigmoid", "Affine",
    "SoftmaxWithLoss", "LAYERS", "LAYER_STATE", "HELPERS", "SAITO_LAYERS", "answer",
]


# --- the equations, shared by the styles -----------------------------------------------------
def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), computed without overflow (e^(−|z|) never overflows)."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z)), the ⊙ σ'(z) factor of BP1 and BP2."""
    s = sigmoid(z)
    return s * (1.0 - s)


def softmax(x):
    """Softmax along the last axis with the maximum subtracted (no overflow)."""
    x = np.asarray(x, dtype=float)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def labels(y, t):
    """Class indices from one-hot targets (same size as y) or from label indices."""
    t = np.asarray(t)
    return t.argmax(axis=-1) if t.size == np.size(y) else t.astype(int).reshape(-1)


def cross_entropy_error(y, t):
    """Mean over the batch of −log y[true class]; t one-hot (m, K) or labels (m,)."""
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    y2 = y.reshape(1, -1) if y.ndim == 1 else y
    idx = labels(y2, t.reshape(1, -1) if (y.ndim == 1 and t.size == y.size) else t)
    m = y2.shape[0]
    return float(-np.sum(np.log(y2[np.arange(m), idx] + 1e-300)) / m)


class QuadraticCost:
    """C = ½‖a − y‖², δᴸ = (a − y) ⊙ σ'(zᴸ) (BP1)."""

    @staticmethod
    def fn(a, y):
        return 0.5 * float(np.sum((a - y) ** 2))

    @staticmethod
    def delta(z, a, y):
        return (a - y) * sigmoid_prime(z)


class CrossEntropyCost:
    """C = −Σ [y ln a + (1 − y) ln(1 − a)], δᴸ = a − y (BP1: σ' cancels)."""

    @staticmethod
    def fn(a, y):
        return float(np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a))))

    @staticmethod
    def delta(z, a, y):
        return a - y


COSTS = {"quadratic": QuadraticCost, "cross_entropy": CrossEntropyCost}


def backprop(weights, biases, x, y, cost="quadratic"):
    """Nielsen's (nabla_b, nabla_w) for one example (the quadratic cost unless told, by
    name or class): BP1..BP4. Given a matrix whose columns are examples (chapter 2's
    exercise: the whole mini-batch at once), the gradients summed over the examples, as
    the matrix-based forks' update_mini_batch expects (nabla_b (n, 1), like a bias)."""
    cost = COSTS[cost] if isinstance(cost, str) else cost
    a, activations, zs = x, [x], []
    for w, b in zip(weights, biases):
        z = w @ a + b
        zs.append(z)
        a = sigmoid(z)
        activations.append(a)
    delta = cost.delta(zs[-1], activations[-1], y)                    # BP1
    nabla_b, nabla_w = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        if l < len(weights) - 1:
            delta = (weights[l + 1].T @ delta) * sigmoid_prime(zs[l])  # BP2
        nabla_b[l] = delta.sum(axis=1, keepdims=True)                 # BP3, Σₓ δˡₓ
        nabla_w[l] = delta @ activations[l].T                         # BP4
    return nabla_b, nabla_w


# --- Ng's course helpers (columns; linear_cache = (A_prev, W, b), cache = (linear_cache, Z)) --
def ng_sigmoid(Z):
    """a = σ(z); returns (A, Z)."""
    return sigmoid(Z), Z


def ng_relu(Z):
    """a = max(0, z); returns (A, Z)."""
    return np.maximum(Z, 0.0), Z


def ng_sigmoid_backward(dA, cache):
    """dZ = dA ⊙ σ'(z)."""
    return dA * sigmoid_prime(cache)


def ng_relu_backward(dA, cache):
    """dZ = dA ⊙ 1[z > 0]."""
    return dA * (np.asarray(cache) > 0)


def ng_linear_forward(A, W, b):
    """z = W a + b; returns (Z, (A, W, b))."""
    return W @ A + b, (A, W, b)


def ng_linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = ng_linear_forward(A_prev, W, b)
    A, activation_cache = (ng_sigmoid if activation == "sigmoid" else ng_relu)(Z)
    return A, (linear_cache, activation_cache)


def ng_linear_backward(dZ, cache):
    """BP4 dW = (1/m) dZ A_prevᵀ, BP3 db = (1/m) Σ dZ, and dA_prev = Wᵀ dZ."""
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m


def ng_linear_activation_backward(dA, cache, activation):
    linear_cache, Z = cache
    back = ng_sigmoid_backward if activation == "sigmoid" else ng_relu_backward
    return ng_linear_backward(back(dA, Z), linear_cache)


# --- Saito's layers (rows: x (m, n_in), W (n_in, n_out), b (n_out,)) ----------------------------
class Relu:
    def forward(self, x):
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout):
        return np.where(self.mask, 0.0, dout)


class Sigmoid:
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Affine:
    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout              # BP4, no 1/m (SoftmaxWithLoss has it)
        self.db = np.sum(dout, axis=0)         # BP3
        return dout @ self.W.T                 # Wᵀ δ of BP2


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, t)
        return self.loss

    def backward(self, dout=1):
        m = self.y.shape[0]
        onehot = np.zeros_like(self.y)
        onehot[np.arange(m), labels(self.y, self.t)] = 1.0
        return dout * (self.y - onehot) / m    # BP1 for softmax + cross-entropy, with the 1/m


LAYERS = {"Relu": Relu, "Sigmoid": Sigmoid, "Affine": Affine, "SoftmaxWithLoss": SoftmaxWithLoss}
# the attributes a layer holds: sent by the proxy with every call, set back after it
LAYER_STATE = {"Relu": ("mask",), "Sigmoid": ("out",), "Affine": ("W", "b", "x", "dW", "db"),
               "SoftmaxWithLoss": ("loss", "y", "t")}
LAYER_INIT = {"Affine": ("W", "b")}              # constructor arguments (the others take none)
# what each method sets: only these come back, so a W shared with params stays shared
LAYER_WRITES = {"Relu.forward": ("mask",), "Sigmoid.forward": ("out",),
                "Affine.forward": ("x",), "Affine.backward": ("dW", "db"),
                "SoftmaxWithLoss.forward": ("loss", "y", "t")}


def _method(cls_name: str, method: str):
    def call(state, *args):
        """(value, {attribute: new value}) of `cls.method(*args)` on a layer in `state`."""
        if not isinstance(state, dict):
            raise TypeError("the layer's state must be a dict")
        layer = object.__new__(LAYERS[cls_name])
        layer.__dict__.update({k: state.get(k) for k in LAYER_STATE[cls_name]})
        value = getattr(layer, method)(*args)
        key = f"{cls_name}.{method}"
        return value, {k: getattr(layer, k) for k in LAYER_WRITES.get(key, ())}
    return call


HELPERS = {
    "ng.sigmoid": ng_sigmoid, "ng.relu": ng_relu, "ng.sigmoid_backward": ng_sigmoid_backward,
    "ng.relu_backward": ng_relu_backward, "ng.linear_forward": ng_linear_forward,
    "ng.linear_activation_forward": ng_linear_activation_forward,
    "ng.linear_backward": ng_linear_backward,
    "ng.linear_activation_backward": ng_linear_activation_backward,
    "nielsen.sigmoid": sigmoid, "nielsen.sigmoid_prime": sigmoid_prime,
    "nielsen.cost_derivative": lambda output_activations, y: output_activations - y,
    "nielsen.backprop": lambda weights, biases, x, y, cost="quadratic": backprop(
        weights, biases, x, y, COSTS[cost]),
    **{f"nielsen.{kind}.{m}": getattr(cls, m) for kind, cls in COSTS.items()
       for m in ("fn", "delta")},
    "saito.sigmoid": sigmoid, "saito.softmax": softmax,
    "saito.cross_entropy_error": cross_entropy_error,
    **{f"saito.{c}.{m}": _method(c, m) for c in LAYERS for m in ("forward", "backward")},
}
SAITO_LAYERS = tuple(f"saito.{c}.{m}" for c in LAYERS for m in ("forward", "backward"))


MAX_AXIS = 1024          # per axis of an argument: a product of two stays at 8 MB, ~1 GFLOP
MAX_ELEMENTS = 2**20     # per argument array


def _too_large(value, depth: int = 0) -> bool:
    """Does an argument exceed what the grader computes for a student? (the course's arrays
    are tens of units wide; a huge outer product must not exhaust the parent)"""
    if isinstance(value, np.ndarray):
        return value.ndim > 4 or value.size > MAX_ELEMENTS or max(value.shape,
                                                                  default=0) > MAX_AXIS
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return depth > 8 or len(value) > 1000 or any(_too_large(v, depth + 1) for v in value)
    return False


NEUTRAL = (0, 1, None, False)     # lambd=0, keep_prob=1, dropout=None: the course's helper


def _without_neutral_extras(fn, args: list, kwargs: dict) -> tuple[list, dict]:
    """A student who extended the course's helpers for the next assignment
    (`linear_backward(dZ, cache, lambd)`, `..., keep_prob=1.0`) calls them with
    arguments the course's helper does not take: those left at their neutral value
    (no regularization, no dropout) are dropped; any other stays (and raises)."""
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return args, kwargs
    extra_pos = args[len(params):]
    extra_kw = {k: v for k, v in kwargs.items() if k not in params}
    values = extra_pos + list(extra_kw.values())
    if values and all(isinstance(v, (int, float, bool, type(None))) and v in NEUTRAL
                      for v in values):
        return args[:len(params)], {k: v for k, v in kwargs.items() if k in params}
    return args, kwargs


def answer(name: str, args, kwargs, allowed) -> dict:
    """{"ok": True, "value": ...} or {"ok": False, "type": ..., "error": ...}: the helper
    `name` applied to plain arguments, when `allowed` holds it."""
    if name not in allowed or name not in HELPERS:
        return {"ok": False, "type": "NameError",
                "error": f"the grader does not provide {name!r} to this function"}
    if not isinstance(args, (list, tuple)) or not isinstance(kwargs, dict):
        return {"ok": False, "type": "TypeError", "error": "malformed helper call"}
    if _too_large([args, kwargs]):
        return {"ok": False, "type": "ValueError",
                "error": f"arguments too large for the grader's {name.split('.')[-1]} "
                         f"(at most {MAX_AXIS} per axis)"}
    args, kwargs = _without_neutral_extras(HELPERS[name], list(args), dict(kwargs))
    try:
        with np.errstate(all="ignore"):
            return {"ok": True, "value": HELPERS[name](*args, **kwargs)}
    except Exception as exc:  # noqa: BLE001 - the student's arguments: report, never crash
        return {"ok": False, "type": type(exc).__name__, "error": str(exc)[:300]}
