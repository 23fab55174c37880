"""Probes of Saito's chapters 6 and 7 (`saito-ch6`, `saito-ch7`): the book's layer objects
driven in the layer engine's convention, so the parent judges them with the registry's
twins as it judges CS231n's functions (`probes.layers`, `styles.layer_style`).

Runs in the sandboxed child: NumPy and the standard library only. A case comes in the
layer styles' form (`args`: the registry layer's arrays, `config`, `upstream`); here
the arrays become the book's objects (`Convolution(W, b, stride, pad)`,
`Pooling(pool_h, pool_w, stride, pad)`, `BatchNormalization(gamma, beta, momentum)`,
`Dropout(dropout_ratio)`), their forward's output and attributes are read back as the
outputs and state of a CS231n forward, and their backward's dx with the attributes it
sets (`self.dW`, `self.db`, `self.dgamma`, `self.dbeta`) as a CS231n backward's
gradients. Every array the student gets is a copy.

A backward runs on the state its own forward set (`own`), and again on the state the
book's forward sets (`book`: the grader's forward, answered by the parent, its
attributes copied onto the student's object): the parent grades the backward on its
own when the student's forward is missing or wrong. A layer calling `im2col`/`col2im`
also runs with the grader's (`replaced`), so a bug of common/util.py is reported there.
"""

from __future__ import annotations

import inspect

import numpy as np

from ..books.saito_ch67 import BOOK_CH6, BOOK_CH7
from .layers import _guarded, _plain, _raised, _twice, stub_reason
from .remote import layer, note, take_notes

__all__ = ["layer_forward", "layer_backward", "im2col_probe", "col2im_probe", "student_eps",
           "batchnorm_forward", "batchnorm_backward", "dropout_forward", "dropout_backward"]

BOOKS = {b.helper_prefix: b for b in (BOOK_CH6, BOOK_CH7)}
# the student's attribute holding each gradient after backward, in the registry's order
GRADS = {"conv": ("dW", "db"), "max_pool": (), "batchnorm": ("dgamma", "dbeta")}


def _proxy(prefix: str, cls: str):
    """The book's layer `cls`, its methods answered by the parent."""
    spec = next(s for s in BOOKS[prefix].layers if s.name == cls)
    return layer(prefix, cls, spec.state, spec.init), spec


def _construct(cls, *args, **optional):
    """cls(*args, **the optional keywords its constructor takes); the others are set as
    attributes afterwards (BatchNormalization(gamma, beta) without running_mean=)."""
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        params = {}
    takes = {k: v for k, v in optional.items() if k in params}
    obj = cls(*args, **takes)
    for key, value in optional.items():
        if key not in takes and value is not None:
            setattr(obj, key, value)
    return obj


def _build(ns, inputs, cls=None):
    """(the layer object, its forward's positional arguments) for this case."""
    name = inputs["forward"].split(".")[0]
    cls = ns[name] if cls is None else cls
    args, config = [np.array(a, copy=True) for a in inputs["args"]], dict(inputs["config"])
    kind = inputs["layer"]
    if kind == "conv":
        x, w, b = args
        return cls(w, b, int(config["stride"]), int(config["pad"])), (x,)
    if kind == "max_pool":
        return cls(int(config["pool_height"]), int(config["pool_width"]),
                   int(config["stride"]), 0), (args[0],)
    train = config.get("mode") == "train"
    x, gamma, beta = args
    obj = _construct(cls, gamma, beta, momentum=float(config.get("momentum", 0.9)),
                     running_mean=_copy(config.get("running_mean")),
                     running_var=_copy(config.get("running_var")))
    return obj, (x.reshape(inputs["as4d"]) if inputs.get("as4d") else x, train)


def _copy(value):
    return None if value is None else np.array(value, dtype=float, copy=True)


def _flat(value, inputs):
    """An output or dx of a 4-D batch norm case read back as the registry's (N, D)."""
    if inputs.get("as4d") and isinstance(value, np.ndarray) and value.size:
        return value.reshape(value.shape[0], -1)
    return value


def _state(obj, inputs) -> dict:
    return {k: _plain(getattr(obj, k, None)) for k in inputs["state"]}


def _forward_answer(obj, out, inputs) -> dict:
    """The forward read as a CS231n forward's (out, cache): its count, output, state."""
    answer = {"count": 2, "outputs": [_plain(_flat(out, inputs))],
              "state": _state(obj, inputs)}
    if out is None:
        answer["stub"] = "it returns None"
    return answer


def _gradient(obj, name: str):
    """self.dW (or self.dw, where the book's record allows the spelling, with a note)."""
    if not hasattr(obj, name) and hasattr(obj, name.lower()) and name != name.lower():
        note("dw")
        return getattr(obj, name.lower())
    return getattr(obj, name, None)


def _grads_answer(obj, dx, inputs) -> dict:
    extra = [_plain(_gradient(obj, g)) for g in GRADS[inputs["layer"]]]
    values = [_plain(_flat(dx, inputs))] + extra
    return {"count": len(values) if extra else -1, "outputs": values, "state": {}}


def _own_forward(cls):
    fn = getattr(cls, "forward", None)
    if not callable(fn):
        return "", f"{cls.__name__}.forward is not defined"
    return fn, f"{cls.__name__}.forward is still a stub" if stub_reason(fn) else ""


def layer_forward(ns, inputs):
    """The student's layer built from the case, its forward on copies."""
    fn, why = _own_forward(ns[inputs["forward"].split(".")[0]])
    if why:
        return {"stub": why}

    def run():
        obj, args = _build(ns, inputs)
        return _forward_answer(obj, obj.forward(*args), inputs)
    return _twice(inputs, [fn], run)


def _own(ns, inputs) -> dict:
    """Forward then backward, both the student's."""
    fn, why = _own_forward(ns[inputs["forward"].split(".")[0]])
    if why:
        return {"blocked": why}
    obj, args = _build(ns, inputs)
    try:
        out = obj.forward(*args)
    except Exception as exc:  # noqa: BLE001 - the student's forward: reported, not raised
        return {"blocked": f"{inputs['forward']} raised {type(exc).__name__}: {exc}"[:300]}
    if out is None:
        return {"blocked": f"{inputs['forward']} returns None (still a stub?)"}
    return _then_backward(obj, _forward_answer(obj, out, inputs), inputs)


def _then_backward(obj, forward: dict, inputs) -> dict:
    dout = np.array(inputs["upstream"][0], copy=True)
    if inputs.get("as4d"):
        dout = dout.reshape(inputs["as4d"])
    try:
        dx = obj.backward(dout)
    except (MemoryError, RecursionError):
        raise                   # the worker names these (with the memory limit)
    except Exception as exc:  # noqa: BLE001 - judged in the parent
        return {"forward": forward, "raised": _raised(exc)}
    return {"forward": forward, "grads": _grads_answer(obj, dx, inputs)}


def _on_book_state(ns, inputs) -> dict:
    """The book's forward (answered by the parent) sets its state on the student's object,
    then the student's backward; one that cannot run on that state is blocked."""
    name = inputs["forward"].split(".")[0]
    prefix = str(inputs["prefix"])
    proxy, spec = _proxy(prefix, name)
    obj, args = _build(ns, inputs)
    book, _ = _build(ns, inputs, cls=proxy)
    if "eps" in spec.state:
        book.eps = inputs.get("book_eps")       # the student's ε where it was read
    out = book.forward(*args)
    for key in dict(spec.writes).get("forward", ()):
        setattr(obj, key, getattr(book, key))
    forward = _forward_answer(book, out, inputs)
    answer = _then_backward(obj, forward, inputs)
    if "raised" in answer:
        return {"blocked": f"on the state the book's forward sets, {inputs['backward']} "
                           f"raised {answer['raised'].get('type')}: "
                           f"{answer['raised'].get('error')}"}
    return answer


def layer_backward(ns, inputs):
    """The student's backward on its own forward's state and on the book's."""
    cls = ns[inputs["backward"].split(".")[0]]
    backward = getattr(cls, "backward", None)
    if stub_reason(backward):
        return {"stub": f"{inputs['backward']} is still a stub"}
    fns = [backward, getattr(cls, "forward", None)]
    own = _twice(inputs, fns, lambda: _own(ns, inputs))
    if _own_forward(cls)[1]:        # its forward missing or a stub: the book's state graded
        note("book state")
    book = _twice(inputs, fns, lambda: _guarded(lambda: _on_book_state(ns, inputs)))
    return {**own, "book": book}


# --- common/util.py -------------------------------------------------------------------------
def im2col_probe(ns, inputs):
    col = ns["im2col"](np.array(inputs["x"], copy=True), int(inputs["filter_h"]),
                       int(inputs["filter_w"]), int(inputs["stride"]), int(inputs["pad"]))
    return {"col": _plain(col)}


def col2im_probe(ns, inputs):
    img = ns["col2im"](np.array(inputs["col"], copy=True), tuple(inputs["input_shape"]),
                       int(inputs["filter_h"]), int(inputs["filter_w"]), int(inputs["stride"]),
                       int(inputs["pad"]))
    return {"img": _plain(img)}


# --- chapter 6: batch norm's ε, the book's dropout -------------------------------------------
EPS_RANGE = (1e-12, 1e-2)       # a float constant of the forward this small is its ε


def _small_floats(code) -> list[float]:
    found = []
    for const in getattr(code, "co_consts", ()):
        if isinstance(const, float) and EPS_RANGE[0] <= const <= EPS_RANGE[1]:
            found.append(const)
        elif hasattr(const, "co_consts"):           # a nested function, comprehension
            found += _small_floats(const)
    return found


def student_eps(cls, obj=None) -> list[float]:
    """The ε the student's batch norm adds to the variance, read from its code: small
    float constants of its methods, its constructor's defaults, an `eps` attribute."""
    found: list[float] = []
    for value in vars(cls).values():
        fn = getattr(value, "__func__", value)
        found += _small_floats(getattr(fn, "__code__", None))
        found += [d for d in getattr(fn, "__defaults__", None) or ()
                  if isinstance(d, float) and EPS_RANGE[0] <= d <= EPS_RANGE[1]]
    for key in ("eps", "epsilon", "_eps"):
        value = getattr(obj, key, None)
        if isinstance(value, float) and EPS_RANGE[0] <= value <= EPS_RANGE[1]:
            found.append(value)
    home = getattr(getattr(cls, "forward", None), "__globals__", None) or {}
    found += [v for k, v in list(home.items()) if "eps" in str(k).lower()    # EPS = 1e-7
              and isinstance(v, float) and EPS_RANGE[0] <= v <= EPS_RANGE[1]]
    return sorted(set(found))


def batchnorm_eps(ns, inputs):
    """The ε of the student's BatchNormalization (sent with its answers)."""
    cls = ns[inputs["forward"].split(".")[0]]
    try:
        obj, _ = _build(ns, inputs)
    except Exception:  # noqa: BLE001 - its constructor is graded with its methods
        obj = None
    return student_eps(cls, obj)


def _two_d_only(run, inputs) -> dict:
    """run(inputs) on the 4-D x, and on its (N, D) form (`flat`): chapter 6 uses batch
    norm after affine layers, so a layer written for 2-D input only is right when the
    (N, D) form is (the parent judges both). One raising on the 4-D x is said so."""
    if not inputs.get("as4d"):
        return run(inputs)
    flat = {k: v for k, v in inputs.items() if k != "as4d"}
    saved = take_notes()            # the 4-D run's notes are kept only if it is kept
    try:
        answer = run(inputs)
    except Exception:  # noqa: BLE001 - a 2-D-only layer: the (N, D) form below
        answer = {"raised": True}
    kept = "raised" not in answer and "raised" not in str(answer.get("blocked", ""))
    extra = take_notes()
    for name in saved + (extra if kept else []):
        note(name)
    if kept:
        return {**answer, "flat": run(flat)}
    note("2-D only")
    return run(flat)


def batchnorm_forward(ns, inputs):
    answer = _two_d_only(lambda i: layer_forward(ns, i), inputs)
    return {**answer, "eps": batchnorm_eps(ns, inputs)}


def batchnorm_backward(ns, inputs):
    eps = batchnorm_eps(ns, inputs)
    inputs = {**inputs, "book_eps": eps[0] if len(eps) == 1 else None}
    return {**_two_d_only(lambda i: layer_backward(ns, i), inputs), "eps": eps}


def dropout_forward(ns, inputs):
    """Train then test mode on one object: (out_train, the mask it kept, out_test)."""
    cls = ns["Dropout"]
    fn, why = _own_forward(cls)
    if why:
        return {"stub": why}
    obj = cls(float(inputs["ratio"]))
    x = np.array(inputs["x"], copy=True)
    train = obj.forward(np.array(x, copy=True), True)
    mask = _plain(getattr(obj, "mask", None))
    test = obj.forward(np.array(x, copy=True), False)
    _note_inverted(x, test, float(inputs["ratio"]))
    return {"train": _plain(train), "mask": mask, "test": _plain(test)}


def _note_inverted(x, test, ratio: float) -> None:
    """Name the convention (the parent judges the values): a test-mode output equal to x
    is inverted dropout's, the book's rescaled by 1/(1 − r)."""
    if 0 < ratio < 1 and isinstance(test, np.ndarray) and test.shape == x.shape \
            and np.allclose(test, x) and not np.allclose(test, x * (1 - ratio)):
        note("inverted dropout")


def dropout_backward(ns, inputs):
    """The forward in train mode (the student's; the book's when the student's is missing
    or a stub, its mask set on the student's object), then the backward: dx and the mask."""
    cls = ns["Dropout"]
    if stub_reason(getattr(cls, "backward", None)):
        return {"stub": "Dropout.backward is still a stub"}
    obj = cls(float(inputs["ratio"]))
    x = np.array(inputs["x"], copy=True)
    fn, why = _own_forward(cls)
    if why:
        proxy, _ = _proxy(str(inputs["prefix"]), "Dropout")
        book = proxy(float(inputs["ratio"]))
        out = book.forward(x, True)
        obj.mask = book.mask
        note("book state")
    else:
        out = obj.forward(x, True)
    mask = _plain(getattr(obj, "mask", None))
    dx = obj.backward(np.array(inputs["dout"], copy=True))
    return {"train": _plain(out), "mask": mask, "dx": _plain(dx)}
