"""What an implementation under test is given besides X and Y (`Spec`), and the bias
shape conventions it may declare: the oracle answers for a Spec (`oracle_for`), and
`reference.check.contract` states the whole contract around it."""

from __future__ import annotations

from dataclasses import dataclass

from manual.equations import COLUMNS
from manual.errors import InputError

__all__ = ["BIAS_SHAPES", "Spec", "bias_shape"]

BIAS_SHAPES = ("layout", "column", "row", "vector")


def bias_shape(convention: str, layout: str, n: int) -> tuple[int, ...]:
    """The shape of layer l's bias (and of db[l]) with nₗ = n units."""
    if convention not in BIAS_SHAPES:
        raise InputError(f"bias_shape must be one of {', '.join(BIAS_SHAPES)}, "
                         f"not {convention!r}")
    if convention == "layout":
        convention = "column" if layout == COLUMNS else "vector"
    return {"column": (n, 1), "row": (1, n), "vector": (n,)}[convention]


@dataclass(frozen=True)
class Spec:
    """What an implementation under test is given besides X and Y."""

    weights: list
    biases: list
    activations: list
    loss: str
    layout: str
    reduction: str
    dtype: str
    bias_shape: str = "layout"

    @property
    def sizes(self) -> list[int]:
        """[n₀, ..., n_L]."""
        cols = self.layout == COLUMNS
        first = self.weights[0].shape[1 if cols else 0]
        return [first] + [w.shape[0 if cols else 1] for w in self.weights]
