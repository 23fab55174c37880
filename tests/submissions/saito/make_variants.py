"""Regenerate the saito catalog variants from correct.py: one known change per file.

Run from this directory: python make_variants.py (overwrites the generated files).
variant_equivalent.py and variant_notebook_style.py are rewrites, kept by hand."""
base = open("correct.py").read()
DOC = base[:base.index('"""', 3) + 3]   # correct.py's module docstring
def mk(name, doc, *pairs, cut=None, extra=""):
    s = base.replace(DOC, f'"""{doc}"""', 1)
    for old, new in pairs:
        assert old in s, (name, old)
        s = s.replace(old, new, 1)
    if cut is not None:   # drop everything from `cut` on (extra takes its place)
        s = s[:s.index(cut)]
    open(name + ".py", "w").write(s + extra)

# --- buggy: one known mistake each
mk("bug_affine_dW_transposed", "Planted bug: dW = dout.T @ x (transposed).",
   ("self.dW = np.dot(self.x.T, dout)", "self.dW = np.dot(dout.T, self.x)"))
mk("bug_affine_db_axis1", "Planted bug: db summed over axis=1 (the wrong axis in the rows layout).",
   ("self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout, axis=1)"))
mk("bug_affine_db_keepdims", "Planted bug: db keeps a (1, n_out) shape (keepdims) where b is (n_out,).",
   ("self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout, axis=0, keepdims=True)"))
mk("bug_affine_dx_no_transpose", "Planted bug: dx = dout @ W (W not transposed).",
   ("dx = np.dot(dout, self.W.T)", "dx = np.dot(dout, self.W)"))
mk("bug_affine_extra_m", "Planted bug: Affine.backward divides dW and db by the batch size (extra 1/m).",
   ('''        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)''', '''        m = self.x.shape[0]
        self.dW = np.dot(self.x.T, dout) / m
        self.db = np.sum(dout, axis=0) / m'''))
mk("bug_affine_nan", "Planted bug: Affine.backward returns dx full of NaN (0/0).",
   ("dx = dx.reshape(*self.original_x_shape)",
    "dx = dx.reshape(*self.original_x_shape) * (np.zeros(1) / np.zeros(1))"))
mk("bug_affine_no_attr", "Planted bug: Affine.backward stores its gradients under other names "
   "(self.grad_W, self.grad_b).",
   ("        self.dW = None\n        self.db = None\n", ""),
   ('''        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)''', '''        self.grad_W = np.dot(self.x.T, dout)
        self.grad_b = np.sum(dout, axis=0)'''))
mk("bug_relu_forward_inplace", "Planted bug: Relu.forward zeroes x in place and returns it.",
   ("out = x.copy()", "out = x"))
mk("bug_relu_mask_inverted", "Planted bug: Relu.backward blocks the gradient where x > 0.",
   ('''        dout[self.mask] = 0       # in place, as in the book
        dx = dout''', '''        dx = dout * self.mask'''))
mk("bug_sigmoid_of_out", "Planted bug: Sigmoid.backward takes the derivative of sigma at out: "
   "sigma'(sigma(x)).",
   ("        dx = dout * (1.0 - self.out) * self.out",
    "        s = sigmoid(self.out)\n        dx = dout * (1.0 - s) * s"))
mk("bug_sigmoid_unstable", "Planted bug: Sigmoid.forward as exp(x) / (1 + exp(x)): NaN for large x.",
   ("return 1 / (1 + np.exp(-x))", "return np.exp(x) / (1 + np.exp(x))"))
mk("bug_sigmoid_uses_x", "Planted bug: Sigmoid stores x and computes dout * (1 - x) * x.",
   ("self.out = out", "self.out = x"))
mk("bug_softmax_backward_sign", "Planted bug: SoftmaxWithLoss.backward returns (t - y)/m: wrong sign.",
   ("dx = (self.y - self.t) / batch_size", "dx = (self.t - self.y) / batch_size"),
   ('''            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1''', '''            dx = -self.y.copy()
            dx[np.arange(batch_size), self.t] += 1'''))
mk("bug_softmax_inplace", "Planted bug: softmax shifts its input in place (x -= max), "
   "modifying the caller's scores.",
   ("x = x - np.max(x, axis=-1, keepdims=True)", "x -= np.max(x, axis=-1, keepdims=True)"))
mk("bug_softmax_loss_sum", "Planted bug: the loss is summed over the batch, not averaged.",
   ("return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size",
    "return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7))"))
mk("bug_softmax_no_m", "Planted bug: SoftmaxWithLoss.backward does not divide by the batch size "
   "(missing 1/m).",
   ("dx = (self.y - self.t) / batch_size", "dx = self.y - self.t"),
   ("dx = dx / batch_size", "dx = dx"))
mk("variant_softmax_onehot_only", "Equivalent: the book's ch. 5 text, cross_entropy_error and "
   "backward taking one-hot t only (ch05 trains with one-hot labels).",
   ('''    if t.size == y.size:          # one-hot -> label indices
        t = t.argmax(axis=1)
''', ""),
   ("return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size",
    "return -np.sum(t * np.log(y + 1e-7)) / batch_size"),
   ('''        if self.t.size == self.y.size:
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size''', '''        dx = (self.y - self.t) / batch_size'''))
mk("bug_softmax_unstable", "Planted bug: softmax without subtracting the maximum: NaN on large logits.",
   ("    x = x - np.max(x, axis=-1, keepdims=True)\n", ""))
mk("bug_softmax_whole_batch", "Planted bug: softmax normalised over the whole batch "
   "(the 1-D version applied to a batch).",
   ('''    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)''', '''    c = np.max(x)
    exp_x = np.exp(x - c)
    return exp_x / np.sum(exp_x)'''))
mk("bug_twolayer_bad_keys", "Planted bug: TwoLayerNet.gradient names its keys dW1, db1, ... "
   "instead of W1, b1, ...",
   ("grads['W1'], grads['b1'] =", "grads['dW1'], grads['db1'] ="),
   ("grads['W2'], grads['b2'] =", "grads['dW2'], grads['db2'] ="))
mk("bug_twolayer_ch4_sigmoid", "Planted mix-up: TwoLayerNet is the ch. 4 network (sigmoid hidden "
   "layer), not ch. 5's.",
   ("\nclass TwoLayerNet:\n", '''
def sigmoid_grad(x):
    return (1.0 - sigmoid(x)) * sigmoid(x)


class TwoLayerNet:
    """The ch. 4 network: sigmoid hidden layer, gradient written out by hand."""

'''),
   cut="        self.layers = OrderedDict()\n", extra='''
    def gradient(self, x, t):
        W1, W2 = self.params['W1'], self.params['W2']
        b1, b2 = self.params['b1'], self.params['b2']
        if t.ndim == 1:
            t = np.eye(W2.shape[1])[t]
        batch_num = x.shape[0]
        a1 = np.dot(x, W1) + b1
        z1 = sigmoid(a1)
        y = softmax(np.dot(z1, W2) + b2)
        dy = (y - t) / batch_num
        grads = {'W2': np.dot(z1.T, dy), 'b2': np.sum(dy, axis=0)}
        dz1 = sigmoid_grad(a1) * np.dot(dy, W2.T)
        grads['W1'] = np.dot(x.T, dz1)
        grads['b1'] = np.sum(dz1, axis=0)
        return grads
''')
mk("bug_twolayer_no_reverse", "Planted bug: TwoLayerNet.gradient runs the backward pass in forward order.",
   ("        layers.reverse()\n", ""))

# --- hostile
mk("hostile_backward_hang", "Hostile: Affine.backward never returns (the other layers are still graded).",
   ("        dx = np.dot(dout, self.W.T)\n",
    "        while True:\n            pass\n        dx = np.dot(dout, self.W.T)\n"))
mk("hostile_os_exit", "Hostile: Relu.forward calls os._exit(0).",
   ("        self.mask = (x <= 0)\n", "        import os\n        os._exit(0)\n        self.mask = (x <= 0)\n"))
mk("hostile_segfault", "Hostile: SoftmaxWithLoss.forward dereferences NULL through ctypes.",
   ("        self.t = t\n", "        import ctypes\n        ctypes.string_at(0)\n        self.t = t\n"))
mk("hostile_torch_import", "Hostile: Affine.backward gets its gradients from torch autograd.",
   ("        dx = np.dot(dout, self.W.T)\n", "        import torch\n        dx = np.dot(dout, self.W.T)\n"))
