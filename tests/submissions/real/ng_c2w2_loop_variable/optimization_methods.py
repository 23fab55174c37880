import math

import numpy as np


def update_parameters_with_gd(parameters, grads, learning_rate):
    """One step of gradient descent on every layer."""
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """The columns of X and Y shuffled alike, cut into mini-batches (the last one short)."""
    np.random.seed(seed)
    m = X.shape[1]
    order = list(np.random.permutation(m))
    X_shuffled = X[:, order]
    Y_shuffled = Y[:, order].reshape((1, m))
    mini_batches = []
    full = math.floor(m / mini_batch_size)
    for k in range(full):
        lo = k * mini_batch_size
        mini_batches.append((X_shuffled[:, lo:lo + mini_batch_size],
                             Y_shuffled[:, lo:lo + mini_batch_size]))
    if m % mini_batch_size != 0:
        mini_batches.append((X_shuffled[:, (k + 1) * mini_batch_size:],
                             Y_shuffled[:, (k + 1) * mini_batch_size:]))
    return mini_batches


def initialize_velocity(parameters):
    """Zero velocities shaped like the gradients."""
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros_like(parameters["W" + str(l)])
        v["db" + str(l)] = np.zeros_like(parameters["b" + str(l)])
    return v


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """v = beta v + (1 - beta) grad; the parameters step along v."""
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = beta * v[key] + (1 - beta) * grads[key]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v[key]
    return parameters, v


def initialize_adam(parameters):
    """Zero first and second moments."""
    L = len(parameters) // 2
    v, s = {}, {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            v["d" + p + str(l)] = np.zeros(parameters[p + str(l)].shape)
            s["d" + p + str(l)] = np.zeros(parameters[p + str(l)].shape)
    return v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adam: moments, their bias correction, the step."""
    L = len(parameters) // 2
    v_corrected, s_corrected = {}, {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = beta1 * v[key] + (1 - beta1) * grads[key]
            v_corrected[key] = v[key] / (1 - beta1)
            s[key] = beta2 * s[key] + (1 - beta2) * grads[key] ** 2
            s_corrected[key] = s[key] / (1 - beta2)
            parameters[p + str(l)] -= learning_rate * v_corrected[key] / (
                np.sqrt(s_corrected[key]) + epsilon)
    return parameters, v, s
