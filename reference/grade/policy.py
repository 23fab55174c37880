"""Import policy: the assignment is to derive backprop by hand.

Importing an autograd library (torch, jax, tensorflow, autograd) is refused
unless --allow-autograd: a zero score that says why. Importing the grader's
own packages (`manual`, `reference`), which contain correct implementations,
is always refused. Two layers:

- `scan(trees)`: a static scan of the whole submission (also imports inside
  functions, `__import__("torch")`, `importlib.import_module("torch")`), in
  the parent, before anything runs;
- `ImportGuard`: a meta-path finder and an audit hook installed in the child
  before the submission is loaded, for imports the scan cannot see (computed
  names, a finder removed from `sys.meta_path`).
"""

from __future__ import annotations

import ast
import os
import sys

__all__ = [
    "AUTOGRAD", "GRADER", "forbidden", "reason", "scan", "imported_modules", "loaded",
    "ImportGuard",
]

AUTOGRAD = ("torch", "jax", "jaxlib", "tensorflow", "autograd", "functorch")
GRADER = ("manual", "reference")


def forbidden(allow_autograd: bool) -> tuple[str, ...]:
    return GRADER if allow_autograd else AUTOGRAD + GRADER


def reason(module: str) -> str:
    top = module.split(".")[0]
    if top in GRADER:
        return (f"imports `{module}`, the grader's own package: the submission must "
                "implement the functions itself")
    return (f"imports `{module}`: autograd libraries are not allowed in this assignment "
            "(derive the gradients by hand; the instructor can pass --allow-autograd)")


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [node.module]
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in ("__import__", "import_module") and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def scan(trees, allow_autograd: bool = False) -> list[str]:
    """Violations found anywhere in the parsed submission: ["line 3: imports `torch`: ..."]."""
    bad = forbidden(allow_autograd)
    out = []
    for tree in trees:
        for node in ast.walk(tree):
            for module in _imported(node):
                if module.split(".")[0] in bad:
                    out.append((node.lineno, f"line {node.lineno}: {reason(module)}"))
    return [text for _, text in sorted(out)]


def imported_modules(trees) -> set[str]:
    """Every module name the submission imports (for pre-importing in the child)."""
    return {m for tree in trees for node in ast.walk(tree) for m in _imported(node)}


# reaching other objects of the process (the guard itself, the worker's data) through the
# garbage collector is refused too: no backprop needs it
INTROSPECTION = ("gc.get_objects", "gc.get_referrers", "gc.get_referents")


def loaded(names) -> list[str]:
    """Violations for forbidden packages present in sys.modules (imported by any means, also
    an empty namespace package where the real one is hidden)."""
    return [reason(m) for m in list(sys.modules) if "." not in m and m in names]


class ImportGuard:
    """Refuses forbidden top-level packages in the child and records each attempt.

    Two hooks: a meta-path finder (the first one asked), and an audit hook on
    the "import" event, which Python raises for every module not loaded yet and
    which cannot be removed once added (PEP 578): a submission that takes the
    finder out of `sys.meta_path` or empties its `names` still cannot import
    torch, since the audit hook is a closure over its own copy of the names,
    and the garbage collector's object listings (the way to find that closure)
    are refused. `importlib.import_module` raises no "import" event, so the
    hook also refuses opening a file inside a forbidden package's folder
    (`dirs`: the autograd packages' and the grader's, whose source holds the
    correct helpers). Not a wall (ctypes can rewrite memory): as root those
    folders are also unreadable in the child (`isolation`).
    """

    def __init__(self, names: tuple[str, ...], dirs=()):
        self.names = names
        self.dirs = tuple((str(top), str(d)) for top, d in dirs)  # (package, its folder)
        self.violations: list[str] = []

    def refuse(self, fullname) -> None:
        if isinstance(fullname, str) and fullname.split(".")[0] in self.names:
            self.violations.append(reason(fullname))
            raise ImportError(f"import of {fullname!r} refused by the grader's policy")

    def find_spec(self, fullname, path=None, target=None):
        self.refuse(fullname)
        return None

    def install(self) -> None:
        names, violations = frozenset(self.names), self.violations
        dirs = tuple((top, d, d + os.sep) for top, d in self.dirs)
        realpath, fsdecode = os.path.realpath, os.fsdecode

        def opened(path) -> None:
            """Reading a forbidden package's files (importlib.import_module raises no
            "import" event, but the source loader opens the file): refused."""
            where = realpath(fsdecode(path))
            for top, d, inside in dirs:
                if where == d or where.startswith(inside):
                    if top not in GRADER:
                        violations.append(reason(top))
                    raise PermissionError(f"{where}: not readable while grading")

        def audit(event: str, args) -> None:
            if event == "import":
                fullname = args[0]
                if isinstance(fullname, str) and fullname.split(".")[0] in names:
                    violations.append(reason(fullname))
                    raise ImportError(f"import of {fullname!r} refused by the grader's policy")
            elif event == "open" and dirs and isinstance(args[0], (str, bytes)):
                opened(args[0])
            elif event in INTROSPECTION:
                raise RuntimeError(f"{event}() is not available while grading")

        sys.meta_path.insert(0, self)
        sys.addaudithook(audit)
        # the grader's modules already imported stay alive for the worker, but a
        # new `import reference...` by the submission goes through this guard
        for name in list(sys.modules):
            if name.split(".")[0] in self.names:
                del sys.modules[name]
