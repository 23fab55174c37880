"""One expression at one point in extended range and precision (mpmath).

A claim that is mathematically right can still give NaN or inf in float64:
``exp(-z)/(1 + exp(-z))**2`` is sigmoid'(z), but at z = -800 exp(800)
overflows and inf/inf is NaN. Where the float64 claim disagrees with autograd,
the judge asks this module for the claim's value at that point with a 30-digit
mantissa and an exponent range far beyond float64 (e^800 is an ordinary
number here), rounded back to float64: the formula, not its overflow, is
judged.

Bounds keep this cheap whatever the expression: a magnitude beyond
2**MAX_BITS counts as infinite (so exp(exp(exp(z))) cannot ask for a number
with billions of digits), a complex result (log or sqrt of a negative
number) is NaN as in NumPy, and `where` evaluates only the branch it picks.
"""

from __future__ import annotations

import math

import mpmath
from mpmath import mpf

__all__ = ["size", "evaluate"]

DIGITS = 30
MAX_BITS = 100_000  # |x| >= 2**MAX_BITS is treated as infinite, |x| < 2**-MAX_BITS as 0
EXP_LIMIT = MAX_BITS * math.log(2)  # exp(x) beyond this is inf (or 0 for -x)
TRIG_BITS = 2048  # sin/cos of an argument beyond 2**TRIG_BITS is not attempted (NaN)

_NAN, _INF, _ZERO, _ONE = mpf("nan"), mpf("inf"), mpf(0), mpf(1)


class _Unknown(Exception):
    """The value cannot be computed cheaply: report NaN (the float64 value stands)."""


def _num(x) -> mpf:
    """Clamp to the supported range; complex results are NaN (NumPy's answer)."""
    if not isinstance(x, mpf):
        return _NAN
    if mpmath.isnan(x) or mpmath.isinf(x) or x == 0:
        return x
    bits = mpmath.mag(x)
    if bits > MAX_BITS:
        return _INF if x > 0 else -_INF
    if bits < -MAX_BITS:
        return _ZERO
    return x


def _exp(x):
    if mpmath.isnan(x):
        return _NAN
    if x > EXP_LIMIT:
        return _INF
    if x < -EXP_LIMIT:
        return _ZERO
    return mpmath.exp(x)


def _expm1(x):
    return _exp(x) - 1 if abs(x) > 1 else mpmath.expm1(x)


def _sinh(x):
    return (_exp(x) - _exp(-x)) / 2


def _cosh(x):
    return (_exp(x) + _exp(-x)) / 2


def _tanh(x):
    if mpmath.isnan(x):
        return _NAN
    return mpmath.sign(x) * _ONE if abs(x) > 200 else mpmath.tanh(x)


def _sigmoid(x):
    if mpmath.isnan(x):
        return _NAN
    return 1 / (1 + _exp(-x)) if x >= 0 else _exp(x) / (1 + _exp(x))


def _softplus(x):
    if mpmath.isnan(x):
        return _NAN
    return x + mpmath.log1p(_exp(-x)) if x > 0 else mpmath.log1p(_exp(x))


def _trig(fn):
    def f(x):
        if mpmath.isinf(x) or mpmath.isnan(x):
            return _NAN
        if x != 0 and mpmath.mag(x) > TRIG_BITS:
            raise _Unknown
        return fn(x)
    return f


def _pick(fn):
    """max/min that propagate NaN, as np.maximum/np.minimum do."""
    def f(x, y):
        return _NAN if mpmath.isnan(x) or mpmath.isnan(y) else fn(x, y)
    return f


def _sign(x):
    return _NAN if mpmath.isnan(x) else mpmath.sign(x) * _ONE


UNARY = {
    "exp": _exp, "expm1": _expm1, "log": mpmath.log, "log1p": mpmath.log1p,
    "sqrt": mpmath.sqrt, "abs": mpmath.fabs, "sign": _sign, "tanh": _tanh,
    "sigmoid": _sigmoid, "softplus": _softplus, "relu": lambda x: _pick(max)(x, _ZERO),
    "sin": _trig(mpmath.sin), "cos": _trig(mpmath.cos), "sinh": _sinh, "cosh": _cosh,
}
UNARY.update({
    "erf": lambda x: _NAN if mpmath.isnan(x) else mpmath.erf(x),
    "arctan": lambda x: _NAN if mpmath.isnan(x) else mpmath.atan(x),
    "sech": lambda x: _NAN if mpmath.isnan(x) else 1 / _cosh(x),
    "log10": mpmath.log10,
})
BINARY = {"maximum": _pick(max), "minimum": _pick(min), "max": _pick(max), "min": _pick(min),
          "heaviside": lambda x, h0: _NAN if mpmath.isnan(x) else (
              _ONE if x > 0 else (_ZERO if x < 0 else h0))}
TERNARY = {"clip": lambda x, lo, hi: _pick(min)(_pick(max)(x, lo), hi)}


def _div(x, y):
    if y == 0:  # as NumPy: ±inf, or NaN for 0/0 (mpmath has no signed zero)
        return _NAN if x == 0 or mpmath.isnan(x) else mpmath.sign(x) * _INF
    return x / y


def _pow(x, y):
    if mpmath.isnan(x) or mpmath.isnan(y):
        return _ONE if y == 0 else _NAN
    if x == 0:
        return _INF if y < 0 else (_ONE if y == 0 else _ZERO)
    if not (mpmath.isinf(x) or mpmath.isinf(y)):
        size = abs(y) * abs(mpmath.log(abs(x), 2))
        if size > MAX_BITS:  # the result is beyond the range: 0 or ±inf
            if x < 0 and not mpmath.isint(y):
                return _NAN
            big = (abs(x) > 1) == (y > 0)
            sign = -1 if x < 0 and mpmath.isint(y) and int(y) % 2 else 1
            return sign * _INF if big else _ZERO
    return x ** y


_OPS = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
        "/": _div, "**": _pow}
_CMP = {">": lambda x, y: x > y, ">=": lambda x, y: x >= y, "<": lambda x, y: x < y,
        "<=": lambda x, y: x <= y}


def size(tree: tuple) -> int:
    """The number of nodes: the cost of one evaluation, roughly."""
    if tree[0] in ("const", "var"):
        return 1
    children = tree[1:] if tree[0] == "neg" else tree[2:]
    return 1 + sum(size(c) for c in children)


def evaluate(tree: tuple, symbols: dict[str, str], env: dict[str, float]) -> float:
    """The value of a compiled expression tree at one point, rounded to float64.

    `symbols` maps the tree's operator keys to "+", "-", "*", "/", "**", ">",
    ">=", "<", "<="; `env` holds float64 inputs. NaN when the value is complex
    or cannot be computed within the bounds.
    """
    with mpmath.workdps(DIGITS):
        try:
            value = _eval(tree, symbols, {k: mpf(float(v)) for k, v in env.items()})
        except (_Unknown, ZeroDivisionError, ValueError, OverflowError):
            return math.nan
    return float(value) if isinstance(value, mpf) else math.nan


def _eval(node: tuple, symbols: dict, env: dict) -> mpf:
    kind = node[0]
    if kind == "const":
        return mpf(node[1])
    if kind == "var":
        return env[node[1]]
    if kind == "neg":
        return -_eval(node[1], symbols, env)
    if kind == "bin":
        x, y = _eval(node[2], symbols, env), _eval(node[3], symbols, env)
        return _num(_OPS[symbols[node[1]]](x, y))
    if kind == "cmp":
        x, y = _eval(node[2], symbols, env), _eval(node[3], symbols, env)
        return _ONE if _CMP[symbols[node[1]]](x, y) else _ZERO
    name, args = node[1], node[2:]
    if name == "where":  # only the branch that is taken (the other may be NaN)
        cond = _eval(args[0], symbols, env)
        return _eval(args[1] if cond != 0 else args[2], symbols, env)
    values = [_eval(a, symbols, env) for a in args]
    fn = UNARY.get(name) or BINARY.get(name) or TERNARY[name]
    return _num(fn(*values))
