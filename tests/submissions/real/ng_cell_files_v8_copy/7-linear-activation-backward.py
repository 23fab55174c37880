# GRADED FUNCTION: linear_activation_backward
# (one notebook cell per file: the notebook's first cell did the imports)

def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


linear_activation_backward_test(linear_activation_backward)
