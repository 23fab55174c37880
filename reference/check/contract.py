"""The contract for an implementation under test (someone else's backprop).

An implementation is a callable `impl(spec, X, Y)`:

- `spec` (a `Spec`) carries `weights`, `biases`, `activations` (registry names,
  one per layer), `loss`, `layout` ("columns" or "rows"), `reduction` ("mean" or
  "sum") and `dtype` ("float64" or "float32"), plus the declared `bias_shape`;
- X and Y are the batch in the layout (columns: (n₀, m) and (n_L, m); rows:
  (m, n₀) and (m, n_L));
- it returns a mapping or an object with `dW` and `db` (one array per layer,
  layer 0 first) and optionally `deltas` (δˡ per example, no 1/m: ∂Cₓ/∂zˡₓ)
  and `cost` (the batch cost C). δ and the cost are compared only when given.

Shapes follow a declared convention, never guessed: W and dW are the layout's
((nₗ, nₗ₋₁) in columns, (nₗ₋₁, nₗ) in rows); biases and db follow `bias_shape`:
"layout" (the default: (nₗ, 1) in columns, (nₗ,) in rows), "column" (nₗ, 1),
"row" (1, nₗ) or "vector" (nₗ,).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from manual.equations import COLUMNS
from manual.errors import InputError

from ..oracle.diagnose import diagnose_array
from ..oracle.kinds import Kind
from ..oracle.spec import BIAS_SHAPES, Spec, bias_shape

__all__ = ["BIAS_SHAPES", "Answer", "Spec", "bias_shape", "describe_index", "diagnose",
           "load_impl", "read_answer"]

@dataclass
class Answer:
    """An implementation's answer, read from its mapping or object; deltas and cost
    are None when it did not give them."""

    dW: list
    db: list
    deltas: list | None = None
    cost: float | None = None


def read_answer(out) -> Answer:
    """An Answer from what `impl` returned; InputError naming what is missing."""
    get = (lambda k: out.get(k)) if isinstance(out, Mapping) else (
        lambda k: getattr(out, k, None))
    dW, db = get("dW"), get("db")
    if dW is None or db is None:
        missing = " and ".join(k for k, v in (("dW", dW), ("db", db)) if v is None)
        raise InputError(f"the implementation returned a {type(out).__name__} without "
                         f"{missing}; return a mapping or an object with dW and db (one "
                         f"array per layer), optionally deltas and cost")
    cost = get("cost")
    return Answer(list(dW), list(db), None if get("deltas") is None else list(get("deltas")),
                  cost)


def load_impl(target: str, what: str = "--impl") -> Callable:
    """'MODULE:FUNCTION' -> the function; the module is imported from the working
    directory first (as `python -m` would). `what` names the input in errors."""
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise InputError(f"{what} expects MODULE:FUNCTION (e.g. mynet:backprop), "
                         f"got {target!r}")
    if "" not in sys.path:
        sys.path.insert(0, "")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InputError(f"cannot import {module_name!r} for {what}: {exc}") from None
    except Exception as exc:  # the user's module failed while importing
        raise InputError(f"importing {module_name!r} for {what} raised "
                         f"{type(exc).__name__}: {exc}") from None
    impl = module
    for part in attr.split("."):
        if not hasattr(impl, part):
            raise InputError(f"module {module_name!r} has no attribute {attr!r} ({what} "
                             f"{target!r})")
        impl = getattr(impl, part)
    if not callable(impl):
        raise InputError(f"{target} is not callable: {what} needs a function "
                         f"impl(spec, X, Y)")
    return impl


_FIELD = {"BP1": "deltas", "BP2": "deltas", "BP3": "db", "BP4": "dW"}


def describe_index(equation: str, layer: int, index, layout: str, L: int) -> str:
    """What an index of deltas[l], dW[l] or db[l] means in the layout."""
    idx = tuple(int(i) for i in index)
    field = _FIELD.get(equation)
    if field is None or not idx:
        return ""
    cols = layout == COLUMNS
    inputs = "the input" if layer == 0 else f"layer {layer - 1}"
    if field == "deltas":
        unit, example = (idx[0], idx[1]) if cols else (idx[1], idx[0])
        return f"unit {unit} of layer {layer}, example {example}"
    if field == "dW":
        unit, source = (idx[0], idx[1]) if cols else (idx[1], idx[0])
        return f"the weight from unit {source} of {inputs} to unit {unit} of layer {layer}"
    return f"the bias of unit {max(idx)} of layer {layer}"


def diagnose(got, expected, equation: str, name: str, m: int) -> str:
    """The grader's diagnosis of one disagreeing array (1/m, transposed, flipped sign,
    rank-1 or wrong-axis shapes), or '' when it has none beyond 'wrong'."""
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{name} is not a numeric array"
    finding = diagnose_array(g, np.asarray(expected, dtype=np.float64), equation=equation,
                             name=name, scale_m=m if m > 1 else None)
    if finding is None or finding.kind is Kind.VALUE:
        return ""
    return finding.diagnosis
