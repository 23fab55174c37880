"""Saito's two-layer net keeping its layers in a plain list (no OrderedDict), built from
copies of the parameters, and the loss layer called without dout; the run sits in main()."""
import numpy as np


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout = dout.copy()
        dout[self.mask] = 0
        return dout


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x.dot(self.W) + self.b

    def backward(self, dout):
        self.dW = self.x.T.dot(dout)
        self.db = dout.sum(axis=0)
        return dout.dot(self.W.T)


class SoftmaxWithLoss:
    def __init__(self):
        self.y = self.t = None

    def forward(self, x, t):
        self.y, self.t = softmax(x), t
        return -np.sum(t * np.log(self.y + 1e-7)) / x.shape[0]

    def backward(self, dout=1):
        return (self.y - self.t) * dout / self.t.shape[0]


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {"W1": weight_init_std * np.random.randn(input_size, hidden_size),
                       "b1": np.zeros(hidden_size),
                       "W2": weight_init_std * np.random.randn(hidden_size, output_size),
                       "b2": np.zeros(output_size)}
        self.layers = [Affine(self.params["W1"].copy(), self.params["b1"].copy()), Relu(),
                       Affine(self.params["W2"].copy(), self.params["b2"].copy())]
        self.loss_layer = SoftmaxWithLoss()

    def gradient(self, x, t):
        for layer in self.layers:
            x = layer.forward(x)
        self.loss_layer.forward(x, t)
        dout = self.loss_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return {"W1": self.layers[0].dW, "b1": self.layers[0].db,
                "W2": self.layers[2].dW, "b2": self.layers[2].db}


def main():
    net = TwoLayerNet(784, 50, 10)
    x = np.random.rand(100, 784)
    t = np.eye(10)[np.random.randint(0, 10, 100)]
    print(net.gradient(x, t)["W1"].shape)


if __name__ == "__main__":
    main()
