"""Check a hand derivation against autograd (`backprop-oracle derive ...`).

    from reference.derive import check_activation, check_loss_gradient, check_output_error
    check_activation("sigmoid(z)", "sigmoid(z)*(1-sigmoid(z))").verdict   # 'correct'
    check_output_error("quadratic", "sigmoid", "a - y").verdict           # 'incorrect'
    check_regularization("lam/2*w**2", "lam*w", params={"lam": 0.1}).ok   # True
    check_hidden_error("sigmoid", "matmul(transpose(W), delta) * a*(1-a)").ok  # True (BP2)

`expression_activation("NAME=FORWARD:DERIVATIVE")` registers an
expression-defined activation for whole networks.

The names below are imported on first use, so that parsing the command line
and refusing a bad expression do not wait for torch to load.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "activation_report": "checks", "check_activation": "checks",
    "check_loss_gradient": "checks", "check_output_error": "checks", "loss_report": "checks",
    "output_error_report": "checks",
    # the expression language lives in the oracle (its helper process compiles it too)
    "expression_activation": "..oracle.custom", "find_kinks": "..oracle.custom",
    "parse_spec": "..oracle.custom",
    "MAX_EXPONENT": "..oracle.expr", "MAX_LENGTH": "..oracle.expr", "Expression": "..oracle.expr",
    "ExpressionError": "..oracle.expr", "compile_expression": "..oracle.expr",
    "expression_loss": "..oracle.custom",
    "Report": "judge", "Verdict": "judge",
    "check_regularization": "network_checks", "regularization_report": "network_checks",
    "check_hidden_error": "network_checks", "hidden_error_report": "network_checks",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    home = _HOMES[name]
    value = getattr(importlib.import_module(home if home.startswith(".") else f".{home}",
                                            __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
