"""A chapter 3 network with only what the exercise asks: the cross-entropy cost class,
L2-regularized updates and backprop through self.cost. The sigmoid is a method; no
QuadraticCost, no default_weight_initializer, no total_cost (the book provides them)."""
import numpy as np


class CrossEntropyCost:
    @staticmethod
    def fn(a, y):
        return float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y):
        return a - y


def sigmoid_prime(z):
    s = 0.5 * (1 + np.tanh(0.5 * z))
    return s * (1 - s)


class Network:
    def __init__(self, sizes, cost=CrossEntropyCost):
        self.sizes, self.num_layers, self.cost = sizes, len(sizes), cost
        self.weights = [np.random.randn(n, p) / np.sqrt(p) for p, n in zip(sizes, sizes[1:])]
        self.biases = [np.random.randn(n, 1) for n in sizes[1:]]

    @staticmethod
    def activation(z):
        return 0.5 * (1 + np.tanh(0.5 * z))

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = self.activation(w @ a + b)
        return a

    def backprop(self, x, y):
        activations, zs = [x], []
        for w, b in zip(self.weights, self.biases):
            zs.append(w @ activations[-1] + b)
            activations.append(self.activation(zs[-1]))
        delta = self.cost.delta(zs[-1], activations[-1], y)
        nabla_b, nabla_w = [delta], [delta @ activations[-2].T]
        for l in range(2, self.num_layers):
            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
            nabla_b.insert(0, delta)
            nabla_w.insert(0, delta @ activations[-l - 1].T)
        return nabla_b, nabla_w

    def update_mini_batch(self, mini_batch, eta, lmbda, n):
        grads = [self.backprop(x, y) for x, y in mini_batch]
        m = len(mini_batch)
        for l in range(len(self.weights)):
            self.weights[l] = ((1 - eta * lmbda / n) * self.weights[l]
                               - eta / m * sum(g[1][l] for g in grads))
            self.biases[l] = self.biases[l] - eta / m * sum(g[0][l] for g in grads)
