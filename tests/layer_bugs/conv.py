"""Planted bugs of the conv family (see tests/layer_bugs/__init__.py)."""

from . import Planted

PLANTED: list[Planted] = []
