# Putting it together: train on the cat data set (the data comes with the course).
import numpy as np
import matplotlib.pyplot as plt
from lr_utils import load_dataset
from initialization import initialize_parameters_deep
from forward_propagation import *
from cost_function import compute_cost
from backward_propagation import L_model_backward, update_parameters

train_x_orig, train_y, test_x_orig, test_y, classes = load_dataset()
train_x = train_x_orig.reshape(train_x_orig.shape[0], -1).T / 255.
layers_dims = [12288, 20, 7, 5, 1]


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000):
    costs = []
    parameters = initialize_parameters_deep(layers_dims)
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
    return parameters


parameters = L_layer_model(train_x, train_y, layers_dims)
plt.plot(np.squeeze(parameters))
