"""Regenerate the ng catalog variants from correct.py: one known change per file.

Run from this directory: python make_variants.py (overwrites the generated files)."""
import json
base = open("correct.py").read()
def mk(name, doc, *pairs, extra=""):
    s = base.replace('"""A correct solution of the ng assignment, written from the equations (columns layout)."""', f'"""{doc}"""')
    for old, new in pairs:
        assert old in s, (name, old)
        s = s.replace(old, new, 1)
    open(name + ".py", "w").write(s + extra)

# --- buggy: one known mistake each
mk("bug_missing_1_over_m", "linear_backward: dW without the 1/m (BP4).",
   ("dW = np.dot(dZ, A_prev.T) / m", "dW = np.dot(dZ, A_prev.T)"))
mk("bug_extra_1_over_m", "linear_backward: dA_prev divided by m (BP2).",
   ("dA_prev = np.dot(W.T, dZ)", "dA_prev = np.dot(W.T, dZ) / m"))
mk("bug_transposed", "linear_backward: dW transposed (BP4).",
   ("dW = np.dot(dZ, A_prev.T) / m", "dW = np.dot(A_prev, dZ.T) / m"))
mk("bug_wrong_axis", "linear_backward: db summed over the units axis (BP3).",
   ("db = np.sum(dZ, axis=1, keepdims=True) / m", "db = np.sum(dZ, axis=0, keepdims=True) / m"))
mk("bug_no_keepdims", "linear_backward: db is a rank-1 array (BP3).",
   ("db = np.sum(dZ, axis=1, keepdims=True) / m", "db = np.sum(dZ, axis=1) / m"))
mk("bug_wrong_sign", "L_model_backward: dAL with the wrong sign (BP1).",
   ("dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))", "dAL = np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)"))
mk("bug_derivative_of_a", "linear_activation_backward: sigma'(A) instead of sigma'(Z) (BP1).",
   ('''        dZ = sigmoid_backward(dA, activation_cache)''', '''        A = sigmoid(activation_cache)[0]
        dZ = sigmoid_backward(dA, A)'''))
mk("bug_cache_as_a", "sigmoid_backward: treats the cache Z as the activation A.",
   ('''    s = 1 / (1 + np.exp(-cache))
    return dA * s * (1 - s)''', '''    return dA * cache * (1 - cache)'''))
mk("bug_mutates_input", "relu_backward: zeroes dA in place instead of a copy.",
   ('''    dZ = np.array(dA, copy=True)
    dZ[cache <= 0] = 0''', '''    dZ = dA
    dZ[cache <= 0] = 0'''))
mk("bug_misnamed_keys", "L_model_backward: keys dw1.. instead of dW1.. .",
   ('grads["dW" + str(l + 1)] = dW', 'grads["dw" + str(l + 1)] = dW'))
mk("bug_unstable_sigmoid", "sigmoid: exp(z)/(1+exp(z)) overflows for large z.",
   ("return 1 / (1 + np.exp(-Z)), Z", "return np.exp(Z) / (1 + np.exp(Z)), Z"))
mk("bug_init_no_scale", "initialize_parameters_deep: randn without a small scale.",
   ("np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01", "np.random.randn(layer_dims[l], layer_dims[l - 1]) * 10"))
mk("bug_init_zeros", "initialize_parameters_deep: zeros, no symmetry breaking.",
   ("np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01", "np.zeros((layer_dims[l], layer_dims[l - 1]))"))
mk("bug_init_shape", "initialize_parameters_deep: W of shape (n_prev, n).",
   ("np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01", "np.random.randn(layer_dims[l - 1], layer_dims[l]) * 0.01"))
mk("bug_init_uniform", "initialize_parameters_deep: np.random.rand, uniform on [0, 1), unscaled.",
   ("np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01", "np.random.rand(layer_dims[l], layer_dims[l - 1])"))
mk("bug_init_uniform_scaled", "initialize_parameters_deep: np.random.rand * 0.01, every weight positive.",
   ("np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01", "np.random.rand(layer_dims[l], layer_dims[l - 1]) * 0.01"))
mk("bug_cost_inf", "compute_cost: divides by m - 1 (inf for one example).",
   ("(1 - Y) * np.log(1 - AL)) / m", "(1 - Y) * np.log(1 - AL)) / (m - 1)"))
mk("bug_cost_no_mean", "compute_cost: the 1/m is missing.",
   ("(1 - Y) * np.log(1 - AL)) / m", "(1 - Y) * np.log(1 - AL))"))
mk("bug_wrong_return", "linear_forward returns only Z, not (Z, cache).",
   ("    return Z, (A, W, b)", "    return Z"))
mk("bug_forward_no_bias", "linear_forward forgets the bias.",
   ("Z = np.dot(W, A) + b", "Z = np.dot(W, A)"))
mk("bug_update_plus", "update_parameters adds the gradient.",
   ('parameters["W" + str(l)] -= learning_rate', 'parameters["W" + str(l)] += learning_rate'))

# --- equivalent variants: full marks
mk("ok_init_xavier", "Equivalent (the application notebook): W scaled by 1/sqrt(n_prev).",
   ("np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01", "np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])"))
mk("ok_init_he", "Equivalent (He initialization): W scaled by sqrt(2/n_prev).",
   ("np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01", "np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2.0 / layer_dims[l - 1])"))
mk("ok_mean_matmul", "Equivalent: np.mean and the @ operator.",
   ("dW = np.dot(dZ, A_prev.T) / m", "dW = dZ @ A_prev.T / m"),
   ("db = np.sum(dZ, axis=1, keepdims=True) / m", "db = np.mean(dZ, axis=1, keepdims=True)"),
   ("dA_prev = np.dot(W.T, dZ)", "dA_prev = W.T @ dZ"),
   ("Z = np.dot(W, A) + b", "Z = W @ A + b"),
   ("cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m", "cost = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL), axis=1, keepdims=True)"))
mk("ok_float32", "Equivalent: float32 arithmetic.",
   ("dW = np.dot(dZ, A_prev.T) / m", "dZ = dZ.astype(np.float32); dW = np.dot(dZ, A_prev.T.astype(np.float32)) / m"),
   ("Z = np.dot(W, A) + b", "Z = np.dot(W.astype(np.float32), A.astype(np.float32)) + b.astype(np.float32)"),
   ("    s = 1 / (1 + np.exp(-cache))", "    s = 1 / (1 + np.exp(-cache.astype(np.float32)))"))
mk("ok_relu_ge", "Equivalent: ReLU derivative 1 at the kink (z >= 0).",
   ('''    dZ = np.array(dA, copy=True)
    dZ[cache <= 0] = 0
    return dZ''', '''    return dA * (cache >= 0)'''))
mk("ok_older_keys", "Equivalent: the older dA{l} key convention, in-place update.",
   ('''    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = \\''', '''    grads["dA" + str(L)], grads["dW" + str(L)], grads["db" + str(L)] = \\'''),
   ('''linear_activation_backward(grads["dA" + str(l + 1)], caches[l], "relu")
        grads["dA" + str(l)] = dA_prev''', '''linear_activation_backward(grads["dA" + str(l + 2)], caches[l], "relu")
        grads["dA" + str(l + 1)] = dA_prev'''),
   ("parameters = {k: v.copy() for k, v in params.items()}", "parameters = params"))
mk("ok_exit_toplevel", "Equivalent: a top-level sys.exit() (never run: only definitions are loaded).",
   ("np.random.seed(1)", "import sys\nnp.random.seed(1)\nsys.exit(3)"))

import re
s = base
for fn in ("sigmoid", "relu", "sigmoid_backward", "relu_backward"):
    s = re.sub(r"\ndef %s\(.*?(?=\n\n\ndef )" % fn, "", s, flags=re.S)
s = s.replace("from dnn_utils import load_data", "from dnn_utils import load_data, sigmoid, relu, sigmoid_backward, relu_backward")
s = s.replace('"""A correct solution of the ng assignment, written from the equations (columns layout)."""', '"""Equivalent: the course helpers come from dnn_utils (missing here: the grader supplies them)."""')
open("ok_helpers_from_dnn_utils.py", "w").write(s)

# --- hostile
mk("hostile_infinite_loop", "Hostile: linear_forward never returns.",
   ("    Z = np.dot(W, A) + b\n", "    while True:\n        pass\n"))
mk("hostile_ignore_sigterm", "Hostile: linear_backward ignores SIGTERM and loops.",
   ("    A_prev, W, b = cache\n", "    import signal\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    while True:\n        pass\n"))
mk("hostile_memory_hog", "Hostile: linear_backward allocates 32 GB.",
   ("    A_prev, W, b = cache\n", "    hog = np.ones((1 << 16, 1 << 16))\n    A_prev, W, b = cache\n"))
mk("hostile_exit_at_import", "Hostile: exits while the module is being loaded (in a class body).",
   ("\ndef sigmoid(Z):", "\nclass Boom:\n    import sys\n    sys.exit(3)\n\n\ndef sigmoid(Z):"))
mk("hostile_os_exit", "Hostile: compute_cost calls os._exit(0).",
   ("    m = Y.shape[1]\n    cost", "    import os\n    os._exit(0)\n    m = Y.shape[1]\n    cost"))
mk("hostile_segfault", "Hostile: linear_forward dereferences NULL through ctypes.",
   ("    Z = np.dot(W, A) + b\n", "    import ctypes\n    ctypes.string_at(0)\n    Z = np.dot(W, A) + b\n"))
mk("hostile_monkeypatch_numpy", "Hostile: patches numpy's comparison and saving functions, returns wrong values and a lying object.",
   ("    Z = np.dot(W, A) + b\n", "    np.allclose = lambda *a, **k: True\n    np.array_equal = lambda *a, **k: True\n    np.testing.assert_allclose = lambda *a, **k: None\n    np.isclose = lambda *a, **k: True\n    Z = np.zeros((W.shape[0], A.shape[1]))\n"),
   ("    return np.squeeze(cost)", "    class Liar(float):\n        def __eq__(self, other):\n            return True\n    return [Liar(0.0)]"))
mk("hostile_input_zeroing", "Hostile: linear_backward zeroes its inputs and returns zeros.",
   ("    A_prev, W, b = cache\n", "    A_prev, W, b = cache\n    dZ[...] = 0\n    A_prev[...] = 0\n    W[...] = 0\n"))
mk("hostile_torch_import", "Hostile: imports torch to get the gradients from autograd.",
   ("import numpy as np", "import numpy as np\nimport torch"))
mk("hostile_torch_dynamic", "Hostile: imports torch under a computed name inside a function.",
   ("    Z = np.dot(W, A) + b\n", "    mod = __import__('tor' + 'ch')\n    Z = np.dot(W, A) + b\n"))
mk("hostile_grader_import", "Hostile: imports the grader's own NumPy backprop.",
   ("import numpy as np", "import numpy as np\nfrom manual import Network"))
mk("hostile_huge_output", "Hostile: L_model_forward prints 50 MB (the output is truncated; the function still passes).",
   ("    caches = []\n", "    for _ in range(50000):\n        print('x' * 1000)\n    caches = []\n"))
mk("hostile_orphan", "Hostile: update_parameters leaves a sleeping child process behind.",
   ("    parameters = {k: v.copy() for k, v in params.items()}\n", "    import os\n    pid = os.fork()\n    if pid == 0:\n        os.execv(__import__('sys').executable, ['sleep', '-Ic', 'import time; time.sleep(313)'])\n    print('ORPHAN', pid, flush=True)\n    parameters = {k: v.copy() for k, v in params.items()}\n"))
open("hostile_syntax_error.py", "w").write(base.replace("def relu(Z):", "def relu(Z)", 1))
mk("bug_uses_missing_helper", "compute_cost relies on a course helper module the grader does not have.",
   ("from dnn_utils import load_data", "from dnn_utils import load_data, cross_entropy"),
   ("    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m", "    cost = cross_entropy(AL, Y) / m"))
mk("hostile_load_hang", "Hostile: loading never finishes (a loop in a class body).",
   ("\ndef sigmoid(Z):", "\nclass Spin:\n    while True:\n        pass\n\n\ndef sigmoid(Z):"))
mk("hostile_frame_forger", "Hostile: linear_forward writes fake frames into the grader's result pipe (to restart its clock), then returns.",
   ("    Z = np.dot(W, A) + b\n", "    import os, sys, time\n    fd = int(sys.argv[2])\n    for i in range(160):\n        os.write(fd, b'L' + (i % 16).to_bytes(4, 'little'))\n        time.sleep(0.05)\n    Z = np.dot(W, A) + b\n"))
