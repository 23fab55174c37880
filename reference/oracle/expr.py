"""A small, safe expression language compiled to NumPy and to torch at once.

One source such as ``sigmoid(z) * (1 - sigmoid(z))`` is parsed with Python's
``ast`` module and checked against a whitelist; it is never handed to eval.
The result evaluates in NumPy (float64, for the learner's claim), in torch
(float64 tensors, so autograd can differentiate the same formula; torch is
imported only then), and point by point in extended precision (`exact`,
where float64 overflows).

Grammar: the variables a caller allows (z, a, y), numbers, ``+ - * / **``,
unary ``-``/``+``, one comparison ``> >= < <=`` (giving 0.0 or 1.0), calls of
the functions in FUNCTIONS, and the constants ``pi`` and ``e``.

Vectors: arrays are (examples, classes); ``sum(x)`` and ``mean(x)`` reduce over
the class axis (the last), keeping it, so ``exp(z)/sum(exp(z))`` is a softmax
written out. A caller may declare matrix variables (BP2's ``W``, one matrix per
example, (examples, rows, columns)): ``transpose(W)`` swaps its axes and
``matmul(M, v)`` is the product of a matrix and a vector. An expression that uses
any of these is not elementwise (`Expression.vector`) and has no extended-precision
point evaluation.

Limits (hostile input is refused with the column of the offending token):
MAX_LENGTH characters, MAX_DEPTH levels of nesting, ASCII only, and a power
whose exponent is a constant must have |exponent| <= MAX_EXPONENT (constant
sub-expressions are folded in float64, never with Python integers, so
``9**999999`` can neither hang nor allocate).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from manual.errors import InputError

from . import exact

__all__ = [
    "MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT", "FUNCTIONS", "VECTOR_FUNCTIONS", "ExpressionError",
    "Expression", "compile_expression",
]

if TYPE_CHECKING:
    import torch

MAX_LENGTH = 1000
MAX_DEPTH = 200
MAX_EXPONENT = 1024.0

CONSTANTS = {"pi": math.pi, "e": math.e}


def _np_sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


_erf_object = np.frompyfunc(math.erf, 1, 1)


def _np_erf(x):
    """erf elementwise (NumPy has none; math.erf is correct to about 1 ulp)."""
    return np.asarray(_erf_object(np.asarray(x, dtype=np.float64)), dtype=np.float64)


def _torch():
    """torch, imported on first use: parsing and refusing an expression need no torch."""
    # here: torch costs 1.4 s (-X importtime, 2026-12-04)
    import torch

    return torch


# name: (arity, NumPy function, torch function (its name in torch, or f(torch, *args)),
#        may make the forward non-differentiable)
FUNCTIONS: dict[str, tuple[int, Callable, str | Callable, bool]] = {
    "exp": (1, np.exp, "exp", False),
    "expm1": (1, np.expm1, "expm1", False),
    "log": (1, np.log, "log", False),
    "log1p": (1, np.log1p, "log1p", False),
    "sqrt": (1, np.sqrt, "sqrt", False),
    "abs": (1, np.abs, "abs", True),
    "sign": (1, np.sign, "sign", True),
    "tanh": (1, np.tanh, "tanh", False),
    "sigmoid": (1, _np_sigmoid, "sigmoid", False),
    "softplus": (1, lambda x: np.logaddexp(0.0, x),
                 lambda t, x: t.logaddexp(x, t.zeros_like(x)), False),
    "relu": (1, lambda x: np.maximum(x, 0.0), "relu", True),
    "sin": (1, np.sin, "sin", False),
    "cos": (1, np.cos, "cos", False),
    "sinh": (1, np.sinh, "sinh", False),
    "cosh": (1, np.cosh, "cosh", False),
    "where": (3, lambda c, x, y: np.where(c != 0, x, y),
              lambda t, c, x, y: t.where(c != 0, x, y), True),
    "maximum": (2, np.maximum, "maximum", True),
    "minimum": (2, np.minimum, "minimum", True),
    "max": (2, np.maximum, "maximum", True),
    "min": (2, np.minimum, "minimum", True),
    "erf": (1, _np_erf, "erf", False),
    "arctan": (1, np.arctan, "atan", False),
    "sech": (1, lambda x: 1.0 / np.cosh(x), lambda t, x: 1.0 / t.cosh(x), False),
    "log10": (1, np.log10, "log10", False),
    "clip": (3, lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
             lambda t, x, lo, hi: t.minimum(t.maximum(x, lo), hi), True),
    # heaviside(x, h0): 1 for x > 0, 0 for x < 0, h0 at 0 (NumPy's); its slope is 0
    "heaviside": (2, np.heaviside,
                  lambda t, x, h0: t.where(x > 0, 1.0, t.where(x < 0, 0.0, h0 + 0 * x)), True),
    # over the class axis (the last), kept: exp(z)/sum(exp(z)) broadcasts
    "sum": (1, lambda x: np.sum(x, axis=-1, keepdims=True),
            lambda t, x: x.sum(dim=-1, keepdim=True), False),
    "mean": (1, lambda x: np.mean(x, axis=-1, keepdims=True),
             lambda t, x: x.mean(dim=-1, keepdim=True), False),
    # BP2's matrices: matmul(transpose(W), delta) is (W^T delta) per example
    "matmul": (2, lambda m, v: np.matmul(m, v[..., None])[..., 0],
               lambda t, m, v: t.matmul(m, v.unsqueeze(-1)).squeeze(-1), False),
    "transpose": (1, lambda m: np.swapaxes(m, -1, -2), lambda t, m: m.transpose(-1, -2), False),
}
VECTOR_FUNCTIONS = frozenset({"sum", "mean", "matmul", "transpose"})

# operator: (symbol, NumPy function, torch function name)
_BINARY = {ast.Add: ("+", np.add, "add"), ast.Sub: ("-", np.subtract, "sub"),
           ast.Mult: ("*", np.multiply, "mul"), ast.Div: ("/", np.divide, "div"),
           ast.Pow: ("**", np.power, "pow")}
_COMPARE = {ast.Gt: (">", np.greater, "gt"), ast.GtE: (">=", np.greater_equal, "ge"),
            ast.Lt: ("<", np.less, "lt"), ast.LtE: ("<=", np.less_equal, "le")}
_SYMBOLS = {op: entry[0] for op, entry in (_BINARY | _COMPARE).items()}
_REFUSED = {  # what to call the constructs people try
    ast.Attribute: "attribute access is", ast.Subscript: "subscripts are",
    ast.Lambda: "lambdas are", ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are", ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are", ast.BoolOp: "'and'/'or' are",
    ast.IfExp: "'x if c else y' is", ast.NamedExpr: "assignment expressions are",
    ast.Starred: "starred arguments are", ast.Tuple: "tuples are", ast.List: "lists are",
    ast.Dict: "dicts are", ast.Set: "sets are", ast.JoinedStr: "f-strings are",
    ast.Await: "await is", ast.Yield: "yield is", ast.YieldFrom: "yield is",
}


class ExpressionError(InputError):
    """A refused expression; `column` is 1-based (0 when no position applies)."""

    def __init__(self, message: str, column: int = 0):
        super().__init__(message)
        self.column = column


# The compiled form: a tree of tuples, evaluated by one of two backends.
#   ("const", value) ("var", name) ("neg", x) ("bin", op, x, y) ("cmp", op, x, y)
#   ("call", name, args...)
Node = tuple


@dataclass(frozen=True)
class Expression:
    """One parsed expression; `numpy(**vars)` and `torch(**vars)` evaluate it.

    `variables` are the variables it uses, `non_smooth` is true when it calls a
    function (abs, sign, relu, where, maximum, minimum, a comparison) that can
    make it non-differentiable somewhere.
    """

    source: str
    tree: Node
    variables: frozenset[str]
    non_smooth: bool
    vector: bool = False  # uses sum, mean, matmul or transpose: not elementwise
    matrix: bool = False  # its value is a matrix per example (uses W outside matmul)

    def numpy(self, **env) -> np.ndarray:
        """Evaluate in float64 NumPy (floating-point warnings silenced: NaN/inf is data)."""
        values = {k: np.asarray(v, dtype=np.float64) for k, v in env.items()}
        with np.errstate(all="ignore"):
            return np.asarray(_eval_np(self.tree, values), dtype=np.float64)

    def torch(self, **env) -> torch.Tensor:
        """Evaluate on torch tensors (differentiable through autograd)."""
        torch = _torch()
        ref = next(iter(env.values()))
        out = _eval_torch(torch, self.tree, env)
        return out if isinstance(out, torch.Tensor) else torch.as_tensor(out, dtype=ref.dtype)

    def exact(self, **env: float) -> float:
        """The value at one point (float inputs) computed in extended range and
        precision, rounded to float64 (see `exact`): NaN only where the math is."""
        if self.vector:
            raise ValueError("an expression over class vectors has no point evaluation")
        return exact.evaluate(self.tree, _SYMBOLS, env)


def _eval_np(node: Node, env: dict):
    kind = node[0]
    if kind == "const":
        return np.float64(node[1])
    if kind == "var":
        return env[node[1]]
    if kind == "neg":
        return -_eval_np(node[1], env)
    if kind == "bin":
        return _BINARY[node[1]][1](_eval_np(node[2], env), _eval_np(node[3], env))
    if kind == "cmp":
        result = _COMPARE[node[1]][1](_eval_np(node[2], env), _eval_np(node[3], env))
        return np.asarray(result, dtype=np.float64)
    fn = FUNCTIONS[node[1]][1]
    return fn(*(_eval_np(arg, env) for arg in node[2:]))


def _eval_torch(torch, node: Node, env: dict):
    kind = node[0]
    if kind == "const":
        return torch.tensor(node[1], dtype=torch.float64)
    if kind == "var":
        return env[node[1]]
    if kind == "neg":
        return -_eval_torch(torch, node[1], env)
    if kind == "bin":
        fn = getattr(torch, _BINARY[node[1]][2])
        return fn(_eval_torch(torch, node[2], env), _eval_torch(torch, node[3], env))
    if kind == "cmp":
        left, right = _eval_torch(torch, node[2], env), _eval_torch(torch, node[3], env)
        return getattr(torch, _COMPARE[node[1]][2])(left, right).to(torch.float64)
    fn = FUNCTIONS[node[1]][2]
    args = [_eval_torch(torch, arg, env) for arg in node[2:]]
    return getattr(torch, fn)(*args) if isinstance(fn, str) else fn(torch, *args)


def _shorten(source: str, limit: int = 60) -> str:
    return repr(source if len(source) <= limit else source[:limit] + "...")


def validate_params(params, variables: Iterable[str] = ("z", "a", "y")) -> dict[str, float]:
    """Named parameters ({"alpha": 1.6733}) as finite floats under names that are not
    a variable, a constant or a function; InputError otherwise."""
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise InputError(f"params must be a dict of name: number, got {type(params).__name__}")
    out = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise InputError(f"parameter name {name!r} must be an identifier")
        if name in variables or name in CONSTANTS or name in FUNCTIONS:
            raise InputError(f"parameter name {name!r} is taken (by a variable, a constant or "
                             f"a function); choose another")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InputError(f"parameter {name!r} must be a number, got {value!r}") from None
        if isinstance(value, bool) or not math.isfinite(number):
            raise InputError(f"parameter {name!r} must be a finite number, got {value!r}")
        out[name] = number
    return out


def compile_expression(source: str, variables: Iterable[str], what: str = "expression",
                       params: dict[str, float] | None = None,
                       matrices: Iterable[str] = ()) -> Expression:
    """Parse `source` into an Expression over the allowed `variables`; the names of
    `params` ({"alpha": 1.6733}) stand for their numbers; `matrices` are the variables
    that hold a matrix per example (only transpose and matmul read them as such).

    Raises ExpressionError (an InputError: exit code 2 on the command line) with
    a one-line message naming the column for anything outside the whitelist.
    """
    if not isinstance(source, str):
        raise ExpressionError(f"{what} must be a string, not {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"{what} is {len(source)} characters long; the limit is "
                              f"{MAX_LENGTH}")
    for i, ch in enumerate(source):
        if not (ch.isascii() and (ch.isprintable() or ch in " \t")):
            raise ExpressionError(f"{what} {_shorten(source)}: character {ch!r} "
                                  f"(U+{ord(ch):04X}) is not allowed at column {i + 1} "
                                  f"(printable ASCII only)", i + 1)
    if "#" in source:
        col = source.index("#") + 1
        raise ExpressionError(f"{what} {_shorten(source)}: comments ('#') are not allowed "
                              f"at column {col}", col)
    if not source.strip():
        raise ExpressionError(f"{what} is empty")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        stripped = source.strip()
        col = min(max(exc.offset or len(stripped) + 1, 1), len(stripped) + 1) \
            + len(source) - len(source.lstrip())
        raise ExpressionError(f"{what} {_shorten(source)}: syntax error at column {col} "
                              f"({exc.msg})", col) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"{what} {_shorten(source)}: cannot be parsed") from None
    builder = _Builder(source, frozenset(variables), what, validate_params(params, variables),
                       frozenset(matrices))
    node = builder.build(tree.body, 1)
    return Expression(source, node, frozenset(builder.used), builder.non_smooth,
                      builder.vector, builder.is_matrix(node))


class _Builder:
    """Walks the AST once, refusing anything outside the whitelist."""

    def __init__(self, source: str, allowed: frozenset[str], what: str,
                 params: dict[str, float] | None = None, matrices: frozenset[str] = frozenset()):
        self.source, self.allowed, self.what = source, allowed, what
        self.params = params or {}
        self.matrices = matrices
        self.offset = len(source) - len(source.lstrip())
        self.stripped = source.strip()
        self.used: set[str] = set()
        self.non_smooth = False
        self.vector = False

    def is_matrix(self, node: Node) -> bool:
        """Whether a compiled node's value is a matrix per example."""
        if node[0] == "var":
            return node[1] in self.matrices
        if node[0] == "call" and node[1] in ("matmul", "sum", "mean"):
            return False
        children = node[1:] if node[0] == "neg" else node[2:]
        return any(self.is_matrix(c) for c in children if isinstance(c, tuple))

    def operator_column(self, left: ast.AST, right: ast.AST) -> int:
        """The 0-based column (in the stripped source) of the operator between two
        operands: the first character after `left` that is not a space or a ')'."""
        start, stop = left.end_col_offset or 0, right.col_offset
        for i in range(start, max(stop, start)):
            if self.stripped[i] not in " \t)":
                return i
        return start

    def fail(self, node: ast.AST, message: str, col_offset: int | None = None):
        if col_offset is None:
            col_offset = getattr(node, "col_offset", -1)
        col = col_offset + 1 + self.offset
        raise ExpressionError(f"{self.what} {_shorten(self.source)}: {message} at column {col}",
                              col)

    def build(self, node: ast.AST, depth: int) -> Node:
        if depth > MAX_DEPTH:
            self.fail(node, f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail(node, f"the constant {value!r} is not a number")
            try:
                number = float(value)
            except OverflowError:
                number = math.inf
            if not math.isfinite(number):
                self.fail(node, "the number is too large")
            return ("const", number)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return self._fold(("neg", self.build(node.operand, depth + 1)))
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand, depth + 1)
            self.fail(node, f"the operator {_op_text(node.op)!r} is not allowed")
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.Compare):
            return self._compare(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Attribute):  # point at the dot
            self.fail(node, "attribute access is not allowed", node.value.end_col_offset)
        if isinstance(node, ast.IfExp):
            self.fail(node, "'x if c else y' is not allowed (use where(c, x, y))")
        for kind, words in _REFUSED.items():
            if isinstance(node, kind):
                self.fail(node, f"{words} not allowed")
        self.fail(node, f"{type(node).__name__} is not allowed")
        raise AssertionError  # unreachable: fail() raises

    def _binary(self, node: ast.BinOp, depth: int) -> Node:
        """A binary operation; a refusal points at the operator's column."""
        at = self.operator_column(node.left, node.right)
        if isinstance(node.op, ast.MatMult):
            self.fail(node, "the operator '@' is not allowed (write matmul(transpose(W), "
                            "delta))", at)
        if type(node.op) not in _BINARY:
            self.fail(node, f"the operator {_op_text(node.op)!r} is not allowed "
                            f"(use + - * / **)", at)
        left = self.build(node.left, depth + 1)
        right = self.build(node.right, depth + 1)
        if isinstance(node.op, ast.Pow) and right[0] == "const" \
                and abs(right[1]) > MAX_EXPONENT:
            self.fail(node, f"the exponent {right[1]:.6g} is too large "
                            f"(|exponent| <= {MAX_EXPONENT:g})", at)
        return self._fold(("bin", type(node.op), left, right))

    def _name(self, node: ast.Name) -> Node:
        if node.id in self.allowed:
            self.used.add(node.id)
            return ("var", node.id)
        if node.id in CONSTANTS:
            return ("const", CONSTANTS[node.id])
        if node.id in self.params:
            return ("const", self.params[node.id])
        if node.id in FUNCTIONS:
            self.fail(node, f"{node.id} is a function; call it as {node.id}(...)")
        names = ", ".join(sorted(self.allowed)) or "none"
        given = ", ".join(sorted(self.params)) or "none given"
        self.fail(node, f"unknown name {node.id!r} (variables here: {names}; "
                        f"constants: pi, e; parameters: {given})")
        raise AssertionError

    def _compare(self, node: ast.Compare, depth: int) -> Node:
        if len(node.ops) != 1:
            self.fail(node, "chained comparisons are not allowed (multiply two comparisons)",
                      self.operator_column(node.comparators[0], node.comparators[1]))
        op = node.ops[0]
        if type(op) not in _COMPARE:
            self.fail(node, f"the comparison {_op_text(op)!r} is not allowed "
                            f"(use > >= < <=)", self.operator_column(node.left,
                                                                     node.comparators[0]))
        self.non_smooth = True
        return self._fold(("cmp", type(op), self.build(node.left, depth + 1),
                           self.build(node.comparators[0], depth + 1)))

    def _call(self, node: ast.Call, depth: int) -> Node:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                self.fail(node, "attribute access is not allowed", node.func.value.end_col_offset)
            self.fail(node, "only the listed functions can be called")
        name = node.func.id
        if name not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            self.fail(node, f"unknown function {name!r} (functions: {known})")
        if node.keywords:
            self.fail(node.keywords[0].value, "keyword arguments are not allowed")
        arity, _, _, non_smooth = FUNCTIONS[name]
        if len(node.args) != arity:
            self.fail(node, f"{name} takes {arity} argument{'s' if arity > 1 else ''}, "
                            f"not {len(node.args)}")
        self.non_smooth |= non_smooth
        args = tuple(self.build(arg, depth + 1) for arg in node.args)
        if name in VECTOR_FUNCTIONS:
            return self._vector_call(node, name, args)
        return self._fold(("call", name, *args))

    def _vector_call(self, node: ast.Call, name: str, args: tuple[Node, ...]) -> Node:
        """sum, mean, matmul, transpose: never folded (sum(1) is the number of classes),
        and the matrix arguments checked."""
        if all(arg[0] == "const" for arg in args):
            self.fail(node, f"{name}(...) needs a variable inside")
        if name in ("matmul", "transpose") and not self.is_matrix(args[0]):
            held = ", ".join(sorted(self.matrices)) or "none here"
            self.fail(node.args[0], f"the first argument of {name} must be a matrix "
                                    f"(matrices: {held})")
        if name == "matmul" and self.is_matrix(args[1]):
            self.fail(node.args[1], "the second argument of matmul must be a vector")
        self.vector = True
        return ("call", name, *args)

    @staticmethod
    def _fold(node: Node) -> Node:
        """Replace an all-constant node by its float64 value (no Python big integers)."""
        children = node[1:] if node[0] == "neg" else node[2:]
        if all(child[0] == "const" for child in children):
            with np.errstate(all="ignore"):
                return ("const", float(_eval_np(node, {})))
        return node


def _op_text(op: ast.AST) -> str:
    return {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&",
            ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>",
            ast.Invert: "~", ast.Not: "not", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is",
            ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}.get(type(op),
                                                                        type(op).__name__)
