"""How a submission is graded: one frozen object, built once where the options come in
(the command line, the pytest plugin, the Gradescope bundle) and passed down whole.

`Limits` bounds the student's code (time per function, memory, time for the whole
submission); `GradeOptions` holds everything else that changes a verdict or a report
(the seed, the number of cases, the import policy, which functions, the protections).
What to grade (the file, the student's folder) and a batch's shared workers are not
options: they are the arguments of `grade_submission`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from manual.errors import InputError

__all__ = ["DEFAULT_CASES", "GradeOptions", "Limits", "MAX_CASES", "MAX_JOBS",
           "MAX_MEMORY_MB", "MAX_TIMEOUT"]

DEFAULT_CASES = 4
MAX_CASES, MAX_TIMEOUT, MAX_MEMORY_MB, MAX_JOBS = 1000, 86400.0, 2**20, 256


@dataclass(frozen=True)
class Limits:
    """What the student's code may use: `timeout` seconds per graded function,
    `memory_mb` of address space per process, `max_seconds` of wall-clock time for the
    whole submission (None: `max_seconds_for`)."""

    timeout: float = 10.0
    memory_mb: int = 2048
    max_seconds: float | None = None

    def max_seconds_for(self, n_functions: int) -> float:
        """The whole submission's wall-clock bound: the one given, or each function its
        timeout and a minute for starting processes and loading."""
        return self.max_seconds or self.timeout * n_functions + 60.0

    def validate(self) -> None:
        """Values an instructor can get wrong: InputError (one line, exit 2)."""
        self.validate_total()
        self.validate_process()

    def validate_total(self) -> None:
        """The whole submission's bound."""
        if self.max_seconds is not None and not (math.isfinite(self.max_seconds)
                                                 and 0 < self.max_seconds <= MAX_TIMEOUT):
            raise InputError(f"--max-seconds must be a number of seconds between 0 and "
                             f"{MAX_TIMEOUT:g}")

    def validate_process(self) -> None:
        """The bounds of each student process."""
        if not (math.isfinite(self.timeout) and 0 < self.timeout <= MAX_TIMEOUT):
            raise InputError(f"--timeout must be a number of seconds between 0 and "
                             f"{MAX_TIMEOUT:g}")
        if not 256 <= self.memory_mb <= MAX_MEMORY_MB:
            raise InputError(f"--memory-mb must be between 256 and {MAX_MEMORY_MB}")


@dataclass(frozen=True)
class GradeOptions:
    """Everything but the submission itself that decides how it is graded.

    seed: the cases' seed (the same seed, the same cases and verdict); seed_private: the
    seed stays out of what the student sees. cases: per graded function (None:
    DEFAULT_CASES). allow_autograd: the import policy lets torch, jax... in. parallel:
    student processes per submission (None: `children_per_submission`). only: the graded
    functions to run (None: all; `grade --functions`: one notebook or file of an
    assignment graded on its own, the score's maximum theirs). isolate: the operating
    system's protections where available (False: off, to measure their cost). hide: more
    folders the student's code must not read (the submissions', the report's; the
    submission's own always is)."""

    seed: int = 0
    cases: int | None = None
    limits: Limits = field(default_factory=Limits)
    allow_autograd: bool = False
    seed_private: bool = False
    parallel: int | None = None
    only: tuple[str, ...] | None = None
    isolate: bool = True
    hide: tuple[Path, ...] = ()

    @property
    def n_cases(self) -> int:
        return self.cases or DEFAULT_CASES

    def validate(self) -> None:
        """Values an instructor can get wrong: InputError (one line, exit 2), in the order
        the command line has always checked them."""
        if self.seed < 0:
            raise InputError("--seed must be a non-negative integer or 'random'")
        self.limits.validate_total()
        if self.cases is not None and not 1 <= self.cases <= MAX_CASES:
            raise InputError(f"--cases must be between 1 and {MAX_CASES}")
        self.limits.validate_process()
