"""Probe of CS231n's fully connected nets (`cs231n/classifiers/fc_net.py`): the student's
`FullyConnectedNet.loss` (and `TwoLayerNet.loss`) on the grader's parameters.

Runs in the sandboxed child: NumPy and the standard library only. The case holds the
architecture (`hidden_dims`, `input_dim`, `num_classes`), `reg`, the normalization
("batchnorm", "layernorm" or None), dropout's keep probability (`keep`, 1: none) and
its `seed`, the parameters (`params`: W1..WL, b1..bL, gamma1.., beta1..), X and y.

The net is built with the student's own constructor, in the convention its signature
declares (`constructor_args`): `normalization=` (2019 on) or `use_batchnorm=` (2016-18),
`dropout_keep_ratio=` (2020 on) or `dropout=`, which is the drop probability when its
default is 0 (2016-17: "If dropout=0 then the network should not use dropout at all")
and the keep probability when it is 1. Its parameters are then overwritten by the case's
(every key the course names must be there; one of another shape, `b1 = 0`, is replaced,
with a note), dropout's seed is set
(`dropout_param['seed']`, as the skeleton does when `seed=` is given) and `loss(X, y)`
then `loss(X)` (test mode, on the running averages the train call left) run. The net
runs twice: as written, and with the layers it calls (`affine_forward`,
`batchnorm_forward`, the course's `affine_relu_forward`...) replaced by the grader's
(`REPLACED`, answered by the parent), so a layer's bug is reported at the layer only. A
case the student's constructor cannot express (layer norm in a 2017 net) is skipped.
"""

from __future__ import annotations

import inspect
import re

import numpy as np

from .layers import _guarded, stub_reason
from .remote import helper, note, replaced, student_spaces

__all__ = ["net_loss", "constructor_args", "REPLACED"]

# the functions of layers.py and layer_utils.py a net calls, replaced by the grader's
REPLACED = ("affine_forward", "affine_backward", "relu_forward", "relu_backward",
            "softmax_loss", "batchnorm_forward", "batchnorm_backward",
            "batchnorm_backward_alt", "layernorm_forward", "layernorm_backward",
            "dropout_forward", "dropout_backward", "affine_relu_forward",
            "affine_relu_backward")
BASES = sorted(REPLACED, key=len, reverse=True)     # the longest name a function extends
PREFIX = "cs231n"
DROP = "drop"                # the net's dropout argument is the drop probability (2016-17)
KEEP = "keep"


def _parameters(cls) -> dict:
    try:
        return dict(inspect.signature(cls.__init__).parameters)
    except (TypeError, ValueError):
        return {}


def _dropout_convention(cls, params: dict) -> str:
    """KEEP or DROP: what the student's `dropout=` means, from its default (0: drop, 1:
    keep), else from the constructor's docstring ("If dropout=0 ...")."""
    default = params["dropout"].default if "dropout" in params else None
    if isinstance(default, (int, float)) and default in (0, 1):
        return DROP if default == 0 else KEEP
    doc = getattr(cls.__init__, "__doc__", None) or ""
    return DROP if re.search(r"if dropout\s*=\s*0\b", doc, re.IGNORECASE) else KEEP


def constructor_args(cls, inputs) -> tuple[dict, str, str]:
    """(keyword arguments, why the case cannot be built ('' when it can), the dropout
    convention) of the student's constructor for the case."""
    params = _parameters(cls)
    anything = any(p.kind is p.VAR_KEYWORD for p in params.values())
    hidden = [int(h) for h in inputs["hidden_dims"]]
    kwargs: dict = {"input_dim": int(inputs["input_dim"]),
                    "num_classes": int(inputs["num_classes"]), "reg": float(inputs["reg"]),
                    "weight_scale": 1e-2, "dtype": np.float64, "seed": int(inputs["seed"])}
    norm, keep, why = inputs.get("normalization"), float(inputs["keep"]), ""
    if "hidden_dim" in params:
        kwargs["hidden_dim"] = hidden[0]
    elif "hidden_dims" in params or anything:
        kwargs["hidden_dims"] = hidden
    else:       # assignment 1's TwoLayerNet(input_size, hidden_size, ...) of neural_net.py
        why = "not assignment 2's net (its constructor takes no hidden_dim or hidden_dims)"
    if norm and "normalization" in params:
        kwargs["normalization"] = norm
    elif norm == "batchnorm" and "use_batchnorm" in params:
        kwargs["use_batchnorm"] = True
    elif norm:
        why = why or f"the constructor takes no normalization={norm!r}"
    convention = KEEP
    if keep < 1 and "dropout_keep_ratio" in params:
        kwargs["dropout_keep_ratio"] = keep
    elif keep < 1 and "dropout" in params:
        convention = _dropout_convention(cls, params)
        kwargs["dropout"] = keep if convention == KEEP else 1 - keep
    elif keep < 1:
        why = why or "the constructor takes no dropout"
    if not anything:
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    return kwargs, why, convention


def _plain(value):
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biuf":
        return np.array(value, copy=True)
    return {"type": type(value).__name__}


def _shapes(params) -> dict:
    if not isinstance(params, dict):
        return {}
    return {str(k): list(np.shape(v)) for k, v in params.items()
            if isinstance(v, (np.ndarray, np.generic))}


def _running(net) -> list:
    """Each batch-norm layer's running averages after the train call (None: absent)."""
    bn_params = getattr(net, "bn_params", None)
    if not isinstance(bn_params, (list, tuple)):
        return []
    return [{k: _plain(p.get(k)) for k in ("running_mean", "running_var")}
            if isinstance(p, dict) else {} for p in bn_params]


def _build(cls, inputs) -> tuple[object, dict]:
    """The student's net for the case, its parameters overwritten by the case's: (net,
    {}) or (None, why not: the answer)."""
    kwargs, why, convention = constructor_args(cls, inputs)
    if why:
        return None, {"skip": why}
    net = cls(**kwargs)
    own = getattr(net, "params", None)
    expected = inputs["params"]
    wrong = [k for k in expected if not isinstance(own, dict) or k not in own]
    if wrong:
        return None, {"params": _shapes(own), "wrong": wrong, "convention": convention}
    if any(np.shape(own[k]) != np.shape(v) for k, v in expected.items()):
        note("params shape")        # `b1 = 0`: loss is graded, not the initialization
    for key, value in expected.items():
        own[key] = np.array(value, dtype=np.float64, copy=True)
    if hasattr(net, "dtype"):
        net.dtype = np.float64
    dropout_param = getattr(net, "dropout_param", None)
    if isinstance(dropout_param, dict) and float(inputs["keep"]) < 1:
        dropout_param["seed"] = int(inputs["seed"])
    return net, {"convention": convention, "old_skeleton": "use_batchnorm" in kwargs}


def _run(cls, inputs) -> dict:
    """The student's net on the case: test-mode scores, then (loss, grads)."""
    net, got = _build(cls, inputs)
    if net is None:
        return got
    X = np.array(inputs["X"], copy=True)
    value = net.loss(X.copy(), np.array(inputs["y"], copy=True))
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        got["form"] = type(value).__name__ if not isinstance(value, (tuple, list)) \
            else f"{len(value)} values"
        return got
    loss, grads = value
    got["loss"] = _plain(loss)
    got["grads"] = ({str(k): _plain(v) for k, v in grads.items()}
                    if isinstance(grads, dict) else {"type": type(grads).__name__})
    got["running"] = _running(net)
    scores = net.loss(X.copy())
    got["scores"] = _plain(scores[0] if isinstance(scores, tuple) and len(scores) == 2
                           and isinstance(scores[1], dict) else scores)
    return got


def _grader_name(name: str) -> str | None:
    """The grader's layer standing in for a function of the student's: its own name, or
    the one it extends (`batchnorm_forward_alt`, the student's own forward paired with
    `batchnorm_backward_alt`, is batch norm's forward: a forward and the backward reading
    its cache are replaced together)."""
    if name in REPLACED:
        return name
    return next((base for base in BASES if name.startswith(base + "_")), None)


def _grader_layers(fn, convention: str):
    """The layers the net's module (and the student's modules it reaches: layer_utils,
    layers) defines, replaced by the grader's while the block runs; dropout in the
    convention of the net (the drop probability: the grader's `dropout_forward_drop`)."""
    space = getattr(fn, "__globals__", None)
    spaces = student_spaces(space) if isinstance(space, dict) else []

    def grader(name: str, value):
        base = _grader_name(name)
        if base is None or not callable(value):
            return None
        base += "_drop" if base == "dropout_forward" and convention == DROP else ""
        proxy = helper(f"{PREFIX}.{base}")
        proxy.__name__ = name
        return proxy
    return replaced(spaces, grader)


def _class(ns, name: str):
    cls = ns.get(name)
    return cls if isinstance(cls, type) else None


def net_loss(ns, inputs):
    """`<class>.loss` of the student's net as written, and with the layers replaced."""
    cls = _class(ns, inputs["class"])
    loss = getattr(cls, "loss", None)
    reason = stub_reason(loss)
    if reason:
        return {"stub": reason}
    try:
        _, why, convention = constructor_args(cls, inputs)
    except Exception:  # noqa: BLE001 - an odd signature: the run says what goes wrong
        why, convention = "", KEEP
    if why:
        return {"skip": why}
    with _grader_layers(loss, convention):
        replaced = _guarded(lambda: _run(cls, inputs))
    return {**_guarded(lambda: _run(cls, inputs)), "replaced": replaced}
