"""The oracle for layers: a torch twin per manual layer entry (`base.Twin`), in
the same families as `manual.layers`. Importing this package imports no torch."""

from . import conv, dense, norm, recurrent  # noqa: F401  (each registers its twins)
from .base import TWINS, LayerCase, Twin, get_twin, make_case, oracle_layer, register_twin

__all__ = ["TWINS", "LayerCase", "Twin", "get_twin", "make_case", "oracle_layer",
           "register_twin"]
