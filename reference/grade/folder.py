"""The student's other files: which modules a submission is made of (parent side).

Single-file mode: the graded file and the student's modules and packages it
imports (also from inside functions), looked up by module name beside it, in
its parent folder (a book's `sys.path.append(os.pardir)`) and in folders it puts
on sys.path with a plain expression. Folder mode (batch, Gradescope) adds the
files of the student's folder, notebooks included, defining a graded name the
graded file lacks. Each file is read under the graded file's rules (`source`,
`keep`) and sent to the child by module name. Symbolic links and paths resolving
outside the boundary are never read; the course's own files (`Book.course_modules`)
serve the student's imports but are never where a graded function comes from.

Three of the reading's passes (`loader.PASSES`) are here: "collect the student's
files" (`collect`), "resolve names" (`resolve`: where each graded name comes
from) and "list the files" (`list_files`: the course's files used, the folder's
files not graded).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from manual.errors import InputError

from .book import class_key
from .books import SHELF
from .pick import files_under
from .readfile import read_file
from .source import MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES, NotASubmission, read_text
from .standins import is_course_file
from .submission import Binding, Loaded, Module

__all__ = ["MAX_MODULES", "Folder", "Place", "collect", "resolve", "list_files"]

MAX_LISTED = 50                     # files ignored, listed by name in the report
MAX_MODULES = 200                   # student modules sent to the child, at most
MAX_SCANNED = 1000                  # files of a student's folder looked through, at most
MAX_SCAN_BYTES = 200 * 2**20        # bytes of a student's folder looked through, at most


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
        """(file or None for a namespace package, is a package) of a module name. As
        Python finds it: a folder without __init__.py is a namespace package only when no
        root has a module or package of that name (`sys.path.append('../activation_function/')`
        then `import activation_function`: the file inside, not the folder)."""
        parts = name.split(".")
        if not all(p.isidentifier() for p in parts):
            return None
        namespace = False
        for root in self.roots:
            base = root.joinpath(*parts)
            init = base / "__init__.py"
            folder = base.is_dir() and _inside(base, self.boundary)
            if folder and _inside(init, self.boundary):
                return init, True
            file = base.with_name(parts[-1] + ".py")
            if file.is_file() and _inside(file, self.boundary):
                return file, False
            namespace = namespace or folder
        return (None, True) if namespace else None

    def module_name(self, path: Path, depth: int = 0) -> str | None:
        """The name a file of the student's folder is imported by: under the first root
        holding it whose name leaves room for its relative imports (`depth`: the most
        leading dots of its `from ..layers import *`; `cs231n/classifiers/fc_net.py` is
        then `cs231n.classifiers.fc_net`, as the course's notebook imports it), else the
        first root's."""
        path = path.resolve()
        names = []
        for root in self.roots:
            if path.is_relative_to(root):
                parts = list(path.relative_to(root).with_suffix("").parts)
                if parts and parts[-1] == "__init__":
                    parts.pop()
                if parts and all(p.isidentifier() for p in parts):
                    names.append(".".join(parts))
        return next((n for n in names if n.count(".") >= depth), names[0] if names else None)


def _relative_depth(text: str) -> int:
    """The most leading dots of a relative import in a file's text (0: none)."""
    return max((len(m) for m in re.findall(r"^[ \t]*from[ \t]+(\.+)", text, re.M)), default=0)


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


def _load_module(folder: Folder, name: str, out: Loaded) -> Module | None:
    course = SHELF.course_module(name.rpartition(".")[2])
    if course is not None and course.always:
        return None                 # the grader's stand-in serves it (`standins`)
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
    sub = Loaded()
    try:
        segments, defines = read_file(path, label, sub)
    except (NotASubmission, InputError) as exc:
        out.warnings.append(f"{label}: not loaded ({exc})")
        return Module(name, label, package)
    out.trees += sub.trees
    out.warnings += sub.warnings
    if sub.error:
        out.warnings.append(f"{label}: not loaded ({sub.error})")
    return Module(name, label, package, segments, defines, sub.static)


@functools.lru_cache(maxsize=256)
def _installed(top: str) -> bool:
    """A library (standard or installed), not a folder the student's upload lost."""
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
    collector = _Collector(folder, out)
    collector.drain()
    collector.scan(wanted, everything)
    out.modules = [m for _, m in sorted(collector.loaded.items())]


class _Collector:
    """The work list of `_collect`: the modules loaded by name, the names tried, the
    packages missing from an upload that lost its folders, the trees whose imports are
    still to be followed (each with the package its relative imports start from)."""

    def __init__(self, folder: Folder, out: Loaded):
        self.folder, self.out = folder, out
        self.loaded: dict[str, Module] = {}
        self.tried: set[str] = set()
        self.flattened: set[str] = set()
        self.pending: list[tuple[ast.AST, str | None]] = [(tree, out.package)
                                                          for tree in out.trees]

    def _queue(self, n_trees: int, package: str | None) -> None:
        """The trees read since there were n_trees join the work list."""
        self.pending.extend((tree, package) for tree in self.out.trees[n_trees:])

    def add(self, name: str) -> Module | None:
        """Load a module, its packages first; its trees join the work list."""
        parts = name.split(".")
        for k in range(1, len(parts) + 1):
            prefix = ".".join(parts[:k])
            if prefix in self.loaded:
                continue
            if prefix in self.tried or len(self.loaded) >= MAX_MODULES:
                return None
            self.tried.add(prefix)
            n_trees = len(self.out.trees)
            module = _load_module(self.folder, prefix, self.out)
            if module is None and len(parts) > 1 and (k == 1 or parts[0] in self.flattened):
                return self._add_flattened(name, parts, k, n_trees)
            if module is None:
                return None
            self.loaded[prefix] = module
            self._queue(n_trees, prefix if module.package else prefix.rpartition(".")[0])
        return self.loaded[name]

    def _add_flattened(self, name: str, parts: list[str], k: int, n_trees: int
                       ) -> Module | None:
        """`name` from an upload that lost its folders: the deepest name that is a file
        (`common.gradient` of `from common.gradient import numerical_gradient`)."""
        for depth in range(len(parts), k - 1, -1):
            flat = _flattened(self.folder, parts[:depth], self.out)
            if flat:
                break
        self.flattened.add(parts[0])
        for m in flat:
            if m.name not in self.loaded:
                self.loaded[m.name] = m
                self.tried.add(m.name)
        self._queue(n_trees, ".".join(parts[:depth - 1]))
        return self.loaded.get(name)

    def drain(self) -> None:
        """Follow the imports of every tree on the work list."""
        while self.pending:
            tree, package = self.pending.pop(0)
            # a module's own `sys.path.append('../activation_function/')` (relative to where
            # the graded file runs, as Python reads it) adds a root before its imports
            self.folder.add_sys_path([tree])
            # deepest first: `common.layers` (maybe flattened) before `common` alone
            for name in sorted(_imported_names(tree, package), key=lambda n: (-n.count("."), n)):
                self.add(name)

    def scan(self, wanted: set[str], everything: list[Path]) -> None:
        """Folder mode: the files defining a graded name the graded file lacks, and what
        they import (at most MAX_SCANNED files, MAX_SCAN_BYTES)."""
        lacking = {w for w in wanted if w not in self.out.defines}
        # .py files first (importable by name), then notebooks (served under a name of their own)
        scanned = sorted(everything[:MAX_SCANNED], key=lambda p: p.suffix == ".ipynb")
        budget = MAX_SCAN_BYTES
        for path in scanned:
            if not lacking or path.resolve() == self.folder.main:
                continue
            try:
                budget -= path.stat().st_size
            except OSError:
                continue
            if budget < 0:
                self.out.warnings.append(
                    "the student's folder is too large to look through in full "
                    f"(more than {MAX_SCAN_BYTES // 2**20} MB of code)")
                break
            # a graded class the student may have renamed: a file with its methods too
            shapes = {m for w in lacking if SHELF.shape(w) for m in SHELF.shape(w).methods}
            module = self._scan_file(path, lacking, shapes)
            if module is not None:
                lacking -= set(module.defines)

    def _scan_file(self, path: Path, lacking: set[str],
                   shapes: set[str] = frozenset()) -> Module | None:
        """One file of the folder: loaded (with what it imports) when it defines a name in
        `lacking`, or a method in `shapes` (a renamed class's); the module, or None."""
        notebook = path.suffix == ".ipynb"
        try:
            text = read_text(path, MAX_NOTEBOOK_BYTES if notebook else MAX_SOURCE_BYTES)
        except (NotASubmission, InputError):
            return None
        importable = None if notebook else self.folder.module_name(path,
                                                                   _relative_depth(text))
        # a notebook, or a file no import can name (`hw1 (2).py`): a name of its own
        name = importable or f"_file_{len(self.loaded)}"
        if name in self.loaded or _taken(name) or is_course_file(name):
            return None
        # a notebook's JSON holds `"def f(...):\n"`: a def anywhere on a line will do
        head = r"(def|class)\s+" if notebook else r"^(def|class)\s+"
        method = r"def\s+" if notebook else r"^[ \t]+def\s+"
        if not any(re.search(rf"{head}{re.escape(w)}\b", text, re.M) for w in lacking) and \
                not any(re.search(rf"{method}{re.escape(w)}\b", text, re.M) for w in shapes):
            return None
        if not notebook and _is_cell_file(text):     # a notebook cell saved as a file
            return self._merge_cell(path)
        if importable is None:          # what the file imports is loaded too
            n_trees = len(self.out.trees)
            module = _read_module(name, path, self.folder.label(path), False, self.out)
            self.loaded[name] = module
            self._queue(n_trees, None)
        else:
            module = self.add(name)
        self.drain()
        return module

    def _merge_cell(self, path: Path) -> Module | None:
        """The cells of one notebook share a namespace: a cell file's statements join the graded
        file's (before its own, in the folder's name order), as if run before it."""
        label = self.folder.label(path)
        module = _read_module(f"_cell_{len(self.out.merged)}", path, label, False, self.out)
        cells = [seg for seg in module.segments if seg.kind == "code"]
        at = sum(1 for seg in self.out.segments if seg.filename != self.out.label)
        self.out.segments[at:at] = cells
        for name, where in module.defines.items():
            self.out.defines.setdefault(name, where)
        self.out.merged.append(label)
        return module


def _is_cell_file(text: str) -> bool:
    """A file that imports nothing and defines functions: one cell of the course's notebook
    saved on its own (`6-linear_backward.py` using np and linear_forward from the other
    cells, with the test call the notebook made below it)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return not any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree))




def _static_method(out: Loaded, name: str) -> bool:
    """The book's module-level `sigmoid_prime` written as a @staticmethod of the class
    (`self.sigmoid_prime(z)`, `Net.sigmoid(z)` in the class's methods: it runs), or
    as a method taking self (run on an instance made without __init__), is graded as
    that method, with a note. A book class (capitalized, no underscore) is never
    matched; a function with a capital and an underscore (`L_model_forward`) is."""
    if "." in name or not (name[:1].islower() or "_" in name):
        return False
    places = [(None, out.static, out.defines)] + [(m.name, m.static, m.defines)
                                                  for m in out.modules
                                                  if not is_course_file(m.name)]
    for module, static, defines in places:
        match = next((d for d in sorted(static, key=lambda d: d.startswith("self:"))
                      if d.rpartition(".")[2] == name), None)
        if match:
            attr = match.removeprefix("self:")
            kind = "a method, run on an instance" if attr != match else "a static method"
            out.origins[name] = defines[attr]
            out.binds.append(Binding(name, module, attr, instance=attr != match))
            out.warnings.append(f"`{attr}` ({defines[attr]}, {kind}) graded as "
                                f"the book's module-level `{name}`")
            return True
    return False


def _bind(out: Loaded, wanted: set[str]) -> None:
    """Where each graded name comes from: the graded file, a student module (first by
    name), a method for a module-level function (`_static_method`), or a class of
    another case or an alias (`book.class_key`, the records' aliases; with a note)."""
    for name in sorted(wanted):
        if name in out.defines:
            out.origins[name] = out.defines[name]
        elif not (_from_module(out, name) or _static_method(out, name)) \
                and name[:1].isupper():                       # a class
            _other_case(out, name)      # else another name: the next pass (`rename`)


def _from_module(out: Loaded, name: str) -> bool:
    """The graded name from the first of the student's modules defining it."""
    owner = next((m for m in out.modules
                  if name in m.defines and not is_course_file(m.name)), None)
    if owner is None:
        return False
    out.origins[name] = owner.defines[name]     # the file, or the notebook's cell
    out.binds.append(Binding(name, owner.name, name))
    return True


def _other_case(out: Loaded, name: str) -> bool:
    """A class matched as a TA reads class names (`book.class_key`, the records' aliases):
    the first, by name, of the graded file's or a student module's classes, with a note."""
    places = [(None, out.defines)] + [(m.name, m.defines) for m in out.modules
                                      if not is_course_file(m.name)]
    key = SHELF.book_key(name)
    for module, defines in places:
        match = next((d for d in sorted(defines) if SHELF.book_key(d) == key
                      and any(k.startswith(d + ".") for k in defines)), None)
        if match:
            label = defines[match]
            alias = SHELF.alias(class_key(match))
            out.origins[name] = label
            out.binds.append(Binding(name, module, match))
            out.warnings.append(f"class `{match}` ({label}) graded as `{name}` "
                                "(class names are matched regardless of case, "
                                "underscores, a number and a `Layer` suffix"
                                + (f"; {alias.note})" if alias else ")"))
            return True
    return False


@dataclass(frozen=True)
class Place:
    """Where a submission sits: its layout, the student's folder's files (folder mode)
    and whether the file is read alone (a loose file of a batch)."""

    layout: Folder
    folder: Path | None            # the student's folder (folder mode), else None
    everything: tuple[Path, ...]
    alone: bool

    @classmethod
    def of(cls, path: Path, folder: Path | None, alone: bool) -> Place:
        if folder is not None and not path.resolve().is_relative_to(folder.resolve()):
            folder = None           # not the student's folder: the file alone, as given
        everything = tuple(files_in(folder)) if folder is not None else ()
        return cls(Folder(path, folder), folder, everything, alone)


def collect(out: Loaded, place: Place) -> None:
    """Pass "collect the student's files": the modules the graded file imports, and (folder
    mode) the files defining graded names it lacks; none when the file is read alone."""
    if not place.alone:
        place.layout.add_sys_path(out.trees)
        out.package = _main_package(place.layout, out.trees)
        _collect(place.layout, out, out.wanted, list(place.everything))


def resolve(out: Loaded, place: Place) -> None:
    """Pass "resolve names": where each graded name comes from (`_bind`)."""
    _bind(out, out.wanted)


def list_files(out: Loaded, place: Place) -> None:
    """Pass "list the files": the course's own files used (a note), the folder's files not
    graded (at most MAX_LISTED by name)."""
    graded = set(out.files) | set(out.course_files)
    ignored = [label for label in (place.layout.label(p) for p in place.everything)
               if label not in graded]
    if out.course_files:
        out.warnings.append("the course's own files, used by the student's code and not "
                            f"graded: {', '.join(out.course_files)}")
    out.ignored = ignored[:MAX_LISTED] + (
        [f"... and {len(ignored) - MAX_LISTED} more"] if len(ignored) > MAX_LISTED else [])


def files_in(directory: Path) -> list[Path]:
    """The .py/.ipynb files of a student's folder: no hidden ones (.ipynb_checkpoints), no
    symbolic links, nothing resolving outside the folder."""
    return files_under(directory)
