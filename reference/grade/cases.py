"""The cases every graded function is judged on, built in the parent from the oracle:
seeded per (seed, function), smallest first, built once per process and handed out as
copies; and the torch import they need, done once and kept out of the garbage
collector's way."""

from __future__ import annotations

import copy
import functools
import gc
import importlib
import sys
import threading
import zlib

import numpy as np

from .base import GradeCase, GradedFunction, Style
from .styles import get_style

__all__ = ["ORACLE", "build_cases", "case_rng", "cases_for", "import_oracle"]


def case_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def build_cases(fn: GradedFunction, seed: int, n: int) -> list[GradeCase]:
    return sorted(fn.cases(case_rng(seed, fn.name), n), key=lambda c: c.size)


ORACLE = "reference.oracle.autograd"     # the oracle's module that imports torch


def import_oracle() -> None:
    """Import torch (through the oracle) with the cyclic garbage collector paused, then
    freeze what was imported: torch's ~150k objects would otherwise be scanned again by
    every full collection while grading (75 ms each, a stall of every helper call and
    result waiting on the parent). The `reference.oracle` package itself imports no torch
    (its autograd names load on first use): the module that does is the one checked.
    One thread imports; another calling meanwhile waits for it to finish."""
    with _ORACLE_LOCK:
        if ORACLE in sys.modules:
            return
        enabled = gc.isenabled()
        gc.disable()
        try:
            importlib.import_module(ORACLE)
        finally:
            if enabled:
                gc.enable()
        gc.freeze()


_ORACLE_LOCK = threading.Lock()


_CASES_LOCK = threading.Lock()      # submissions graded side by side build the cases once


@functools.lru_cache(maxsize=256)
def _cached_cases(style: str, name: str, seed: int, n: int) -> list[GradeCase]:
    fn = next(f for f in get_style(style).functions if f.name == name)
    return build_cases(fn, seed, n)


def cases_for(style: Style, fn: GradedFunction, seed: int, n: int) -> list[GradeCase]:
    """The cases of one function: built once per process for (style, function, seed, n)
    (they depend on nothing else: a batch builds them once), handed out as copies so
    nothing one submission's grading does can reach the next one's."""
    with _CASES_LOCK:
        cases = _cached_cases(style.name, fn.name, seed, n)
    return copy.deepcopy(cases)

