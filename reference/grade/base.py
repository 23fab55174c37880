"""The grader's interface between a style (ng, saito, nielsen) and the harness.

A style is a list of `GradedFunction`s. For each one the harness:

1. asks the style for cases: `fn.cases(rng, n)` -> list of `GradeCase`, each
   with plain `inputs` (built in the parent from the oracle: correct inputs,
   so a bug is reported where it is) and the oracle's `expected` outputs;
2. runs the probe `fn.probe` ("module:function", a NumPy-only function that
   never imports torch) inside the sandboxed student process as
   `probe(ns, inputs) -> dict` where `ns` is the namespace loaded from the
   submission; the returned values are plain (ndarrays, numbers, strings,
   lists/dicts of those) and are rebuilt as float64 arrays by the parent;
3. calls `fn.judge(got, case) -> Finding | None` in the parent (None = the
   case passed), which names the equation and diagnoses the known mistake.

The oracle's `expected` values never enter the student process, nor any input
key outside `fn.inputs`; the correct helpers a probe installs (`fn.helpers`)
are answered by the parent (`kit`), so the student's process holds nothing
that computes the graded function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..oracle.diagnose import Finding

__all__ = ["GradeCase", "Finding", "GradedFunction", "Style"]


@dataclass
class GradeCase:
    """One randomized check of one function. `size` orders cases small to large
    (fewest layers, units, examples) so the smallest failing case is reported."""

    inputs: dict[str, Any]
    expected: dict[str, Any]
    size: tuple[int, ...] = ()
    description: str = ""          # e.g. "L=2, sizes 3x1x2, m=1"


@dataclass
class GradedFunction:
    """One graded function, named exactly as the student writes it."""

    name: str                                       # "linear_backward", "Affine.backward"
    probe: str                                      # "reference.grade.probes.ng:linear_backward"
    cases: Callable[[Any, int], list[GradeCase]]    # (numpy Generator, n) -> cases
    judge: Callable[[dict, GradeCase], Finding | None]   # the verdict on one answer
    points: float = 1.0
    optional: bool = False     # graded only when the submission defines it (TwoLayerNet.gradient)
    provided: str | None = None  # "module:function" supplying a correct version when missing
    requires: tuple[str, ...] = ()  # names that must exist in the submission's namespace
    # inputs the function may modify in place (the harness compares every other
    # input before/after the call and reports "modified its input in place")
    allow_mutation: tuple[str, ...] = ()
    # the input keys the student's process receives (None: all); a case may carry more for
    # the parent's judges (linear_activation_backward's cases hold dZ, its answer's heart)
    inputs: tuple[str, ...] | None = None
    # the grader's correct helpers (`kit.HELPERS` names, "ng.sigmoid") the probe may ask for
    # while this function runs; never the graded function itself
    helpers: tuple[str, ...] = ()
    # the notebooks of an assignment a student hands in one, two or all at once (Ng's
    # course 2 week 1): each notebook's marks, the graded functions whose definition says
    # it was handed in (not a name a course module also gives, Ng's `forward_propagation`),
    # and `part`, this function's notebook. When the submission defines none of its
    # notebook's marks and some of another's, this function is supplied (that notebook was
    # not handed in: it costs nothing in the others' grade), even where a name of it is
    # defined (a course helper of that name copied into another notebook)
    parts: tuple[tuple[str, ...], ...] = ()
    part: int | None = None

    def part_absent(self, defined: frozenset[str] | set[str]) -> bool:
        """Is this function's notebook absent from a submission defining `defined`?"""
        if self.part is None:
            return False
        fold = lambda names: {n.lower() for n in names}   # Saito's lower-case class names
        others = fold(n for i, p in enumerate(self.parts) if i != self.part for n in p)
        return not fold(self.parts[self.part]) & fold(defined) and bool(others & fold(defined))

    def child_inputs(self, case: GradeCase) -> dict[str, Any]:
        """What of `case.inputs` the student's process gets."""
        if self.inputs is None:
            return case.inputs
        return {k: case.inputs[k] for k in self.inputs if k in case.inputs}


@dataclass
class Style:
    name: str                      # "ng", "saito", "nielsen"
    layout: str                    # "columns" or "rows"
    functions: list[GradedFunction]
