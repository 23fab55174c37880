"""Regenerate the saito-ch7 catalog variants from correct.py: one known change per file.

Run from this directory: python make_variants.py (overwrites the generated files)."""
base = open("correct.py").read()
DOC = base[:base.index('"""', 3) + 3]   # correct.py's module docstring


def mk(name, doc, *pairs, encoding="utf-8", head=""):
    s = base.replace(DOC, f'"""{doc}"""', 1)
    for old, new in pairs:
        assert old in s, (name, old)
        s = s.replace(old, new, 1)
    open(name + ".py", "wb").write((head + s).encode(encoding))


# --- buggy: one known mistake each
mk("bug_im2col_axis_order", "Planted bug: im2col puts the channel last in each window "
   "(transpose (0, 4, 5, 2, 3, 1)).",
   ("col = col.transpose(0, 4, 5, 1, 2, 3)", "col = col.transpose(0, 4, 5, 2, 3, 1)"))
mk("bug_col2im_overwrite", "Planted bug: col2im overwrites overlapping windows instead of "
   "accumulating them.",
   ("img[:, :, y:y_max:stride, x:x_max:stride] += col", "img[:, :, y:y_max:stride, "
    "x:x_max:stride] = col"))
mk("bug_pool_backward_wrong_window", "Planted bug: Pooling.backward reads dout with its rows "
   "and columns swapped (the gradient goes to the wrong window).",
   ("        dout = dout.transpose(0, 2, 3, 1)\n        pool_size",
    "        dout = dout.transpose(0, 3, 2, 1)\n        pool_size"))
mk("bug_conv_db_not_summed", "Planted bug: Convolution.backward sums db over the examples "
   "only, not over the output pixels.",
   ("        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)\n        self.db = np.sum(dout, "
    "axis=0)\n", "        self.db = np.sum(dout, axis=0)\n        dout = dout.transpose(0, 2, 3, "
                 "1).reshape(-1, FN)\n"))
mk("bug_conv_dW_not_transposed", "Planted bug: Convolution.backward reshapes col.T @ dout to "
   "(FN, C, FH, FW) without transposing it first.",
   ("self.dW = self.dW.transpose(1, 0).reshape(FN, C, FH, FW)",
    "self.dW = self.dW.reshape(FN, C, FH, FW)"))
mk("bug_conv_forward_pad_ignored", "Planted bug: Convolution.forward leaves out the padding "
   "(its backward is right, and graded right on the book's state).",
   ("col = im2col(x, FH, FW, self.stride, self.pad)\n        col_W",
    "col = im2col(x, FH, FW, self.stride)\n        col_W"),
   ("out_h = (H + 2 * self.pad - FH) // self.stride + 1\n        out_w = (W + 2 * self.pad - FW)",
    "out_h = (H - FH) // self.stride + 1\n        out_w = (W - FW)"))
mk("bug_convnet_no_reverse", "Planted bug: SimpleConvNet.gradient runs the backward passes in "
   "forward order.",
   ("        layers.reverse()\n", ""))

# --- harmless: the same code as students hand it in
mk("variant_lower_case", "Equivalent: the layer classes named in lower case.",
   ("class Convolution:", "class convolution:"), ("class Pooling:", "class pooling:"),
   ("= Convolution(self.params", "= convolution(self.params"),
   ("= Pooling(pool_h=2", "= pooling(pool_h=2"))
mk("variant_shift_jis", "Equivalent: Japanese comments, the file in Shift_JIS.",
   ("    N, C, H, W = input_data.shape\n", "    # 入力データ (データ数, チャンネル, 高さ, 幅)\n"
                                         "    N, C, H, W = input_data.shape\n"),
   ("        self.db = np.sum(dout, axis=0)\n        self.dW",
    "        self.db = np.sum(dout, axis=0)  # バイアスの勾配\n        self.dW"),
   encoding="shift_jis", head="# -*- coding: shift_jis -*-\n")
mk("variant_old_numpy", "Equivalent: NumPy's removed np.int in the output sizes (as old "
   "code ran on NumPy 1).",
   ("    out_h = (H + 2 * pad - filter_h) // stride + 1\n    out_w = (W + 2 * pad - filter_w)"
    " // stride + 1\n    img = np.pad", "    out_h = np.int((H + 2 * pad - filter_h) / stride"
    " + 1)\n    out_w = np.int((W + 2 * pad - filter_w) / stride + 1)\n    img = np.pad"))
mk("variant_inplace_dout", "Equivalent: Pooling.backward and Convolution.backward reshape "
   "dout in place.",
   ("        dout = dout.transpose(0, 2, 3, 1)\n        pool_size",
    "        dout = dout.transpose(0, 2, 3, 1).copy()\n        dout *= 1.0\n        pool_size"))

# --- hostile
mk("hostile_torch_import", "Hostile: the gradients from torch autograd.",
   ("import numpy as np\n", "import numpy as np\nimport torch\n"))
mk("hostile_backward_hang", "Hostile: Convolution.backward never returns.",
   ("        dcol = np.dot(dout, self.col_W.T)\n", "        while True:\n            pass\n"))
mk("variant_python2", "Equivalent: Python 2 (xrange, a print statement, and the book's "
   "output sizes with `/` between integers, a floor division in Python 2).",
   ("    out_h = (H + 2 * pad - filter_h) // stride + 1\n"
    "    out_w = (W + 2 * pad - filter_w) // stride + 1\n",
    "    out_h = (H + 2 * pad - filter_h) / stride + 1\n"
    "    out_w = (W + 2 * pad - filter_w) / stride + 1\n"),
   ("    for y in range(filter_h):\n        y_max = y + stride * out_h\n        for x in "
    "range(filter_w):\n            x_max = x + stride * out_w\n            col[",
    "    for y in xrange(filter_h):\n        y_max = y + stride * out_h\n        for x in "
    "xrange(filter_w):\n            x_max = x + stride * out_w\n            col["),
   ("    def predict(self, x):\n", "    def show(self):\n        print \"SimpleConvNet\"\n\n"
                                  "    def predict(self, x):\n"))
mk("hostile_os_exit", "Hostile: im2col calls os._exit(0).",
   ("    N, C, H, W = input_data.shape\n", "    import os\n    os._exit(0)\n"
                                         "    N, C, H, W = input_data.shape\n"))
