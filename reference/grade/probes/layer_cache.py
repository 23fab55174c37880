"""A wrong forward's cache rebuilt in its own layout, for its backward (the child's side;
NumPy and the standard library only).

The parent sends, with a backward's case, the correct forward's outputs and
intermediates (`styles.layer_cache.cache_pool`: names and values, never a gradient).
When the student's forward returns outputs that disagree with those, its cache is
walked (tuples, lists, dicts, as deep as a list of per-step caches) and each array in it
is identified, in this order:

1. by value: it is one of the correct intermediates of its shape (within the layer's
   tolerance): kept as it is;
2. by name: the dict key it is stored under names an intermediate of its shape
   ('std', 'sqrtvar', 'x_hat'): replaced by it;
3. by nearness: one intermediate of its shape is near it (a forgotten eps) and every
   other one far (`CACHE_NEAR`): replaced by it;
4. by position: in a list of per-step caches, the entries at the same place of the other
   steps were identified as one intermediate ('next_h' at step t): that one at this step;
   or the student's forward, run on the reference case the parent sends (a typical
   one: a batch of 1 gives a variance of 0, and a forgotten eps NaN), stores that
   intermediate at that place (`learn`).

What is no array (a mode string, eps, a conv_param dict of numbers, a shape tuple) is kept.
An array identified by none of these means the layout cannot be rebuilt: the backward is
then blocked by its forward, never failed as its own error.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["forward_is_wrong", "learn", "rebuild"]

MAX_DEPTH = 6
MAX_LEAVES = 20_000


class Unknown(Exception):
    """An entry no intermediate can be found for (its path and shape)."""


def _close(a, c, rtol: float, atol: float) -> bool:
    try:
        a, c = np.asarray(a, dtype=np.float64), np.asarray(c, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a.shape != c.shape:
        return False
    scale = atol * max(1.0, float(np.max(np.abs(c), initial=0.0)))
    return bool(np.all(np.abs(a - c) <= scale + rtol * np.abs(c)))


def forward_is_wrong(outputs, pool: dict) -> bool:
    """Whether the student's forward outputs (plain values) miss the correct ones."""
    rtol, atol = pool["tol"]
    expected = pool["expected"]
    outputs = list(outputs or [])
    return len(outputs) != len(expected) or not all(
        isinstance(o, np.ndarray) and _close(o, e, rtol, atol) for o, e in zip(outputs, expected))


def _distance(a, c) -> float:
    a, c = np.asarray(a, dtype=np.float64), np.asarray(c, dtype=np.float64)
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(c)))
    return float(np.linalg.norm(a - c)) / scale if scale > 0 else 0.0


class _Rebuild:
    """One walk over the student's cache (see the module docstring)."""

    def __init__(self, pool: dict, learned: dict | None = None):
        self.learned = dict(learned or {})   # path -> name, from the reference run
        self.rtol, self.atol = pool["tol"]
        self.near, self.margin = pool["near"]
        self.candidates = [(list(map(str, n)), c) for n, c in pool["candidates"]
                           if isinstance(c, np.ndarray)]
        self.swapped: list[str] = []
        self.found: dict[str, str] = {}      # path -> the intermediate's name
        self.leaves = 0

    def identify(self, a, path: str, key: str) -> tuple[str, object]:
        """(the name of the intermediate `a` is, the value to use): steps 1 to 3; where
        the reference run put an intermediate of this shape, that one (a batch of 1's
        zero variance equals no standard deviation it was meant to be)."""
        same = [(n, c) for n, c in self.candidates if c.shape == a.shape]
        learned = [(n, c) for n, c in same if n[0] == self.learned.get(path)]
        if learned:
            if _close(a, learned[0][1], self.rtol, self.atol):
                return learned[0][0][0], a
            return self._swap(path, learned[0], a)
        for names, c in same:
            if _close(a, c, self.rtol, self.atol):
                return names[0], a
        wanted = key.lower().replace("_", "")
        named = [(n, c) for n, c in same if wanted and wanted in n[1:]]
        if named and _all_equal([c for _, c in named]):
            return self._swap(path, named[0], a)
        ranked = sorted(((_distance(a, c), i) for i, (_, c) in enumerate(same)))
        if ranked:
            best, first = ranked[0][0], same[ranked[0][1]]
            others = [d for d, i in ranked[1:]
                      if not _close(same[i][1], first[1], self.rtol, self.atol)]
            if best < self.near and (not others or others[0] > self.margin * best):
                return self._swap(path, first, a)
        raise Unknown(f"cache{path} of shape {tuple(a.shape)}")

    def _swap(self, path: str, candidate, a) -> tuple[str, object]:
        names, value = candidate
        self.swapped.append(f"cache{path} ({names[0]})")
        return names[0], np.array(value, dtype=a.dtype, copy=True)

    def walk(self, value, path: str = "", key: str = "", depth: int = 0):
        """The cache with each array identified, or a `_Pending` where none was (yet)."""
        self.leaves += 1
        if depth > MAX_DEPTH or self.leaves > MAX_LEAVES:
            raise Unknown(f"cache{path} (nested too deeply)")
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            try:
                name, used = self.identify(value, path, key)
            except Unknown:
                return _Pending(path, value)
            self.found[path] = name
            return used
        if isinstance(value, np.ndarray):
            raise Unknown(f"cache{path} (an array of {value.dtype})")
        if isinstance(value, dict):
            return {k: self.walk(v, f"{path}[{k!r}]", str(k), depth + 1)
                    for k, v in value.items()}
        if isinstance(value, (tuple, list)):
            items = [self.walk(v, f"{path}[{i}]", "", depth + 1) for i, v in enumerate(value)]
            return _same_type(value, items)
        return value

    def by_position(self, pending: _Pending):
        """Step 4: the entry at the same place of another step of this cache, or at the
        same place of the reference run's cache, names this one ('next_h@4' at index 4
        of a list there: 'next_h@t' at index t here)."""
        parts = _segments(pending.path)
        for source in (self.found, self.learned):
            for path, name in source.items():
                wanted = _relate(parts, _segments(path), name)
                for names, c in self.candidates:
                    if wanted and names[0] == wanted and c.shape == pending.value.shape:
                        return self._swap(pending.path, (names, c), pending.value)[1]
        raise Unknown(f"cache{pending.path} of shape {tuple(pending.value.shape)}")

    def fill(self, value):
        """The walked cache with each pending entry identified by position."""
        if isinstance(value, _Pending):
            return self.by_position(value)
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        if isinstance(value, (tuple, list)) and not isinstance(value, np.ndarray):
            return _same_type(value, [self.fill(v) for v in value])
        return value


def _segments(path: str) -> list[str]:
    return re.findall(r"\[[^\]]*\]", path)


def _relate(here: list[str], there: list[str], name: str) -> str:
    """The intermediate at `here`, when the one at `there` is `name`: the same one at the
    same place; at the same place of another step, the same intermediate of this step."""
    if len(here) != len(there):
        return ""
    diff = [k for k, (a, b) in enumerate(zip(here, there)) if a != b]
    if not diff:
        return name
    k = diff[0]
    base, _, step = name.partition("@")
    if len(diff) > 1 or not (here[k][1:-1].isdigit() and there[k][1:-1].isdigit()
                             and step.isdigit()):
        return ""       # another field of a tuple, not the same field of another step
    return f"{base}@{int(step) - int(there[k][1:-1]) + int(here[k][1:-1])}"


class _Pending:
    """An array no value, name or nearness identified: position may (step 4)."""

    def __init__(self, path: str, value):
        self.path, self.value = path, value


def _all_equal(values) -> bool:
    return all(np.array_equal(values[0], v) for v in values[1:])


def _same_type(value, items):
    if isinstance(value, list):
        return items
    try:
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    except TypeError:
        return tuple(items)


def learn(cache, pool: dict) -> dict[str, str]:
    """The layout of a cache the student's forward returned on the reference case (a
    typical one, where every intermediate is finite and apart): path -> intermediate."""
    walker = _Rebuild(pool)
    try:
        walker.walk(cache)
    except Unknown:
        return {}
    return dict(walker.found)


def rebuild(cache, pool: dict, learned: dict | None = None) -> tuple[object, str, list[str]]:
    """(the cache with the correct intermediates, '' or why it cannot be rebuilt, the
    entries replaced); `learned`: the layout read on the reference case (`learn`)."""
    walker = _Rebuild(pool, learned)
    try:
        return walker.fill(walker.walk(cache)), "", walker.swapped
    except Unknown as exc:
        return None, f"{exc} matches none of the correct intermediates", []
