"""One slip (db without 1/m) in the assignment written as ordinary methods of a class (self first,
self.linear_forward(...) between them); numpy arrives through the helper file's star import."""
from acts import *


class DeepNet(object):

    def __init__(self, dims):
        self.dims = dims

    def initialize_parameters_deep(self, layer_dims):
        params = {}
        for l in range(1, len(layer_dims)):
            params["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
            params["b" + str(l)] = np.zeros((layer_dims[l], 1))
        return params

    def linear_forward(self, A, W, b):
        return W.dot(A) + b, (A, W, b)

    def linear_activation_forward(self, A_prev, W, b, activation):
        Z, lin = self.linear_forward(A_prev, W, b)
        if activation == "sigmoid":
            A, act = sigmoid(Z)
        else:
            A, act = relu(Z)
        return A, (lin, act)

    def L_model_forward(self, X, parameters):
        caches = []
        A = X
        L = len(parameters) // 2
        for l in range(1, L):
            A, c = self.linear_activation_forward(A, parameters["W%d" % l], parameters["b%d" % l], "relu")
            caches.append(c)
        AL, c = self.linear_activation_forward(A, parameters["W%d" % L], parameters["b%d" % L], "sigmoid")
        caches.append(c)
        return AL, caches

    def compute_cost(self, AL, Y):
        m = Y.shape[1]
        return np.squeeze(-(Y.dot(np.log(AL).T) + (1 - Y).dot(np.log(1 - AL).T)) / m)

    def linear_backward(self, dZ, cache):
        A_prev, W, b = cache
        m = A_prev.shape[1]
        return W.T.dot(dZ), dZ.dot(A_prev.T) / m, dZ.sum(axis=1, keepdims=True)

    def linear_activation_backward(self, dA, cache, activation):
        lin, act = cache
        if activation == "relu":
            dZ = relu_backward(dA, act)
        else:
            dZ = sigmoid_backward(dA, act)
        return self.linear_backward(dZ, lin)

    def L_model_backward(self, AL, Y, caches):
        grads = {}
        L = len(caches)
        Y = Y.reshape(AL.shape)
        dAL = -(Y / AL - (1 - Y) / (1 - AL))
        grads["dA%d" % L], grads["dW%d" % L], grads["db%d" % L] = \
            self.linear_activation_backward(dAL, caches[L - 1], "sigmoid")
        for l in reversed(range(L - 1)):
            dA, dW, db = self.linear_activation_backward(grads["dA%d" % (l + 2)], caches[l], "relu")
            grads["dA%d" % (l + 1)], grads["dW%d" % (l + 1)], grads["db%d" % (l + 1)] = dA, dW, db
        return grads

    def update_parameters(self, parameters, grads, learning_rate):
        for l in range(1, len(parameters) // 2 + 1):
            parameters["W%d" % l] -= learning_rate * grads["dW%d" % l]
            parameters["b%d" % l] -= learning_rate * grads["db%d" % l]
        return parameters
