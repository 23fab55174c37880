"""Regenerate the ng-c2w1 catalog variants from correct.py: one known change per file, and
the three notebooks as .ipynb files (each alone: the others' functions are supplied).

Run from this directory: python make_variants.py (overwrites the generated files)."""
import json

base = open("correct.py").read()
DOC = base[:base.index('"""', 3) + 3]   # correct.py's module docstring


def mk(name, doc, *pairs, source=None):
    s = (source or base).replace(DOC, f'"""{doc}"""', 1)
    for old, new in pairs:
        assert old in s, (name, old)
        s = s.replace(old, new, 1)
    open(name + ".py", "w").write(s)
    return s


def section(title):
    """The functions of one notebook of correct.py (between its '# --- title' lines)."""
    start = base.index(f"# --- {title}")
    end = base.find("# --- ", start + 6)
    return base[start:end if end > 0 else len(base)].split("\n", 1)[1].strip() + "\n"


def cells(text):
    """One code cell per top-level function (the notebook's layout)."""
    parts = text.split("\n\n\ndef ")
    return [parts[0].strip() + "\n"] + ["def " + p.strip() + "\n" for p in parts[1:]]


def notebook(name, first, code_cells, outputs=()):
    """An .ipynb (nbformat 4) of a first import cell and the code cells; committed outputs
    (never trusted) on the cells listed."""
    nb_cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"# {name}"]}]
    for i, src in enumerate([first] + code_cells):
        out = [{"output_type": "stream", "name": "stdout", "text": ["All tests passed.\n"]}] \
            if i in outputs else []
        nb_cells.append({"cell_type": "code", "execution_count": i + 1, "metadata": {},
                         "outputs": out, "source": src.splitlines(keepends=True)})
    nb = {"cells": nb_cells, "metadata": {"kernelspec": {"name": "python3",
                                                         "display_name": "Python 3"}},
          "nbformat": 4, "nbformat_minor": 4}
    with open(name + ".ipynb", "w") as f:
        json.dump(nb, f, indent=1)


# --- buggy: one known mistake each (seen in public submissions)
mk("bug_he_xavier", "Planted bug: He initialization scaled by sqrt(1/n_prev) (Xavier's).",
   ("np.sqrt(2.0 / layers_dims[l - 1])", "np.sqrt(1.0 / layers_dims[l - 1])"))
mk("bug_he_this_layer", "Planted bug: He initialization scaled by this layer's size.",
   ("np.sqrt(2.0 / layers_dims[l - 1])", "np.sqrt(2.0 / layers_dims[l])"))
mk("bug_he_two_over_sqrt", "Planted bug: He's scale written 2 / sqrt(n_prev).",
   ("np.sqrt(2.0 / layers_dims[l - 1])", "2.0 / np.sqrt(layers_dims[l - 1])"))
mk("bug_random_unscaled", "Planted bug: initialize_parameters_random forgets the * 10.",
   ("layers_dims[l - 1]) * 10", "layers_dims[l - 1])"))
mk("bug_zeros_int", "Planted bug: initialize_parameters_zeros makes integer zeros.",
   ("np.zeros((layers_dims[l], layers_dims[l - 1]))",
    "np.zeros((layers_dims[l], layers_dims[l - 1]), dtype=int)"))
mk("bug_cost_lambd_over_m", "Planted bug: the L2 cost is lambd/m (the 1/2 forgotten).",
   ("* lambd / (2 * m)", "* lambd / m"))
mk("bug_cost_last_layer", "Planted bug: W3 left out of the L2 cost.",
   ("(np.sum(np.square(W1)) + np.sum(np.square(W2))\n"
    "                              + np.sum(np.square(W3)))",
    "(np.sum(np.square(W1)) + np.sum(np.square(W2)))"))
mk("bug_reg_backward_half", "Planted bug: the L2 gradient is lambd/(2m) W (the cost's 1/2 "
   "kept).",
   ("+ lambd / m * W3", "+ lambd / (2 * m) * W3"), ("+ lambd / m * W2", "+ lambd / (2 * m) * W2"),
   ("+ lambd / m * W1", "+ lambd / (2 * m) * W1"))
mk("bug_reg_backward_last_layer", "Planted bug: dW3 without the L2 term.",
   ("dW3 = 1. / m * np.dot(dZ3, A2.T) + lambd / m * W3", "dW3 = 1. / m * np.dot(dZ3, A2.T)"))
mk("bug_dropout_not_rescaled", "Planted bug: forward dropout does not divide by keep_prob.",
   ("    A1 = A1 / keep_prob\n", ""))
mk("bug_dropout_mask_inverted", "Planted bug: the masks keep a unit when rand > keep_prob.",
   ("D1 = (D1 < keep_prob).astype(int)", "D1 = (D1 > keep_prob).astype(int)"),
   ("D2 = (D2 < keep_prob).astype(int)", "D2 = (D2 > keep_prob).astype(int)"))
mk("bug_dropout_second_mask_inverted", "Planted bug: the second layer's mask keeps a unit "
   "when rand > keep_prob (a copy-paste slip on one layer: pooled with D1 its share hides).",
   ("D2 = (D2 < keep_prob).astype(int)", "D2 = (D2 > keep_prob).astype(int)"))
mk("bug_dropout_output_layer", "Planted bug: dropout applied to the output A3 too.",
   ("    A3 = sigmoid(Z3)\n    cache = (Z1, D1",
    "    A3 = sigmoid(Z3)\n    D3 = np.random.rand(A3.shape[0], A3.shape[1]) < keep_prob\n"
    "    A3 = A3 * D3 / keep_prob\n    cache = (Z1, D1"))
mk("bug_dropout_backward_no_scale", "Planted bug: the backward with dropout forgets "
   "/ keep_prob.",
   ("    dA2 = dA2 / keep_prob\n", ""), ("    dA1 = dA1 / keep_prob\n", ""))
mk("bug_backward_theta", "Planted bug: the 1-D backward_propagation returns theta.",
   ("    dtheta = x\n", "    dtheta = theta\n"))
mk("bug_gradcheck_not_copied", "Planted bug: gradient_check_n's thetaplus and thetaminus are "
   "the parameters vector itself (not copied).",
   ("theta_plus = np.copy(parameters_values)", "theta_plus = parameters_values"),
   ("theta_minus = np.copy(parameters_values)", "theta_minus = parameters_values"))
mk("bug_gradcheck_norm_difference", "Planted bug: gradient_check_n's numerator is a "
   "difference of norms.",
   ("    numerator = np.linalg.norm(grad - gradapprox)\n"
    "    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n"
    "    difference = numerator / denominator\n    if print_msg:\n        if difference > 2e-7:"
    "\n            print(\"\\033[93m\" + \"There is a mistake in the backward propagation! "
    "difference = \"\n                  + str(difference) + \"\\033[0m\")\n        else:\n"
    "            print(\"\\033[92m\" + \"Your backward propagation works perfectly fine! "
    "difference = \"\n                  + str(difference) + \"\\033[0m\")\n    return "
    "difference\n\n\ndef forward_propagation_n",
    "    numerator = np.linalg.norm(grad - gradapprox)\n"
    "    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n"
    "    difference = numerator / denominator\n    return difference\n\n\n"
    "def forward_propagation_n"),
   ("    numerator = np.linalg.norm(grad - gradapprox)\n    denominator = np.linalg.norm(grad)"
    " + np.linalg.norm(gradapprox)\n    difference = numerator / denominator\n    if print_msg",
    "    numerator = abs(np.linalg.norm(grad) - np.linalg.norm(gradapprox))\n"
    "    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n"
    "    difference = numerator / denominator\n    if print_msg"))
mk("bug_gradcheck_half_epsilon", "Planted bug: gradient_check divides by epsilon, not "
   "2 epsilon.",
   ("gradapprox = (J_plus - J_minus) / (2 * epsilon)\n    grad = backward",
    "gradapprox = (J_plus - J_minus) / epsilon\n    grad = backward"))
mk("bug_gradcheck_precedence", "Planted bug: gradient_check_n divides by 2 then multiplies "
   "by epsilon (operator precedence).",
   ("gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)",
    "gradapprox[i] = (J_plus[i] - J_minus[i]) / 2 * epsilon"))
mk("stub_regularization", "Not done yet: the L2 cost's placeholder is still None.",
   ("    L2_regularization_cost = (np.sum(np.square(W1)) + np.sum(np.square(W2))\n"
    "                              + np.sum(np.square(W3))) * lambd / (2 * m)\n",
    "    L2_regularization_cost = None\n"))

# --- harmless: right answers written another way
mk("variant_in_place", "Equivalent: gradient_check_n moves one shared vector in place and "
   "back, He's scale divides, the random draw is np.random.normal, the backward works on "
   "its arrays in place, the masks are boolean.",
   ("    for i in range(num_parameters):\n        theta_plus = np.copy(parameters_values)\n"
    "        theta_plus[i] = theta_plus[i] + epsilon\n"
    "        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))\n"
    "        theta_minus = np.copy(parameters_values)\n"
    "        theta_minus[i] = theta_minus[i] - epsilon\n"
    "        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))\n",
    "    theta = np.copy(parameters_values)\n    for i in range(num_parameters):\n"
    "        old = theta[i, 0]\n        theta[i, 0] = old + epsilon\n"
    "        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta))\n"
    "        theta[i, 0] = old - epsilon\n"
    "        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta))\n"
    "        theta[i, 0] = old\n"),
   ("scale = np.sqrt(2.0 / layers_dims[l - 1])", "scale = 1 / np.sqrt(layers_dims[l - 1] / 2.0)"),
   ("np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10",
    "np.random.normal(0.0, 10.0, size=(layers_dims[l], layers_dims[l - 1]))"),
   ("    dA2 = dA2 * D2\n    dA2 = dA2 / keep_prob\n", "    dA2 *= D2\n    dA2 /= keep_prob\n"),
   ("    dA1 = dA1 * D1\n    dA1 = dA1 / keep_prob\n", "    dA1 *= D1\n    dA1 /= keep_prob\n"),
   ("D1 = (D1 < keep_prob).astype(int)", "D1 = D1 < keep_prob"),
   ("D2 = (D2 < keep_prob).astype(int)", "D2 = D2 < keep_prob"))
mk("variant_older", "Equivalent: the older notebook: checkers that always print and return "
   "the difference, thetaplus[i][0], forward_propagation inlined in gradient_check.",
   ("def gradient_check(x, theta, epsilon=1e-7, print_msg=False):",
    "def gradient_check(x, theta, epsilon = 1e-7):"),
   ("    J_plus = forward_propagation(x, theta_plus)\n"
    "    J_minus = forward_propagation(x, theta_minus)\n",
    "    J_plus = theta_plus * x\n    J_minus = theta_minus * x\n"),
   ("    difference = numerator / denominator\n    if print_msg:\n        if difference > 2e-7:"
    "\n            print(\"\\033[93m\" + \"There is a mistake in the backward propagation! "
    "difference = \"\n                  + str(difference) + \"\\033[0m\")\n        else:\n"
    "            print(\"\\033[92m\" + \"Your backward propagation works perfectly fine! "
    "difference = \"\n                  + str(difference) + \"\\033[0m\")\n",
    "    difference = numerator / denominator\n    if difference < 1e-7:\n"
    "        print(\"The gradient is correct!\")\n    else:\n"
    "        print(\"The gradient is wrong!\")\n"),
   ("def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):",
    "def gradient_check_n(parameters, gradients, X, Y, epsilon = 1e-7):"),
   ("theta_plus[i] = theta_plus[i] + epsilon", "theta_plus[i][0] = theta_plus[i][0] + epsilon"),
   ("theta_minus[i] = theta_minus[i] - epsilon",
    "theta_minus[i][0] = theta_minus[i][0] - epsilon"),
   ("    if print_msg:\n        if difference > 2e-7:\n            print(\"\\033[93m\" + \"There "
    "is a mistake in the backward propagation! difference = \"\n                  + "
    "str(difference) + \"\\033[0m\")\n        else:\n            print(\"\\033[92m\" + \"Your "
    "backward propagation works perfectly fine! difference = \"\n                  + "
    "str(difference) + \"\\033[0m\")\n    return difference\n",
    "    if difference > 1e-7:\n        print(\"There is a mistake in the backward propagation! "
    "difference = \" + str(difference))\n    else:\n        print(\"Your backward propagation "
    "works perfectly fine! difference = \" + str(difference))\n    return difference\n"))

mk("variant_module_calls", "Equivalent: the course's modules imported whole and called "
   "through them (reg_utils.relu, reg_utils.compute_cost, gc_utils.dictionary_to_vector).",
   ("from reg_utils import compute_cost, relu, sigmoid\n"
    "from gc_utils import dictionary_to_vector, vector_to_dictionary, gradients_to_vector\n",
    "import reg_utils\nimport gc_utils\n"),
   ("cross_entropy_cost = compute_cost(A3, Y)", "cross_entropy_cost = reg_utils.compute_cost(A3, Y)"),
   ("    A1 = relu(Z1)\n    D1", "    A1 = reg_utils.relu(Z1)\n    D1"),
   ("    A2 = relu(Z2)\n    D2", "    A2 = reg_utils.relu(Z2)\n    D2"),
   ("    A3 = sigmoid(Z3)\n    cache = (Z1, D1", "    A3 = reg_utils.sigmoid(Z3)\n    cache = (Z1, D1"),
   ("    parameters_values, _ = dictionary_to_vector(parameters)\n"
    "    grad = gradients_to_vector(gradients)\n",
    "    parameters_values, _ = gc_utils.dictionary_to_vector(parameters)\n"
    "    grad = gc_utils.gradients_to_vector(gradients)\n"),
   ("forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))",
    "forward_propagation_n(X, Y, gc_utils.vector_to_dictionary(theta_plus))"),
   ("forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))",
    "forward_propagation_n(X, Y, gc_utils.vector_to_dictionary(theta_minus))"))

# --- only one notebook handed in: the others' functions are supplied
mk("partial_initialization", "Only the Initialization notebook's functions.",
   source=DOC + "\nimport numpy as np\n\n\n" + section("Initialization"))

# --- the three notebooks, each alone, as .ipynb (cells in order, a function redefined in a
# later cell wins, committed outputs never trusted)
notebook("notebook_initialization",
         "import numpy as np\nimport matplotlib.pyplot as plt\nimport sklearn\n"
         "from init_utils import sigmoid, relu, compute_loss, forward_propagation, "
         "backward_propagation\nfrom init_utils import update_parameters, predict, "
         "load_dataset, plot_decision_boundary, predict_dec\n%matplotlib inline\n",
         cells(section("Initialization")) + ["parameters = initialize_parameters_he([2, 4, 1])"
                                             "\nprint(parameters)\n"], outputs=(1, 2, 3))
# reg_utils' own forward_propagation(X, parameters), copied into the notebook: a name the
# Gradient Checking notebook grades (its 1-D J = θx), here not that notebook's
COPIED_FORWARD = ("def forward_propagation(X, parameters):\n    a = X\n"
                  "    for l in (1, 2, 3):\n"
                  "        z = np.dot(parameters['W' + str(l)], a) + parameters['b' + str(l)]\n"
                  "        a = sigmoid(z) if l == 3 else relu(z)\n    return a, None\n")
wrong_first = section("Regularization").replace("* lambd / (2 * m)", "* lambd / m", 1)
notebook("notebook_regularization",
         "import numpy as np\nimport matplotlib.pyplot as plt\n"
         "from reg_utils import sigmoid, relu, plot_decision_boundary, initialize_parameters, "
         "load_2D_dataset, predict_dec\nfrom reg_utils import compute_cost, predict, "
         "forward_propagation, backward_propagation, update_parameters\nimport sklearn\n"
         "from testCases import *\nfrom public_tests import *\n",
         [COPIED_FORWARD] + cells(wrong_first)[:1] + cells(section("Regularization")),
         outputs=(1, 2))
notebook("notebook_gradient_checking",
         "import numpy as np\nfrom testCases import *\nfrom public_tests import *\n"
         "from gc_utils import sigmoid, relu, dictionary_to_vector, vector_to_dictionary, "
         "gradients_to_vector\n",
         cells(section("Gradient Checking")), outputs=(3, 4))

# --- hostile
mk("hostile_torch_import", "Hostile: gradient_check_n gets its gradients from torch.",
   ("import numpy as np\n", "import numpy as np\nimport torch\n"))
mk("hostile_backward_hang", "Hostile: backward_propagation_with_dropout never returns.",
   ("    dZ3 = A3 - Y\n    dW3 = 1. / m * np.dot(dZ3, A2.T)\n",
    "    while True:\n        pass\n    dZ3 = A3 - Y\n    dW3 = 1. / m * np.dot(dZ3, A2.T)\n"))
mk("hostile_os_exit", "Hostile: initialize_parameters_he calls os._exit(0).",
   ("    L = len(layers_dims) - 1\n", "    import os\n    os._exit(0)\n"
                                   "    L = len(layers_dims) - 1\n"))
mk("hostile_helper_theft", "Hostile: gradient_check_n asks the grader's helper channel for "
   "the 1-D functions (answered to gradient_check only) instead of computing.",
   ("    parameters_values, _ = dictionary_to_vector(parameters)\n",
    "    import sys\n    frame = sys._getframe(1)\n    while frame is not None:\n"
    "        factory = frame.f_globals.get('helper')\n"
    "        for call in getattr(factory, '__globals__', {}).get('_channel') or []:\n"
    "            try:\n"
    "                return call('ng_c2.backward_propagation', (1.0, 2.0), {})\n"
    "            except Exception as exc:\n"
    "                print('refused:', type(exc).__name__, exc)\n"
    "        frame = frame.f_back\n"
    "    raise RuntimeError('no answer found')\n"
    "    parameters_values, _ = dictionary_to_vector(parameters)\n"))
mk("variant_own_cache", "Equivalent: the forward with dropout caches its own layout, a dict "
   "holding the masks, and the backward reads that layout.",
   ("    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)\n    return A3, cache",
    "    cache = {'A': (X, A1, A2, A3), 'W': (W1, W2, W3), 'D': (D1, D2)}\n"
    "    return A3, cache"),
   ("    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache\n    dZ3 = A3 - Y\n"
    "    dW3 = 1. / m * np.dot(dZ3, A2.T)\n    db3",
    "    _, A1, A2, A3 = cache['A']\n    W1, W2, W3 = cache['W']\n    D1, D2 = cache['D']\n"
    "    dZ3 = A3 - Y\n    dW3 = 1. / m * np.dot(dZ3, A2.T)\n    db3"))
# --- hostile checkers: full marks for a checker that checks nothing, unless the grader
# blinds which gradient is the right one (each must fail a gradient_check* judge)
GC_N_HEAD = "    parameters_values, _ = dictionary_to_vector(parameters)\n"
GC_1D_HEAD = "    theta_plus = theta + epsilon\n"
mk("hostile_checker_reads_frame", "Hostile: the checkers walk up to the grader's probe "
   "frame, find the right gradient among its inputs and compare with it (no gradapprox).",
   (GC_1D_HEAD,
    "    import sys\n    frame = sys._getframe(1)\n    while frame is not None:\n"
    "        inputs = frame.f_locals.get('inputs')\n"
    "        if isinstance(inputs, dict) and 'wrong' in inputs:\n"
    "            return 0.0 if backward_propagation(x, theta) == x else 1.0\n"
    "        frame = frame.f_back\n    return 0.0\n" + GC_1D_HEAD),
   (GC_N_HEAD,
    "    import sys\n    frame = sys._getframe(1)\n    while frame is not None:\n"
    "        inputs = frame.f_locals.get('inputs')\n"
    "        if isinstance(inputs, dict) and 'wrong' in inputs:\n"
    "            right = gradients_to_vector(inputs['gradients'])\n"
    "            return float(np.abs(gradients_to_vector(gradients) - right).max() > 0)\n"
    "        frame = frame.f_back\n    return 0.0\n" + GC_N_HEAD))
mk("hostile_checker_first_call", "Hostile: the checkers say 'right' on their first call and "
   "'wrong' on every later one (the right gradient used to come first).",
   (GC_1D_HEAD, "    _calls.append(x)\n    return 0.0 if len(_calls) % 4 == 1 else 1.0\n"
    + GC_1D_HEAD),
   (GC_N_HEAD, "    _calls.append(X)\n    return 0.0 if len(_calls) % 4 == 1 else 1.0\n"
    + GC_N_HEAD),
   ("import numpy as np\n", "import numpy as np\n\n_calls = []\n"))
mk("hostile_checker_reads_plant", "Hostile: gradient_check reads the planted "
   "backward_propagation's own parameters (its defaults, its closure) instead of "
   "computing gradapprox.",
   (GC_1D_HEAD,
    "    planted = backward_propagation.__defaults__ or ()\n"
    "    cells = [c.cell_contents for c in backward_propagation.__closure__ or ()]\n"
    "    if tuple(planted) == (1.0, 0.0):\n        return 0.0\n"
    "    if planted:\n        return 1.0\n"
    "    return 0.0 if len(cells) < 2 or cells[0] == cells[1] else 1.0\n" + GC_1D_HEAD))
mk("hostile_dropout_masks_not_applied", "Hostile: forward_propagation_with_dropout caches "
   "masks of the right rate other than the ones it applied (a fresh draw): the masks are "
   "judged by the A3 they give.",
   ("    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)\n    return A3, cache",
    "    D1 = (np.random.rand(*D1.shape) < keep_prob).astype(int)\n"
    "    D2 = (np.random.rand(*D2.shape) < keep_prob).astype(int)\n"
    "    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)\n    return A3, cache"))
mk("hostile_wide_cache", "Hostile: forward_propagation_with_dropout returns a cache of 64 x "
   "64 lists of numbers for the grader to search for masks (its work stays bounded).",
   ("    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)\n    return A3, cache",
    "    cache = [[[0.5] * 10 for _ in range(64)] for _ in range(64)]\n    return A3, cache"))
mk("hostile_init_small_layers_nan", "Hostile: initialize_parameters_he is right on the large "
   "layers the draw's statistics are judged on, and NaN on the small ones.",
   ("        scale = np.sqrt(2.0 / layers_dims[l - 1])\n",
    "        scale = np.sqrt(2.0 / layers_dims[l - 1])\n"
    "        if layers_dims[l] * layers_dims[l - 1] < 1000:\n            scale = np.nan\n"))
mk("hostile_init_small_layers_unscaled", "Hostile: initialize_parameters_he scales only the "
   "large layers the draw's statistics are judged on; the small ones are unscaled randn.",
   ("        scale = np.sqrt(2.0 / layers_dims[l - 1])\n",
    "        scale = np.sqrt(2.0 / layers_dims[l - 1])\n"
    "        if layers_dims[l] * layers_dims[l - 1] < 1000:\n            scale = 1.0\n"))
