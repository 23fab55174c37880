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

A submission is more than one file: the student's modules and packages the
graded file imports and, in folder mode, the student's files defining graded
functions it lacks (`folder` finds them). Each is read here under the same
rules and sent by name to the child, which serves it from memory
(`worker.SourceFinder`).

Notebooks are read with nbformat (older formats upgraded): the code cells, in
order; IPython lines (`%matplotlib inline`, `!pip ...`, `files = !ls`,
`%time f()`, `f?`) are dropped line by line; a cell under a Python cell magic
(`%%time`, `%%writefile x.py`) keeps its code, one under any other (`%%bash`) is
skipped. A notebook cell with a syntax error is skipped and reported; a .py
file with a syntax error cannot be graded. Python 2 sources (`print "..."`,
`except E, e`) are converted first (`py2`), with a note naming the lines whose
`/` may have been an integer division; a .py file keeping notebook lines
(`%matplotlib inline`) has them dropped, with a note.

Nothing here executes the submission; the child (`worker`) runs the segments.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from manual.errors import InputError

from . import prescan
from .py2 import compat_import, expand_tabs, from_python2
from .standins import is_course_file

__all__ = [
    "MAX_SOURCE_BYTES", "MAX_NOTEBOOK_BYTES", "Module", "Loaded", "NotASubmission", "read_cells",
    "load",
]

MAX_SOURCE_BYTES = 5_000_000
MAX_NOTEBOOK_BYTES = 100_000_000    # notebooks carry their outputs (plots as base64)
# the code the grader parses (a .py file, or a notebook's code cells together): parsing
# costs the parent about 150 bytes per character of literals, so 1 MB of code is
# ~150 MB, where a course submission has 10 to 50 kB
MAX_CODE_CHARS = 1_000_000


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
    static: set[str] = field(default_factory=set)          # "Network.sigmoid" staticmethods


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
    merged: list[str] = field(default_factory=list)      # notebook cells saved as files
    static: set[str] = field(default_factory=set)        # "Network.sigmoid" staticmethods
    # (and "self:Network.sigmoid" for a method taking self)

    @property
    def files(self) -> list[str]:
        """The files graded: the graded file, then the student's modules used (not the
        course's own files, nor namespace packages)."""
        return list(dict.fromkeys([self.label] + self.merged + [m.filename for m in self.modules
                                                  if not m.filename.endswith("/")
                                                  and not is_course_file(m.name)]))

    @property
    def course_files(self) -> list[str]:
        """The course's own files found in the folder and used by the student's code."""
        return [m.filename for m in self.modules if is_course_file(m.name)
                and not m.filename.endswith("/")]

    def names(self) -> set[str]:
        """Every top-level name the student's files define (for "did you mean"), the
        course's own files left out."""
        return set(self.defines).union(*(m.defines for m in self.modules
                                          if not is_course_file(m.name)))

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
    return _decode(raw)


def _decode(raw: bytes) -> str:
    """The file's text: UTF-16 when it starts with that BOM (Windows PowerShell's `>`
    writes it), else in the encoding its PEP 263 line names (`# -*- coding: shift_jis -*-`,
    a Japanese reader of Saito's book on Windows), else UTF-8; bytes that do not decode
    become U+FFFD (a comment in another encoding must not refuse the file)."""
    import io
    import tokenize

    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):   # UTF-16 with its BOM (a PowerShell `>`)
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return raw.decode("utf-8-sig", errors="replace")


def _notebook_cells(text: str, name: str) -> list[tuple[int, str]]:
    """[(cell number, source)] of the code cells, through nbformat (v3 upgraded to v4)."""
    import logging
    import warnings

    import nbformat

    logging.getLogger("traitlets").setLevel(logging.CRITICAL)  # conversion chatter
    try:
        prescan.notebook(text)              # what parsing would cost, counted first
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
    cells = _notebook_cells(text, label) if notebook else [(0, text)]
    size = sum(len(src) for _, src in cells)
    if size > MAX_CODE_CHARS:       # before any parsing
        raise NotASubmission(f"{label}: {size:,} characters of code, more than the grader "
                             f"reads ({MAX_CODE_CHARS:,}): leave data out of the code")
    if not notebook:
        return [(label, text)]
    return [(f"{label} cell {k}", strip_magics(src)) for k, src in cells]


PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun", "debug")
WRITEFILE_PY = re.compile(r"%%writefile(\s+-a)?\s+\S+\.py\s*$", re.M)
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
    code, and so does `%%writefile name.py` (the student's Python, imported from that file
    afterwards); any other (%%bash, %%writefile notes.txt) drops the cell."""
    head = src.lstrip()
    if head.startswith("%%") and head[2:].split(maxsplit=1)[:1] not in (
            [m] for m in PYTHON_CELL_MAGICS) and not WRITEFILE_PY.match(head):
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
    `sigmoid = lambda z: ...`, `sigmoid_vec = np.vectorize(sigmoid)` (Nielsen's first
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


# --- one file -----------------------------------------------------------------------------
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
            helper = _exec_file(node)
            if helper:             # exec(open("helpers.py").read()): the helper's names
                star = f"from {helper} import *"
                out.trees.append(ast.parse(star))
                segments.append(Segment("import", star, label, node.lineno))
                continue
            kind = _kept(node, known)
            if kind is None:
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defines[node.name] = label
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
                defines.update((t.id, label) for t in node.targets)   # `sigmoid = lambda z:`
            if isinstance(node, ast.ClassDef):      # methods, for "did you mean"
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        defines.setdefault(f"{node.name}.{item.name}", label)
                        if any(ast.unparse(d) == "staticmethod" for d in item.decorator_list):
                            out.static.add(f"{node.name}.{item.name}")
                        elif [a.arg for a in item.args.args[:1]] == ["self"]:
                            out.static.add(f"self:{node.name}.{item.name}")  # a plain method
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            shared = (k > 0 and body[k - 1].end_lineno >= start) or (
                k + 1 < len(body) and body[k + 1].lineno <= node.end_lineno)
            # `import x; plot()` on one line: keep only the statement itself
            text = ast.unparse(node) if shared else "\n".join(lines[start - 1:node.end_lineno])
            text = compat_import(node) or text      # from past.builtins import xrange
            segments.append(Segment(kind, text, label, start))
    return segments, defines


def load(path: str | Path, folder: str | Path | None = None,
         wanted: set[str] | frozenset[str] = frozenset(), alone: bool = False) -> Loaded:
    """Parse the submission and keep the statements grading needs. `folder`: the
    student's folder (folder mode); `wanted`: the style's graded top-level names
    (`linear_backward`, `Affine`), looked for across the student's files; `alone`: the
    file only, nothing beside it read (a loose file of a batch: its neighbours are other
    students' work)."""
    from . import folder as student_files

    prescan.begin()
    path = Path(path)
    folder_path = Path(folder) if folder is not None else None
    if folder_path is not None and not path.resolve().is_relative_to(folder_path.resolve()):
        folder_path = None          # not the student's folder: the file alone, as given
    layout = student_files.Folder(path, folder_path)
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
    student_files.gather(layout, out, folder_path, alone)
    _numpy_for_cells(out)
    _module_level_methods(out)
    return out


# the book's methods that use nothing of the instance, which students also write as
# module-level functions (Nielsen's cost_derivative, called as cost_derivative(a, y))
BOOK_METHODS = {"Network": ("cost_derivative",)}


def _module_level_methods(out: Loaded) -> None:
    """A class of the graded file lacking such a method, beside a module-level function of
    that name: the function is graded as the method (a static method of the class, set
    after the file has run), with a note."""
    for cls, methods in BOOK_METHODS.items():
        for name in methods:
            if cls not in out.defines or f"{cls}.{name}" in out.defines \
                    or name not in out.defines:
                continue
            out.segments.append(Segment(
                "code", f"if isinstance({cls}, type) and callable({name}):\n"
                        f"    {cls}.{name} = staticmethod({name})", out.label, 1))
            out.defines[f"{cls}.{name}"] = out.defines[name]
            out.warnings.append(f"the module-level `{name}` ({out.defines[name]}) graded as "
                                f"`{cls}.{name}` (the book's method)")


# the course notebook's first cell, by the name each import binds (`import copy` since the
# version whose update_parameters deep-copies params)
NOTEBOOK_IMPORTS = {"np": "import numpy as np", "copy": "import copy"}


def _numpy_for_cells(out: Loaded) -> None:
    """A submission made of notebook cells saved as files (nothing imported anywhere, `np`
    used) ran under the course notebook's first cell, `import numpy as np` (and `import
    copy`): so it is here, with a note. A file that imports other modules but not numpy
    keeps its NameError."""
    if any(seg.kind == "import" for seg in out.segments):
        return
    used = {n.id for t in out.trees for n in ast.walk(t) if isinstance(n, ast.Name)}
    lines = [line for name, line in NOTEBOOK_IMPORTS.items() if name in used]
    if not lines:
        return
    out.segments[0:0] = [Segment("import", line, out.label, 1) for line in lines]
    shown = "`, `".join(lines)
    out.warnings.append("no file imports anything (notebook cells saved as files): graded "
                        f"with the notebook's `{shown}`")
