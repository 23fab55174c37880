"""Read a submission (.py or .ipynb) and keep only what grading needs (parent side).

Real submissions carry plotting, data loading and calls to the course's test
helpers at the top level. Only these top-level statements are kept, so such a
file grades the same as a clean one:

- imports (`import x`, `from x import y`; a missing module is stubbed in the
  child, and reported when graded code really uses it),
- function and class definitions (with their decorators),
- simple constant assignments (`LR = 0.0075`, `layers_dims = [12288, 20, 1]`,
  `EPS = np.finfo(float).eps`: literals, NumPy/math calls and earlier constants),
- `try:` blocks made only of the above (the `try: import x except ImportError:` idiom).

Notebooks: the code cells, in order; IPython magics (`%matplotlib inline`,
`!pip ...`) are dropped; a cell under a Python cell magic (`%%time`) keeps its
code, one under any other (`%%bash`, `%%writefile`) is skipped.
A notebook cell with a syntax error is skipped and reported; a .py file with
a syntax error cannot be graded.

Nothing here executes the submission; the child (`worker`) runs the segments.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

from manual.errors import InputError

MAX_SOURCE_BYTES = 5_000_000
MAX_NOTEBOOK_BYTES = 100_000_000    # notebooks carry their outputs (plots as base64)


@dataclass
class Segment:
    """One kept top-level statement: its source, file label and first line."""

    kind: str                      # "import" or "code"
    source: str
    filename: str
    lineno: int


@dataclass
class Loaded:
    segments: list[Segment] = field(default_factory=list)
    error: str | None = None       # the submission cannot be graded at all (syntax error...)
    warnings: list[str] = field(default_factory=list)
    trees: list[ast.AST] = field(default_factory=list)   # for the policy scan

    def to_json(self) -> list[dict]:
        return [seg.__dict__ for seg in self.segments]


class NotASubmission(Exception):
    """The file cannot be graded at all (the message says why)."""


def read_cells(path: Path) -> list[tuple[str, str]]:
    """[(label, source)]: one entry for a .py file, one per code cell for a notebook.
    A file that cannot be read is an InputError (the grader's problem: exit 2); one that
    is not a submission (too large, not a notebook) raises NotASubmission (the student's
    problem: a zero-score report that says why)."""
    limit = MAX_NOTEBOOK_BYTES if path.suffix == ".ipynb" else MAX_SOURCE_BYTES
    try:
        if path.stat().st_size > limit:
            raise NotASubmission(f"{path.name}: larger than {limit // 1_000_000} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    text = raw.decode("utf-8-sig", errors="replace")
    if path.suffix != ".ipynb":
        return [(path.name, text)]
    try:
        nb = json.loads(text)
        cells = nb["cells"] if isinstance(nb, dict) else None
        if not isinstance(cells, list):
            raise ValueError("no cells")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise NotASubmission(f"{path.name}: not a notebook: {str(exc)[:200]}") from None
    out = []
    for k, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        out.append((f"{path.name} cell {k}", strip_magics(src)))
    return out


PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun", "debug")


def strip_magics(src: str) -> str:
    """Blank out IPython magics and shell escapes. A cell magic running Python
    (%%time, %%capture, ...) keeps its code; any other (%%bash, %%writefile) drops the cell."""
    head = src.lstrip()
    if head.startswith("%%") and head[2:].split(maxsplit=1)[:1] not in (
            [m] for m in PYTHON_CELL_MAGICS):
        return ""
    lines = []
    for line in src.splitlines():
        s = line.lstrip()
        lines.append("" if s.startswith(("%", "!")) or s.endswith("?") and " " not in s
                     else line)
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
    return None


def load(path: str | Path) -> Loaded:
    """Parse the submission and keep the statements grading needs."""
    path = Path(path)
    out = Loaded()
    try:
        cells = read_cells(path)
    except NotASubmission as exc:
        out.error = str(exc)
        return out
    known: set[str] = set()        # constants kept so far
    for label, src in cells:
        try:
            tree = ast.parse(src, filename=label)
        except SyntaxError as exc:
            msg = f"{label}, line {exc.lineno}: {exc.msg}" if exc.lineno else f"{label}: {exc.msg}"
            if path.suffix == ".ipynb":
                out.warnings.append(f"skipped {msg} (syntax error)")
                continue
            out.error = f"syntax error: {msg}"
            return out
        except (ValueError, RecursionError, MemoryError) as exc:
            out.error = f"{label}: cannot be parsed ({type(exc).__name__})"
            return out
        out.trees.append(tree)
        lines = src.splitlines()
        body = tree.body
        for k, node in enumerate(body):
            kind = _kept(node, known)
            if kind is None:
                continue
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            shared = (k > 0 and body[k - 1].end_lineno >= start) or (
                k + 1 < len(body) and body[k + 1].lineno <= node.end_lineno)
            # `import x; plot()` on one line: keep only the statement itself
            text = ast.unparse(node) if shared else "\n".join(lines[start - 1:node.end_lineno])
            out.segments.append(Segment(kind, text, label, start))
    if not out.segments and not out.error:
        out.error = "the submission defines nothing (no functions, classes or imports found)"
    return out
