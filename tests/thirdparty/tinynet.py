"""A small NumPy network library written the way many are, not like `manual`:
rows layout (X is (m, n_in), W is (n_in, n_out)), biases of shape (1, n),
layers that cache their input, and no δ exposed. Used by the tests of
`reference.verify`, `check --impl` and `assert_backprop` as "someone else's
backprop". `backprop(spec, X, Y)` is its adapter to the contract.

BUG names a planted mistake (None: correct): "no_mean" forgets the 1/m of the
first layer's weight gradient, "flip_hidden" flips the sign of the backward
pass through the hidden tanh layers, "deltas_with_mean" returns δ with the 1/m
of the mean in it, "output_derivative" and "first_derivative" take the sigmoid's
or tanh's derivative at z instead of at a (z(1 − z), 1 − z²) in the output layer
or in layer 0 only, "softmax_diagonal" differentiates the softmax elementwise
(p(1 − p)), "clip" clips a to 1 − 1e-15 in bce's gradient (1.0 in float32),
"output_mean" averages the loss over the outputs too.
DELTAS: also return δ (per example, as the contract asks).
"""

import numpy as np

BUG = None
DELTAS = False


def forward_act(name, z):
    if name == "identity":
        return z
    if name == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0 * z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(f"tinynet has no activation {name}")


def backward_act(name, z, out, grad_out, planted=False):
    """dL/dz from dL/da (a vector-Jacobian product, so softmax works anywhere);
    planted: this layer carries the "..._derivative" mistake."""
    if planted:
        out = z
    if name == "identity":
        return grad_out
    if name == "sigmoid":
        return grad_out * out * (1.0 - out)
    if name == "softmax" and BUG == "softmax_diagonal":
        return grad_out * out * (1.0 - out)
    if name == "tanh":
        g = grad_out * (1.0 - out ** 2)
        return -g if BUG == "flip_hidden" else g
    if name == "relu":
        return grad_out * (z > 0)
    if name == "softmax":
        return out * (grad_out - (grad_out * out).sum(axis=1, keepdims=True))
    raise ValueError(name)


def loss_and_grad(name, a, y):
    """Per-example losses (m,) and dLoss_x/da."""
    tiny = np.finfo(a.dtype).tiny
    if name == "quadratic":
        return 0.5 * ((a - y) ** 2).sum(axis=1), a - y
    if name == "bce" and BUG == "clip":
        p = np.clip(a, 1e-15, 1 - 1e-15)
        return -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(axis=1), -y / p + (1 - y) / (1 - p)
    if name == "bce":
        a_ = np.clip(a, tiny, 1 - np.finfo(a.dtype).eps / 2)
        per = -(y * np.log(a_) + (1 - y) * np.log1p(-a_)).sum(axis=1)
        return per, (a - y) / np.maximum(a * (1 - a), tiny)
    if name == "cross_entropy":
        return -(y * np.log(np.maximum(a, tiny))).sum(axis=1), -y / np.maximum(a, tiny)
    raise ValueError(f"tinynet has no loss {name}")


def backprop(spec, X, Y):
    assert spec.layout == "rows", "tinynet works in the rows layout only"
    m = X.shape[0]
    inputs, zs, outs = [], [], []
    a = X
    for W, b, act in zip(spec.weights, spec.biases, spec.activations):
        inputs.append(a)
        z = a.dot(W) + b
        a = forward_act(act, z)
        zs.append(z)
        outs.append(a)
    per_example, grad = loss_and_grad(spec.loss, a, Y)
    scale = 1.0 / m if spec.reduction == "mean" else 1.0
    if BUG == "output_mean":
        scale /= a.shape[1]
    grad = grad * scale
    dW, db, deltas = [None] * len(zs), [None] * len(zs), [None] * len(zs)
    for i in reversed(range(len(zs))):
        planted = (BUG == "output_derivative" and i == len(zs) - 1
                   or BUG == "first_derivative" and i == 0)
        dz = backward_act(spec.activations[i], zs[i], outs[i], grad, planted)
        dW[i] = inputs[i].T.dot(dz)
        if BUG == "no_mean" and i == 0 and spec.reduction == "mean":
            dW[i] = dW[i] * m
        db[i] = dz.sum(axis=0, keepdims=True)
        deltas[i] = dz if BUG == "deltas_with_mean" else dz / scale
        grad = dz.dot(spec.weights[i].T)
    out = {"dW": dW, "db": db, "cost": float(per_example.sum() * scale)}
    if DELTAS:
        out["deltas"] = deltas
    return out
