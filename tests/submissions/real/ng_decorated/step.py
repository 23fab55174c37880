"""Graded functions under decorators from modules the grader does not have: a timer the
student added to their copy of dnn_utils, and a profiler of their own machine."""
import numpy as np
from dnn_utils import sigmoid, relu, timer
import some_private_lib

@timer
def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    return Z, (A, W, b)

@some_private_lib.profile
def compute_cost(AL, Y):
    m = Y.shape[1]
    return float(np.squeeze(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m))
