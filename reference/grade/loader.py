"""Read a submission (.py or .ipynb, with the student's other files) and keep only what
grading needs (parent side).

Real submissions carry plotting, data loading and calls to the course's test
helpers at the top level. Only these top-level statements are kept, so such a
file grades the same as a clean one:

- imports (`import x`, `from x import y`; a missing module is stubbed in the
  child, and reported when graded code really uses it),
- function and class definitions (with their decorators),
- simple constant assignments (`LR = 0.0075`, `layers_dims = [12288, 20, 1]`,
  `EPS = np.finfo(float).eps`: literals, NumPy/math calls and earlier constants),
- `try:` blocks made only of the above (the `try: import x except ImportError:` idiom),
  and `if` blocks made only of the above under a plain condition (`if GPU: import
  cupy as np` / `else: import numpy as np`, Saito's `common/np.py`).

A submission is more than one file (`sources`):

- single-file mode: the graded file and the student's modules and packages it
  imports (also from inside functions), found beside it or in its parent folder
  (Saito's `sys.path.append(os.pardir)` then `from common.layers import *`);
- folder mode (batch, Gradescope): the same, plus every file of the student's
  folder that defines a graded function the graded file does not.

Each module is read here and sent by name to the child, which serves it from
memory (`worker.SourceFinder`) under the same rules. Symbolic links and paths
resolving outside the student's folder are never read.

Notebooks are read with nbformat (older formats upgraded): the code cells, in
order; IPython lines (`%matplotlib inline`, `!pip ...`, `files = !ls`,
`%time f()`, `f?`) are dropped line by line; a cell under a Python cell magic
(`%%time`) keeps its code, one under any other (`%%bash`, `%%writefile`) is
skipped. A notebook cell with a syntax error is skipped and reported; a .py
file with a syntax error cannot be graded. Python 2 sources (`print "..."`,
`except E, e`) are converted with fissix first, with a note naming the lines
whose `/` may have been an integer division.

Nothing here executes the submission; the child (`worker`) runs the segments.
"""

from __future__ import annotations

import ast
import difflib
import functools
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from manual.errors import InputError

MAX_SOURCE_BYTES = 5_000_000
MAX_NOTEBOOK_BYTES = 100_000_000    # notebooks carry their outputs (plots as base64)
MAX_MODULES = 200                   # student modules sent to the child, at most
MAX_SCANNED = 1000                  # files of a student's folder looked through, at most
MAX_LISTED = 50                     # files ignored, listed by name in the report
MAX_SCAN_BYTES = 200 * 2**20        # bytes of a student's folder looked through, at most


@dataclass
class Segment:
    """One kept top-level statement: its source, file label and first line."""

    kind: str                      # "import" or "code"
    source: str
    filename: str
    lineno: int


@dataclass
class Module:
    """A student file other than the graded one, served to the child as `name`."""

    name: str                      # "common.layers"
    filename: str                  # its label in reports: "common/layers.py"
    package: bool
    segments: list[Segment] = field(default_factory=list)
    defines: dict[str, str] = field(default_factory=dict)   # top-level name -> file/cell


@dataclass
class Loaded:
    segments: list[Segment] = field(default_factory=list)
    error: str | None = None       # the submission cannot be graded at all (syntax error...)
    warnings: list[str] = field(default_factory=list)
    trees: list[ast.AST] = field(default_factory=list)   # for the policy scan (every file)
    label: str = ""                # the graded file's label
    modules: list[Module] = field(default_factory=list)
    defines: dict[str, str] = field(default_factory=dict)  # graded file's names -> cell
    binds: list[dict] = field(default_factory=list)      # graded names found elsewhere
    origins: dict[str, str] = field(default_factory=dict)  # graded name -> file label
    ignored: list[str] = field(default_factory=list)     # the folder's files not graded
    wanted: set[str] = field(default_factory=set)        # the style's graded names
    package: str | None = None     # the graded file's package, for its relative imports

    @property
    def files(self) -> list[str]:
        """The files graded: the graded file, then the student's modules used (not the
        course's own files, nor namespace packages)."""
        return list(dict.fromkeys([self.label] + [m.filename for m in self.modules
                                                  if not m.filename.endswith("/")
                                                  and not _course_helper(m.name)]))

    @property
    def course_files(self) -> list[str]:
        """The course's own files found in the folder and used by the student's code."""
        return [m.filename for m in self.modules if _course_helper(m.name)
                and not m.filename.endswith("/")]

    def names(self) -> set[str]:
        """Every top-level name the student's files define (for "did you mean"), the
        course's own files left out."""
        return set(self.defines).union(*(m.defines for m in self.modules
                                          if not _course_helper(m.name)))

    def suggest(self, name: str) -> str | None:
        """The defined name closest to a graded name the submission lacks (difflib):
        `update_parameter` for update_parameters, `Network.update_minibatch` for
        Network.update_mini_batch."""
        names = self.names() - self.wanted        # never another graded function
        top = name.split(".")[0]
        if "." in name and top in names:
            pool, target = [n for n in names if n.startswith(top + ".")], name
        else:
            pool, target = [n for n in names if "." not in n], top
        close = difflib.get_close_matches(target, sorted(pool), n=1, cutoff=0.8)
        return close[0] if close and close[0] != target else None

    def to_json(self) -> list[dict]:
        """The child's segments: the graded file's, then one "module" entry per student
        module (its own segments inside) and one "bind" entry per graded name defined
        elsewhere than the graded file."""
        out = [seg.__dict__ for seg in self.segments]
        if self.package:
            out.insert(0, {"kind": "package", "source": "", "filename": self.label,
                           "lineno": 1, "package": self.package})
        for m in self.modules:
            out.append({"kind": "module", "source": "", "filename": m.filename, "lineno": 1,
                        "module": m.name, "package": m.package,
                        "segments": [s.__dict__ for s in m.segments]})
        return out + [dict(b, kind="bind", source="", filename=self.label, lineno=1)
                      for b in self.binds]


class NotASubmission(Exception):
    """The file cannot be graded at all (the message says why)."""


def _read_text(path: Path, limit: int) -> str:
    try:
        if path.stat().st_size > limit:
            raise NotASubmission(f"{path.name}: larger than {limit // 1_000_000} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return raw.decode("utf-8-sig", errors="replace")


def _notebook_cells(text: str, name: str) -> list[tuple[int, str]]:
    """[(cell number, source)] of the code cells, through nbformat (v3 upgraded to v4)."""
    import logging
    import warnings

    import nbformat

    logging.getLogger("traitlets").setLevel(logging.CRITICAL)  # conversion chatter
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if "nbformat" not in data and isinstance(data.get("cells"), list):
            data.update(nbformat=4, nbformat_minor=data.get("nbformat_minor", 0))
        data.setdefault("metadata", {})
        _fill_cells(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")       # cells without ids, an old minor format
            # nbformat 3 (cells under worksheets, code in "input") is upgraded to 4
            nb = nbformat.convert(nbformat.from_dict(data), 4)
        cells = nb.get("cells")
        if not isinstance(cells, list):
            raise ValueError("no cells")
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for a bad file
        raise NotASubmission(f"{name}: not a notebook nbformat can read "
                             f"({type(exc).__name__}: {str(exc)[:200]})") from None
    out = []
    for k, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        out.append((k, "".join(src) if isinstance(src, list) else str(src)))
    return out


def _fill_cells(data: dict) -> None:
    """Keys a hand-edited or output-stripped notebook may lack, which the upgrade of an
    nbformat 3 notebook needs (each cell's outputs, metadata)."""
    sheets = data.get("worksheets")
    groups = [w.get("cells") for w in sheets if isinstance(w, dict)] \
        if isinstance(sheets, list) else [data.get("cells")]
    for cells in groups:
        for cell in cells if isinstance(cells, list) else []:
            if isinstance(cell, dict):
                cell.setdefault("metadata", {})
                if cell.get("cell_type") == "code":
                    cell.setdefault("outputs", [])


def read_cells(path: Path, label: str | None = None) -> list[tuple[str, str]]:
    """[(label, source)]: one entry for a .py file, one per code cell for a notebook.
    A file that cannot be read is an InputError (the grader's problem: exit 2); one that
    is not a submission (too large, not a notebook) raises NotASubmission (the student's
    problem: a zero-score report that says why)."""
    label = label or path.name
    notebook = path.suffix == ".ipynb"
    text = _read_text(path, MAX_NOTEBOOK_BYTES if notebook else MAX_SOURCE_BYTES)
    if not notebook:
        return [(label, text)]
    return [(f"{label} cell {k}", strip_magics(src)) for k, src in _notebook_cells(text, label)]


PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun", "debug")
# `files = !ls`, `x = %timeit -o f()`: an IPython assignment from a shell or magic
SHELL_ASSIGN = re.compile(r"^\s*[A-Za-z_][\w.,\s\[\]()]*?\s*=\s*[!%]")


RUN_MAGIC = re.compile(r"^%run\s+(?:-i\s+)?(?:\./)?([A-Za-z_]\w*)\.py\s*$")


def _ipython_line(line: str) -> bool:
    s = line.strip()
    return (s.startswith(("%", "!")) or bool(SHELL_ASSIGN.match(line))
            or (s.endswith("?") and " " not in s) or (s.startswith("?") and " " not in s))


def strip_magics(src: str) -> str:
    """Replace IPython lines by `pass` (same indentation, so a block keeps a body and
    line numbers stay). A cell magic running Python (%%time, %%capture, ...) keeps its
    code; any other (%%bash, %%writefile) drops the cell."""
    head = src.lstrip()
    if head.startswith("%%") and head[2:].split(maxsplit=1)[:1] not in (
            [m] for m in PYTHON_CELL_MAGICS):
        return ""
    try:                  # plain Python: left alone (a line may begin with `%` inside (...))
        ast.parse(src)
        return src
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    lines = []
    for line in src.splitlines():
        if _ipython_line(line):
            indent = line[:len(line) - len(line.lstrip())]
            run = RUN_MAGIC.match(line.strip())
            # `%run dnn_utils.py` puts the file's names into the notebook: a star import
            lines.append(indent + (f"from {run.group(1)} import *" if run else "pass"))
        else:
            lines.append(line)
    return "\n".join(lines)


def _literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


NUMERIC_MODULES = {"np", "numpy", "math"}
SAFE_NAMES = NUMERIC_MODULES | {"float", "int", "bool", "complex"}


def _numeric_constant(node: ast.AST, known: set[str]) -> bool:
    """`np.finfo(float).eps`, `1e-8 * math.pi`, `EPS / 2`: names are NumPy/math or earlier
    constants, calls only on NumPy/math attributes (no student function runs)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id not in SAFE_NAMES | known:
            return False
        if isinstance(sub, ast.Call):
            root = sub.func
            while isinstance(root, (ast.Attribute, ast.Call)):
                root = root.value if isinstance(root, ast.Attribute) else root.func
            if not (isinstance(root, ast.Name) and root.id in SAFE_NAMES):
                return False
        if isinstance(sub, (ast.Lambda, ast.NamedExpr, ast.comprehension, ast.Await)):
            return False
    return True


def _kept(node: ast.stmt, known: set[str]) -> str | None:
    """"import", "code" or None (dropped)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "import"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
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
            _kept(s, known) for s in node.body + node.orelse):
        return "code"          # `if GPU: import cupy as np` / `else: import numpy as np`
    return None


def _plain_test(node: ast.AST) -> bool:
    """A condition that runs nothing of the student's: names, constants, attributes and
    comparisons of those (no call, no subscript)."""
    return all(isinstance(sub, (ast.Name, ast.Constant, ast.Attribute, ast.Compare,
                                ast.BoolOp, ast.UnaryOp, ast.Load, ast.cmpop, ast.boolop,
                                ast.unaryop, ast.expr_context))
               for sub in ast.walk(node))


# --- Python 2 -----------------------------------------------------------------------------
def _float_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, float)


# what only Python 2 writes: the print and exec statements, `except E, e`, `raise E, "m"`,
# backticks, `<>`, 0777 octals, ur"" strings (building the converter costs ~0.5 s: only then)
PYTHON2 = re.compile(r"""^\s*(print|exec)\b\s*[^\s(=.,)\]}]|^\s*except\s+[\w.]+\s*,\s*\w+\s*:
    |^\s*raise\s+[\w.]+\s*,|`|<>|\b0[0-7]+\b|\bur["']""", re.M | re.X)


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


def from_python2(src: str, label: str) -> tuple[str, ast.AST, str] | None:
    """(converted source, its tree, the note) when `src` is Python 2 that fissix (the
    maintained lib2to3) converts to parseable Python 3; None otherwise."""
    if not PYTHON2.search(src):
        return None
    try:
        tool = _refactoring_tool()
        new = str(tool.refactor_string(src if src.endswith("\n") else src + "\n", label))
    except Exception:  # noqa: BLE001 - not Python 2 either: the caller reports the error
        return None
    try:
        tree = ast.parse(new, filename=label)
    except TabError:      # Python 2 allowed tabs and spaces mixed: a tab went to a multiple of 8
        new = "\n".join(_expand_indent(line) for line in new.split("\n"))
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
        note += (f"; `/` on line{'s' if len(lines) > 1 else ''} {shown} divided two integers "
                 "to an integer in Python 2 and no longer does: check them if a result "
                 "differs")
    return new, tree, note


# --- one file -----------------------------------------------------------------------------
def _parse(label: str, src: str, notebook: bool, out: Loaded) -> tuple[ast.AST, str] | None:
    """(tree, source) of one file or cell; None when it is skipped. A .py file that does not
    parse may be a notebook pasted into a file (`%matplotlib inline` left in: those lines
    are dropped, with a note) or Python 2 (converted, with a note)."""
    try:
        return ast.parse(src, filename=label), src
    except SyntaxError as exc:
        error = exc
    except (ValueError, RecursionError, MemoryError) as exc:
        out.error = f"{label}: cannot be parsed ({type(exc).__name__})"
        return None
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
        return converted[1], converted[0]
    msg = (f"{label}, line {error.lineno}: {error.msg}" if error.lineno
           else f"{label}: {error.msg}")
    if notebook:
        out.warnings.append(f"skipped {msg} (syntax error)")
        return None
    out.error = f"syntax error: {msg}"
    return None


def _segments(cells, notebook: bool, out: Loaded) -> tuple[list[Segment], dict[str, str]]:
    """The kept statements of one file and the top-level names it defines (with the
    label of the file or notebook cell defining each)."""
    known: set[str] = set()        # constants kept so far
    segments: list[Segment] = []
    defines: dict[str, str] = {}
    for label, src in cells:
        parsed = _parse(label, src, notebook, out)
        if parsed is None:
            if out.error:
                return segments, defines
            continue
        tree, src = parsed
        out.trees.append(tree)
        lines = src.splitlines()
        body = tree.body
        for k, node in enumerate(body):
            kind = _kept(node, known)
            if kind is None:
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defines[node.name] = label
            if isinstance(node, ast.ClassDef):      # methods, for "did you mean"
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        defines.setdefault(f"{node.name}.{item.name}", label)
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            shared = (k > 0 and body[k - 1].end_lineno >= start) or (
                k + 1 < len(body) and body[k + 1].lineno <= node.end_lineno)
            # `import x; plot()` on one line: keep only the statement itself
            text = ast.unparse(node) if shared else "\n".join(lines[start - 1:node.end_lineno])
            segments.append(Segment(kind, text, label, start))
    return segments, defines


# --- the student's other files ------------------------------------------------------------
def _inside(path: Path, boundary: Path) -> bool:
    """A regular file or directory, no symlink, really inside the boundary."""
    try:
        return (not path.is_symlink() and path.resolve().is_relative_to(boundary)
                and path.exists())
    except (OSError, RuntimeError):
        return False


def _imported_names(tree: ast.AST, package: str | None) -> set[str]:
    """Every module name a file may import (also submodules `from a import b` may mean);
    `package` is the importing module's package, for relative imports."""
    out: set[str] = set()
    for node in ast.walk(tree):
        bases: list[str] = []
        if isinstance(node, ast.Import):
            bases = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if package is None:
                    continue
                parts = package.split(".") if package else []
                if node.level - 1 > len(parts):
                    continue
                parts = parts[:len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if not base:
                continue
            bases = [base] + [f"{base}.{a.name}" for a in node.names if a.name != "*"]
        for name in bases:
            parts = name.split(".")
            out.update(".".join(parts[:k]) for k in range(1, len(parts) + 1))
    return out


class Folder:
    """Where the student's modules are looked up: the graded file's folder, its parent
    (`sys.path.append(os.pardir)`) and, in folder mode, the student's folder."""

    def __init__(self, main: Path, folder: Path | None):
        main = main.resolve()
        self.boundary = (folder or main.parent.parent).resolve()
        roots = [main.parent, main.parent.parent] + ([self.boundary] if folder else [])
        self.roots = list(dict.fromkeys(r for r in roots if r.is_relative_to(self.boundary)))
        self.label_base = folder.resolve() if folder else main.parent
        self.main = main

    def add_sys_path(self, trees) -> None:
        """Folders the graded file puts on sys.path with a plain expression
        (`sys.path.append('../common')`, `sys.path.insert(0, os.path.join(os.pardir,
        'lib'))`), relative to its own folder, inside the boundary: roots too."""
        for tree in trees:
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("append", "insert") and node.args
                        and ast.unparse(node.func.value) == "sys.path"):
                    continue
                where = _path_literal(node.args[-1])
                if where is None:
                    continue
                try:
                    root = (self.main.parent / where).resolve()
                except (OSError, RuntimeError, ValueError):
                    continue
                if root.is_dir() and root.is_relative_to(self.boundary) \
                        and root not in self.roots:
                    self.roots.insert(1, root)

    def label(self, path: Path) -> str:
        path = path.resolve()
        if path.is_relative_to(self.label_base):
            return path.relative_to(self.label_base).as_posix()
        return "../" + path.relative_to(self.label_base.parent).as_posix()

    def find(self, name: str) -> tuple[Path | None, bool] | None:
        """(file or None for a namespace package, is a package) of a module name."""
        parts = name.split(".")
        if not all(p.isidentifier() for p in parts):
            return None
        for root in self.roots:
            base = root.joinpath(*parts)
            init = base / "__init__.py"
            if base.is_dir() and _inside(base, self.boundary):
                return (init if _inside(init, self.boundary) else None), True
            file = base.with_name(parts[-1] + ".py")
            if file.is_file() and _inside(file, self.boundary):
                return file, False
        return None

    def module_name(self, path: Path) -> str | None:
        """The name a file of the student's folder is imported by (first root holding it)."""
        path = path.resolve()
        for root in self.roots:
            if path.is_relative_to(root):
                parts = list(path.relative_to(root).with_suffix("").parts)
                if parts and parts[-1] == "__init__":
                    parts.pop()
                if parts and all(p.isidentifier() for p in parts):
                    return ".".join(parts)
        return None


def _path_literal(node: ast.AST) -> str | None:
    """'../common', os.pardir, os.path.join(os.pardir, 'common'), '..' + '/x': the path a
    plain expression names, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    text = ast.unparse(node)
    if text in ("os.pardir", "os.path.pardir"):
        return ".."
    if text in ("os.curdir", "os.path.curdir"):
        return "."
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "os.path.join" and node.args:
        parts = [_path_literal(a) for a in node.args]
        return None if None in parts else str(Path(*parts))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _path_literal(node.left), _path_literal(node.right)
        return None if left is None or right is None else left + right
    return None


def _main_package(layout: Folder, trees) -> str | None:
    """The package of a graded file that uses relative imports (`common/layers.py` doing
    `from .functions import *`): its folder's name under the first root above it."""
    if not any(isinstance(n, ast.ImportFrom) and n.level for t in trees for n in ast.walk(t)):
        return None
    for root in layout.roots:
        if root != layout.main.parent and layout.main.parent.is_relative_to(root):
            parts = layout.main.parent.relative_to(root).parts
            if parts and all(p.isidentifier() for p in parts):
                return ".".join(parts)
    return None


# imported by the worker before the submission (so never looked up again), or the grader's
WORKER_MODULES = {"numpy", "manual", "reference", "os", "sys", "math", "random", "copy",
                  "linecache", "io", "ast", "importlib", "resource", "signal", "traceback",
                  "types", "json", "collections", "functools", "re"}


def _taken(name: str) -> bool:
    """Module names the student's files never replace: those the worker has imported
    before the submission and the interpreter's built-in ones. A student's `test.py` or
    `code.py` is theirs, as it would be beside their script."""
    top = name.split(".")[0]
    return top in WORKER_MODULES or top in sys.builtin_module_names


def _course_helper(name: str) -> bool:
    """Ng's course files (`dnn_app_utils_v3` defines the course's own L_model_forward):
    loaded when imported, never where a graded function is taken from."""
    from .standins import is_course_helper

    return is_course_helper(name.split(".")[-1])


def _load_module(folder: Folder, name: str, out: Loaded) -> Module | None:
    found = folder.find(name)
    if found is None or _taken(name):
        return None
    path, package = found
    if path is None:           # a folder without __init__.py: a namespace package
        return Module(name, folder.label(folder.roots[0] / name.replace(".", "/")) + "/",
                      True)
    return _read_module(name, path, folder.label(path), package, out)


def _read_module(name: str, path: Path, label: str, package: bool, out: Loaded) -> Module:
    """One of the student's files, read under the graded file's rules."""
    try:
        cells = read_cells(path, label)
    except (NotASubmission, InputError) as exc:
        out.warnings.append(f"{label}: not loaded ({exc})")
        return Module(name, label, package)
    sub = Loaded()
    segments, defines = _segments(cells, path.suffix == ".ipynb", sub)
    out.trees += sub.trees
    out.warnings += sub.warnings
    if sub.error:
        out.warnings.append(f"{label}: not loaded ({sub.error})")
    return Module(name, label, package, segments, defines)


@functools.lru_cache(maxsize=256)
def _installed(top: str) -> bool:
    """A library (standard or installed), not a folder the student's upload lost."""
    import importlib.util

    if _taken(top) or top in sys.stdlib_module_names:
        return True
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def _flattened(folder: Folder, parts: list[str], out: Loaded) -> list[Module]:
    """`from common.layers import *` in an upload that lost its folders (Gradescope keeps
    only files): with no `common` anywhere and a `layers.py` beside, `common` is an empty
    package and `common.layers` is served from `layers.py`, with a note. The modules to
    add, packages first (none when the leaf is not there either)."""
    if len(parts) < 2 or _installed(parts[0]):
        return []                  # `matplotlib.pyplot` is never a student's pyplot.py
    flat = folder.find(parts[-1])
    if flat is None or flat[0] is None or flat[1]:
        return []
    name, path = ".".join(parts), flat[0]
    label = folder.label(path)
    out.warnings.append(f"`{name}` read from {label} (the upload has no `{parts[0]}` folder)")
    packages = [Module(".".join(parts[:k]), "/".join(parts[:k]) + "/", True)
                for k in range(1, len(parts))]
    return packages + [_read_module(name, path, label, False, out)]


def _collect(folder: Folder, out: Loaded, wanted: set[str], everything: list[Path]) -> None:
    """The modules the graded file needs, transitively (a work list: no recursion however
    long the chain); then (folder mode) the files defining graded names the graded file
    lacks, and what those import."""
    loaded: dict[str, Module] = {}
    tried: set[str] = set()
    flattened: set[str] = set()      # packages missing from an upload that lost its folders
    pending: list[tuple[ast.AST, str | None]] = [(tree, out.package) for tree in out.trees]

    def add(name: str) -> Module | None:
        """Load a module, its packages first; its trees join the work list."""
        parts = name.split(".")
        for k in range(1, len(parts) + 1):
            prefix = ".".join(parts[:k])
            if prefix in loaded:
                continue
            if prefix in tried or len(loaded) >= MAX_MODULES:
                return None
            tried.add(prefix)
            n_trees = len(out.trees)
            module = _load_module(folder, prefix, out)
            if module is None and len(parts) > 1 and (k == 1 or parts[0] in flattened):
                # the deepest name that is a file: `common.gradient` of
                # `from common.gradient import numerical_gradient`
                for depth in range(len(parts), k - 1, -1):
                    flat = _flattened(folder, parts[:depth], out)
                    if flat:
                        break
                flattened.add(parts[0])
                for m in flat:
                    if m.name not in loaded:
                        loaded[m.name] = m
                        tried.add(m.name)
                pending.extend((tree, ".".join(parts[:depth - 1]))
                               for tree in out.trees[n_trees:])
                return loaded.get(name)
            if module is None:
                return None
            loaded[prefix] = module
            package = prefix if module.package else prefix.rpartition(".")[0]
            pending.extend((tree, package) for tree in out.trees[n_trees:])
        return loaded[name]

    def drain() -> None:
        while pending:
            tree, package = pending.pop(0)
            # deepest first: `common.layers` (maybe flattened) before `common` alone
            for name in sorted(_imported_names(tree, package), key=lambda n: (-n.count("."), n)):
                add(name)

    drain()
    lacking = {w for w in wanted if w not in out.defines}
    # .py files first (importable by name), then notebooks (served under a name of their own)
    scanned = sorted(everything[:MAX_SCANNED], key=lambda p: p.suffix == ".ipynb")
    budget = MAX_SCAN_BYTES
    for path in scanned:
        if not lacking or path.resolve() == folder.main:
            continue
        try:
            budget -= path.stat().st_size
        except OSError:
            continue
        if budget < 0:
            out.warnings.append("the student's folder is too large to look through in full "
                                f"(more than {MAX_SCAN_BYTES // 2**20} MB of code)")
            break
        notebook = path.suffix == ".ipynb"
        name = f"_notebook_{len(loaded)}" if notebook else folder.module_name(path)
        if name is None or name in loaded or _taken(name) or _course_helper(name):
            continue
        try:
            text = _read_text(path, MAX_NOTEBOOK_BYTES if notebook else MAX_SOURCE_BYTES)
        except (NotASubmission, InputError):
            continue
        # a notebook's JSON holds `"def f(...):\n"`: a def anywhere on a line will do
        head = r"(def|class)\s+" if notebook else r"^(def|class)\s+"
        if not any(re.search(rf"{head}{re.escape(w)}\b", text, re.M) for w in lacking):
            continue
        if notebook:          # what the notebook imports is loaded too
            n_trees = len(out.trees)
            module = _read_module(name, path, folder.label(path), False, out)
            loaded[name] = module
            pending.extend((tree, None) for tree in out.trees[n_trees:])
        else:
            module = add(name)
        drain()
        if module is not None:
            lacking -= set(module.defines)
    out.modules = [m for _, m in sorted(loaded.items())]


def _bind(out: Loaded, wanted: set[str]) -> None:
    """Where each graded name comes from: the graded file, a student module (first by
    name), or a class of another case (`ReLU` for `Relu`, with a note)."""
    for name in sorted(wanted):
        if name in out.defines:
            out.origins[name] = out.defines[name]
            continue
        owner = next((m for m in out.modules
                      if name in m.defines and not _course_helper(m.name)), None)
        if owner is not None:
            out.origins[name] = owner.defines[name]     # the file, or the notebook's cell
            out.binds.append({"name": name, "module": owner.name, "attr": name})
            continue
        if name[:1].isupper():      # a class: matched regardless of case, as a TA would
            places = [(None, out.defines)] + [(m.name, m.defines) for m in out.modules
                                              if not _course_helper(m.name)]
            for module, defines in places:
                match = next((d for d in sorted(defines) if d.lower() == name.lower()), None)
                if match:
                    label = defines[match]
                    out.origins[name] = label
                    out.binds.append({"name": name, "module": module, "attr": match})
                    out.warnings.append(f"class `{match}` ({label}) graded as `{name}` "
                                        "(class names are matched regardless of case)")
                    break


def load(path: str | Path, folder: str | Path | None = None,
         wanted: set[str] | frozenset[str] = frozenset(), alone: bool = False) -> Loaded:
    """Parse the submission and keep the statements grading needs. `folder`: the
    student's folder (folder mode); `wanted`: the style's graded top-level names
    (`linear_backward`, `Affine`), looked for across the student's files; `alone`: the
    file only, nothing beside it read (a loose file of a batch: its neighbours are other
    students' work)."""
    path = Path(path)
    folder_path = Path(folder) if folder is not None else None
    if folder_path is not None and not path.resolve().is_relative_to(folder_path.resolve()):
        folder_path = None          # not the student's folder: the file alone, as given
    layout = Folder(path, folder_path)
    out = Loaded(label=layout.label(path) if folder_path else path.name, wanted=set(wanted))
    try:
        cells = read_cells(path, out.label)
    except NotASubmission as exc:
        out.error = str(exc)
        return out
    out.segments, out.defines = _segments(cells, path.suffix == ".ipynb", out)
    if out.error:
        return out
    if not out.segments:
        out.error = "the submission defines nothing (no functions, classes or imports found)"
        return out
    everything = files_in(folder_path) if folder_path is not None else []
    if not alone:
        layout.add_sys_path(out.trees)
        out.package = _main_package(layout, out.trees)
        _collect(layout, out, set(wanted), everything)
    _bind(out, set(wanted))
    graded = set(out.files) | set(out.course_files)
    ignored = [label for label in (layout.label(p) for p in everything) if label not in graded]
    if out.course_files:
        out.warnings.append("the course's own files, used by the student's code and not "
                            f"graded: {', '.join(out.course_files)}")
    out.ignored = ignored[:MAX_LISTED] + (
        [f"... and {len(ignored) - MAX_LISTED} more"] if len(ignored) > MAX_LISTED else [])
    return out


def files_in(directory: Path) -> list[Path]:
    """The .py/.ipynb files of a student's folder: no hidden ones (.ipynb_checkpoints), no
    symbolic links, nothing resolving outside the folder."""
    from .pick import files_under

    return files_under(directory)
