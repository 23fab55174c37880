"""backprop-oracle's torch autograd oracle, and the tools built on it.

The public API (importing `reference` imports neither torch nor NumPy-heavy
modules; each name is loaded on first use):

    verify(impl, cases=N, seed=S, activations=..., losses=..., layouts=...,
           dtypes=..., bias_shape=...)       -> the `check --format json` summary
    assert_backprop(impl, case, bias_shape=...)  AssertionError on a disagreement
    verify_layer(layer, forward, backward=None, cases=N, seed=S, dtypes=...)
                                                your own CS231n-style layer: the summary
    assert_layer(layer, forward, backward, case) AssertionError on a disagreement
    Spec, BIAS_SHAPES                           the contract (reference.check.contract)
    oracle_backprop, oracle_for                 the oracle's answer (reference.oracle)
    compare_gradients, Verdict, Mismatch        the comparison (reference.oracle.compare)
    tolerance_for, TOLERANCES                   the tolerances (reference.oracle.tolerances)
"""

from __future__ import annotations

import importlib

_LAZY = {
    "verify": "reference.check.verification",
    "assert_backprop": "reference.check.verification",
    "verify_layer": "reference.check.layers",
    "assert_layer": "reference.check.layers",
    "Spec": "reference.check.contract",
    "BIAS_SHAPES": "reference.check.contract",
    "oracle_backprop": "reference.oracle",
    "oracle_for": "reference.oracle",
    "compare_gradients": "reference.oracle.compare",
    "Verdict": "reference.oracle.compare",
    "Mismatch": "reference.oracle.compare",
    "tolerance_for": "reference.oracle.tolerances",
    "TOLERANCES": "reference.oracle.tolerances",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reference' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
