"""Regenerate the nielsen2 (chapter 3) catalog variants from correct.py: one known change each.

Run from this directory: python make_variants.py (overwrites the generated files)."""
base = open("correct.py").read()
HEAD = base.split('"""')[1]


def mk(name, doc, *pairs):
    s = base.replace(HEAD, doc, 1)
    for old, new in pairs:
        assert old in s, (name, old)
        s = s.replace(old, new, 1)
    open(name + ".py", "w").write(s)


DECAY = "self.weights = [(1 - eta * (lmbda / n)) * w - (eta / len(mini_batch)) * nw"
BIAS = "self.biases = [b - (eta / len(mini_batch)) * nb"

# --- buggy: one known mistake each
mk("bug_ce_delta_sigma_prime", "CrossEntropyCost.delta keeps the quadratic cost's sigma'(z).",
   ("        return a - y\n", "        return (a - y) * sigmoid_prime(z)\n"))
mk("bug_quadratic_delta_no_sigma_prime", "QuadraticCost.delta forgets sigma'(z).",
   ("        return (a - y) * sigmoid_prime(z)\n", "        return a - y\n"))
mk("bug_backprop_extra_sigma_prime", "backprop ignores self.cost: the chapter 1 delta (a - y) sigma'(z).",
   ("delta = (self.cost).delta(zs[-1], activations[-1], y)",
    "delta = (activations[-1] - y) * sigmoid_prime(zs[-1])"))
mk("bug_no_weight_decay", "update_mini_batch drops the L2 weight decay.",
   (DECAY, "self.weights = [w - (eta / len(mini_batch)) * nw"))
mk("bug_decay_without_n", "update_mini_batch: weight decay (1 - eta*lmbda) without /n.",
   (DECAY, "self.weights = [(1 - eta * lmbda) * w - (eta / len(mini_batch)) * nw"))
mk("bug_decay_on_biases", "update_mini_batch decays the biases too.",
   (BIAS, "self.biases = [(1 - eta * (lmbda / n)) * b - (eta / len(mini_batch)) * nb"))
mk("bug_ce_fn_one_term", "CrossEntropyCost.fn keeps only the y ln a term.",
   ("np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a))", "np.nan_to_num(-y * np.log(a))"))
mk("bug_total_cost_no_half", "total_cost: the regularization term without the 1/2.",
   ("cost += 0.5 * (lmbda / len(data))", "cost += (lmbda / len(data))"))
mk("bug_init_unscaled", "default_weight_initializer without the 1/sqrt(n_in).",
   ("self.weights = [np.random.randn(n, p) / np.sqrt(p)\n",
    "self.weights = [np.random.randn(n, p)\n"))

# --- equivalent: full marks
mk("variant_equivalent", "Equivalent chapter 3 code: @, in-place decay, np.normal, no nan_to_num.",
   ("np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))",
    "-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a))"),
   ("self.weights = [np.random.randn(n, p) / np.sqrt(p)\n",
    "self.weights = [np.random.normal(0.0, 1.0 / np.sqrt(p), (n, p))\n"),
   (DECAY, "self.weights = [w * (1 - eta * lmbda / n) - eta * nw / len(mini_batch)"),
   ("z = np.dot(w, activation) + b", "z = w @ activation + b"),
   ("0.5 * np.linalg.norm(a - y) ** 2", "0.5 * float(np.sum((a - y) ** 2))"))
mk("variant_no_cost_kwarg", "Chapter 3 with the cost fixed in __init__ (recognized by lmbda).",
   ("def __init__(self, sizes, cost=CrossEntropyCost):", "def __init__(self, sizes):"),
   ("        self.cost = cost\n", "        self.cost = CrossEntropyCost\n"),
   ("net = Network(data[\"sizes\"], cost=cost)", "net = Network(data[\"sizes\"])\n    net.cost = cost"))
mk("variant_cost_instances", "Cost objects with instance methods: Network(sizes, cost=CrossEntropyCost()).",
   ("    @staticmethod\n    def fn(a, y):\n        \"\"\"-sum", "    def fn(self, a, y):\n        \"\"\"-sum"),
   ("    @staticmethod\n    def delta(z, a, y):\n        \"\"\"Output error for the cross",
    "    def delta(self, z, a, y):\n        \"\"\"Output error for the cross"),
   ("def __init__(self, sizes, cost=CrossEntropyCost):", "def __init__(self, sizes, cost=CrossEntropyCost()):"),
   ('"cost": str(self.cost.__name__)}', '"cost": type(self.cost).__name__}'),
   ("net = Network(data[\"sizes\"], cost=cost)", "net = Network(data[\"sizes\"], cost=cost())"))
