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
(1, 1, 1)): NumPy 1 converted it (deprecated in 1.25), NumPy 2 raises TypeError; so is
`Z[i, h, w, c] = np.float64(s + b)`, a (1, 1, 1) array stored in one element (NumPy 2:
ValueError), stored as its element. Only in
the student's code: the worker compiles each student segment through `rewrite`, which
turns a call `float(x)` into `__oldnumpy_float__(x)` (`bind` puts those in the module's
namespace), that converts a one-element array as NumPy 1 did and is `float` otherwise;
the names `float` and `int` themselves stay the builtins (isinstance, dtype=float).

Also as they ran: the names NumPy 2.0 removed that were another name for what NumPy
still has (np.NaN, np.Inf, np.float_, np.product, np.alltrue, ...: `EQUIVALENTS`),
`np.reshape(a, newshape=...)` (removed in 2.4), the stacking functions given a generator
(refused since 1.25), and `a.itemset(...)` (removed in 2.0: `rewrite` turns the call
into `__oldnumpy_itemset__(a, ...)`, which sets the item as itemset did). What is still
refused (an API with no exact equivalent) is named by the parent as old code
(`reference.grade.oldcode`), not as wrong math.
"""

from __future__ import annotations

import ast

import numpy as np

__all__ = ["ALIASES", "ELEMENT", "EQUIVALENTS", "SCALARS", "STACKING", "install", "rewrite",
           "bind", "python2_divisions"]

ALIASES = {"float": float, "int": int, "object": object, "complex": complex, "str": str}
# removed names of NumPy 2.0 (and 1.23's asscalar) -> the name NumPy has for the same thing
EQUIVALENTS = {"NaN": "nan", "NAN": "nan", "Inf": "inf", "Infinity": "inf", "infty": "inf",
               "PINF": "inf", "float_": "float64", "complex_": "complex128",
               "unicode_": "str_", "string_": "bytes_", "product": "prod",
               "cumproduct": "cumprod", "alltrue": "all", "sometrue": "any",
               "round_": "round", "trapz": "trapezoid", "in1d": "isin"}
STACKING = ("stack", "vstack", "hstack", "dstack", "column_stack")


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


def _sequence(stack):
    """A stacking function that takes a generator as a list, as before NumPy 1.25."""
    def tolerant(arrays, *args, **kwargs):
        if not isinstance(arrays, (list, tuple, np.ndarray)) and hasattr(arrays, "__next__"):
            arrays = list(arrays)
        return stack(arrays, *args, **kwargs)
    tolerant.__wrapped__ = stack
    tolerant.__doc__ = stack.__doc__
    tolerant.__oldnumpy__ = True
    return tolerant


def _newshape(reshape):
    """np.reshape that takes `newshape=` as NumPy before 2.4 did."""
    def tolerant(a, *args, **kwargs):
        if "newshape" in kwargs and "shape" not in kwargs and not args:
            kwargs["shape"] = kwargs.pop("newshape")
        return reshape(a, *args, **kwargs)
    tolerant.__wrapped__ = reshape
    tolerant.__doc__ = reshape.__doc__
    tolerant.__oldnumpy__ = True
    return tolerant


def _asscalar(a):
    """np.asscalar (removed in NumPy 1.23): a.item()."""
    return np.asarray(a).item()


def install() -> None:
    for name, value in ALIASES.items():
        vars(np).setdefault(name, value)
    for old, new in EQUIVALENTS.items():
        if hasattr(np, new):
            vars(np).setdefault(old, getattr(np, new))
    vars(np).setdefault("NINF", -np.inf)
    vars(np).setdefault("asscalar", _asscalar)
    if not hasattr(np.array, "__wrapped__"):
        np.array = _ragged(np.array)
    for name in STACKING:       # NumPy's own functions have a __wrapped__: a mark of ours
        if not hasattr(getattr(np, name), "__oldnumpy__"):
            setattr(np, name, _sequence(getattr(np, name)))
    if not hasattr(np.reshape, "__oldnumpy__"):
        np.reshape = _newshape(np.reshape)


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


def _itemset(obj, *args):
    """`obj.itemset(*args)`: an array's item set as ndarray.itemset did before NumPy 2.0
    (one argument: the only item; an int: the flat index; a tuple or several ints: the
    index), anything else's own itemset."""
    if not isinstance(obj, np.ndarray) or hasattr(obj, "itemset"):
        return obj.itemset(*args)
    if not args:
        raise TypeError("itemset must have at least one argument")
    *where, value = args
    if not where:
        if obj.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        obj.flat[0] = value
    elif len(where) == 1 and not isinstance(where[0], tuple):
        obj.flat[where[0]] = value
    else:
        obj[where[0] if len(where) == 1 else tuple(where)] = value
    return None


def _integral(x) -> bool:
    return isinstance(x, (int, np.integer)) or (isinstance(x, np.ndarray)
                                                and x.dtype.kind in "biu")


def _py2_div(a, b):
    """`a / b` as Python 2 computed it: a floor division when both are integers (Python's
    or NumPy's, arrays of integers included), else a true division."""
    return a // b if _integral(a) and _integral(b) else a / b


def _element(container, value):
    """The value stored by `container[index] = value`: a one-element array of any shape
    as its element when the container is a numeric array (NumPy 1 stored it in one
    element, deprecated in 1.25, NumPy 2 raises; in a larger region both broadcast
    alike); anything else (an object array of layers) as it is."""
    if (isinstance(container, np.ndarray) and container.dtype.kind in "biufc"
            and isinstance(value, np.ndarray) and value.ndim and value.size == 1):
        return value.reshape(())
    return value


# the student's call of a builtin -> the name of its NumPy-1 conversion in the namespace
SCALARS = {"float": "__oldnumpy_float__", "int": "__oldnumpy_int__"}
ITEMSET = "__oldnumpy_itemset__"
DIVISION = "__oldnumpy_py2_div__"
ELEMENT = "__oldnumpy_element__"
_CONVERT = {SCALARS["float"]: _scalar(float), SCALARS["int"]: _scalar(int), ITEMSET: _itemset,
            DIVISION: _py2_div, ELEMENT: _element}


class _Calls(ast.NodeTransformer):
    def __init__(self, names: set[str]):
        self.names = names

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in self.names:
            node.func = ast.copy_location(ast.Name(SCALARS[node.func.id], ast.Load()),
                                          node.func)
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "itemset":
            node.args = [node.func.value, *node.args]
            node.func = ast.copy_location(ast.Name(ITEMSET, ast.Load()), node.func)
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.Assign:
        """`Z[i, h, w, c] = value` (the container a name: read twice, no side effect)
        storing a one-element array as NumPy 1 did (`_element`)."""
        self.generic_visit(node)
        [target] = node.targets if len(node.targets) == 1 else [None]
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            container = ast.Name(target.value.id, ast.Load())
            node.value = ast.copy_location(
                ast.Call(ast.Name(ELEMENT, ast.Load()), [container, node.value], []),
                node.value)
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
    array as NumPy 1 did (not when the code binds either name itself), its calls
    `x.itemset(...)` setting the item as NumPy 1 did, and its stores `Z[...] = value` of a
    one-element array into a numeric array's element as NumPy 1 did."""
    names = set() if _binds(tree) & set(SCALARS) else set(SCALARS)
    return ast.fix_missing_locations(_Calls(names).visit(tree))


def _float_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, float)


class _Divisions(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Div) or _float_literal(node.left) \
                or _float_literal(node.right):
            return node
        call = ast.Call(ast.Name(DIVISION, ast.Load()), [node.left, node.right], [])
        return ast.copy_location(call, node)


def python2_divisions(tree: ast.Module) -> ast.Module:
    """Code converted from Python 2 (`py2`) with each `a / b` (no float literal on either
    side) divided as Python 2 did at run time: `//` when both are integers. A `/=` is
    left as it is (an array divided in place)."""
    return ast.fix_missing_locations(_Divisions().visit(tree))


def bind(ns: dict) -> None:
    """The conversions `rewrite` calls, in a student module's namespace."""
    for name, convert in _CONVERT.items():
        ns.setdefault(name, convert)
