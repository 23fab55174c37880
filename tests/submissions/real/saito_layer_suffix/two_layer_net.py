import sys, os
sys.path.append(os.pardir)
from collections import OrderedDict

import numpy as np

from layer import AffineLayer, ReLULayer, Softmax_With_Loss_Layer


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            "W1": weight_init_std * np.random.randn(input_size, hidden_size),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * np.random.randn(hidden_size, output_size),
            "b2": np.zeros(output_size),
        }
        self.layers = OrderedDict()
        self.layers["Affine1"] = AffineLayer(self.params["W1"], self.params["b1"])
        self.layers["ReLU1"] = ReLULayer()
        self.layers["Affine2"] = AffineLayer(self.params["W2"], self.params["b2"])
        self.last_layer = Softmax_With_Loss_Layer()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


if __name__ == "__main__":
    net = TwoLayerNet(784, 50, 10)
    print(net.gradient(np.random.rand(3, 784), np.eye(10)[[1, 2, 3]]).keys())
