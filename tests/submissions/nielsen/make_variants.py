"""Regenerate the nielsen catalog variants from correct.py: one known change per file.

Run from this directory: python make_variants.py (overwrites the generated files).
variant_equivalent.py is a rewrite, kept by hand."""
base = open("correct.py").read()
DOC = base[:base.index('"""', 3) + 3]   # correct.py's module docstring
def mk(name, doc, *pairs, extra=""):
    s = base.replace(DOC, f'"""{doc}"""', 1)
    for old, new in pairs:
        assert old in s, (name, old)
        s = s.replace(old, new, 1)
    open(name + ".py", "w").write(s + extra)

UPDATE_W = "self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]"
UPDATE_B = "self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]"

# --- buggy: one known mistake each
mk("bug_bp1_no_sigma_prime", "Planted bug: BP1 without the sigma'(z) factor (the cross-entropy delta).",
   ("delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])",
    "delta = self.cost_derivative(activations[-1], y)"))
mk("bug_bp1_sigma_prime_of_a", "Planted bug: BP1 calls sigmoid_prime on the output activation "
   "instead of z.",
   ("* sigmoid_prime(zs[-1])", "* sigmoid_prime(activations[-1])"))
mk("bug_bp2_no_transpose", "Planted bug: BP2 multiplies by W instead of W transposed.",
   ("np.dot(self.weights[-l + 1].transpose(), delta)", "np.dot(self.weights[-l + 1], delta)"))
mk("bug_bp2_sigma_prime_of_a", "Planted bug: BP2 calls sigmoid_prime on the activation instead of z.",
   ("sp = sigmoid_prime(z)", "sp = sigmoid_prime(activations[-l])"))
mk("bug_cost_derivative_inplace", "Planted bug: cost_derivative subtracts y from the caller's array "
   "in place.",
   ("        return output_activations - y",
    "        output_activations -= y\n        return output_activations"))
mk("bug_cost_derivative_sign", "Planted bug: cost_derivative returns y - a (wrong sign).",
   ("return output_activations - y", "return y - output_activations"))
mk("bug_feedforward_no_bias", "Planted bug: feedforward forgets the biases.",
   ("a = sigmoid(np.dot(w, a) + b)", "a = sigmoid(np.dot(w, a))"))
mk("bug_nabla_b_rank1", "Planted bug: nabla_b[-1] summed to a rank-1 array (n,) instead of a "
   "column (n, 1).",
   ("nabla_b[-1] = delta", "nabla_b[-1] = np.sum(delta, axis=1)"))
mk("bug_nabla_w_transposed", "Planted bug: nabla_w = a delta^T instead of delta a^T (transposed).",
   ("np.dot(delta, activations[-2].transpose())", "np.dot(activations[-2], delta.transpose())"),
   ("np.dot(delta, activations[-l - 1].transpose())",
    "np.dot(activations[-l - 1], delta.transpose())"))
mk("bug_sigmoid_prime_unstable", "Planted bug: sigmoid_prime(z) = exp(-z) / (1 + exp(-z))**2: "
   "NaN for large negative z.",
   ("return sigmoid(z) * (1 - sigmoid(z))", "return np.exp(-z) / (1 + np.exp(-z)) ** 2"))
mk("bug_sigmoid_prime_wrong_quantity", "Planted bug: sigmoid_prime(z) = z * (1 - z): the derivative "
   "written for a, applied to z.",
   ("return sigmoid(z) * (1 - sigmoid(z))", "return z * (1 - z)"))
mk("bug_sigmoid_unstable", "Planted bug: sigmoid(z) = exp(z) / (1 + exp(z)): NaN for large z.",
   ("return 1.0 / (1.0 + np.exp(-z))", "return np.exp(z) / (1.0 + np.exp(z))"))
mk("bug_update_divided_twice", "update_mini_batch: the step divided by len(mini_batch) twice "
   "(an extra 1/m).",
   ("(eta / len(mini_batch)) * nw for", "(eta / len(mini_batch)) * nw / len(mini_batch) for"))
mk("bug_update_no_mean", "Planted bug: update_mini_batch forgets to divide the step by "
   "len(mini_batch).",
   (UPDATE_W, "self.weights = [w - eta * nw for w, nw in zip(self.weights, nabla_w)]"),
   (UPDATE_B, "self.biases = [b - eta * nb for b, nb in zip(self.biases, nabla_b)]"))
mk("bug_update_per_example", "Planted bug: update_mini_batch updates the weights after every example.",
   ('''        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        ''' + UPDATE_W + '''
        ''' + UPDATE_B, '''        for x, y in mini_batch:
            nabla_b, nabla_w = self.backprop(x, y)
            self.weights = [w - (eta / len(mini_batch)) * nw
                            for w, nw in zip(self.weights, nabla_w)]
            self.biases = [b - (eta / len(mini_batch)) * nb
                           for b, nb in zip(self.biases, nabla_b)]'''))
mk("bug_update_sign", "Planted bug: update_mini_batch adds the gradient.",
   (UPDATE_W, UPDATE_W.replace("w - (eta", "w + (eta")),
   (UPDATE_B, UPDATE_B.replace("b - (eta", "b + (eta")))

# --- equivalent variants: full marks
mk("variant_xrange", "Correct, ported from Python 2 except for xrange (the grader supplies "
   "xrange = range).",
   ("for j in range(epochs):", "for j in xrange(epochs):"),
   ("for l in range(2, self.num_layers):", "for l in xrange(2, self.num_layers):"))

# --- hostile
mk("hostile_autograd_import", "Hostile: imports the autograd package (HIPS autograd) to "
   "differentiate the cost.",
   ("import numpy as np\n", "import numpy as np\nimport autograd.numpy as anp\nfrom autograd import grad\n"))
mk("hostile_backprop_hang", "Hostile: Network.backprop never returns (update_mini_batch is graded "
   "with a correct one).",
   ("    def backprop(self, x, y):\n", "    def backprop(self, x, y):\n        while True:\n            pass\n"))
mk("hostile_exit_at_import", "Hostile: exits while the module is being loaded (in a class body).",
   ("class Network(object):\n", "class Network(object):\n    raise SystemExit(4)\n"))
mk("hostile_memory_hog", "Hostile: Network.feedforward allocates 32 GB.",
   ("    def feedforward(self, a):\n",
    "    def feedforward(self, a):\n        hog = np.ones((1 << 16, 1 << 16))\n"))
