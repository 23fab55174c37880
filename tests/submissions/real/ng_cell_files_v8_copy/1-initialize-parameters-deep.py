# GRADED FUNCTION: initialize_parameters_deep
# (one notebook cell per file: the notebook's first cell did the imports)

def initialize_parameters_deep(layer_dims):
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


parameters = initialize_parameters_deep([5, 4, 3])
print("W1 = " + str(parameters["W1"]))
