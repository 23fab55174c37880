"""Grading from a test: `grade(path, style, seed=0, timeout=5.0, only=[...])` names only
the options a test sets and builds the one `GradeOptions` (with its `Limits`) the
command line, the plugin or the bundle would build, then grades as they do."""

from __future__ import annotations

from reference.grade.options import GradeOptions, Limits
from reference.grade.results import SubmissionResult
from reference.grade.runner import grade_submission

__all__ = ["grade", "options"]

LIMITS = ("timeout", "memory_mb", "max_seconds")


def options(**given) -> GradeOptions:
    """GradeOptions from keywords: timeout, memory_mb and max_seconds go to its Limits."""
    limits = Limits(**{k: given.pop(k) for k in LIMITS if k in given})
    if given.get("only") is not None:
        given["only"] = tuple(given["only"])
    if "hide" in given:
        given["hide"] = tuple(given["hide"])
    return GradeOptions(limits=limits, **given)


def grade(path, style: str, *, folder=None, alone: bool = False, pool=None,
          **given) -> SubmissionResult:
    """`grade_submission` with the options given as keywords."""
    return grade_submission(path, style, options(**given), folder=folder, alone=alone,
                            pool=pool)
