"""Keeping what grading needs of one file (parent side): the passes "Python 2
conversion" (`py2`: `print "..."`, `except E, e`, tabs read as Python 2 did; IPython
lines left in a .py file dropped) and "keep definitions" (imports, definitions,
constant assignments, `try`/`if` blocks made of those; `exec(open("x.py").read())`
read as a star import). Each note goes to the reading's record (`Loaded.warnings`).
"""

from __future__ import annotations

import ast
import re

from .py2 import compat_import, expand_tabs, from_python2
from .source import strip_magics
from .submission import FileReading, Loaded, Segment

__all__ = ["python3_trees", "keep_definitions"]


def _literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


NUMERIC_MODULES = {"np", "numpy", "math"}
SAFE_NAMES = NUMERIC_MODULES | {"float", "int", "bool", "complex"}


def _walk_unlambda(node: ast.AST):
    """ast.walk, not entering the bodies of lambdas (a lambda runs nothing until called)."""
    todo = [node]
    while todo:
        sub = todo.pop()
        yield sub
        if isinstance(sub, ast.Lambda):
            todo.extend(d for d in sub.args.defaults + sub.args.kw_defaults if d is not None)
        else:
            todo.extend(ast.iter_child_nodes(sub))


def _numeric_constant(node: ast.AST, known: set[str]) -> bool:
    """`np.finfo(float).eps`, `1e-8 * math.pi`, `EPS / 2`, and definitions by expression:
    `sigmoid = lambda z: ...`, `sigmoid_vec = np.vectorize(sigmoid)` (a book's first
    network.py), `ACT = {"relu": relu}`. Names are NumPy/math or earlier constants,
    functions, classes and imports; calls only on NumPy/math attributes (no student
    function runs: a lambda's body is not looked into, it runs only when called)."""
    for sub in _walk_unlambda(node):
        if isinstance(sub, ast.Name) and sub.id not in SAFE_NAMES | known:
            return False
        if isinstance(sub, ast.Call):
            root = sub.func
            while isinstance(root, (ast.Attribute, ast.Call)):
                root = root.value if isinstance(root, ast.Attribute) else root.func
            if not (isinstance(root, ast.Name) and root.id in SAFE_NAMES):
                return False
        if isinstance(sub, (ast.NamedExpr, ast.comprehension, ast.Await)):
            return False
    return True


def _kept(node: ast.stmt, known: set[str]) -> str | None:
    """"import", "code" or None (dropped). `known`: the names defined so far (constants,
    functions, classes, imports), which a kept assignment may refer to."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        known.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
        return "import"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        known.add(node.name)
        return "code"
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if all(isinstance(t, ast.Name) for t in targets) and (
                _literal(node.value) or _numeric_constant(node.value, known)):
            known.update(t.id for t in targets)
            return "code"
    if isinstance(node, ast.Try) and node.body and all(_kept(s, known) for s in node.body):
        return "code"
    if isinstance(node, ast.If) and _plain_test(node.test) and all(
            _kept(s, known) or _import_setup(s, node) for s in node.body + node.orelse):
        return "code"          # `if GPU: import cupy as np` / `else: import numpy as np`
    return None


def _import_setup(stmt: ast.stmt, choice: ast.If) -> bool:
    """In an `if` choosing an import in each branch (the second book's common/np.py: `if
    GPU: import cupy as np`, its allocator set up and a banner printed; `else: import
    numpy as np`), the branch's set-up lines: calls and attribute assignments."""
    branches = [choice.body, choice.orelse]
    if not all(b and any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in b)
               for b in branches):
        return False
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) or (
        isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Attribute) for t in stmt.targets))


def _exec_file(node: ast.stmt) -> str | None:
    """`helpers` for a top-level `exec(open("helpers.py").read())` (also with globals()):
    running a file beside the submission into it, which a star import does too."""
    call = node.value if isinstance(node, ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id == "exec" and call.args):
        return None
    read = call.args[0]
    if not (isinstance(read, ast.Call) and isinstance(read.func, ast.Attribute)
            and read.func.attr == "read" and isinstance(read.func.value, ast.Call)):
        return None
    opened = read.func.value
    if not (isinstance(opened.func, ast.Name) and opened.func.id == "open" and opened.args
            and isinstance(opened.args[0], ast.Constant)
            and isinstance(opened.args[0].value, str)):
        return None
    match = re.fullmatch(r"(?:\./)?([A-Za-z_]\w*)\.py", opened.args[0].value)
    return match.group(1) if match else None


def _plain_test(node: ast.AST) -> bool:
    """A condition that runs nothing of the student's: names, constants, attributes and
    comparisons of those (no call, no subscript)."""
    return all(isinstance(sub, (ast.Name, ast.Constant, ast.Attribute, ast.Compare,
                                ast.BoolOp, ast.UnaryOp, ast.Load, ast.cmpop, ast.boolop,
                                ast.unaryop, ast.expr_context))
               for sub in ast.walk(node))


def _as_python3(label: str, src: str, out: Loaded) -> tuple[ast.AST, str] | SyntaxError:
    """(tree, source) of a source Python 3 reads (converted when it uses Python 2's names;
    tabs and spaces mixed read as Python 2 did, with a note); else its SyntaxError. A
    source that cannot be parsed at all (null bytes, too deep) raises ValueError."""
    try:
        tree = ast.parse(src, filename=label)
    except TabError as exc:         # tabs and spaces mixed: Python 2 read a tab as 8 columns
        expanded = expand_tabs(src)
        try:
            tree = ast.parse(expanded, filename=label)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return exc
        out.warnings.append(f"{label}: tabs and spaces mixed in the indentation, read as "
                            "Python 2 did (a tab to the next multiple of 8 columns)")
        return tree, expanded
    except SyntaxError as exc:
        return exc
    converted = from_python2(src, label, parses=True)     # xrange, izip, cPickle
    if converted is not None:
        out.warnings.append(converted[2])
        out.python2.add(label)
        return converted[1], converted[0]
    return tree, src


def _parse(label: str, src: str, notebook: bool, out: Loaded) -> tuple[ast.AST, str] | None:
    """(tree, source) of one file or cell; None when it is skipped. A .py file that does not
    parse may be a notebook pasted into a file (`%matplotlib inline` left in: those lines
    are dropped, with a note) or Python 2 (converted, with a note)."""
    try:
        error = _as_python3(label, src, out)
    except (ValueError, RecursionError, MemoryError) as exc:
        out.error = f"{label}: cannot be parsed ({type(exc).__name__})"
        return None
    if not isinstance(error, SyntaxError):
        return error
    if not notebook:
        stripped = strip_magics(src)
        dropped = [k for k, (a, b) in enumerate(zip(src.splitlines(), stripped.splitlines()), 1)
                   if a != b]
        if dropped:
            shown = ", ".join(map(str, dropped[:12])) + (", ..." if len(dropped) > 12 else "")
            note = f"{label}: IPython lines dropped (line {shown}): a .py file is plain Python"
            try:
                tree = ast.parse(stripped, filename=label)
                out.warnings.append(note)
                return tree, stripped
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                if from_python2(stripped, label):
                    src = stripped
                    out.warnings.append(note)
    converted = from_python2(src, label)
    if converted is not None:
        out.warnings.append(converted[2])
        out.python2.add(label)
        return converted[1], converted[0]
    msg = (f"{label}, line {error.lineno}: {error.msg}" if error.lineno
           else f"{label}: {error.msg}")
    if notebook:
        out.warnings.append(f"skipped {msg} (syntax error)")
        return None
    out.error = f"syntax error: {msg}"
    return None


def python3_trees(reading: FileReading, out: Loaded) -> None:
    """Pass "Python 2 conversion": each cell's tree and source, Python 2 converted (and a
    .py file's IPython lines dropped), each with its note; a cell that cannot be read is
    skipped (a notebook's, with a note) or stops the file (`out.error`)."""
    for label, src in reading.cells:
        parsed = _parse(label, src, reading.notebook, out)
        if parsed is None:
            if out.error:
                return
            continue
        reading.parsed.append((label, *parsed))
        out.trees.append(parsed[0])


def keep_definitions(reading: FileReading, out: Loaded) -> None:
    """Pass "keep definitions": the kept statements of the file's trees and the top-level
    names they define (with the label of the file or notebook cell defining each)."""
    known: set[str] = set()        # constants kept so far
    for label, tree, src in reading.parsed:
        lines = src.splitlines()
        body = tree.body
        for k, node in enumerate(body):
            helper = _exec_file(node)
            if helper:             # exec(open("helpers.py").read()): the helper's names
                star = f"from {helper} import *"
                out.trees.append(ast.parse(star))
                reading.segments.append(Segment("import", star, label, node.lineno))
                continue
            kind = _kept(node, known)
            if kind is None:
                continue
            _defines(node, label, reading.defines, out.static)
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            shared = (k > 0 and body[k - 1].end_lineno >= start) or (
                k + 1 < len(body) and body[k + 1].lineno <= node.end_lineno)
            # `import x; plot()` on one line: keep only the statement itself
            text = ast.unparse(node) if shared else "\n".join(lines[start - 1:node.end_lineno])
            text = compat_import(node) or text      # from past.builtins import xrange
            reading.segments.append(Segment(kind, text, label, start, label in out.python2))


def _defines(node: ast.stmt, label: str, defines: dict[str, str], static: set[str]) -> None:
    """The names a kept statement defines, its methods (for "did you mean") and which of
    those are static methods or plain methods taking self."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        defines[node.name] = label
    elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
        defines.update((t.id, label) for t in node.targets)   # `sigmoid = lambda z:`
    if isinstance(node, ast.ClassDef):      # methods, for "did you mean"
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defines.setdefault(f"{node.name}.{item.name}", label)
                if any(ast.unparse(d) == "staticmethod" for d in item.decorator_list):
                    static.add(f"{node.name}.{item.name}")
                elif [a.arg for a in item.args.args[:1]] == ["self"]:
                    static.add(f"self:{node.name}.{item.name}")  # a plain method
