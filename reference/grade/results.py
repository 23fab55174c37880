"""What became of a submission and of each of its graded functions: the results every
report (`report`: text, Gradescope's results.json, CSV) is written from."""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import Finding, GradeCase, GradedFunction

__all__ = ["FAILED", "MISSING", "NOT_GRADED", "PASSED", "STATUSES", "SUPPLIED",
           "FunctionResult", "SubmissionResult", "not_graded"]


# what became of one graded function (the same five words in every report)
PASSED, FAILED, MISSING, SUPPLIED, NOT_GRADED = (
    "passed", "failed", "missing", "supplied", "not graded")
STATUSES = (PASSED, FAILED, MISSING, SUPPLIED, NOT_GRADED)


@dataclass
class FunctionResult:
    """One graded function's verdict.

    status: "passed" (every case agreed), "failed" (a case disagreed or raised),
    "missing" (the assignment asks for it and the submission does not define it),
    "supplied" (optional: the course provides it, a helper of the course's own module, and
    the submission does not define it; full credit, nothing of the student's to
    grade) or "not graded" (the whole submission could not be graded: a syntax
    error, a refused import). max_score is always `points`: one maximum per style,
    the same for every student whatever helpers they wrote.
    """

    name: str
    points: float
    score: float
    status: str                      # one of STATUSES
    finding: Finding | None = None
    case: GradeCase | None = None    # the smallest failing case
    n_cases: int = 0
    output: str = ""
    elapsed: float | None = None     # seconds the student's process spent on it (parent clock)

    @property
    def passed(self) -> bool:
        return self.status in (PASSED, SUPPLIED)

    @property
    def max_score(self) -> float:
        return self.points


@dataclass
class SubmissionResult:
    submission: str
    style: str
    seed: int
    functions: list[FunctionResult] = field(default_factory=list)
    error: str | None = None         # why nothing could be graded (syntax error, policy)
    warnings: list[str] = field(default_factory=list)
    protections: list[str] = field(default_factory=list)   # the isolation that was on
    elapsed: float | None = None     # seconds from loading to the last verdict (parent clock)
    seed_private: bool = False       # the seed stays out of what the student sees
    files: list[str] = field(default_factory=list)     # the student's files graded
    ignored: list[str] = field(default_factory=list)   # the folder's files not graded
    origins: dict[str, str] = field(default_factory=dict)  # graded name -> its file

    @property
    def score(self) -> float:
        return 0.0 if self.error else sum(f.score for f in self.functions)

    @property
    def max_score(self) -> float:
        return sum(f.max_score for f in self.functions)

    @property
    def passed(self) -> bool:
        return self.error is None and all(f.passed for f in self.functions)

    def status_of(self, f: FunctionResult) -> str:
        """The function's status as reported: "not graded" for all when the submission
        could not be graded."""
        return NOT_GRADED if self.error else f.status


def not_graded(functions: list[GradedFunction]) -> list[FunctionResult]:
    """The verdicts of a submission that could not be graded: zero, status "not graded"."""
    return [FunctionResult(f.name, f.points, 0.0, NOT_GRADED) for f in functions]
