"""The oracle: torch autograd on the same arrays (`autograd`), the cases it is asked
about (`cases`), the torch side of the registries (`torchexpr`), the comparison that
turns two answers into a verdict (`compare`) and the tolerances it uses (`tolerances`).

Importing this package imports no torch: the autograd names load on first use, so the
grader's NumPy-only side can use `compare` and `tolerances`.
"""

from __future__ import annotations

import importlib

_SUBMODULES = ("answers", "autograd", "cases", "compare", "diagnose", "kinds", "process",
               "tolerances", "torchexpr")


def __getattr__(name: str):
    """`from reference.oracle import oracle_for` (from `autograd`, importing torch then);
    a submodule by its name, without importing torch."""
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(".autograd", __name__), name)
