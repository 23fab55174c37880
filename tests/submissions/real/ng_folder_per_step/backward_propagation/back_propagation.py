import numpy as np
import sys
sys.path.append('../activation_function/')
from activation_function import relu_backward, sigmoid_backward


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    return np.dot(W.T, dZ), dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == 'relu':
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    activation = 'sigmoid'
    for l in reversed(range(L)):
        dA, grads['dW' + str(l + 1)], grads['db' + str(l + 1)] = linear_activation_backward(dA, caches[l], activation)
        grads['dA' + str(l)] = dA
        activation = 'relu'
    return grads
