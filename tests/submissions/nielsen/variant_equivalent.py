"""Correct but different from the reference: @ instead of np.dot, a sign-split sigmoid,
sigma' computed from exp(-|z|), float32 arithmetic in backprop, the mini-batch mean
taken with np.mean over stacked gradients, and the weights updated in place."""
import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(z):
    e = np.exp(-np.abs(z))
    return e / (1 + e) ** 2


class Network:
    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(n, 1) for n in sizes[1:]]
        self.weights = [np.random.randn(n, p) for p, n in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(w @ a + b)
        return a

    def cost_derivative(self, output_activations, y):
        return np.subtract(output_activations, y)

    def backprop(self, x, y):
        W = [w.astype(np.float32) for w in self.weights]
        B = [b.astype(np.float32) for b in self.biases]
        a, acts, zs = x.astype(np.float32), [x.astype(np.float32)], []
        for w, b in zip(W, B):
            zs.append(w @ a + b)
            a = sigmoid(zs[-1])
            acts.append(a)
        n = len(W)
        nabla_b, nabla_w = [None] * n, [None] * n
        delta = self.cost_derivative(acts[-1], y.astype(np.float32)) * sigmoid_prime(zs[-1])
        for l in reversed(range(n)):
            if l < n - 1:
                delta = (W[l + 1].T @ delta) * sigmoid_prime(zs[l])
            nabla_b[l] = delta
            nabla_w[l] = delta @ acts[l].T
        return nabla_b, nabla_w

    def update_mini_batch(self, mini_batch, eta):
        grads = [self.backprop(x, y) for x, y in mini_batch]
        for l in range(len(self.weights)):
            self.weights[l] -= eta * np.mean([g[1][l] for g in grads], axis=0)
            self.biases[l] -= eta * np.mean([g[0][l] for g in grads], axis=0)
