# GRADED FUNCTION: linear_backward
# (one notebook cell per file: the notebook's first cell did the imports)

def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


linear_backward_test(linear_backward)
