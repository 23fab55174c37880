"""A graded class the student named otherwise, found by its shape (parent side).

A TA grades the class the student wrote, whatever its name (a two-layer net
written as `NeuralNet`, `Net` or `NN`). The books' records say
which classes may be renamed and what identifies them (`Book.renamed`: the
methods and the constructor's positional arguments). When the book's name is
absent (in any case), exactly one of the student's classes that has that shape
is graded as it, with a note. Two such classes: neither is, and the report says
so. A name that looks like a misspelling of the book's (one typo) is left to
"did you mean".
"""

from __future__ import annotations

import ast

from .book import ClassShape
from .books import SHELF
from .standins import is_course_file
from .submission import Binding, Loaded

__all__ = ["bind_renamed", "bind_all"]


def _typos(a: str, b: str) -> int:
    """Edits from a to b: a letter inserted, dropped, changed, or two swapped (optimal
    string alignment distance)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _misspelled(name: str, book: str) -> bool:
    """The book's name with one typo (`Nte` for a `Net`), and not holding it (as `Nets`
    does); a name of its own otherwise."""
    a, b = name.lower(), book.lower()
    return not (a in b or b in a) and _typos(a, b) <= 1


def _takes(cls: ast.ClassDef, n: int) -> bool:
    """Whether `cls(x1, ..., xn)` binds: its __init__ takes n positional arguments after
    self (a class without one takes none, unless it inherits one from a base)."""
    init = next((f for f in cls.body if isinstance(f, ast.FunctionDef)
                 and f.name == "__init__"), None)
    if init is None:            # `class Net(object):` inherits object's: no arguments
        return n == 0 or any(ast.unparse(base) != "object" for base in cls.bases)
    a = init.args
    positional = len(a.posonlyargs) + len(a.args) - 1          # self
    required = positional - len(a.defaults)
    kw_required = any(d is None for d in a.kw_defaults)
    return not kw_required and required <= n and (n <= positional or a.vararg is not None)


def _class_nodes(out: Loaded) -> dict[str, list[ast.ClassDef]]:
    nodes: dict[str, list[ast.ClassDef]] = {}
    for tree in out.trees:
        for node in getattr(tree, "body", []):
            if isinstance(node, ast.ClassDef):
                nodes.setdefault(node.name, []).append(node)
    return nodes


def _candidates(out: Loaded, shape: ClassShape) -> list[tuple[str | None, str, str]]:
    """(module, class, label) of each student class shaped like the book's."""
    book, methods, n_args = shape.name, shape.methods, shape.n_args
    nodes = _class_nodes(out)
    places = [(None, out.defines)] + [(m.name, m.defines) for m in out.modules
                                      if not is_course_file(m.name)]
    found = []
    for module, defines in places:
        for name in sorted(d for d in defines if "." not in d):
            if name in out.wanted or _misspelled(name, book) or \
                    not all(f"{name}.{m}" in defines for m in methods):
                continue
            if any(_takes(node, n_args) for node in nodes.get(name, [])):
                found.append((module, name, defines[name]))
    return found


def bind_renamed(out: Loaded, book: str) -> bool:
    """Bind the one student class shaped like `book` as `book`, with a note; True when
    done. With several, a note names them and nothing is bound."""
    record = SHELF.shape(book)
    if record is None:
        return False
    found = _candidates(out, record)
    shape = (f"{', '.join(record.methods)} and a constructor taking {record.n_args} "
             "argument(s)")
    if len(found) > 1:
        names = ", ".join(f"`{c}` ({label})" for _, c, label in found)
        out.warnings.append(f"no class `{book}`; several classes have its shape ({shape}): "
                            f"{names}; none graded as `{book}` (rename the one to grade)")
        return False
    if not found:
        return False
    module, name, label = found[0]
    out.origins[book] = label
    out.binds.append(Binding(book, module, name))
    out.warnings.append(f"class `{name}` ({label}) graded as the book's `{book}` "
                        f"(no class `{book}`; `{name}` has its shape: {shape})")
    return True


def bind_all(out: Loaded, place: object = None) -> None:
    """Pass "bind renamed classes": each graded class no earlier pass found, bound to the
    one student class of the book's shape (`bind_renamed`)."""
    for name in sorted(out.wanted):
        if name not in out.origins and name[:1].isupper():
            bind_renamed(out, name)
