"""The probe of `SimpleConvNet.gradient` (Saito, ch. 7; `saito-ch7`).

Runs in the sandboxed child: NumPy and the standard library only. The student's
SimpleConvNet is built with the case's sizes (the book's keywords: input_dim,
conv_param, hidden_size, output_size), its params W1..W3, b1..b3 overwritten in place
with the case's (the layers hold the same arrays), and `gradient(x, t)` runs twice:
with the student's own layers, and with the book's layers answered by the parent
(`replaced`: the student's layer classes swapped, wherever the net's code finds them,
for the time of the run), so a layer's bug is reported at the layer and the wiring of
gradient() is graded on its own.
"""

from __future__ import annotations

import numpy as np

from ..book import class_key
from ..books.saito_ch67 import BOOK_CH7, NET_LAYERS
from .layers import _guarded
from .remote import helper, layer, note, replaced, student_spaces

__all__ = ["simple_convnet_gradient"]

PARAMS = ("W1", "b1", "W2", "b2", "W3", "b3")
PREFIX = BOOK_CH7.helper_prefix
LAYERS = {s.name: layer(PREFIX, s.name, s.state, s.init) for s in BOOK_CH7.layers
          if s.name in NET_LAYERS}
# the book's layers by the key a TA reads a class name as, and their aliases
_KEYS = {class_key(name): name for name in LAYERS} | {
    class_key(n): a.book for a in BOOK_CH7.aliases for n in a.names}
_FUNCTIONS = ("softmax", "cross_entropy_error", "im2col", "col2im")


def _cased(mapping, key: str) -> str:
    """The student's key spelled like the book's regardless of case ('w1' for 'W1')."""
    if key in mapping:
        return key
    found = next((k for k in mapping if isinstance(k, str) and k.lower() == key.lower()), key)
    if found != key:
        note("lower-case keys")
    return found


def _spaces(ns) -> list[dict]:
    """The graded namespace, the student's modules it reaches, and the net's own module."""
    spaces = student_spaces(ns)
    home = getattr(getattr(ns.get("SimpleConvNet"), "__init__", None), "__globals__", None)
    if isinstance(home, dict) and all(home is not s for s in spaces):
        spaces += student_spaces(home)
    return spaces


def _book_layers(ns):
    """The student's layer classes (and common/util's functions) replaced by the book's,
    answered by the parent, for the time of the block."""
    def book(name: str, value):
        if isinstance(value, type) and class_key(name) in _KEYS:
            return LAYERS[_KEYS[class_key(name)]]
        if name in _FUNCTIONS and callable(value):
            return helper(f"{PREFIX}.{name}")
        return None
    return replaced(_spaces(ns), book)


def _net(ns, inputs):
    cls = ns["SimpleConvNet"]
    conv = {str(k): int(v) for k, v in dict(inputs["conv_param"]).items()}
    sizes = (tuple(int(v) for v in inputs["input_dim"]), conv, int(inputs["hidden_size"]),
             int(inputs["output_size"]))
    try:
        net = cls(input_dim=sizes[0], conv_param=sizes[1], hidden_size=sizes[2],
                  output_size=sizes[3])
    except TypeError:        # other keyword names: the book's order
        net = cls(*sizes)
    if not isinstance(getattr(net, "params", None), dict):
        raise AttributeError("SimpleConvNet has no `params` dict (W1, b1, ..., W3, b3)")
    return net


def _set_params(net, inputs) -> None:
    """Each param overwritten in place (the layers hold the same array), else replaced."""
    for key in PARAMS:
        value = np.asarray(inputs[key], dtype=float)
        key = _cased(net.params, key)
        cur = net.params.get(key)
        if isinstance(cur, np.ndarray) and cur.shape == value.shape and cur.dtype.kind == "f":
            cur[...] = value
        else:
            net.params[key] = value.copy()
    _point_back(net)


def _point_back(net) -> None:
    """Layers holding arrays other than params' (built from copies, or params replaced):
    the layers with weights, in order, get W1/b1, W2/b2, W3/b3."""
    layers = getattr(net, "layers", None)
    items = list(layers.values()) if isinstance(layers, dict) else list(layers or [])
    weighted = [x for x in items if hasattr(x, "W") and hasattr(x, "b")][:3]
    for obj, (wk, bk) in zip(weighted, (("W1", "b1"), ("W2", "b2"), ("W3", "b3"))):
        for attr, key in (("W", wk), ("b", bk)):
            value = net.params[_cased(net.params, key)]
            held = getattr(obj, attr)
            if not (isinstance(held, np.ndarray) and np.shares_memory(held, value)):
                setattr(obj, attr, value)


def _book_keys(grads):
    if not isinstance(grads, dict):
        return grads
    return {**grads, **{k: grads[_cased(grads, k)] for k in PARAMS if _cased(grads, k) in grads}}


def _run(ns, inputs) -> dict:
    net = _net(ns, inputs)
    _set_params(net, inputs)
    grads = net.gradient(np.array(inputs["x"], copy=True), np.array(inputs["t"], copy=True))
    return {"grads": _book_keys(grads)}


def simple_convnet_gradient(ns, inputs):
    own = _guarded(lambda: _run(ns, inputs))
    with _book_layers(ns):
        replaced = _guarded(lambda: _run(ns, inputs))
    return {**own, "replaced": replaced}
