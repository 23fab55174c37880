"""Correct but different from the reference: @ instead of np.dot, np.mean, a ReLU mask
kept as x > 0 and applied without modifying dout, a sign-split sigmoid, float32
arithmetic in Affine, Sigmoid.backward modifying dout in place, the log-sum-exp form
of the loss, backward() without a dout parameter, and no TwoLayerNet (optional)."""
import numpy as np


class Relu:
    def forward(self, x):
        self.positive = x > 0
        return np.where(self.positive, x, 0.0)

    def backward(self, dout):
        return dout * self.positive


class Sigmoid:
    def forward(self, x):
        e = np.exp(-np.abs(x))
        self.out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return self.out

    def backward(self, dout):
        dout *= self.out * (1 - self.out)      # consumes dout in place, like the book's Relu
        return dout


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return (x.astype(np.float32) @ self.W.astype(np.float32)
                + self.b.astype(np.float32))

    def backward(self, dout):
        d32 = dout.astype(np.float32)
        self.dW = self.x.astype(np.float32).T @ d32
        self.db = d32.sum(axis=0)
        return d32 @ self.W.astype(np.float32).T


class SoftmaxWithLoss:
    def forward(self, x, t):
        k = x.shape[1]
        self.t = np.eye(k)[t] if t.ndim == 1 else t
        shifted = x - x.max(axis=1, keepdims=True)
        log_z = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        log_y = shifted - log_z
        self.y = np.exp(log_y)
        return np.mean(-(self.t * log_y).sum(axis=1))

    def backward(self):
        return (self.y - self.t) / len(self.y)
