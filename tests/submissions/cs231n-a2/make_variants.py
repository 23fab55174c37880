"""Regenerate the cs231n-a2 catalog variants from correct.py: one known change per file.

Run from this directory: python make_variants.py (overwrites the generated files)."""
base = open("correct.py").read()
DOC = base[:base.index('"""', 3) + 3]   # correct.py's module docstring


def mk(name, doc, *pairs):
    s = base.replace(DOC, f'"""{doc}"""', 1)
    for old, new in pairs:
        assert old in s, (name, old)
        s = s.replace(old, new, 1)
    open(name + ".py", "w").write(s)


# --- buggy: one known mistake each
mk("bug_affine_dx_not_reshaped", "Planted bug: affine_backward returns dx flattened (N, D).",
   ("dx = dout.dot(w.T).reshape(x.shape)", "dx = dout.dot(w.T)"))
mk("bug_relu_no_mask", "Planted bug: relu_backward passes dout through unmasked.",
   ("dx = dout * (x > 0)", "dx = dout"))
mk("bug_softmax_no_mean", "Planted bug: softmax_loss's dx is not divided by N.",
   ("    dx /= N\n    return loss, dx\n\n\ndef svm_loss", "    return loss, dx\n\n\ndef svm_loss"))
mk("bug_svm_counts_correct_class", "Planted bug: svm_loss sums the margins before zeroing "
   "the correct class's (each adds 1 to the loss).",
   ("    margins[np.arange(N), y] = 0\n    loss = np.sum(margins) / N\n",
    "    loss = np.sum(margins) / N\n    margins[np.arange(N), y] = 0\n"))
mk("bug_batchnorm_momentum_swapped", "Planted bug: the running averages weigh the batch by "
   "momentum (momentum and 1 - momentum swapped).",
   ("running_mean = momentum * running_mean + (1 - momentum) * sample_mean",
    "running_mean = (1 - momentum) * running_mean + momentum * sample_mean"),
   ("running_var = momentum * running_var + (1 - momentum) * sample_var",
    "running_var = (1 - momentum) * running_var + momentum * sample_var"))
mk("bug_batchnorm_test_batch_stats", "Planted bug: test mode normalizes with the batch's "
   "statistics instead of the running averages.",
   ("x_hat = (x - running_mean) / np.sqrt(running_var + eps)",
    "x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)"))
mk("bug_batchnorm_alt_no_mean_terms", "Planted bug: batchnorm_backward_alt leaves out the "
   "mean and variance terms (dx = dout * gamma / std).",
   ("dx = (gamma / (N * std)) * (N * dout - dbeta - x_hat * dgamma)", "dx = dout * gamma / std"))
mk("bug_layernorm_dbeta_averaged", "Planted bug: layernorm_backward averages dbeta over the "
   "batch.",
   ("    dbeta = dout.sum(axis=0)\n    dgamma = np.sum(dout * x_hat, axis=0)\n    dx_hat = dout "
    "* gamma\n    dx = (D", "    dbeta = dout.mean(axis=0)\n    dgamma = np.sum(dout * x_hat, "
    "axis=0)\n    dx_hat = dout * gamma\n    dx = (D"))
mk("bug_dropout_drop_probability", "Planted bug: dropout keeps a unit with probability 1 - p "
   "(the 2017 convention, p the drop probability) in a keep-probability skeleton.",
   ("mask = (np.random.rand(*x.shape) < p) / p", "mask = (np.random.rand(*x.shape) >= p) / (1 - p)"))
mk("bug_dropout_backward_no_scale", "Planted bug: dropout_backward uses the 0/1 mask without "
   "the 1/p.",
   ("dx = dout * mask", "dx = dout * (mask > 0)"))
mk("bug_conv_pad_ignored_in_dx", "Planted bug: conv_backward_naive crops dx as if the padding "
   "were 1.",
   ("dx = dx_pad[:, :, pad:pad + H, pad:pad + W]", "dx = dx_pad[:, :, 1:1 + H, 1:1 + W]"))
mk("bug_conv_stride_ignored", "Planted bug: conv_backward_naive steps its windows by 1 "
   "whatever the stride.",
   ("hs, ws = i * stride, j * stride", "hs, ws = i, j"))
mk("bug_maxpool_square_window", "Planted bug: max pooling uses pool_height for both sides.",
   ('ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]'
    '\n    N, C, H, W = x.shape',
    'ph, pw, stride = pool_param["pool_height"], pool_param["pool_height"], '
    'pool_param["stride"]\n    N, C, H, W = x.shape'))
mk("bug_spatial_batchnorm_unmoved_reshape", "Planted bug: spatial batch norm reshapes "
   "(N, C, H, W) to (-1, C) without moving the channels last.",
   ("flat = x.transpose(0, 2, 3, 1).reshape(-1, C)", "flat = x.reshape(-1, C)"),
   ("out = out.reshape(N, H, W, C).transpose(0, 3, 1, 2)", "out = out.reshape(N, C, H, W)"))

# --- buggy nets (classifiers/fc_net.py): the layers are right, the net is not
mk("bug_net_l2_skips_last_layer", "Planted bug: FullyConnectedNet's L2 term and its gradient "
   "leave out the last layer's weights.",
   ("for i in range(1, L + 1):\n            W = self.params", "for i in range(1, L):\n"
    "            W = self.params"),
   ('grads["W%d" % L] = dW + self.reg * self.params["W%d" % L]', 'grads["W%d" % L] = dW'))
mk("bug_net_l2_no_half", "Planted bug: FullyConnectedNet's L2 term without the factor 0.5 "
   "(its gradient reg·W is the 0.5 convention's).",
   ("loss += 0.5 * self.reg * np.sum(W * W)", "loss += self.reg * np.sum(W * W)"))
mk("bug_net_reg_gradient_missing", "Planted bug: FullyConnectedNet's gradients leave out the "
   "L2 term's reg·W (the loss has it).",
   ('grads["W%d" % L] = dW + self.reg * self.params["W%d" % L]', 'grads["W%d" % L] = dW'),
   ('grads["W%d" % i] = dW + self.reg * self.params["W%d" % i]', 'grads["W%d" % i] = dW'))
mk("bug_net_dropout_after_last_layer", "Planted bug: FullyConnectedNet applies dropout to the "
   "scores too (after the last affine layer).",
   ('scores, caches[L] = affine_forward(h, self.params["W%d" % L], self.params["b%d" % L])\n',
    'scores, caches[L] = affine_forward(h, self.params["W%d" % L], self.params["b%d" % L])\n'
    '        if self.use_dropout:\n'
    '            scores, last_cache = dropout_forward(scores, self.dropout_param)\n'),
   ("loss, dout = softmax_loss(scores, y)\n", "loss, dout = softmax_loss(scores, y)\n"
    "        if self.use_dropout:\n            dout = dropout_backward(dout, last_cache)\n"))
mk("bug_net_norm_params_not_in_grads", "Planted bug: FullyConnectedNet computes dgamma and "
   "dbeta but leaves them out of grads.",
   ('                grads["gamma%d" % i] = dgamma\n                grads["beta%d" % i] = dbeta\n',
    ""))
mk("bug_net_layernorm_uses_batchnorm", "Planted bug: the net's layer-norm path runs batch "
   "norm (any normalization goes through batchnorm_forward).",
   ('    if normalization == "batchnorm":\n        a, norm_cache', '    if normalization:\n'
    '        a, norm_cache'),
   ('    if normalization == "batchnorm":\n        da, dgamma', '    if normalization:\n'
    '        da, dgamma'),
   ('self.bn_params = [{} for i in range(self.num_layers - 1)]',
    'self.bn_params = [{"mode": "train"} for i in range(self.num_layers - 1)]'))
mk("bug_net_l2_on_every_param", "Planted bug: FullyConnectedNet's L2 term sums the squares "
   "of every parameter (the biases too), not only the weights.",
   ('for i in range(1, L + 1):\n            W = self.params["W%d" % i]\n'
    '            loss += 0.5 * self.reg * np.sum(W * W)',
    'for W in self.params.values():\n            loss += 0.5 * self.reg * np.sum(W * W)'))
mk("bug_two_layer_reg_gradient_missing", "Planted bug: TwoLayerNet's grads['W1'] leaves out "
   "reg·W1.",
   ('        grads["W1"] += self.reg * W1\n', ""))

# --- harmless: right answers written another way
mk("variant_in_place", "Equivalent: the upstream gradient modified in place (relu, dropout) "
   "and batchnorm_backward_alt from the staged graph.",
   ("dx = dout * (x > 0)", "dout[x <= 0] = 0\n    dx = dout"),
   ("dx = dout * mask", "dout *= mask\n        dx = dout"),
   ("dx = (gamma / (N * std)) * (N * dout - dbeta - x_hat * dgamma)",
    "dx = batchnorm_backward(dout, cache)[0]"))
mk("variant_dropout_2017", "Equivalent: the 2017 skeleton's dropout, whose docstring says p "
   "is the probability of dropping a unit.",
   ('"""Inverted dropout. dropout_param: p (keep probability), mode, seed."""',
    '"""\n    Performs the forward pass for (inverted) dropout.\n\n    Inputs:\n    - x: Input '
    'data, of any shape\n    - dropout_param: A dictionary with the following keys:\n      - p: '
    'Dropout parameter. We drop each neuron output with probability p.\n      - mode: \'test\' '
    'or \'train\'.\n    """'),
   ("mask = (np.random.rand(*x.shape) < p) / p", "mask = (np.random.rand(*x.shape) >= p) / (1 - p)"))

mk("variant_net_2017", "Equivalent: the 2016-17 net: use_batchnorm=, dropout= the drop "
   "probability (default 0), the skeleton's own `bn_param[mode] = mode` (test mode on the "
   "batch's statistics), and the layers' dropout in that convention.",
   ("dropout_keep_ratio=1, normalization=None, reg=0.0,",
    "dropout=0, use_batchnorm=False, reg=0.0,"),
   ('"""dropout_keep_ratio: if 1 the network does not use dropout at all."""',
    '"""dropout: if dropout=0 then the network should not use dropout at all."""'),
   ("self.normalization = normalization\n        self.use_dropout = dropout_keep_ratio != 1",
    'self.normalization = "batchnorm" if use_batchnorm else None\n'
    "        self.use_dropout = dropout > 0"),
   ('self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}',
    'self.dropout_param = {"mode": "train", "p": dropout}'),
   ('bn_param["mode"] = mode', "bn_param[mode] = mode"),
   ('"""Inverted dropout. dropout_param: p (keep probability), mode, seed."""',
    '"""\n    Inputs:\n    - dropout_param: A dictionary with the following keys:\n      - p: '
    'Dropout parameter. We drop each neuron output with probability p.\n    """'),
   ("mask = (np.random.rand(*x.shape) < p) / p", "mask = (np.random.rand(*x.shape) >= p) / (1 - p)"))
mk("variant_net_2018", "Equivalent: the 2018-19 net: normalization=, dropout= the keep "
   "probability (default 1).",
   ("dropout_keep_ratio=1, normalization=None, reg=0.0,", "dropout=1, normalization=None, reg=0.0,"),
   ('"""dropout_keep_ratio: if 1 the network does not use dropout at all."""',
    '"""dropout: if dropout=1 then the network should not use dropout at all."""'),
   ("self.use_dropout = dropout_keep_ratio != 1", "self.use_dropout = dropout != 1"),
   ('self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}',
    'self.dropout_param = {"mode": "train", "p": dropout}'))

# --- optim.py (issue 18): buggy
mk("bug_momentum_exponential_average", "Planted bug: sgd_momentum keeps an exponential "
   "average of the gradients (Ng's form), so its steps are (1 - momentum) times too small.",
   ('v = config["momentum"] * v - config["learning_rate"] * dw\n    next_w = w + v',
    'v = config["momentum"] * v + (1 - config["momentum"]) * dw\n'
    '    next_w = w - config["learning_rate"] * v'))
mk("bug_rmsprop_eps_inside_sqrt", "Planted bug: rmsprop adds epsilon inside the square root.",
   ('(np.sqrt(config["cache"]) + config["epsilon"])',
    'np.sqrt(config["cache"] + config["epsilon"])'))
mk("bug_adam_no_bias_correction", "Planted bug: adam without the bias correction.",
   ('m_hat = config["m"] / (1 - beta1 ** t)\n    v_hat = config["v"] / (1 - beta2 ** t)',
    'm_hat = config["m"]\n    v_hat = config["v"]'))
mk("bug_adam_t_after_use", "Planted bug: adam increments t after the bias correction.",
   ('    config["t"] += 1\n    t = config["t"]\n', '    t = config["t"]\n'),
   ('    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])\n',
    '    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])\n'
    '    config["t"] += 1\n'))
mk("bug_momentum_velocity_not_stored", "Planted bug: sgd_momentum never stores the new "
   "velocity (each step starts from zero).",
   ('    config["velocity"] = v\n', ''))
mk("stub_sgd_momentum", "Planted stub: sgd_momentum still the skeleton (next_w = None).",
   ('    v = config["momentum"] * v - config["learning_rate"] * dw\n    next_w = w + v\n', ''))

# --- optim.py: harmless
mk("variant_optim_torch_conventions", "Equivalent: torch's momentum buffer as the velocity, "
   "w and config written in place, and Adam in the paper's lr_t form.",
   ('v = config["momentum"] * v - config["learning_rate"] * dw\n    next_w = w + v',
    'v = config["momentum"] * v + dw\n    w -= config["learning_rate"] * v\n    next_w = w'),
   ('    m_hat = config["m"] / (1 - beta1 ** t)\n    v_hat = config["v"] / (1 - beta2 ** t)\n'
    '    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])\n',
    '    lr_t = config["learning_rate"] * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)\n'
    '    w -= lr_t * config["m"] / (np.sqrt(config["v"]) + config["epsilon"])\n'
    '    next_w = w\n'))
mk("variant_adam_2016", "Equivalent: the 2016 skeleton's adam, t starting at 1 and used "
   "before it is incremented (t counts the next step).",
   ('config.setdefault("t", 0)', 'config.setdefault("t", 1)'),
   ('    config["t"] += 1\n    t = config["t"]\n', '    t = config["t"]\n'),
   ('    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])\n',
    '    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])\n'
    '    config["t"] = t + 1\n'))
# --- code of its time (NumPy before 1.24, 1.25, 2.0, 2.4), right as it ran then
mk("variant_old_numpy", "Equivalent as it ran in its time: np.float (removed in NumPy 1.24), "
   "np.reshape's newshape= (removed in 2.4), np.vstack of a generator (refused since 1.25), "
   "ndarray.itemset (removed in 2.0), np.NaN (removed in 2.0).",
   ("out = x.reshape(x.shape[0], -1).dot(w) + b",
    "out = np.reshape(x, newshape=(x.shape[0], -1)).dot(w) + b"),
   ("db = np.sum(dout, axis=0)",
    "db = np.vstack(dout[n] for n in range(dout.shape[0])).sum(axis=0)"),
   ("dx = dout * (x > 0)", "dx = dout * (x > 0).astype(np.float)"),
   ("dx[n, c, i * stride + r, j * stride + s] += dout[n, c, i, j]",
    "k = (n, c, i * stride + r, j * stride + s)\n"
    "                    dx.itemset(k, dx[k] + dout[n, c, i, j])"),
   ("    out = np.maximum(0, x)\n", "    out = np.maximum(0, np.nan_to_num(x, nan=np.NaN))\n"))
mk("variant_python2", "Equivalent as it ran in its time: CS231n 2016 was Python 2.7 (a print "
   "statement, xrange, and the output size's `/` between integers, a floor division there).",
   ("    H_out = 1 + (H + 2 * pad - HH) // stride\n    W_out = 1 + (W + 2 * pad - WW) // stride\n",
    "    H_out = 1 + (H + 2 * pad - HH) / stride\n    W_out = 1 + (W + 2 * pad - WW) / stride\n"
    "    if H_out <= 0:\n        print \"empty output\", H_out\n"),
   ("    for n in range(N):\n        for f in range(F):", "    for n in xrange(N):\n        for f in xrange(F):"))
# --- old code that NumPy 2 refuses with no exact equivalent: reported as old code
mk("old_code_asfarray", "Old code: affine_forward converts x with np.asfarray (removed in "
   "NumPy 2.0); the math is right.",
   ("out = x.reshape(x.shape[0], -1).dot(w) + b",
    "out = np.asfarray(x).reshape(x.shape[0], -1).dot(w) + b"))
# --- a wrong forward's backward, graded on a cache rebuilt in the forward's layout with the
# correct values (a TA's credit: the backward is right on correct inputs)
mk("bug_batchnorm_forward_beta_subtracted", "Planted bug: batchnorm_forward subtracts beta "
   "(its cache is right: both backwards must pass).",
   ("out = gamma * x_hat + beta\n        cache", "out = gamma * x_hat - beta\n        cache"))
mk("bug_batchnorm_std_without_eps", "Planted bug: batchnorm_forward's standard deviation "
   "forgets eps, and so does the std its cache holds (both backwards are right: they pass on "
   "the rebuilt cache; a batch of 1 then divides by a zero std).",
   ("std = np.sqrt(sample_var + eps)", "std = np.sqrt(sample_var)"))
mk("bug_layernorm_forward_and_backward", "Planted bugs: layernorm_forward leaves beta out, "
   "and layernorm_backward averages dbeta over the batch (still failed on a correct cache).",
   ("    out = gamma * x_hat + beta\n    cache = (x_hat, std, gamma)",
    "    out = gamma * x_hat\n    cache = (x_hat, std, gamma)"),
   ("    dbeta = dout.sum(axis=0)\n    dgamma = np.sum(dout * x_hat, axis=0)\n    dx_hat = dout "
    "* gamma\n    dx = (D", "    dbeta = dout.mean(axis=0)\n    dgamma = np.sum(dout * x_hat, "
    "axis=0)\n    dx_hat = dout * gamma\n    dx = (D"))

# --- the 2019 layers.py's keepdims sums and a forward writing into its input (harmless)
mk("variant_keepdims_2019", "Equivalent (with the record's keepdims note): batch and layer "
   "norm sum with keepdims=True, so dgamma, dbeta and the running averages are (1, D).",
   ("sample_mean = x.mean(axis=0)", "sample_mean = x.mean(axis=0, keepdims=True)"),
   ("sample_var = x.var(axis=0)", "sample_var = x.var(axis=0, keepdims=True)"),
   ("    dbeta = dout.sum(axis=0)\n    dgamma = np.sum(dout * x_hat, axis=0)\n    dx_hat = dout "
    "* gamma\n    dxmu1", "    dbeta = dout.sum(axis=0, keepdims=True)\n    dgamma = "
    "np.sum(dout * x_hat, axis=0, keepdims=True)\n    dx_hat = dout * gamma\n    dxmu1"),
   ("    dbeta = dout.sum(axis=0)\n    dgamma = np.sum(dout * x_hat, axis=0)\n    dx = (gamma",
    "    dbeta = dout.sum(axis=0, keepdims=True)\n    dgamma = np.sum(dout * x_hat, axis=0, "
    "keepdims=True)\n    dx = (gamma"),
   ("    dbeta = dout.sum(axis=0)\n    dgamma = np.sum(dout * x_hat, axis=0)\n    dx_hat = dout "
    "* gamma\n    dx = (D", "    dbeta = dout.sum(axis=0, keepdims=True)\n    dgamma = "
    "np.sum(dout * x_hat, axis=0, keepdims=True)\n    dx_hat = dout * gamma\n    dx = (D"))
mk("variant_forward_in_place", "Equivalent (with the record's in place note): relu_forward "
   "and dropout_forward write into their input x and return it.",
   ("    out = np.maximum(0, x)\n    cache = x", "    x[x < 0] = 0\n    out = x\n    cache = x"),
   ("        out = x * mask\n", "        x *= mask\n        out = x\n"))

# --- hostile
mk("hostile_backward_hang", "Hostile: conv_backward_naive never returns.",
   ("    dx_pad = np.zeros_like(x_pad)\n", "    while True:\n        pass\n"
                                           "    dx_pad = np.zeros_like(x_pad)\n"))
mk("hostile_segfault", "Hostile: svm_loss dereferences NULL through ctypes.",
   ("    correct = x[np.arange(N), y]\n", "    import ctypes\n    ctypes.string_at(0)\n"
                                        "    correct = x[np.arange(N), y]\n"))
mk("hostile_os_exit", "Hostile: relu_forward calls os._exit(0).",
   ("    out = np.maximum(0, x)\n", "    import os\n    os._exit(0)\n"
                                  "    out = np.maximum(0, x)\n"))
mk("hostile_net_hang", "Hostile: FullyConnectedNet.loss never returns (a layer answered by "
   "the grader inside the loop).",
   ("        L = self.num_layers\n", "        while True:\n            affine_forward(X, "
    "self.params[\"W1\"], self.params[\"b1\"])\n        L = self.num_layers\n"))
mk("hostile_torch_import", "Hostile: the layers' gradients from torch autograd.",
   ("import numpy as np\n", "import numpy as np\nimport torch\n"))

# a search of the process for the answer: nothing of the oracle is there (guards the
# rule that expected values never enter the student process)
STEAL = '\n\n_SEARCHED = {}\n\n\ndef _stolen(keys):\n    """Searched once per process (the calls after the first answer from it)."""\n    if keys not in _SEARCHED:\n        _SEARCHED[keys] = _search(keys)\n    return _SEARCHED[keys]\n\n\ndef _search(keys):\n    """A dict reachable in this process (every frame\'s locals and globals, every module,\n    what they hold; the garbage collector\'s objects when allowed) holding all of `keys`:\n    the grader\'s answer, if it were here."""\n    import gc\n    import sys\n    todo, frame = [], sys._getframe(1)\n    while frame is not None:\n        todo += [frame.f_locals, frame.f_globals]\n        frame = frame.f_back\n    todo += [vars(m) for m in list(sys.modules.values()) if hasattr(m, "__dict__")]\n    try:\n        todo += gc.get_objects()\n    except RuntimeError:          # refused while grading: what is reachable, then\n        pass\n    seen = set()\n    while todo and len(seen) < 100000:\n        obj = todo.pop()\n        if id(obj) in seen:\n            continue\n        seen.add(id(obj))\n        if isinstance(obj, dict):\n            try:\n                if all(k in obj for k in keys):\n                    return obj\n                todo += list(obj.values())\n            except Exception:\n                pass\n        elif isinstance(obj, (list, tuple, set)):\n            todo += list(obj)\n        elif type(obj).__name__ == "function" and obj.__closure__:\n            todo += [c.cell_contents for c in obj.__closure__ if c is not None]\n    return None\n'

mk("hostile_reads_grader_memory", "Hostile: batchnorm_backward and adam search the process "
   "(gc.get_objects, every frame) for the grader's expected answer instead of computing it; "
   "found nothing, they return zeros and w unchanged.",
   ("    dx, dgamma, dbeta = None, None, None\n    x, x_hat, mean, std, gamma = cache\n",
    "    found = _stolen(('dx', 'dgamma', 'dbeta'))\n    if found is not None:\n"
    "        return found['dx'], found['dgamma'], found['dbeta']\n"
    "    return np.zeros_like(dout), np.zeros(dout.shape[1]), np.zeros(dout.shape[1])\n"
    "    x, x_hat, mean, std, gamma = cache\n"),
   ("    next_w = None\n    beta1, beta2 = config[\"beta1\"], config[\"beta2\"]\n",
    "    found = _stolen(('next_w', 'm', 'v')) or _stolen(('expected',))\n"
    "    if found is not None and 'next_w' in found:\n        return found['next_w'], config\n"
    "    return w, config\n"
    "    next_w = None\n    beta1, beta2 = config[\"beta1\"], config[\"beta2\"]\n"),
   ("import numpy as np\n", "import numpy as np\n" + STEAL))

# --- spatial group norm (the notebooks that have it): a bug, and a file of a year without it
mk("bug_groupnorm_per_channel", "Planted bug: spatial_groupnorm_forward normalizes each "
   "channel on its own (instance norm), not each group of C/G channels.",
   ("    x_group = x.reshape(N, G, C // G, H, W)\n    mean = x_group.mean(",
    "    x_group = x.reshape(N, C, 1, H, W)\n    mean = x_group.mean("))
mk("variant_no_groupnorm", "Equivalent: a year without spatial group norm (the notebook "
   "before 2019 had none): the optional functions are left out.",
   (base[base.index("def spatial_groupnorm_forward"):base.index("# --- cs231n/optim.py")], ""))
