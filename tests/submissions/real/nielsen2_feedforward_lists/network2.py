"""Chapter 3 network where the activation is a class of static methods (fn, fn_prime) and
feedforward returns every layer's activations and weighted inputs, which backprop reuses."""
import random
import numpy as np


class SigmoidFun(object):
    @staticmethod
    def fn(z):
        return 1.0 / (1.0 + np.exp(-z))

    @staticmethod
    def fn_prime(z):
        return SigmoidFun.fn(z) * (1 - SigmoidFun.fn(z))


class QuadraticCost(object):
    @staticmethod
    def fn(a, y):
        return 0.5 * np.linalg.norm(a - y) ** 2

    @staticmethod
    def delta(z, a, y):
        return (a - y) * SigmoidFun.fn_prime(z)


class CrossEntropyCost(object):
    @staticmethod
    def fn(a, y):
        return np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y):
        return a - y


class Network(object):
    def __init__(self, sizes, cost=CrossEntropyCost):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.cost = cost
        self.default_weight_initializer()

    def default_weight_initializer(self):
        self.biases = [np.random.randn(k, 1) for k in self.sizes[1:]]
        self.weights = [np.random.randn(k, j) / np.sqrt(j)
                        for j, k in zip(self.sizes[:-1], self.sizes[1:])]

    def feedforward(self, x):
        """(activations, zs): the output is activations[-1]."""
        activations, zs = [x], []
        for b, w in zip(self.biases, self.weights):
            zs.append(np.dot(w, activations[-1]) + b)
            activations.append(SigmoidFun.fn(zs[-1]))
        return activations, zs

    def update_mini_batch(self, mini_batch, eta, lmbda, n):
        sum_b = [np.zeros(b.shape) for b in self.biases]
        sum_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            nb, nw = self.backprop(x, y)
            sum_b = [s + d for s, d in zip(sum_b, nb)]
            sum_w = [s + d for s, d in zip(sum_w, nw)]
        k = eta / len(mini_batch)
        self.weights = [(1 - eta * lmbda / n) * w - k * s for w, s in zip(self.weights, sum_w)]
        self.biases = [b - k * s for b, s in zip(self.biases, sum_b)]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activations, zs = self.feedforward(x)
        delta = self.cost.delta(zs[-1], activations[-1], y)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * SigmoidFun.fn_prime(zs[-l])
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return nabla_b, nabla_w

    def total_cost(self, data, lmbda):
        cost = 0.0
        for x, y in data:
            cost += self.cost.fn(self.feedforward(x)[0][-1], y) / len(data)
        return cost + 0.5 * (lmbda / len(data)) * sum(np.linalg.norm(w) ** 2 for w in self.weights)

    def accuracy(self, data):
        return sum(int(np.argmax(self.feedforward(x)[0][-1]) == np.argmax(y)) for x, y in data)
