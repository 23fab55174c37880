"""Python 2 submissions (Nielsen's own network.py and network2.py), converted with fissix,
the maintained fork of lib2to3, before grading (parent side).

Only a source that does not parse as Python 3 and shows something only Python 2
writes is converted (building the converter costs about 0.5 s). The note says so
and names the lines whose `/` has no float literal on either side: where both sides
are integers, Python 2 divided to an integer (the one conversion that can change
what the code computes).
"""

from __future__ import annotations

import ast
import functools
import re

from . import prescan

__all__ = ["from_python2", "expand_tabs", "compat_import", "floor_divisions", "integer_range",
           "python3_only",
           "PYTHON2_NAMES"]


def _float_literal(node: ast.AST) -> bool:
    """`1.0`, `-1.0`, `1.`: a float whatever the other side is."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, float)


# what only Python 2 writes: the print and exec statements (also after a one-line `if x:`,
# as CS231n's 2016 skeleton writes `if verbose: print 'dx_flat: ', dx_flat.shape`),
# `except E, e`, `raise E, "m"`, backticks, `<>`, 0777 octals, ur"" strings (building the
# converter costs ~0.5 s: only then)
PYTHON2 = re.compile(r"""(^|:)[ \t]*(print|exec)\b[ \t]*[^\s(=.,:)\]}]
    |^\s*except\s+[\w.]+\s*,\s*\w+\s*:
    |^\s*raise\s+[\w.]+\s*,|`|<>|\b0[0-7]+\b|\bur["']""", re.M | re.X)


# what a Python 2 file writes that parses as Python 3 but fails there: its names (a student
# who already wrote print(...) with parentheses still ran Python 2)
PYTHON2_NAMES = re.compile(r"""\bxrange\s*\(|^\s*import\s+cPickle\b|\braw_input\s*\(
    |\bfrom\s+itertools\s+import\s+[^\n]*\bi(zip|map|filter)\b
    |\.iter(items|keys|values)\s*\(|\.has_key\s*\(""", re.M | re.X)


# what compatibility libraries give a Python 3 file (future's past.builtins, six.moves):
# Python 3's own builtins, bound directly when the library is absent
COMPAT = {"past.builtins": {"xrange": "range", "raw_input": "input", "unicode": "str",
                            "basestring": "str", "long": "int"},
          "six.moves": {"xrange": "range", "range": "range", "zip": "zip", "map": "map",
                        "filter": "filter", "input": "input"}}


def compat_import(node: ast.AST) -> str | None:
    """`from past.builtins import xrange` as `xrange = range` (what it binds in Python 3),
    or None for any other statement."""
    if not (isinstance(node, ast.ImportFrom) and not node.level and node.module in COMPAT
            and all(a.name in COMPAT[node.module] for a in node.names)):
        return None
    return "; ".join(f"{a.asname or a.name} = {COMPAT[node.module][a.name]}"
                     for a in node.names)


def _intlike(node: ast.AST) -> bool:
    """An expression that is an integer in Python 2 whatever the data: an int literal,
    len()/int(), an entry of `.shape`, `.ndim`/`.size`, and +, -, *, //, % of those."""
    if isinstance(node, ast.Constant):
        return type(node.value) is int
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in ("len", "int") and not node.keywords
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        return node.value.attr == "shape" and not isinstance(node.slice, ast.Slice)
    if isinstance(node, ast.Attribute):
        return node.attr in ("ndim", "size")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _intlike(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult,
                                                            ast.FloorDiv, ast.Mod)):
        return _intlike(node.left) and _intlike(node.right)
    return False


def _int_division(node: ast.AST) -> bool:
    """`len(parameters) / 2`: both sides integers, a floor division in Python 2."""
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and \
        _intlike(node.left) and _intlike(node.right)


def _future(tree: ast.AST, feature: str) -> bool:
    return any(isinstance(n, ast.ImportFrom) and n.module == "__future__"
               and any(a.name == feature for a in n.names) for n in ast.walk(tree))


def _true_division(tree: ast.AST) -> bool:
    return _future(tree, "division")


def python3_only(tree: ast.AST) -> bool:
    """Syntax Python 2 cannot parse (f-strings, `@`, annotations, keyword-only arguments,
    `nonlocal`, `yield from`, `print(..., end=...)`): the file was written for Python 3,
    so its integer divisions are the student's own bug, not Python 2's floor."""
    for n in ast.walk(tree):
        if isinstance(n, (ast.JoinedStr, ast.Nonlocal, ast.YieldFrom, ast.AsyncFunctionDef,
                          ast.NamedExpr, ast.AnnAssign)):
            return True
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult):
            return True
        if isinstance(n, (ast.FunctionDef, ast.Lambda)) and (
                n.args.kwonlyargs or getattr(n, "returns", None)
                or any(a.annotation for a in n.args.args)):
            return True
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print" \
                and any(k.arg in ("end", "sep", "file", "flush") for k in n.keywords) \
                and not _future(tree, "print_function"):
            return True
    return False


def integer_range(tree: ast.AST) -> bool:
    """Code only Python 2 runs: range() over a division of integers (`L = len(parameters)
    / 2` then `range(L)`, or `range(len(x) / 2)`), a TypeError in Python 3 every time,
    in a file with nothing only Python 3 parses (`python3_only`)."""
    if _true_division(tree) or python3_only(tree):
        return False
    halves = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign)
              and _int_division(n.value) for t in n.targets if isinstance(t, ast.Name)}
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
               and n.func.id in ("range", "xrange")
               and any(_int_division(x) or (isinstance(x, ast.Name) and x.id in halves)
                       for a in n.args for x in ast.walk(a))
               for n in ast.walk(tree))


def floor_divisions(src: str, tree: ast.AST) -> tuple[str, list[int]]:
    """The source with each `/` between integers (`_intlike`) written `//`, as Python 2
    computed it (unless `from __future__ import division`), and the lines changed."""
    if _true_division(tree):
        return src, []
    lines = src.split("\n")
    done = []
    spots = sorted(((n.left.end_lineno, n.left.end_col_offset, n.right.col_offset)
                    for n in ast.walk(tree) if _int_division(n)
                    and n.left.end_lineno == n.right.lineno), reverse=True)
    for lineno, start, end in spots:
        raw = lines[lineno - 1].encode()
        gap = raw[start:end]
        if gap.count(b"/") == 1:
            lines[lineno - 1] = (raw[:start] + gap.replace(b"/", b"//") + raw[end:]).decode()
            done.append(lineno)
    return "\n".join(lines), sorted(set(done))


@functools.lru_cache(maxsize=1)
def _refactoring_tool():
    """fissix's converter with all of its fixers (built once: a notebook converts per cell)."""
    # imported here: fissix costs 20-60 ms (-X importtime, 2026-12-04) and only Python 2
    # sources need it
    from fissix import pygram
    from fissix.refactor import RefactoringTool, get_fixers_from_package

    tool = RefactoringTool(get_fixers_from_package("fissix.fixes"))
    tool.driver.grammar = pygram.python_grammar       # with the print statement
    return tool


def _expand_indent(line: str) -> str:
    body = line.lstrip(" \t")
    return line[:len(line) - len(body)].expandtabs(8) + body


def expand_tabs(src: str) -> str:
    """Every line's indentation with its tabs expanded to multiples of 8 (Python 2's rule)."""
    return "\n".join(_expand_indent(line) for line in src.split("\n"))


def from_python2(src: str, label: str, parses: bool = False
                 ) -> tuple[str, ast.AST, str] | None:
    """(converted source, its tree, the note) when `src` is Python 2 that fissix (the
    maintained lib2to3) converts to parseable Python 3; None otherwise. `parses`: the
    source parses as Python 3, and is converted only when it uses Python 2's names
    (xrange, izip, cPickle, dict.iteritems) or runs range() over a division of integers."""
    if not (PYTHON2_NAMES if parses else PYTHON2).search(src) and not (
            parses and integer_range(ast.parse(src, filename=label))):
        return None
    if not prescan.python2(src):     # fissix's time and memory, bounded before it starts
        return None
    try:
        tool = _refactoring_tool()
        new = str(tool.refactor_string(src if src.endswith("\n") else src + "\n", label))
    except Exception:  # noqa: BLE001 - not Python 2 either: the caller reports the error
        return None
    try:
        tree = ast.parse(new, filename=label)
    except TabError:      # Python 2 allowed tabs and spaces mixed: a tab went to a multiple of 8
        new = expand_tabs(new)
        try:
            tree = ast.parse(new, filename=label)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    new, floored = floor_divisions(new, tree)
    if floored:
        tree = ast.parse(new, filename=label)
    return new, tree, _note(label, tree, floored)


def _note(label: str, tree: ast.AST, floored: list[int]) -> str:
    """The conversion's note: the lines whose `/` between integers became `//`, and those
    whose `/` may have been a floor division (sides of unknown type, no float literal)."""
    # `a / b` was a floor division when both were integers in Python 2 (fissix keeps `/`)
    lines = sorted({n.lineno for n in ast.walk(tree)
                    if (isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)
                        and not (_float_literal(n.left) or _float_literal(n.right)))
                    or (isinstance(n, ast.AugAssign) and isinstance(n.op, ast.Div)
                        and not _float_literal(n.value))})
    note = f"{label}: Python 2, graded after automatic conversion to Python 3 (fissix)"
    if lines:
        shown = ", ".join(map(str, lines[:12])) + (", ..." if len(lines) > 12 else "")
        note += (f"; `/` on line{'s' if len(lines) > 1 else ''} {shown}: divided as "
                 "Python 2 did, a floor division where both sides are integers when it runs")
    if floored:
        note += (f"; `/` between integers read as Python 2's floor division `//` on "
                 f"line{'s' if len(floored) > 1 else ''} {', '.join(map(str, floored[:12]))}")
    return note


