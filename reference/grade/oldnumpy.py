"""NumPy as the code of its time ran on it (child side).

Students' code from before NumPy 1.24 uses what 1.24 removed, and ran:
`(x > 0).astype(np.float)` (np.float, np.int, np.object, np.complex, np.str were
Python's own types), and `np.array([...])` of layers of different shapes
(Nielsen's `self.biases = np.array([np.random.randn(y, 1) for y in sizes[1:]])`),
which gave a one-dimensional array of objects. `install()` brings both back, in
the child only, before any student code runs: the aliases are the same objects
again (never over a name NumPy has), and a list NumPy now refuses as
inhomogeneous becomes that object array; anything else np.array does is unchanged.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ALIASES", "install"]

ALIASES = {"float": float, "int": int, "object": object, "complex": complex, "str": str}


def _ragged(array):
    """np.array, except that a list of arrays of different shapes (with no dtype asked for)
    is a one-dimensional object array of them, as before NumPy 1.24."""
    def tolerant(obj, *args, **kwargs):
        try:
            return array(obj, *args, **kwargs)
        except ValueError as exc:
            if args or kwargs or "inhomogeneous" not in str(exc) or \
                    not isinstance(obj, (list, tuple)):
                raise
        out = np.empty(len(obj), dtype=object)
        for k, item in enumerate(obj):
            out[k] = item
        return out
    tolerant.__wrapped__ = array
    tolerant.__doc__ = array.__doc__
    return tolerant


def install() -> None:
    for name, value in ALIASES.items():
        vars(np).setdefault(name, value)
    if not hasattr(np.array, "__wrapped__"):
        np.array = _ragged(np.array)
