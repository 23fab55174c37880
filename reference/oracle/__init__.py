"""The oracle: torch autograd on the same arrays (`autograd`), the cases it is asked
about (`cases`), the torch side of the registries (`torchexpr`), the comparison that
turns two answers into a verdict (`compare`) and the tolerances it uses (`tolerances`);
what a disagreement is (`kinds`) and the known mistakes that explain one (`diagnose`),
shared by `check` and the grader; what an implementation under test is given (`spec`);
the expression language (`expr`, `exact`) and the activations written in it (`custom`),
shared by `derive`, `check` and the oracle's helper process.

Importing this package imports no torch: the autograd names load on first use, so the
grader's NumPy-only side can use `compare` and `tolerances`.
"""

from __future__ import annotations

import importlib

_SUBMODULES = ("answers", "autograd", "cases", "compare", "custom", "diagnose", "exact",
               "expr", "kinds", "process", "spec", "tolerances", "torchexpr")


def __getattr__(name: str):
    """`from reference.oracle import oracle_for` (from `autograd`, importing torch then);
    a submodule by its name, without importing torch."""
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(".autograd", __name__), name)
