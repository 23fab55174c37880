"""Evaluate a registry entry's torch counterpart, written as a string.

The registry (in `manual`, which never imports torch) names the oracle's
forward as text, e.g. "torch.nn.functional.leaky_relu(z, negative_slope=0.01)"
or "-torch.special.xlogy(y, a)". This module turns such a string into a
callable over torch tensors. The grammar is deliberately tiny: dotted names
under `torch`, the variables z, a, y and axis, numeric/string constants,
keyword arguments, unary minus and the binary operators + - * /. It is
never Python's eval.
"""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Callable

import torch

from manual.errors import InputError

__all__ = ["torch_activation", "torch_loss"]

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv}
_VARIABLES = ("z", "a", "y", "axis")


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    raise InputError(f"not a dotted name: {ast.dump(node)}")


def _resolve(path: str) -> Callable:
    parts = path.split(".")
    if parts[0] != "torch" or any(p.startswith("_") for p in parts):
        raise InputError(f"torch counterpart {path!r} must be a public name under torch")
    obj = torch
    for p in parts[1:]:
        obj = getattr(obj, p, None)
        if obj is None:
            raise InputError(f"torch has no {path!r}")
    return obj


def _compile(node: ast.AST) -> Callable[[dict], object]:
    if isinstance(node, ast.Expression):
        return _compile(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
        value = node.value
        return lambda env: value
    if isinstance(node, ast.Name) and node.id in _VARIABLES:
        name = node.id
        return lambda env: env[name]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _compile(node.operand)
        return lambda env: -inner(env)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        op, left, right = _BINOPS[type(node.op)], _compile(node.left), _compile(node.right)
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.Call):
        fn = _resolve(_dotted(node.func))
        args = [_compile(a) for a in node.args]
        kwargs = {k.arg: _compile(k.value) for k in node.keywords}
        return lambda env: fn(*(a(env) for a in args), **{k: v(env) for k, v in kwargs.items()})
    raise InputError(f"unsupported syntax in torch counterpart: {ast.unparse(node)!r}")


@functools.cache
def compile_torch(source: str) -> Callable[..., torch.Tensor]:
    """Turn "torch.tanh(z)" into f(**{z, a, y, axis}) -> tensor."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise InputError(f"torch counterpart {source!r} does not parse: {exc.msg}") from None
    body = _compile(tree)
    return lambda **env: body(env)


def torch_activation(entry) -> Callable[[torch.Tensor, int], torch.Tensor]:
    """σ in torch for an activation entry: f(z, dim)."""
    if callable(entry.torch):
        fn = entry.torch
        return (lambda z, dim: fn(z, dim)) if not entry.elementwise else (lambda z, dim: fn(z))
    f = compile_torch(entry.torch)
    return lambda z, dim: f(z=z, axis=dim)


def torch_loss(entry) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The elementwise loss in torch for a loss entry: f(a, y) (the caller sums classes)."""
    if callable(entry.torch):
        return entry.torch
    f = compile_torch(entry.torch)
    return lambda a, y: f(a=a, y=y)
