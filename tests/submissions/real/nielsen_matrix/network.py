"""Chapter 2's exercise done: the whole mini-batch goes through backprop as one matrix.

Columns are examples: X is (n_0, m), Y is (n_L, m). backprop returns the gradients
summed over the columns, so update_mini_batch still divides by len(mini_batch).
"""
import random
import time

import numpy as np


class Network(object):

    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(n, 1) for n in sizes[1:]]
        self.weights = [np.random.randn(n, p) for p, n in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(w @ a + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data=None):
        training_data = list(training_data)
        for epoch in range(epochs):
            start = time.time()
            random.shuffle(training_data)
            for k in range(0, len(training_data), mini_batch_size):
                self.update_mini_batch(training_data[k:k + mini_batch_size], eta)
            print("epoch", epoch, "took", time.time() - start)

    def update_mini_batch(self, mini_batch, eta):
        X = np.hstack([x for x, _ in mini_batch])
        Y = np.hstack([y for _, y in mini_batch])
        nabla_b, nabla_w = self.backprop(X, Y)
        step = eta / len(mini_batch)
        self.weights = [w - step * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - step * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, X, Y):
        activation = X
        activations, zs = [X], []
        for w, b in zip(self.weights, self.biases):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        delta = self.cost_derivative(activations[-1], Y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta.sum(axis=1).reshape(-1, 1)
        nabla_w[-1] = np.dot(delta, activations[-2].T)
        for l in range(2, self.num_layers):
            delta = np.dot(self.weights[-l + 1].T, delta) * sigmoid_prime(zs[-l])
            nabla_b[-l] = delta.sum(axis=1).reshape(-1, 1)
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)
        return nabla_b, nabla_w

    def evaluate(self, test_data):
        return sum(int(np.argmax(self.feedforward(x)) == y) for x, y in test_data)

    def cost_derivative(self, output_activations, y):
        return output_activations - y


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))
