"""Saito chapter 5 layers, one class spelled in lower camel case with its helpers nested
in forward; backward misspells `shape`."""
import numpy as np


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        y = x.copy()
        y[self.mask] = 0
        return y

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)


class softmaxWithLoss:
    def __init__(self):
        self.loss = self.y = self.t = None

    def forward(self, x, t):
        self.t = t

        def soft(a):
            a = a - np.max(a, axis=-1, keepdims=True)
            e = np.exp(a)
            return e / np.sum(e, axis=-1, keepdims=True)

        def cross(y, t):
            return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]

        self.y = soft(x)
        self.loss = cross(self.y, t)
        return self.loss

    def backward(self, dout=1):
        batch = self.t.chape[0]
        return (self.y - self.t) / batch
