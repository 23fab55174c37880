"""What reading a submission produces (parent side): its kept statements, the student's
modules, where each graded name comes from, the notes for the report.

`Loaded` is the reading's working record: the passes (`loader.PASSES`) fill it in
order, nothing else writes it; `loader.load` returns it frozen, a `Submission`.
`Binding` is one graded name found elsewhere than the graded file (typed: the
child gets it as a "bind" segment).
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType

from .standins import is_course_file

__all__ = ["Segment", "Module", "Binding", "FileReading", "Loaded", "Submission", "Pass"]



@dataclass(frozen=True)
class Segment:
    """One kept top-level statement: its source, file label and first line."""

    kind: str                      # "import" or "code"
    source: str
    filename: str
    lineno: int
    # converted from Python 2: its `/` divides as Python 2 did (`oldnumpy.python2_divisions`)
    python2: bool = False


@dataclass
class Module:
    """A student file other than the graded one, served to the child as `name`."""

    name: str                      # "common.layers"
    filename: str                  # its label in reports: "common/layers.py"
    package: bool
    segments: list[Segment] = field(default_factory=list)
    defines: dict[str, str] = field(default_factory=dict)   # top-level name -> file/cell
    static: set[str] = field(default_factory=set)          # "Net.sigmoid" staticmethods


@dataclass(frozen=True)
class Binding:
    """A graded name defined elsewhere than the graded file: `attr` ("Cls" or "Cls.meth")
    of the student's module `module` (None: the graded file itself), bound as `name`;
    `instance`: a method taking self, bound to an instance made without __init__."""

    name: str
    module: str | None
    attr: str
    instance: bool = False


@dataclass
class FileReading:
    """One file as the per-file passes (`readfile.FILE_PASSES`) read it, each filling the
    next field: its text (decode), its cells (notebook to source: one for a .py file),
    each cell's tree and source (Python 2 conversion), the kept statements and the names
    they define (keep definitions)."""

    path: Path
    label: str
    max_bytes: tuple[int, int]                 # (a .py file, a notebook)
    text: str = ""
    cells: list[tuple[str, str]] = field(default_factory=list)          # (label, source)
    parsed: list[tuple[str, ast.AST, str]] = field(default_factory=list)  # label, tree, src
    segments: list[Segment] = field(default_factory=list)
    defines: dict[str, str] = field(default_factory=dict)     # top-level name -> file/cell

    @property
    def notebook(self) -> bool:
        return self.path.suffix == ".ipynb"


class _Reading:
    """What the reading's record and the finished submission both answer (from their
    fields: label, merged, modules, defines, wanted, segments, package, binds)."""

    @property
    def files(self) -> list[str]:
        """The files graded: the graded file, then the student's modules used (not the
        course's own files, nor namespace packages)."""
        return list(dict.fromkeys([self.label, *self.merged] + [
            m.filename for m in self.modules
            if not m.filename.endswith("/") and not is_course_file(m.name)]))

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
        `update_parameter` for update_parameters, `Net.update_minibatch` for
        Net.update_mini_batch."""
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
        out = [asdict(seg) for seg in self.segments]
        if self.package:
            out.insert(0, {"kind": "package", "source": "", "filename": self.label,
                           "lineno": 1, "package": self.package})
        for m in self.modules:
            out.append({"kind": "module", "source": "", "filename": m.filename, "lineno": 1,
                        "module": m.name, "package": m.package,
                        "segments": [asdict(s) for s in m.segments]})
        return out + [dict(asdict(b), kind="bind", source="", filename=self.label, lineno=1)
                      for b in self.binds]


@dataclass
class Loaded(_Reading):
    """The reading's working record: the passes (`loader.PASSES`) fill it in order, and
    `freeze` makes the `Submission` the rest of the grader reads."""

    segments: list[Segment] = field(default_factory=list)
    error: str | None = None       # the submission cannot be graded at all (syntax error...)
    warnings: list[str] = field(default_factory=list)
    trees: list[ast.AST] = field(default_factory=list)   # for the policy scan (every file)
    label: str = ""                # the graded file's label
    modules: list[Module] = field(default_factory=list)
    defines: dict[str, str] = field(default_factory=dict)  # graded file's names -> cell
    binds: list[Binding] = field(default_factory=list)   # graded names found elsewhere
    origins: dict[str, str] = field(default_factory=dict)  # graded name -> file label
    ignored: list[str] = field(default_factory=list)     # the folder's files not graded
    wanted: set[str] = field(default_factory=set)        # the style's graded names
    package: str | None = None     # the graded file's package, for its relative imports
    merged: list[str] = field(default_factory=list)      # notebook cells saved as files
    static: set[str] = field(default_factory=set)        # "Net.sigmoid" staticmethods
    # (and "self:Net.sigmoid" for a method taking self)
    preimport: set[str] = field(default_factory=set)     # imported before confinement
    python2: set[str] = field(default_factory=set)       # files and cells read as Python 2

    def freeze(self) -> Submission:
        return Submission(
            tuple(self.segments), self.error, tuple(self.warnings), tuple(self.trees),
            self.label, list(self.modules), MappingProxyType(dict(self.defines)),
            tuple(self.binds), MappingProxyType(dict(self.origins)), list(self.ignored),
            frozenset(self.wanted), self.package, tuple(self.merged), frozenset(self.static),
            frozenset(self.preimport))


@dataclass(frozen=True)
class Submission(_Reading):
    """A submission as read: what the child runs (`to_json`), where each graded name comes
    from, the notes for the report. `modules` and `ignored` stay lists (the results and
    their tests read them as lists)."""

    segments: tuple[Segment, ...]
    error: str | None              # the submission cannot be graded at all (syntax error...)
    warnings: tuple[str, ...]
    trees: tuple[ast.AST, ...]     # for the policy scan (every file)
    label: str                     # the graded file's label
    modules: list[Module]
    defines: Mapping[str, str]     # graded file's names -> cell
    binds: tuple[Binding, ...]     # graded names found elsewhere
    origins: Mapping[str, str]     # graded name -> file label
    ignored: list[str]             # the folder's files not graded
    wanted: frozenset[str]         # the style's graded names
    package: str | None            # the graded file's package, for its relative imports
    merged: tuple[str, ...]        # notebook cells saved as files
    static: frozenset[str]         # "Net.sigmoid" staticmethods, "self:Net.sigmoid"
    preimport: frozenset[str] = frozenset()   # modules the child imports before confinement


@dataclass(frozen=True)
class Pass:
    """One step of reading a submission: its name, the note it adds to the report (in
    words: the text is its code's) and what it runs: a per-file pass `file(reading, out)`
    on each file read (`readfile.FILE_PASSES`), a submission pass `run(out, place)` once
    on the reading's record when the graded file is read (`loader.PASSES`). The real
    fixtures pinning each pass are listed by name in `tests/test_grade_books.py`."""

    name: str
    note: str
    run: Callable[[Loaded, object], None] | None = None
    file: Callable[[FileReading, Loaded], None] | None = None
