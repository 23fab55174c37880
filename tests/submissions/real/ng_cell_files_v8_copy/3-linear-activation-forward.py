# GRADED FUNCTION: linear_activation_forward
# (one notebook cell per file: the notebook's first cell did the imports)

def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    else:
        A, activation_cache = relu(Z)
    return A, (linear_cache, activation_cache)


linear_activation_forward_test(linear_activation_forward)
