"""Saito's two-layer net over the student's lower-case layers: params and grads keyed
'w1', 'b1', 'w2', 'b2'; the training loop lives in main()."""
import os
import sys
from collections import OrderedDict

sys.path.append(os.pardir)
from common.layers import *


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            "w1": weight_init_std * np.random.randn(input_size, hidden_size),
            "b1": np.zeros(hidden_size),
            "w2": weight_init_std * np.random.randn(hidden_size, output_size),
            "b2": np.zeros(output_size),
        }
        self.layers = OrderedDict()
        self.layers["affine1"] = Affine(w=self.params["w1"], b=self.params["b1"])
        self.layers["relu"] = ReLU()
        self.layers["affine2"] = Affine(w=self.params["w2"], b=self.params["b2"])
        self.last_layer = SoftMaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward()
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {"w1": self.layers["affine1"].dw, "b1": self.layers["affine1"].db,
                "w2": self.layers["affine2"].dw, "b2": self.layers["affine2"].db}


def main():
    from dataset.mnist import load_mnist
    (x_train, t_train), _ = load_mnist(normalize=True, one_hot_label=True)
    net = TwoLayerNet(784, 50, 10)
    for _ in range(10000):
        batch = np.random.choice(x_train.shape[0], 100)
        grads = net.gradient(x_train[batch], t_train[batch])
        for key in ("w1", "b1", "w2", "b2"):
            net.params[key] -= 0.1 * grads[key]


if __name__ == "__main__":
    main()
