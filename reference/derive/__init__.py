"""Check a hand derivation against autograd (`backprop-oracle derive ...`).

    from reference.derive import check_activation, check_loss_gradient, check_output_error
    check_activation("sigmoid(z)", "sigmoid(z)*(1-sigmoid(z))").verdict   # 'correct'
    check_output_error("quadratic", "sigmoid", "a - y").verdict           # 'incorrect'

`expression_activation("NAME=FORWARD:DERIVATIVE")` registers an
expression-defined activation for whole networks.
"""

from .checks import (
    activation_report,
    check_activation,
    check_loss_gradient,
    check_output_error,
    loss_report,
    output_error_report,
)
from .custom import expression_activation, find_kinks, parse_spec
from .expr import MAX_EXPONENT, MAX_LENGTH, Expression, ExpressionError, compile_expression
from .judge import Report, Verdict

__all__ = [
    "MAX_EXPONENT", "MAX_LENGTH", "Expression", "ExpressionError", "Report", "Verdict",
    "activation_report", "check_activation", "check_loss_gradient", "check_output_error",
    "compile_expression", "expression_activation", "find_kinks", "loss_report",
    "output_error_report", "parse_spec",
]
