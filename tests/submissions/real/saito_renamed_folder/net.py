# My network for chapter 5, in its own file beside layers.py
from collections import OrderedDict

import numpy as np

from layers import Affine, Relu, SoftmaxWithLoss


class Net:
    """Affine -> Relu -> Affine -> SoftmaxWithLoss."""

    def __init__(self, n_in, n_hidden, n_out, scale=0.01):
        self.params = {"W1": scale * np.random.randn(n_in, n_hidden), "b1": np.zeros(n_hidden),
                       "W2": scale * np.random.randn(n_hidden, n_out), "b2": np.zeros(n_out)}
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.mean(y == t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        grads["W1"], grads["b1"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        return grads


if __name__ == "__main__":
    net = Net(784, 50, 10)
    x = np.random.rand(5, 784)
    t = np.eye(10)[np.random.randint(0, 10, 5)]
    print({k: v.shape for k, v in net.gradient(x, t).items()})
