"""Planted bugs of the recurrent family (see tests/layer_bugs/__init__.py)."""

from . import Planted

PLANTED: list[Planted] = []
