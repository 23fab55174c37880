"""The one exception type for bad input (wrong architecture, unknown name, NaN...),
and the small checks of scalar options that several modules share.

The command line turns it into a one-line message and exit code 2.
"""

from __future__ import annotations

import difflib
import math
import numbers

__all__ = ["InputError", "did_you_mean", "validate_int", "validate_seed", "validate_real"]


class InputError(ValueError):
    """Raised for input the library cannot give a meaningful answer for."""


def did_you_mean(word: str, known, cutoff: float = 0.7) -> str:
    """'; did you mean 'check'?' when `word` is close to one of `known`, else '' (the end
    of an InputError's message about an unknown name)."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


def validate_int(value, name: str, minimum: int = 0) -> int:
    """`value` as an int ≥ minimum (a bool, a float such as 2.0 or a string is refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def validate_seed(value, name: str = "seed") -> int:
    """A seed: a non-negative integer of any size (numpy refuses negative seeds)."""
    return validate_int(value, name, 0)


def validate_real(value, name: str, *, positive: bool = False) -> float:
    """A finite real number, > 0 with `positive`, else ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {value!r}")
    if value < 0 or (positive and value == 0):
        raise InputError(f"{name} must be {'> 0' if positive else '>= 0'}, got {value!r}")
    return float(value)
