# GRADED FUNCTION: compute_cost
# (one notebook cell per file: the notebook's first cell did the imports)

def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    return np.squeeze(cost)


t_Y, t_AL = compute_cost_test_case()
print("cost = " + str(compute_cost(t_AL, t_Y)))
