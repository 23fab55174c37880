# GRADED FUNCTION: update_parameters
# (one notebook cell per file: the notebook's first cell did the imports)

def update_parameters(params, grads, learning_rate):
    parameters = {k: v.copy() for k, v in params.items()}
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters


update_parameters_test(update_parameters)
