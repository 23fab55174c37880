"""A chapter 3 port whose cost takes delta(aL, y, zL), the arguments in its own order,
and has no QuadraticCost or default_weight_initializer."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class CrossEntropyCost:
    @staticmethod
    def delta(aL, y, zL):
        return aL - y

    @staticmethod
    def fn(aL, y):
        return -np.sum(y * np.log(aL) + (1 - y) * np.log(1 - aL))


class Network:
    def __init__(self, sizes, cost=CrossEntropyCost):
        self.sizes, self.num_layers, self.cost = sizes, len(sizes), cost
        self.weights = [np.random.randn(n, p) / np.sqrt(p) for p, n in zip(sizes, sizes[1:])]
        self.biases = [np.random.randn(n, 1) for n in sizes[1:]]

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(w @ a + b)
        return a

    def backprop(self, x, y):
        activations, zs = [x], []
        for w, b in zip(self.weights, self.biases):
            zs.append(w @ activations[-1] + b)
            activations.append(sigmoid(zs[-1]))
        delta = self.cost.delta(activations[-1], y, zs[-1])
        nabla_b, nabla_w = [delta], [delta @ activations[-2].T]
        for l in range(2, self.num_layers):
            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
            nabla_b.insert(0, delta)
            nabla_w.insert(0, delta @ activations[-l - 1].T)
        return nabla_b, nabla_w

    def update_mini_batch(self, mini_batch, eta, lmbda, n):
        grads = [self.backprop(x, y) for x, y in mini_batch]
        m = len(mini_batch)
        self.weights = [(1 - eta * lmbda / n) * w - eta / m * sum(g[1][l] for g in grads)
                        for l, w in enumerate(self.weights)]
        self.biases = [b - eta / m * sum(g[0][l] for g in grads)
                       for l, b in enumerate(self.biases)]

    def total_cost(self, data, lmbda):
        c = sum(self.cost.fn(self.feedforward(x), y) for x, y in data) / len(data)
        return c + 0.5 * lmbda / len(data) * sum(np.sum(w * w) for w in self.weights)
