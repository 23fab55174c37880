"""Regenerate the saito-ch6 catalog variants from correct.py: one known change per file.

Run from this directory: python make_variants.py (overwrites the generated files)."""
base = open("correct.py").read()
DOC = base[:base.index('"""', 3) + 3]   # correct.py's module docstring


def mk(name, doc, *pairs, encoding="utf-8", head=""):
    s = base.replace(DOC, f'"""{doc}"""', 1)
    for old, new in pairs:
        assert old in s, (name, old)
        s = s.replace(old, new, -1 if old.startswith("10e-7") else 1)
    open(name + ".py", "wb").write((head + s).encode(encoding))


BACKWARD = """        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / self.batch_size
"""

# --- buggy: one known mistake each
mk("bug_bn_backward_no_mean_terms", "Planted bug: BatchNormalization.backward leaves out the "
   "terms through the batch mean and variance (dx = dout * gamma / std).",
   (BACKWARD, "        dx = self.gamma * dout / self.std\n"))
mk("bug_bn_dgamma_not_summed", "Planted bug: dgamma is not summed over the batch.",
   ("dgamma = np.sum(self.xn * dout, axis=0)", "dgamma = self.xn * dout"))
mk("bug_bn_momentum_swapped", "Planted bug: the running averages weigh the batch by momentum.",
   ("self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu",
    "self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu"),
   ("self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var",
    "self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var"))
mk("bug_bn_test_batch_stats", "Planted bug: test mode normalizes with the batch's statistics.",
   ("            xc = x - self.running_mean\n            xn = xc / np.sqrt(self.running_var "
    "+ 10e-7)", "            xc = x - x.mean(axis=0)\n            xn = xc / np.sqrt(x.var("
    "axis=0) + 10e-7)"))
mk("bug_bn_forward_misspelled", "Planted bug: BatchNormalization.forward spelled `fowrad` "
   "(missing); its backward is right on the state the book's forward sets.",
   ("    def forward(self, x, train_flg=True):\n        self.input_shape",
    "    def fowrad(self, x, train_flg=True):\n        self.input_shape"))
mk("bug_dropout_backward_no_mask", "Planted bug: Dropout.backward passes dout through "
   "unmasked.",
   ("        return dout * self.mask\n", "        return dout\n"))
mk("bug_dropout_test_unscaled", "Planted bug: the book's dropout returns x unscaled at test "
   "time.",
   ("            return x * (1.0 - self.dropout_ratio)", "            return x"))
mk("bug_dropout_mask_reversed", "Planted bug: the mask keeps a unit with probability "
   "dropout_ratio (the comparison reversed).",
   ("self.mask = np.random.rand(*x.shape) > self.dropout_ratio",
    "self.mask = np.random.rand(*x.shape) < self.dropout_ratio"))
mk("stub_dropout_backward", "A stub: Dropout.backward not written yet.",
   ("        return dout * self.mask\n", "        pass\n"))

# --- harmless: the same layers as students hand them in
mk("variant_inverted_dropout", "Equivalent: inverted dropout (train x * mask / (1 - r), test "
   "x), the book's rescaled by 1 / (1 - r) in both modes.",
   ("            return x * self.mask\n", "            return x * self.mask / (1.0 - "
    "self.dropout_ratio)\n"),
   ("            return x * (1.0 - self.dropout_ratio)", "            return x"),
   ("        return dout * self.mask\n", "        return dout * self.mask / (1.0 - "
    "self.dropout_ratio)\n"))
mk("variant_eps_1e7", "Equivalent: eps 1e-7 (the book's text) instead of its code's 10e-7.",
   ("10e-7", "1e-7"))
mk("variant_eps_attribute", "Equivalent: eps 1e-5 as a constructor argument kept in self.eps.",
   ("running_mean=None, running_var=None):\n        self.gamma = gamma",
    "running_mean=None, running_var=None, eps=1e-5):\n        self.eps = eps\n"
    "        self.gamma = gamma"),
   ("10e-7", "self.eps"))
mk("variant_names_as_typed", "Equivalent: names as real files spell them (train_flag, "
   "dropout_radio, lower-case classes).",
   ("class Dropout:", "class dropout:"),
   ("    def __init__(self, dropout_ratio=0.5):\n        self.dropout_ratio = dropout_ratio",
    "    def __init__(self, dropout_radio=0.5):\n        self.dropout_ratio = dropout_radio"),
   ("class BatchNormalization:", "class batchnormalization:"),
   ("    def forward(self, x, train_flg=True):\n        self.input_shape",
    "    def forward(self, x, train_flag=True):\n        self.input_shape"),
   ("        out = self.__forward(x, train_flg)", "        out = self.__forward(x, train_flag)"))
mk("variant_bn_2d_only", "Equivalent for chapter 6: batch norm written for (N, D) input "
   "only (graded on that form, with a note).",
   ("        if x.ndim != 2:\n            x = x.reshape(x.shape[0], -1)\n", ""),
   ("        if dout.ndim != 2:\n            dout = dout.reshape(dout.shape[0], -1)\n", ""))
mk("variant_shift_jis", "Equivalent: Japanese comments, the file in Shift_JIS.",
   ("            var = np.mean(xc ** 2, axis=0)\n", "            var = np.mean(xc ** 2, "
    "axis=0)  # 分散\n"),
   ("    def backward(self, dout):\n        return dout * self.mask\n",
    "    def backward(self, dout):\n        # 順伝播で消したニューロンには勾配を流さない\n"
    "        return dout * self.mask\n"),
   encoding="shift_jis", head="# -*- coding: shift_jis -*-\n")
mk("variant_python2", "Equivalent: Python 2 (print statement, xrange).",
   ("class Dropout:\n", "def _show(layers):\n    for i in xrange(len(layers)):\n"
                       "        print i, layers[i]\n\n\nclass Dropout:\n"))

# --- hostile
mk("hostile_torch_import", "Hostile: the gradients from torch autograd.",
   ("import numpy as np\n", "import numpy as np\nimport torch\n"))
mk("hostile_backward_hang", "Hostile: BatchNormalization.backward never returns.",
   ("        dbeta = dout.sum(axis=0)\n", "        while True:\n            pass\n"))
mk("hostile_segfault", "Hostile: Dropout.forward dereferences NULL through ctypes.",
   ("        if train_flg:\n            self.mask", "        import ctypes\n"
    "        ctypes.string_at(0)\n        if train_flg:\n            self.mask"))
