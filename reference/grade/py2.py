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

__all__ = ["from_python2", "expand_tabs", "PYTHON2_NAMES"]


def _float_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, float)


# what only Python 2 writes: the print and exec statements, `except E, e`, `raise E, "m"`,
# backticks, `<>`, 0777 octals, ur"" strings (building the converter costs ~0.5 s: only then)
PYTHON2 = re.compile(r"""^\s*(print|exec)\b\s*[^\s(=.,)\]}]|^\s*except\s+[\w.]+\s*,\s*\w+\s*:
    |^\s*raise\s+[\w.]+\s*,|`|<>|\b0[0-7]+\b|\bur["']""", re.M | re.X)


# what a Python 2 file writes that parses as Python 3 but fails there: its names (a student
# who already wrote print(...) with parentheses still ran Python 2)
PYTHON2_NAMES = re.compile(r"""\bxrange\s*\(|^\s*import\s+cPickle\b|\braw_input\s*\(
    |\bfrom\s+itertools\s+import\s+[^\n]*\bi(zip|map|filter)\b
    |\.iter(items|keys|values)\s*\(|\.has_key\s*\(""", re.M | re.X)


@functools.lru_cache(maxsize=1)
def _refactoring_tool():
    """fissix's converter with all of its fixers (built once: a notebook converts per cell)."""
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
    (xrange, izip, cPickle, dict.iteritems)."""
    if not (PYTHON2_NAMES if parses else PYTHON2).search(src):
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
    # `a / b` was a floor division when both were integers in Python 2 (fissix keeps `/`)
    lines = sorted({n.lineno for n in ast.walk(tree)
                    if (isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)
                        and not (_float_literal(n.left) or _float_literal(n.right)))
                    or (isinstance(n, ast.AugAssign) and isinstance(n.op, ast.Div)
                        and not _float_literal(n.value))})
    note = f"{label}: Python 2, graded after automatic conversion to Python 3 (fissix)"
    if lines:
        shown = ", ".join(map(str, lines[:12])) + (", ..." if len(lines) > 12 else "")
        note += (f"; `/` on line{'s' if len(lines) > 1 else ''} {shown}: where both sides "
                 "are integers, Python 2 gave a floor division and Python 3 does not (check "
                 "them if a result differs)")
    return new, tree, note


