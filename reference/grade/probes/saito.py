"""Probes for Saito's layer-class style ("Deep Learning from Scratch", ch. 5; rows layout).

Runs in the sandboxed child: NumPy and the standard library only (never torch,
never the oracle). Rows layout: x is (m, n_in), W is (n_in, n_out), b is (n_out,).

Each probe builds the student's layer object, calls forward (and backward) with
the case's plain inputs and returns the raw results; all judging happens in the
parent. Arrays the harness should watch for in-place modification are passed
to the student as they are (not copied); arrays whose modification belongs to
another graded function are copied first, so each bug is reported once, where
it is.

The book's `common/functions.py` helpers (`softmax`, `cross_entropy_error`,
`sigmoid`) play the role of the course-provided helpers: when the submission
neither defines nor can import them, correct versions are supplied (the
grader's, answered in the parent: proxies here, see `remote`). A submission
that defines its own uses its own (so an unstable softmax is caught).
"""

from __future__ import annotations

import dis
import inspect

import numpy as np

from ..book import class_key
from ..books.saito import BOOK, FUNCTIONS
from .remote import helper, is_stub, layer, note, replace

__all__ = [
    "HELPERS", "LAYER_STATE", "LAYERS", "relu_forward", "relu_backward", "sigmoid_forward",
    "sigmoid_backward", "affine_forward", "affine_backward", "softmax_with_loss_forward",
    "softmax_with_loss_backward", "two_layer_net_gradient",
]


# the grader's correct pieces (`kit`, answered in the parent): proxies here. The layers'
# attributes (what each one holds) are plain data; their forward/backward run in the parent.
HELPERS = {name: helper(f"{BOOK.helper_prefix}.{name}") for name in FUNCTIONS}
LAYER_STATE = {spec.name: spec.state for spec in BOOK.layers}      # the record's
ALLOWED = {a.name for a in BOOK.accommodations}     # the record's accommodations
LAYERS = {spec.name: layer(BOOK.helper_prefix, spec.name, spec.state, spec.init)
          for spec in BOOK.layers}


def _supply_helpers(ns) -> list[str]:
    """Supply the book's common/functions.py helpers the submission lacks (or stubs)."""
    supplied = []
    for name, fn in HELPERS.items():
        if name not in ns or is_stub(ns[name]):
            ns[name] = fn
            supplied.append(name)
    return supplied


def _call_backward(layer, dout=1):
    """layer.backward(dout) when backward takes an argument, else layer.backward()."""
    try:
        params = [p for p in inspect.signature(layer.backward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    except (TypeError, ValueError):
        params = [None]
    return layer.backward(dout) if params else layer.backward()


_SPECS = {spec.name: spec for spec in BOOK.layers}


def _forward(layer, cls: str, x):
    """layer.forward(x) before grading its backward. A class without a forward (spelled
    `fowrad`: that forward is `missing`) gets the book's, answered by the grader, and the
    state it sets (the record's `writes`: Sigmoid's `out`) on the student's layer, with a
    note: the backward is graded on its own. (out, stood_in)."""
    if callable(getattr(type(layer), "forward", None)):
        return layer.forward(x), False
    spec = _SPECS[cls]
    book = LAYERS[cls](*(getattr(layer, k, None) for k in spec.init))
    out = book.forward(x)
    for key in dict(spec.writes).get("forward", ()):
        setattr(layer, key, getattr(book, key))
    note("forward missing")
    return out, True


def _backward(layer, stood_in: bool, dout) -> dict:
    """{"dx": layer.backward(dout)}; when the forward was the book's (`_forward`) and the
    backward cannot run on the state it set, {"blocked": its error} (the judge says its
    missing forward blocked it, not that the backward is wrong)."""
    if not stood_in:
        return {"dx": layer.backward(dout)}
    try:
        return {"dx": layer.backward(dout)}
    except Exception as exc:  # noqa: BLE001 - the student's backward, on the book's state
        return {"blocked": f"{type(exc).__name__}: {exc}"[:300]}


# --- probes ------------------------------------------------------------------------------
def relu_forward(ns, inputs):
    layer = ns["Relu"]()
    return {"out": layer.forward(inputs["x"])}


def relu_backward(ns, inputs):
    # forward runs on a copy: mutating x is Relu.forward's bug, reported there
    layer = ns["Relu"]()
    out, stood_in = _forward(layer, "Relu", np.array(inputs["x"], copy=True))
    out = np.array(out, copy=True) if isinstance(out, np.ndarray) else out
    return {"out": out, **_backward(layer, stood_in, inputs["dout"])}


def sigmoid_forward(ns, inputs):
    _supply_helpers(ns)
    layer = ns["Sigmoid"]()
    return {"out": layer.forward(inputs["x"])}


def sigmoid_backward(ns, inputs):
    _supply_helpers(ns)
    layer = ns["Sigmoid"]()
    out, stood_in = _forward(layer, "Sigmoid", np.array(inputs["x"], copy=True))
    out = np.array(out, copy=True) if isinstance(out, np.ndarray) else out
    return {"out": out, **_backward(layer, stood_in, inputs["dout"])}


def affine_forward(ns, inputs):
    layer = ns["Affine"](inputs["W"], inputs["b"])
    return {"out": layer.forward(inputs["x"])}


def affine_backward(ns, inputs):
    layer = ns["Affine"](inputs["W"], inputs["b"])
    _, stood_in = _forward(layer, "Affine", np.array(inputs["x"], copy=True))  # x: forward's
    answer = _backward(layer, stood_in, inputs["dout"])
    if "blocked" in answer:
        return answer
    dx = answer["dx"]
    spelled = "dw" in ALLOWED and not hasattr(layer, "dW") and hasattr(layer, "dw")
    dW = "dw" if spelled else "dW"        # the student's case, when the book allows it
    if spelled:
        note("dw")
    return {"dx": dx, "dW": getattr(layer, dW, None), "db": getattr(layer, "db", None),
            "has_dW": hasattr(layer, dW), "has_db": hasattr(layer, "db")}


def _one_hot(t, K):
    """t as one-hot rows (m, K) when the case gives label indices (m,); None otherwise."""
    t = np.asarray(t)
    if t.ndim != 1:
        return None
    return np.eye(K)[t.astype(int)]


def _with_labels(run, x, t, K=None) -> dict:
    """The book's ch. 5 text takes one-hot t (ch05 trains with one_hot_label=True); its
    repository's common/ code takes label indices too. A case with label indices runs the
    student's layer on the same targets one-hot first (an error there is the student's),
    then on the labels, whose error is recorded: the judge accepts either."""
    onehot = _one_hot(t, np.shape(x)[-1] if K is None else K)
    if onehot is None:
        return run(x, t)
    out = {"onehot": run(np.array(x, copy=True), onehot)}
    try:
        out.update(run(x, t))
    except Exception as exc:  # noqa: BLE001 - a one-hot-only layer may raise on labels
        out["labels_error"] = f"{type(exc).__name__}: {exc}"[:300]
    return out


def softmax_with_loss_forward(ns, inputs):
    supplied = _supply_helpers(ns)

    def run(x, t):
        return {"loss": ns["SoftmaxWithLoss"]().forward(x, t)}
    return {**_with_labels(run, inputs["x"], inputs["t"]), "supplied": supplied}


def softmax_with_loss_backward(ns, inputs):
    supplied = _supply_helpers(ns)

    def run(x, t):
        layer = ns["SoftmaxWithLoss"]()
        # copies: modifying x or t in place is SoftmaxWithLoss.forward's bug, reported there
        layer.forward(np.array(x, copy=True), np.array(t, copy=True))
        return {"dx": _call_backward(layer, 1)}
    return {**_with_labels(run, inputs["x"], inputs["t"]), "supplied": supplied,
            "label_branch": branches_on_targets(getattr(ns["SoftmaxWithLoss"], "backward",
                                                        None))}


def branches_on_targets(fn) -> bool:
    """Does this backward choose between one-hot and label-index targets itself, as the
    book's repository does (`if self.t.size == self.y.size: ... else: dx[np.arange(m),
    self.t] -= 1`)? Read from the bytecode (a comparison and a .size or .ndim), nothing
    run. Such a layer claims label indices, so it is graded on them."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    ops = list(dis.get_instructions(code))
    return (any(i.opname == "COMPARE_OP" for i in ops)
            and any(i.opname in ("LOAD_ATTR", "LOAD_METHOD") and i.argval in ("size", "ndim")
                    for i in ops))


def _cased(mapping, key):
    """The key of the student's dict spelled like the book's `key` regardless of case
    (params 'w1', layers 'affine1' in a project written all in lower case), when the book
    allows it."""
    if key in mapping or "lower-case keys" not in ALLOWED:
        return key
    found = next((k for k in mapping if isinstance(k, str) and k.lower() == key.lower()), key)
    if found != key:
        note("lower-case keys")
    return found


def _book_keys(grads):
    """The student's gradient dict with the book's keys ('w1' read as 'W1')."""
    if not isinstance(grads, dict):
        return grads
    out = dict(grads)
    for key in ("W1", "b1", "W2", "b2"):
        if _cased(grads, key) in grads:
            out.setdefault(key, grads[_cased(grads, key)])
    return out


def _set_param(net, key, value):
    """Overwrite net.params[key] in place, so layers holding the same array see it too."""
    params = net.params
    key = _cased(params, key)
    cur = params.get(key)
    if isinstance(cur, np.ndarray) and cur.shape == value.shape and cur.dtype.kind == "f":
        cur[...] = value
    else:
        params[key] = np.array(value, dtype=float, copy=True)


# the book's layers by the key a TA reads a class name as, and their aliases (the record's)
_BOOK_LAYERS = {class_key(spec.name): spec.name for spec in BOOK.layers} | {
    class_key(name): alias.book for alias in BOOK.aliases for name in alias.names}


def _book_layer(name: str):
    """The book's layer a student's class name stands for (`ReLU`, `Affine1`, `LinearLayer`,
    `SoftMaxWithLoss`), as the loader matches them; None for any other name."""
    return _BOOK_LAYERS.get(class_key(name))


def _stand_in_layers(space: dict) -> None:
    """The student's layer classes under their own names, in a namespace and in the
    student's modules it reaches (`from common import layers as L`; `L.Affine(...)`),
    replaced by correct ones (`replace`): a layer's bug is reported at the layer, not
    again here."""
    def pick(name, value):
        book = _book_layer(name) if isinstance(value, type) else None
        return None if book is None else LAYERS[book]
    replace(space, pick)


def _point_back(net) -> None:
    """Layers built from copies of params get the params' arrays back (the case's weights):
    net.layers an OrderedDict ('Affine1', 'Affine2') or a plain list (its two Affines)."""
    layers = getattr(net, "layers", None)
    if isinstance(layers, dict):
        affines = [layers.get(_cased(layers, name)) for name in ("Affine1", "Affine2")]
    elif isinstance(layers, (list, tuple)):
        affines = [x for x in layers if hasattr(x, "W") and hasattr(x, "b")][:2]
    else:
        return
    for affine, (wk, bk) in zip(affines, (("W1", "b1"), ("W2", "b2"))):
        wk, bk = _cased(net.params, wk), _cased(net.params, bk)
        if affine is not None and hasattr(affine, "W") and hasattr(affine, "b"):
            if not (isinstance(affine.W, np.ndarray)
                    and np.shares_memory(affine.W, net.params[wk])):
                affine.W = net.params[wk]
            if not (isinstance(affine.b, np.ndarray)
                    and np.shares_memory(affine.b, net.params[bk])):
                affine.b = net.params[bk]


def two_layer_net_gradient(ns, inputs):
    """TwoLayerNet(input, hidden, output).gradient(x, t) with the case's W1, b1, W2, b2.

    The layer classes are replaced by correct ones, so the graded thing is the
    wiring of gradient() (forward, backward in reverse order, collecting dW, db);
    a bug inside Affine/Relu/SoftmaxWithLoss is reported at that class.
    """
    _supply_helpers(ns)
    ns.update(LAYERS)
    _stand_in_layers(ns)
    # TwoLayerNet from another of the student's files (ch05/two_layer_net.py importing
    # common/layers.py): its own module's layer classes are replaced too
    init = getattr(ns.get("TwoLayerNet"), "__init__", None)
    home = getattr(init, "__globals__", None)
    if isinstance(home, dict) and home is not ns:
        home.update({k: v for k, v in {**HELPERS, **LAYERS}.items() if k in home})
        _stand_in_layers(home)
    n, h, k = (int(inputs["sizes"][i]) for i in range(3))
    net = ns["TwoLayerNet"](n, h, k)
    if not isinstance(getattr(net, "params", None), dict):
        raise AttributeError("TwoLayerNet has no `params` dict (W1, b1, W2, b2)")
    for key in ("W1", "b1", "W2", "b2"):
        _set_param(net, key, inputs[key])
    _point_back(net)
    def run(x, t):
        for key in ("W1", "b1", "W2", "b2"):      # the same weights for each run
            _set_param(net, key, inputs[key])
        grads = net.gradient(x, t)
        return {"grads": _book_keys(grads)}
    return _with_labels(run, inputs["x"], inputs["t"], k)
