"""Regenerate the cs231n-a3 catalog variants from correct.py: one known change per file.

Run from this directory: python make_variants.py (overwrites the generated files)."""
base = open("correct.py").read()
DOC = base[:base.index('"""', 3) + 3]   # correct.py's module docstring


def mk(name, doc, *pairs, extra=""):
    s = base.replace(DOC, f'"""{doc}"""', 1)
    for old, new in pairs:
        assert old in s, (name, old)
        s = s.replace(old, new, 1)
    open(name + ".py", "w").write(s + extra)


def stub(name, returns):
    """The course's skeleton of a function: placeholders, `pass`, return them."""
    start = base.index(f"def {name}(")
    body_end = base.index("\n\n\ndef ", start) if "\n\n\ndef " in base[start:] else len(base)
    header = base[start:base.index('"""', base.index('"""', start) + 3) + 3]
    names = ", ".join(returns)
    nones = ", ".join(["None"] * len(returns))
    return (base[start:body_end], f"{header}\n    {names} = {nones}\n    pass\n"
                                  f"    return {names}")


# --- buggy: one known mistake each
mk("bug_rnn_step_tanh_of_input", "Planted bug: rnn_step_backward takes tanh' of the cached "
   "input a (1 - a**2) instead of the output (1 - tanh(a)**2).",
   ("cache = (x, prev_h, Wx, Wh, next_h)", "cache = (x, prev_h, Wx, Wh, affine)"),
   ("x, prev_h, Wx, Wh, next_h = cache\n    daffine = dnext_h * (1.0 - next_h ** 2)",
    "x, prev_h, Wx, Wh, affine = cache\n    daffine = dnext_h * (1.0 - affine ** 2)"))
mk("bug_rnn_backward_no_carry", "Planted bug: rnn_backward forgets the gradient flowing back "
   "from the next time step.",
   ("rnn_step_backward(dh[:, t, :] + dprev_h, cache[t])",
    "rnn_step_backward(dh[:, t, :], cache[t])"))
mk("bug_rnn_backward_dh0_zero", "Planted bug: rnn_backward returns dh0 = 0.",
   ("    dh0 = dprev_h\n    return dx, dh0, dWx, dWh, db\n\n\ndef word",
    "    dh0 = np.zeros_like(dprev_h)\n    return dx, dh0, dWx, dWh, db\n\n\ndef word"))
mk("bug_rnn_forward_raises", "Planted bug: rnn_forward unpacks x's shape wrongly and raises; "
   "rnn_backward is blocked by it.",
   ("    N, T, D = x.shape\n    H = h0.shape[1]\n    h = np.zeros((N, T, H))\n    cache = []",
    "    N, T = x.shape\n    H = h0.shape[1]\n    h = np.zeros((N, T, H))\n    cache = []"))
mk("bug_word_embedding_lost_repeats", "Planted bug: dW[x] += dout keeps one gradient per "
   "repeated word.",
   ("np.add.at(dW, x, dout)", "dW[x] += dout"))
mk("bug_temporal_affine_db_axis0", "Planted bug: temporal_affine_backward sums db over the "
   "batch only (shape (T, M)).",
   ("db = dout.sum(axis=(0, 1))", "db = dout.sum(axis=0)"))
mk("bug_softmax_unmasked_dx", "Planted bug: temporal_softmax_loss forgets the mask in dx.",
   ("    dx_flat *= mask_flat[:, None]\n", ""))
mk("bug_softmax_mean_over_nt", "Planted bug: temporal_softmax_loss averages over N*T "
   "instead of N.",
   ("/ N\n    dx_flat = probs.copy()", "/ (N * T)\n    dx_flat = probs.copy()"),
   ("dx_flat /= N\n", "dx_flat /= N * T\n"))
mk("bug_lstm_gates_swapped", "Planted bug: lstm_step_backward stacks the gate gradients as "
   "i, f, g, o (the forward reads i, f, o, g).",
   ("da = np.hstack((di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g ** 2)))",
    "da = np.hstack((di * i * (1 - i), df * f * (1 - f), dg * (1 - g ** 2), do * o * (1 - o)))"))
mk("bug_lstm_no_h_into_c", "Planted bug: lstm_step_backward's cell gradient is dnext_c alone "
   "(the path through next_h is lost).",
   ("dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)", "dc = dnext_c"))
mk("bug_lstm_c0_from_h0", "Planted bug: lstm_forward starts the cell state at h0 instead of 0.",
   ("prev_h, prev_c = h0, np.zeros_like(h0)", "prev_h, prev_c = h0, h0"))
mk("stub_lstm", "Not done yet: the LSTM functions are still the course's stubs.",
   stub("lstm_step_forward", ["next_h", "next_c", "cache"]),
   stub("lstm_step_backward", ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]),
   stub("lstm_forward", ["h", "cache"]),
   stub("lstm_backward", ["dx", "dh0", "dWx", "dWh", "db"]))

# --- harmless: right answers written another way
mk("variant_in_place", "Equivalent: the upstream gradients are modified in place "
   "(dout *= ..., CS231n students' habit), and word_embedding_backward loops.",
   ("daffine = dnext_h * (1.0 - next_h ** 2)",
    "dnext_h *= (1.0 - next_h ** 2)\n    daffine = dnext_h"),
   ("np.add.at(dW, x, dout)",
    "for n in range(x.shape[0]):\n        for t in range(x.shape[1]):\n"
    "            dW[x[n, t]] += dout[n, t]"))
mk("variant_dict_cache", "Equivalent: lstm_step_forward keeps its cache in a dict and "
   "rnn_step_backward recomputes tanh from the cached input.",
   ("cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c)",
    "cache = {'x': x, 'prev_h': prev_h, 'prev_c': prev_c, 'Wx': Wx, 'Wh': Wh, 'i': i, "
    "'f': f, 'o': o, 'g': g, 'tanh_c': tanh_c}"),
   ("x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache",
    "x, prev_h, prev_c, Wx, Wh = (cache[k] for k in ('x', 'prev_h', 'prev_c', 'Wx', 'Wh'))"
    "\n    i, f, o, g, tanh_c = (cache[k] for k in ('i', 'f', 'o', 'g', 'tanh_c'))"),
   ("D = cache[0][0].shape[1]\n    dx = np.zeros((N, T, D))\n    dWx, dWh",
    "D = cache[0]['x'].shape[1]\n    dx = np.zeros((N, T, D))\n    dWx, dWh"),
   ("cache = (x, prev_h, Wx, Wh, next_h)", "cache = (x, prev_h, Wx, Wh, affine)"),
   ("x, prev_h, Wx, Wh, next_h = cache\n    daffine = dnext_h * (1.0 - next_h ** 2)",
    "x, prev_h, Wx, Wh, affine = cache\n    daffine = dnext_h * (1.0 - np.tanh(affine) ** 2)"))

# --- code of its time (NumPy before 1.24, 1.25, 2.0, 2.4), right as it ran then
mk("variant_old_numpy", "Equivalent as it ran in its time: np.stack of a generator (refused "
   "since NumPy 1.25), ndarray.itemset (removed in 2.0), np.reshape's newshape= (removed in "
   "2.4), np.float (removed in 1.24).",
   ("        h[:, t, :] = prev_h\n        cache.append(step_cache)\n    return h, cache",
    "        h[:, t, :] = prev_h\n        cache.append(step_cache)\n"
    "    h = np.stack((h[:, t, :] for t in range(T)), axis=1)\n    return h, cache"),
   ("    np.add.at(dW, x, dout)\n",
    "    for n in range(x.shape[0]):\n        for t in range(x.shape[1]):\n"
    "            for d in range(dout.shape[2]):\n"
    "                dW.itemset((x[n, t], d), dW[x[n, t], d] + dout[n, t, d])\n"),
   ("out = x.reshape(N * T, D).dot(w).reshape(N, T, M) + b",
    "out = np.reshape(x, newshape=(N * T, D)).dot(w).reshape(N, T, M) + b"),
   ("mask_flat = mask.reshape(N * T)", "mask_flat = mask.reshape(N * T).astype(np.float)"))

# --- hostile
mk("hostile_backward_hang", "Hostile: rnn_step_backward never returns.",
   ("    daffine = dnext_h * (1.0 - next_h ** 2)\n",
    "    while True:\n        pass\n    daffine = dnext_h * (1.0 - next_h ** 2)\n"))
mk("hostile_segfault", "Hostile: temporal_softmax_loss dereferences NULL through ctypes.",
   ("    N, T, V = x.shape\n    x_flat", "    import ctypes\n    ctypes.string_at(0)\n"
                                          "    N, T, V = x.shape\n    x_flat"))
mk("hostile_os_exit", "Hostile: word_embedding_forward calls os._exit(0).",
   ("    out = W[x, :]\n", "    import os\n    os._exit(0)\n    out = W[x, :]\n"))
mk("hostile_torch_import", "Hostile: lstm_step_backward gets its gradients from torch autograd.",
   ("import numpy as np\n", "import numpy as np\nimport torch\n"))
mk("hostile_helper_theft", "Hostile: rnn_step_backward looks for the grader's helper channel "
   "and asks it for the answer instead of computing it.",
   ("    x, prev_h, Wx, Wh, next_h = cache\n    daffine",
    "    import sys\n    frame = sys._getframe(1)\n    while frame is not None:\n"
    "        factory = frame.f_globals.get('helper')\n"
    "        for call in getattr(factory, '__globals__', {}).get('_channel') or []:\n"
    "            try:\n"
    "                return call('cs231n.rnn_step_backward', (dnext_h, cache), {})\n"
    "            except Exception as exc:\n"
    "                print('refused:', type(exc).__name__, exc)\n"
    "        frame = frame.f_back\n"
    "    raise RuntimeError('no answer found')\n"
    "    x, prev_h, Wx, Wh, next_h = cache\n    daffine"))
mk("hostile_huge_return", "Hostile: temporal_affine_forward returns a 1 GB array.",
   ("    cache = x, w, b, out\n", "    out = np.zeros((2**27,))\n    cache = x, w, b, out\n"))
mk("variant_inline_bptt", "Equivalent: rnn_step_forward caches a dict and rnn_backward "
   "reads it inline (it never calls rnn_step_backward): graded with the grader's steps it "
   "cannot read their caches, so the run as written decides.",
   ("cache = (x, prev_h, Wx, Wh, next_h)",
    "cache = {'x': x, 'prev_h': prev_h, 'Wx': Wx, 'Wh': Wh, 'next_h': next_h}"),
   ("x, prev_h, Wx, Wh, next_h = cache\n    daffine",
    "x, prev_h, Wx, Wh, next_h = (cache[k] for k in ('x', 'prev_h', 'Wx', 'Wh', 'next_h'))"
    "\n    daffine"),
   ("D = cache[0][0].shape[1]\n    dx = np.zeros((N, T, D))\n    dWx = np.zeros((D, H))",
    "D = cache[0]['x'].shape[1]\n    dx = np.zeros((N, T, D))\n    dWx = np.zeros((D, H))"),
   ("        dx_t, dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t, :] + dprev_h, "
    "cache[t])\n",
    "        step = cache[t]\n"
    "        daffine = (dh[:, t, :] + dprev_h) * (1 - step['next_h'] ** 2)\n"
    "        dx_t, dprev_h = daffine.dot(step['Wx'].T), daffine.dot(step['Wh'].T)\n"
    "        dWx_t, dWh_t = step['x'].T.dot(daffine), step['prev_h'].T.dot(daffine)\n"
    "        db_t = daffine.sum(axis=0)\n"))
mk("hostile_memory_hog", "Hostile: lstm_step_backward allocates 32 GB.",
   ("    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache\n",
    "    hog = np.ones((2**32,))\n    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache\n"))
mk("hostile_exit_at_import", "Hostile: exits while the module is being loaded (in a class "
   "body).",
   ("import numpy as np\n", "import numpy as np\n\n\nclass Boom:\n    import sys\n"
                           "    sys.exit(3)\n"))
mk("hostile_load_hang", "Hostile: loading never finishes (a loop in a class body).",
   ("import numpy as np\n", "import numpy as np\n\n\nclass Spin:\n    while True:\n"
                           "        pass\n"))
mk("hostile_grader_import", "Hostile: imports the grader's own NumPy layers.",
   ("import numpy as np\n", "import numpy as np\nfrom manual.layers.recurrent import *\n"))
mk("hostile_monkeypatch_numpy", "Hostile: word_embedding_forward patches NumPy's comparisons "
   "and returns zeros.",
   ("    out = W[x, :]\n", "    np.allclose = lambda *a, **k: True\n"
                          "    np.array_equal = lambda *a, **k: True\n"
                          "    np.testing.assert_allclose = lambda *a, **k: None\n"
                          "    np.isclose = lambda *a, **k: True\n"
                          "    out = np.zeros(x.shape + (W.shape[1],))\n"))
mk("hostile_huge_output", "Hostile: temporal_affine_forward prints 50 MB (the output is "
   "truncated; the function still passes).",
   ("    N, T, D = x.shape\n    M = b.shape[0]\n    out = x.reshape",
    "    for _ in range(50000):\n        print('x' * 1000)\n"
    "    N, T, D = x.shape\n    M = b.shape[0]\n    out = x.reshape"))
mk("hostile_forged_results", "Hostile: lstm_backward (the last function of its grading "
   "process) forges its own result frame: a 30 MB codec blob of ten million empty lists.",
   ("    dh0 = dprev_h\n    return dx, dh0, dWx, dWh, db\n\n\ndef temporal_affine_forward",
    "    import os, sys\n    frame = sys._getframe()\n"
    "    while frame.f_code.co_name != 'main':\n        frame = frame.f_back\n"
    "    tag = frame.f_locals['k'].to_bytes(4, 'little')\n"
    "    head = b'{\"arrays\": [], \"tree\": [' + b'[],' * (10 * 2**20) + b'[]]}'\n"
    "    blob = b'BPORACLE1\\n' + len(head).to_bytes(8, 'little') + head\n"
    "    view = memoryview(b'R' + tag + len(blob).to_bytes(8, 'little') + blob)\n"
    "    while view:\n        view = view[os.write(int(sys.argv[2]), view):]\n"
    "    dh0 = dprev_h\n    return dx, dh0, dWx, dWh, db\n\n\ndef temporal_affine_forward"))
