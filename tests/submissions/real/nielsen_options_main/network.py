"""Nielsen's chapter 1 network with knobs: backprop takes the cost and activation by keyword
(defaults are the book's), the seed is fixed in __init__, a module constant gives eta's
default, and the training script lives in main()."""
import numpy as np
import mnist_loader

LEARNING_RATE = 3.0
LOG = []


class Network(object):

    def __init__(self, sizes, seed=42):
        np.random.seed(seed)
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(n, 1) for n in sizes[1:]]
        self.weights = [np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])]

    @staticmethod
    def act(z, kind="sigmoid"):
        if kind == "tanh":
            return np.tanh(z)
        return 1.0 / (1.0 + np.exp(-z))

    @staticmethod
    def act_prime(z, kind="sigmoid"):
        if kind == "tanh":
            return 1 - np.tanh(z) ** 2
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1 - s)

    def feedforward(self, a, kind="sigmoid"):
        for b, w in zip(self.biases, self.weights):
            a = self.act(w @ a + b, kind)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta=LEARNING_RATE, test_data=None):
        training_data = list(training_data)
        for j in range(epochs):
            np.random.shuffle(training_data)
            for k in range(0, len(training_data), mini_batch_size):
                self.update_mini_batch(training_data[k:k + mini_batch_size], eta)
            LOG.append(j)

    def update_mini_batch(self, mini_batch, eta=LEARNING_RATE):
        nabla_b = [np.zeros_like(b) for b in self.biases]
        nabla_w = [np.zeros_like(w) for w in self.weights]
        for x, y in mini_batch:
            d_b, d_w = self.backprop(x, y)
            nabla_b = [a + d for a, d in zip(nabla_b, d_b)]
            nabla_w = [a + d for a, d in zip(nabla_w, d_w)]
        step = eta / len(mini_batch)
        self.weights = [w - step * g for w, g in zip(self.weights, nabla_w)]
        self.biases = [b - step * g for b, g in zip(self.biases, nabla_b)]
        LOG.append(len(mini_batch))

    def backprop(self, x, y, cost="quadratic", kind="sigmoid"):
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        activations, zs = [x], []
        for b, w in zip(self.biases, self.weights):
            zs.append(w @ activations[-1] + b)
            activations.append(self.act(zs[-1], kind))
        delta = self.cost_derivative(activations[-1], y)
        if cost == "quadratic":
            delta = delta * self.act_prime(zs[-1], kind)
        nabla_b[-1], nabla_w[-1] = delta, delta @ activations[-2].T
        for l in range(2, self.num_layers):
            delta = (self.weights[-l + 1].T @ delta) * self.act_prime(zs[-l], kind)
            nabla_b[-l], nabla_w[-l] = delta, delta @ activations[-l - 1].T
        return nabla_b, nabla_w

    def cost_derivative(self, output_activations, y):
        return output_activations - y


def main():
    training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    net = Network([784, 30, 10])
    net.SGD(training_data, 30, 10, test_data=test_data)


if __name__ == "__main__":
    main()
