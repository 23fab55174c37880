import numpy as np


def forward_propagation(x, theta):
    """J(theta) = theta * x."""
    return theta * x


def backward_propagation(x, theta):
    """dJ/dtheta = x."""
    return x


def gradient_check(x, theta, epsilon=1e-7):
    """The centred difference against the gradient, as a relative difference."""
    J_plus = x * (theta + epsilon)
    J_minus = x * (theta - epsilon)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = x
    difference = np.linalg.norm(grad - gradapprox) / (
        np.linalg.norm(grad) + np.linalg.norm(gradapprox))
    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")
    return difference
