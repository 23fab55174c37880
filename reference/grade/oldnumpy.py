"""NumPy as the code of its time ran on it (child side).

Students' code from before NumPy 1.24 uses what 1.24 removed, and ran:
`(x > 0).astype(np.float)` (np.float, np.int, np.object, np.complex, np.str were
Python's own types), and `np.array([...])` of layers of different shapes
(Nielsen's `self.biases = np.array([np.random.randn(y, 1) for y in sizes[1:]])`),
which gave a one-dimensional array of objects. `install()` brings both back, in
the child only, before any student code runs: the aliases are the same objects
again (never over a name NumPy has), and a list NumPy now refuses as
inhomogeneous becomes that object array; anything else np.array does is unchanged.

And `float(b)`, `int(n)` of a one-element array that is not 0-d (Ng's b of shape
(1, 1, 1)): NumPy 1 converted it (deprecated in 1.25), NumPy 2 raises TypeError. Only in
the student's code: the worker compiles each student segment through `rewrite`, which
turns a call `float(x)` into `__oldnumpy_float__(x)` (`bind` puts those in the module's
namespace), that converts a one-element array as NumPy 1 did and is `float` otherwise;
the names `float` and `int` themselves stay the builtins (isinstance, dtype=float).
"""

from __future__ import annotations

import ast

import numpy as np

__all__ = ["ALIASES", "SCALARS", "install", "rewrite", "bind"]

ALIASES = {"float": float, "int": int, "object": object, "complex": complex, "str": str}


def _ragged(array):
    """np.array, except that a list of arrays of different shapes (with no dtype asked for)
    is a one-dimensional object array of them, as before NumPy 1.24."""
    def tolerant(obj, *args, **kwargs):
        try:
            return array(obj, *args, **kwargs)
        except ValueError as exc:
            if args or kwargs or "inhomogeneous" not in str(exc) or \
                    not isinstance(obj, (list, tuple)):
                raise
        out = np.empty(len(obj), dtype=object)
        for k, item in enumerate(obj):
            out[k] = item
        return out
    tolerant.__wrapped__ = array
    tolerant.__doc__ = array.__doc__
    return tolerant


def install() -> None:
    for name, value in ALIASES.items():
        vars(np).setdefault(name, value)
    if not hasattr(np.array, "__wrapped__"):
        np.array = _ragged(np.array)


def _scalar(kind):
    """`kind` (float or int), except that a one-element array of any shape converts as its
    element, as before NumPy 2."""
    def convert(*args, **kwargs):
        if (len(args) == 1 and not kwargs and isinstance(args[0], np.ndarray)
                and args[0].ndim and args[0].size == 1):
            args = (args[0].reshape(()),)
        return kind(*args, **kwargs)
    convert.__name__ = convert.__qualname__ = kind.__name__
    return convert


# the student's call of a builtin -> the name of its NumPy-1 conversion in the namespace
SCALARS = {"float": "__oldnumpy_float__", "int": "__oldnumpy_int__"}
_CONVERT = {SCALARS["float"]: _scalar(float), SCALARS["int"]: _scalar(int)}


class _Calls(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in SCALARS:
            node.func = ast.copy_location(ast.Name(SCALARS[node.func.id], ast.Load()),
                                          node.func)
        return node


def _binds(tree: ast.AST) -> set[str]:
    """The names the code binds (assigned, defined, imported, an argument)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            out.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.alias):
            out.add(node.asname or node.name.split(".")[0])
    return out


def rewrite(tree: ast.Module) -> ast.Module:
    """The student's code with its calls of float() and int() converting a one-element
    array as NumPy 1 did (unchanged when the code binds either name itself)."""
    if _binds(tree) & set(SCALARS):
        return tree
    return ast.fix_missing_locations(_Calls().visit(tree))


def bind(ns: dict) -> None:
    """The conversions `rewrite` calls, in a student module's namespace."""
    for name, convert in _CONVERT.items():
        ns.setdefault(name, convert)
