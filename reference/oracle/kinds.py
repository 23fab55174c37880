"""What kind of disagreement a finding is: one vocabulary for the oracle's `Mismatch`,
the grader's `Finding` and `check`'s explanation.

Code branches on the kind, never on the English text of a diagnosis (the text is for
the student or the user, and may be reworded; the kind is the contract). A new kind is
one member here, the detector that sets it (`reference.oracle.diagnose` or a style's
judge) and, where something reacts to it, the branch that reads it.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Kind"]


class Kind(str, Enum):
    """The kinds, roughly in the order `diagnose_array` tries them. A str (JSON writes
    its value: `check --format json`'s mismatch carries it); not `enum.StrEnum`, which
    Python 3.10 lacks."""

    MISSING = "missing"              # nothing returned for it, or the name is not defined
    NOT_NUMERIC = "not numeric"      # not an array of real numbers (an object, a dtype)
    COUNT = "count"                  # a list with the wrong number of arrays
    SHAPE = "shape"                  # rank-1, transposed shape, wrong-axis sum, scalar...
    NON_FINITE = "non-finite"        # NaN or inf where the oracle's answer is finite
    KNOWN_MISTAKE = "known mistake"  # matches a style's wrong formula (σ'(a) for σ'(z))
    SOFTMAX_DIAGONAL = "softmax diagonal"  # softmax differentiated elementwise: p(1 − p)
    CLIP_ROUNDS = "clip rounds to 1"  # a clip to 1 − 1e-15 is 1 in float32: 1/(1 − a) inf
    OUTPUT_SCALE = "output scale"    # the loss divided (or multiplied) by the number of outputs
    SIGN = "sign"                    # −expected
    TRANSPOSE = "transpose"          # expectedᵀ (square)
    SCALE_M_LARGE = "missing 1/m"    # m × expected: the 1/m is missing
    SCALE_M_SMALL = "extra 1/m"      # expected / m: an extra 1/m
    VALUE = "value"                  # wrong at an index, no better explanation
    KEYS = "keys"                    # a dict missing the book's keys
    MUTATION = "mutation"            # an input modified in place
    INIT = "init"                    # an initialization's shape or statistics
    RUNTIME = "runtime error"        # the student's code raised, timed out or crashed
    FORWARD_RAISED = "forward raised"  # ... in the forward pass its backward needs
    OLD_CODE = "old code"            # ... only because the code is older than its NumPy/Python
    LOAD = "load"                    # the submission could not be loaded
    API = "api"                      # an answer of the wrong form, a forged answer

    def __str__(self) -> str:
        return self.value
