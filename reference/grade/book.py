"""A book as one record: what a grading style knows about its textbook or course.

The shared reading code (`loader`, `folder`, `rename`, `standins`, `kit`) and the
probes read these records and never name a book. Each book's record is one `BOOK`
in `books/<book>.py`, a module that imports nothing but this one: the student's
process reads the records too (the course's modules stood in for, a layer's
state), and must never hold the grader's judges or correct code (the styles
package imports `manual`; the record names the module answering helpers,
`Book.kit`, as a string).

The graded functions and classes with their points stay in the style's
`Style.functions` (one `GradedFunction` each); the record holds the rest:

- the names a TA accepts: class aliases (`Linear` for the book's `Affine`) and
  the shape identifying a class renamed outright (`NeuralNetwork` for `Network`);
- the book's methods students also write as module-level functions;
- the course's provided modules and what each provides to a star import;
- the module answering the helpers a graded function may call (parent side);
- the layer state a backward needs (sent with every call of a proxied layer);
- the accommodations the book allows, each with its note.

`Shelf` is every record together: the reading code asks it (a submission is read
the same whatever style grades it, as a TA reads the file before the rubric).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "ClassAlias", "ClassShape", "CourseModule", "Layer", "Accommodation", "Book", "Shelf",
    "class_key",
]


def class_key(name: str) -> str:
    """A class name as a TA reads it: `ReLU`, `relu`, `Relu_Layer`, `ReluLayer` and
    `Relu1` (the first of a class per layer) all read `relu`."""
    key = name.lower().replace("_", "")
    key = key.rstrip("0123456789") or key
    return key[:-len("layer")] if key.endswith("layer") and len(key) > 5 else key


@dataclass(frozen=True)
class ClassAlias:
    """The book's class under the names other courses and frameworks give it."""

    book: str                          # "Affine"
    names: tuple[str, ...]             # ("Linear", "Dense", "FullyConnected")
    note: str                          # appended to the report's note when one is used


@dataclass(frozen=True)
class ClassShape:
    """A book class a student may have named otherwise: the methods that identify it and
    the positional arguments the grader passes to its constructor."""

    name: str                          # "Network"
    methods: tuple[str, ...]           # ("backprop",)
    n_args: int                        # Network(sizes): 1


@dataclass(frozen=True)
class CourseModule:
    """A module the course gives the student (imported, never written): `pattern` is the
    full-match regex of its names; `provides` what a star import of it gives, as (name,
    the stand-in implementing it: a key of `standins.IMPLEMENTATIONS`). Every one also
    gives `np`; any other name is a placeholder raising a clear error when called."""

    pattern: str                       # r"dnn_utils(_v\d+)?"
    provides: tuple[tuple[str, str], ...] = ()
    # stood in for even when the student's folder has the course's file (never read: the
    # course's own code, which may import what a student may not, as 2019's fast_layers.py
    # imports torch)
    always: bool = False


@dataclass(frozen=True)
class Layer:
    """A layer class of the book answered method by method from the parent: the
    attributes it holds (sent with every call, the state a backward needs), those its
    constructor takes, and those each method sets (only these come back)."""

    name: str                          # "Affine"
    state: tuple[str, ...]             # ("W", "b", "x", "dW", "db")
    init: tuple[str, ...] = ()         # ("W", "b")
    writes: tuple[tuple[str, tuple[str, ...]], ...] = ()   # (("backward", ("dW", "db")),)


@dataclass(frozen=True)
class Accommodation:
    """Something the book allows that a strict reading would not, with its note."""

    name: str                          # "dw"
    note: str
    # the arrays (gradients, state) whose shape may differ from the expected one by leading
    # or trailing axes of length 1 under this accommodation (CS231n's "keepdims")
    singleton: tuple[str, ...] = ()


@dataclass(frozen=True)
class Book:
    style: str                         # "saito"
    title: str                         # "Saito's Deep Learning from Scratch, ch. 5"
    aliases: tuple[ClassAlias, ...] = ()
    renamed: tuple[ClassShape, ...] = ()
    # the book's methods students also write at module level: (class, method)
    module_methods: tuple[tuple[str, str], ...] = ()
    # the course notebook's first cell, by the name each import binds
    notebook_imports: tuple[tuple[str, str], ...] = ()
    course_modules: tuple[CourseModule, ...] = ()
    kit: str | None = None             # the module whose HELPERS the parent answers
    helper_prefix: str = ""            # "ng": helpers are named "ng.sigmoid"
    # the helpers each graded function may call, answered from the parent (the style
    # allows them, the probe puts them where the student calls them): (function, helpers)
    calls: tuple[tuple[str, tuple[str, ...]], ...] = ()
    layers: tuple[Layer, ...] = ()
    accommodations: tuple[Accommodation, ...] = ()

    def accommodation(self, name: str) -> Accommodation:
        return next(a for a in self.accommodations if a.name == name)

    def calls_of(self, function: str) -> tuple[str, ...]:
        """The helpers `function` may call, by the names the student calls them."""
        return dict(self.calls).get(function, ())

    def helpers_of(self, function: str) -> tuple[str, ...]:
        """The same helpers by the names the parent answers them (`ng.sigmoid`)."""
        return tuple(f"{self.helper_prefix}.{name}" for name in self.calls_of(function))


@dataclass(frozen=True)
class Shelf:
    """Every book together, as the reading code asks them."""

    books: tuple[Book, ...]
    _course: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        patterns = [m.pattern for b in self.books for m in b.course_modules]
        object.__setattr__(self, "_course", re.compile(rf"^(?:{'|'.join(patterns)})$"
                                                       if patterns else r"(?!)"))

    def is_course_module(self, name: str) -> bool:
        """`dnn_app_utils_v3`, `testCases`: a module one of the courses provides."""
        return bool(self._course.match(name))

    def course_module(self, name: str) -> CourseModule | None:
        return next((m for b in self.books for m in b.course_modules
                     if re.fullmatch(m.pattern, name)), None)

    def shape(self, name: str) -> ClassShape | None:
        """The shape of a book class the student may have renamed (`Network`)."""
        return next((s for b in self.books for s in b.renamed if s.name == name), None)

    def alias(self, key: str) -> ClassAlias | None:
        """The alias a class key (`class_key`) is, if any: `linear` of the book's Affine."""
        return next((a for b in self.books for a in b.aliases
                     if key in (class_key(n) for n in a.names)), None)

    def book_key(self, name: str) -> str:
        """A student's class name read as the book's class key: `Dense` -> `affine`."""
        key = class_key(name)
        alias = self.alias(key)
        return class_key(alias.book) if alias else key

    def accommodation_note(self, name: str) -> str | None:
        """The note of an accommodation a probe applied (by its name: "dw"), if a book
        allows one of that name."""
        return next((a.note for b in self.books for a in b.accommodations if a.name == name),
                    None)

    @property
    def gradient_methods(self) -> frozenset[str]:
        """The methods that identify a book's whole network (`renamed` shapes: its
        gradient), lower-case: a failure inside one may come from the forward it runs."""
        return frozenset(m.lower() for b in self.books for s in b.renamed for m in s.methods)

    @property
    def module_methods(self) -> tuple[tuple[str, str], ...]:
        return tuple(dict.fromkeys(p for b in self.books for p in b.module_methods))

    @property
    def notebook_imports(self) -> dict[str, str]:
        return {k: v for b in self.books for k, v in b.notebook_imports}
