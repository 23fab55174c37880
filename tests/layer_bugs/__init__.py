"""Planted bugs per layer, as data: each family's module lists `PLANTED`, CS231n-convention
implementations with one classic mistake each, and the diagnosis the oracle must name.

A planted bug is caught when `reference.verify_layer(layer, forward, backward)` fails it at
that layer and the failure's diagnosis contains `diagnosis` (a known mistake is named, not
reported as a plain mismatch). `harmless` entries are right answers written another way (a
tie routed to another maximum, a different but valid cache): they must pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Planted"]


@dataclass(frozen=True)
class Planted:
    name: str                      # test id: 'batchnorm-no-mean-variance-terms'
    layer: str                     # registry name: 'batchnorm'
    forward: Callable              # CS231n forward (a loss: the one function)
    backward: Callable | None      # CS231n backward (None for a loss)
    diagnosis: str | None          # a substring of the expected diagnosis; None: must pass
