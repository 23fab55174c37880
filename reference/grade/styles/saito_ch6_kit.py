"""The correct layers of Saito's chapter 6 on the parent's side only (answered to the
student's process method by method through `kit.answer`): `BatchNormalization` and the
book's (non-inverted) `Dropout`.

Batch norm as the book has it: a 4-D input is normalized as (N, C·H·W) (each value of
each example's tensor a feature), the biased batch variance, ε 10e-7 (= 1e-6) unless
the state carries the student's, the running averages momentum·running + (1 −
momentum)·batch statistic (zeros when None), test mode normalizing with them. Dropout
(ratio r, the probability of dropping a unit): train out = x ⊙ mask with mask = rand >
r, test out = x·(1 − r); backward dout ⊙ mask.
"""

from __future__ import annotations

import numpy as np

from ..books.saito_ch67 import BOOK_CH6
from .saito_kit import method_on_state

__all__ = ["BatchNormalization", "Dropout", "LAYERS", "HELPERS", "BOOK_EPS"]

BOOK_EPS = 10e-7       # common/layers.py's ε (1e-6; the book's text prints 10e-7)


class BatchNormalization:
    def forward(self, x, train_flg=True):
        x = np.asarray(x, dtype=float)
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        eps = BOOK_EPS if self.eps is None else float(self.eps)
        if self.running_mean is None:
            self.running_mean, self.running_var = np.zeros(x.shape[1]), np.zeros(x.shape[1])
        if train_flg:
            mu = x.mean(axis=0)
            self.xc = x - mu
            var = np.mean(self.xc ** 2, axis=0)                  # biased σ²
            self.std = np.sqrt(var + eps)
            self.xn, self.batch_size = self.xc / self.std, x.shape[0]
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
            xn = self.xn
        else:
            xn = (x - self.running_mean) / np.sqrt(self.running_var + eps)
        return (self.gamma * xn + self.beta).reshape(self.input_shape)

    def backward(self, dout):
        dout = np.asarray(dout, dtype=float).reshape(self.batch_size, -1)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        n = self.batch_size                                      # BN2's compact form
        dx = self.gamma / (n * self.std) * (n * dout - self.dbeta - self.xn * self.dgamma)
        return dx.reshape(self.input_shape)


class Dropout:
    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*np.shape(x)) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


LAYERS = {cls.__name__: cls for cls in (BatchNormalization, Dropout)}


def _method(spec, method: str):
    """A layer's method answered on a state: (value, {attribute: new value}). Its
    arguments are named (`kit.answer` drops a trailing False it cannot place: test mode's
    train_flg would be lost to a *args)."""
    run = method_on_state(LAYERS, spec, method)

    def forward(state, x, train_flg=True):
        return run(state, x, train_flg)

    def backward(state, dout):
        return run(state, dout)
    return forward if method == "forward" else backward


LAYER_METHODS = {f"{spec.name}.{m}": _method(spec, m) for spec in BOOK_CH6.layers
                 for m in ("forward", "backward")}
# answered as "saito6.<name>" (`kit.helpers`)
HELPERS = dict(LAYER_METHODS)
