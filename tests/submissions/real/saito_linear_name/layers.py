"""A Korean course's take on Saito chapter 5: the fully connected layer is called
LinearLayer, with ReLU, and the data is loaded at module level."""
import numpy as np
import cifar10_web

train_images, train_labels, test_images, test_labels = cifar10_web.cifar10(path=None)


class LinearLayer:
    # 완전연결 계층 (책의 Affine 계층)
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class SoftmaxWithLoss:
    def __init__(self):
        self.y = self.t = None

    def forward(self, x, t):
        z = np.exp(x - x.max(axis=1, keepdims=True))
        self.y = z / z.sum(axis=1, keepdims=True)
        self.t = t
        return -np.sum(t * np.log(self.y + 1e-8)) / x.shape[0]

    def backward(self, dout=1):
        return dout * (self.y - self.t) / self.t.shape[0]


class ReLU:
    def __init__(self):
        self.mask = None

    def forward(self, Z):
        self.mask = Z < 0
        A = Z.copy()
        A[self.mask] = 0
        return A

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


layer = LinearLayer(np.random.randn(3072, 10) * 0.01, np.zeros(10))
print("정확도:", np.mean(np.argmax(layer.forward(train_images[:100]), axis=1) == np.argmax(train_labels[:100], axis=1)))
