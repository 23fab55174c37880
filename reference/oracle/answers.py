"""The oracle's answers as plain NumPy containers (no torch here, so code that only
reads answers, such as the pytest plugin's comparison, never imports torch).

`OracleGradients` is one network's answer; `StackedGradients` is the answer for K
networks of one structure, every array with a leading axis K.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from manual.network import Gradients

__all__ = ["OracleGradients", "StackedGradients"]


@dataclass
class OracleGradients(Gradients):
    """Gradients plus the forward pass the oracle saw (all float64 ndarrays)."""

    zs: list[np.ndarray] = field(default_factory=list)
    activations: list[np.ndarray] = field(default_factory=list)


@dataclass
class StackedGradients:
    """The oracle's answer for K stacked networks: every array has a leading axis K
    (db shaped like the stacked biases), `cost` is (K,)."""

    deltas: list[np.ndarray]
    dW: list[np.ndarray]
    db: list[np.ndarray]
    cost: np.ndarray
    zs: list[np.ndarray] = field(default_factory=list)
    activations: list[np.ndarray] = field(default_factory=list)

    def member(self, k: int) -> OracleGradients:
        """The answer for network k alone."""
        pick = lambda arrays: [x[k] for x in arrays]
        return OracleGradients(pick(self.deltas), pick(self.dW), pick(self.db),
                               float(self.cost[k]), pick(self.zs), pick(self.activations))

    def take(self, members: Sequence[int]) -> StackedGradients:
        """The answers of some members only, in the order given."""
        idx = list(members)
        if idx and idx == list(range(idx[0], idx[-1] + 1)):
            idx = slice(idx[0], idx[-1] + 1)  # consecutive members: views, no copies
        pick = lambda arrays: [x[idx] for x in arrays]
        return StackedGradients(pick(self.deltas), pick(self.dW), pick(self.db), self.cost[idx],
                                pick(self.zs), pick(self.activations))
