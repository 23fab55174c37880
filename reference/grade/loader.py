"""Read a submission (.py or .ipynb, with the student's other files) and keep only what
grading needs (parent side), as a pipeline of named passes.

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
  cupy as np` / `else: import numpy as np`, a book's `common/np.py`).

A submission is more than one file: the student's modules and packages the
graded file imports and, in folder mode, the student's files defining graded
functions it lacks (`folder` finds them). Each is read under the same rules
and sent by name to the child, which serves it from memory (`worker.SourceFinder`).

The passes, in order (`readfile.FILE_PASSES` then `PASSES`; each adds its notes to
the report through `Loaded.warnings`):

1. decode (`source`): UTF-16 with its BOM, a PEP 263 coding line, else UTF-8;
2. notebook to source (`source`): nbformat's code cells, IPython lines dropped;
3. Python 2 conversion (`keep`, with `py2`): converted, with a note naming the
   lines whose `/` may have been an integer division; a .py file keeping notebook
   lines has them dropped, with a note;
4. keep definitions (`keep`): the statements above, per file or cell;
5. collect the student's files (`folder`): the modules imported, the files of
   the folder defining what the graded file lacks, notebook cells saved as files;
6. resolve names (`folder`): where each graded name comes from (a module, a
   method for a module-level function, a class of another case or alias);
7. bind renamed classes (`rename`): a class of the book's shape under another name;
8. notebook imports: cells saved as files ran under the notebook's first cell;
9. module-level methods: the book's method written as a module-level function;
10. NumPy's testing module: `numpy.testing` imported before the student's code runs
    when the kept code names it.

Passes 1-4 run on every file read (the graded file, then each student module), by
the loop of `readfile.read_file`; 5-10 once per submission, by the loop of `load`.
The old-NumPy shims (`oldnumpy`) are the child's: they take effect when the
submission runs. The books' knowledge comes from their records (`books.SHELF`),
never from here.

Nothing here executes the submission; the child (`worker`) runs the segments.
"""

from __future__ import annotations

import ast
from pathlib import Path

from . import folder as student_files
from . import prescan, rename
from .books import SHELF
from .readfile import FILE_PASSES, read_file
from .source import (
    MAX_CODE_CHARS,
    MAX_NOTEBOOK_BYTES,
    MAX_SOURCE_BYTES,
    NotASubmission,
    read_cells,
    strip_magics,
)
from .submission import Binding, Loaded, Module, Pass, Segment, Submission

__all__ = [
    "MAX_SOURCE_BYTES", "MAX_NOTEBOOK_BYTES", "MAX_CODE_CHARS", "Module", "Segment", "Binding",
    "Loaded", "Submission", "NotASubmission", "read_cells", "strip_magics", "load", "Pass",
    "FILE_PASSES", "PASSES",
]


def load(path: str | Path, folder: str | Path | None = None,
         wanted: set[str] | frozenset[str] = frozenset(), alone: bool = False) -> Submission:
    """Parse the submission and keep the statements grading needs. `folder`: the
    student's folder (folder mode); `wanted`: the style's graded top-level names
    (`linear_backward`, a class), looked for across the student's files; `alone`: the
    file only, nothing beside it read (a loose file of a batch: its neighbours are other
    students' work). The graded file goes through the per-file passes, then the record
    through `PASSES` (at the end of this module) in order, until one sets an error."""
    prescan.begin()
    path = Path(path)
    place = student_files.Place.of(path, Path(folder) if folder is not None else None, alone)
    out = Loaded(label=place.layout.label(path) if place.folder else path.name,
                 wanted=set(wanted))
    _read_graded_file(path, out)
    for step in PASSES:
        if out.error:
            break
        step.run(out, place)
    return out.freeze()


def _read_graded_file(path: Path, out: Loaded) -> None:
    """The graded file through the per-file passes (decode, notebook to source, Python 2
    conversion, keep definitions); an error when it cannot be graded at all."""
    try:
        out.segments, out.defines = read_file(path, out.label, out,
                                              (MAX_SOURCE_BYTES, MAX_NOTEBOOK_BYTES))
    except NotASubmission as exc:
        out.error = str(exc)
        return
    if not out.error and not out.segments:
        out.error = "the submission defines nothing (no functions, classes or imports found)"


def _module_level_methods(out: Loaded, place: student_files.Place) -> None:
    """Pass "module-level methods": the book's methods that use nothing of the instance,
    which students also write as module-level functions (`Book.module_methods`): a class
    of the graded file lacking such a method, beside a module-level function of that
    name, has the function graded as the method (a static method of the class, set after
    the file has run), with a note."""
    for cls, name in SHELF.module_methods:
        if cls not in out.defines or f"{cls}.{name}" in out.defines \
                or name not in out.defines:
            continue
        out.segments.append(Segment(
            "code", f"if isinstance({cls}, type) and callable({name}):\n"
                    f"    {cls}.{name} = staticmethod({name})", out.label, 1))
        out.defines[f"{cls}.{name}"] = out.defines[name]
        out.warnings.append(f"the module-level `{name}` ({out.defines[name]}) graded as "
                            f"`{cls}.{name}` (the book's method)")


def _numpy_for_cells(out: Loaded, place: student_files.Place) -> None:
    """Pass "notebook imports": a submission made of notebook cells saved as files (nothing
    imported anywhere, `np` used) ran under the course notebook's first cell
    (`Book.notebook_imports`: `import numpy as np`, ...): so it is here, with a note. A
    file that imports other modules but not numpy keeps its NameError."""
    if any(seg.kind == "import" for seg in out.segments):
        return
    used = {n.id for t in out.trees for n in ast.walk(t) if isinstance(n, ast.Name)}
    lines = [line for name, line in SHELF.notebook_imports.items() if name in used]
    if not lines:
        return
    out.segments[0:0] = [Segment("import", line, out.label, 1) for line in lines]
    shown = "`, `".join(lines)
    out.warnings.append("no file imports anything (notebook cells saved as files): graded "
                        f"with the notebook's `{shown}`")


def _numpy_testing(out: Loaded, place: student_files.Place) -> None:
    """Pass "NumPy's testing module": a graded file whose kept code names `testing`
    (`np.testing.assert_equal(Z.shape, ...)` left in a graded function) has
    `numpy.testing` imported by the worker before any student process starts, as the
    file's own imports are (NumPy loads it lazily, on first use)."""
    if any("testing" in seg.source for seg in out.segments):
        out.preimport.add("numpy.testing")


# then, once per submission, in this order (until one sets an error)
PASSES = (
    Pass("collect the student's files", "a module read from a flattened upload; a file not "
         "loaded; the folder too large to look through", student_files.collect),
    Pass("resolve names", "a class graded under the book's name (case, alias); a method "
         "graded as the book's module-level function", student_files.resolve),
    Pass("bind renamed classes", "a class graded as the book's, by its shape; several of "
         "that shape", rename.bind_all),
    Pass("list the files", "the course's own files used", student_files.list_files),
    Pass("notebook imports", "graded with the notebook's first cell", _numpy_for_cells),
    Pass("module-level methods", "a module-level function graded as the book's method",
         _module_level_methods),
    Pass("NumPy's testing module", "none (imported before the student's code runs)",
         _numpy_testing),
)
