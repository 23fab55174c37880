# GRADED FUNCTION: L_model_forward
# (one notebook cell per file: the notebook's first cell did the imports)

def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W%d" % l], parameters["b%d" % l], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W%d" % L], parameters["b%d" % L], "sigmoid")
    caches.append(cache)
    return AL, caches


L_model_forward_test(L_model_forward)
