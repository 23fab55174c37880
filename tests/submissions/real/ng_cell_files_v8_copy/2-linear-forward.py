# GRADED FUNCTION: linear_forward
# (one notebook cell per file: the notebook's first cell did the imports)

def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    return Z, (A, W, b)


t_A, t_W, t_b = linear_forward_test_case()
t_Z, t_linear_cache = linear_forward(t_A, t_W, t_b)
print("Z = " + str(t_Z))
linear_forward_test(linear_forward)
