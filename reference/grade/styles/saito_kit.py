"""The correct layers of Saito's book and its common/functions.py, on the parent's side
only (answered to the student's process method by method through `kit.answer`).

Rows layout: x (m, n_in), W (n_in, n_out), b (n_out,).
"""

from __future__ import annotations

import numpy as np

from ..books.saito import BOOK
from ..kit import cross_entropy_error, labels, sigmoid, softmax

__all__ = ["Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "LAYERS", "HELPERS", "LAYER_METHODS",
           "method_on_state", "layer_methods"]


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


LAYERS = {cls.__name__: cls for cls in (Relu, Sigmoid, Affine, SoftmaxWithLoss)}


def method_on_state(classes: dict, spec, method: str):
    """A layer's method answered on a state: (value, {attribute: new value}), the layer
    one of `classes` (the book's, by name) made with the state's attributes."""
    writes = dict(spec.writes).get(method, ())

    def call(state, *args):
        if not isinstance(state, dict):
            raise TypeError("the layer's state must be a dict")
        layer = object.__new__(classes[spec.name])
        layer.__dict__.update({k: state.get(k) for k in spec.state})
        value = getattr(layer, method)(*args)
        return value, {k: getattr(layer, k) for k in writes}
    return call


def layer_methods(classes: dict, specs) -> dict:
    """"Layer.forward" and "Layer.backward" of each record's layer, answered on a state."""
    return {f"{spec.name}.{m}": method_on_state(classes, spec, m) for spec in specs
            for m in ("forward", "backward")}


LAYER_METHODS = layer_methods(LAYERS, BOOK.layers)
# answered as "<the book's helper_prefix>.<name>" (`kit.helpers`)
HELPERS = {"sigmoid": sigmoid, "softmax": softmax, "cross_entropy_error": cross_entropy_error,
           **LAYER_METHODS}
