"""Chapter 3 network in Python 3 with the cost classes named in snake case; the quadratic
cost's fn passes y as norm's order and squares with ^ (XOR), so it cannot run."""
import random
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


class quadratic_cost(object):
    @staticmethod
    def fn(a, y):
        return np.linalg.norm(a, y) ^ 2

    @staticmethod
    def delta(z, a, y):
        return (a - y) * sigmoid_prime(z)


class cross_entropy_cost(object):
    @staticmethod
    def fn(a, y):
        return np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y):
        return a - y


class Network(object):
    def __init__(self, sizes, cost=cross_entropy_cost):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.cost = cost
        self.default_weight_initializer()

    def default_weight_initializer(self):
        self.biases = [np.random.randn(r, 1) for r in self.sizes[1:]]
        self.weights = [np.random.randn(r, c) / np.sqrt(c)
                        for c, r in zip(self.sizes[:-1], self.sizes[1:])]

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(w @ a + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, lmbda=0.0):
        n = len(training_data)
        for _ in range(epochs):
            random.shuffle(training_data)
            for k in range(0, n, mini_batch_size):
                self.update_mini_batch(training_data[k:k + mini_batch_size], eta, lmbda, n)

    def update_mini_batch(self, mini_batch, eta, lmbda, n):
        gb = [np.zeros(b.shape) for b in self.biases]
        gw = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            db, dw = self.backprop(x, y)
            gb = [g + d for g, d in zip(gb, db)]
            gw = [g + d for g, d in zip(gw, dw)]
        shrink = 1 - eta * lmbda / n
        self.weights = [shrink * w - eta / len(mini_batch) * g for w, g in zip(self.weights, gw)]
        self.biases = [b - eta / len(mini_batch) * g for b, g in zip(self.biases, gb)]

    def backprop(self, x, y):
        gb = [None] * len(self.biases)
        gw = [None] * len(self.weights)
        acts, zs = [x], []
        for w, b in zip(self.weights, self.biases):
            zs.append(w @ acts[-1] + b)
            acts.append(sigmoid(zs[-1]))
        delta = self.cost.delta(zs[-1], acts[-1], y)
        gb[-1], gw[-1] = delta, delta @ acts[-2].T
        for l in range(2, self.num_layers):
            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
            gb[-l], gw[-l] = delta, delta @ acts[-l - 1].T
        return gb, gw

    def total_cost(self, data, lmbda, convert=False):
        cost = sum(self.cost.fn(self.feedforward(x), y) for x, y in data) / len(data)
        return cost + 0.5 * lmbda / len(data) * sum(np.sum(w * w) for w in self.weights)
