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


def _close(a, c, allowed) -> bool:
    """|a − c| within the parent's allowance of c (`tolerances.allowance`), everywhere."""
    try:
        a, c = np.asarray(a, dtype=np.float64), np.asarray(c, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a.shape != c.shape:
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(a - c) <= allowed))


def forward_is_wrong(outputs, pool: dict) -> bool:
    """Whether the student's forward outputs (plain values) miss the correct ones."""
    expected = pool["expected"]
    outputs = list(outputs or [])
    return len(outputs) != len(expected) or not all(
        isinstance(o, np.ndarray) and _close(o, e, allowed)
        for o, (e, allowed) in zip(outputs, expected))


class _Shape:
    """The intermediates of one shape, stacked: each entry is compared with all at once."""

    def __init__(self, items: list):
        self.names = [n for n, _, _, _ in items]
        self.keys = [k for _, _, _, k in items]
        self.values = [c for _, c, _, _ in items]
        self.stack = np.stack([np.asarray(c, dtype=np.float64) for c in self.values])
        axes = tuple(range(1, self.stack.ndim))
        self.allowed = np.array([float(w) for _, _, w, _ in items]).reshape(
            (-1,) + (1,) * len(axes))
        self.norm = np.sqrt(np.sum(self.stack ** 2, axis=axes))
        self.axes = axes

    def close(self, a):
        """Which intermediates `a` is within the allowance of (the parent's)."""
        a = np.asarray(a, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            ok = np.abs(a - self.stack) <= self.allowed
        return np.all(ok, axis=self.axes) if self.axes else ok

    def distance(self, a):
        """‖a − c‖ / max(‖a‖, ‖c‖) for every intermediate c (NaN: never near)."""
        a = np.asarray(a, dtype=np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            gap = np.sqrt(np.sum((a - self.stack) ** 2, axis=self.axes))
            scale = np.maximum(self.norm, float(np.sqrt(np.sum(a ** 2))))
            out = np.where(scale > 0, gap / np.where(scale > 0, scale, 1.0), 0.0)
        return np.where(np.isfinite(out), out, np.inf)


class _Rebuild:
    """One walk over the student's cache (see the module docstring)."""

    def __init__(self, pool: dict, learned: dict | None = None):
        self.learned = dict(learned or {})   # path -> name, from the reference run
        self.near, self.margin = pool["near"]
        shapes: dict[tuple, list] = {}
        for names, c, allowed, keys in pool["candidates"]:
            if isinstance(c, np.ndarray) and c.dtype.kind in "biuf":
                shapes.setdefault(c.shape, []).append(
                    (list(map(str, names)), c, allowed, list(map(str, keys))))
        self.shapes = {k: _Shape(v) for k, v in shapes.items()}
        self.swapped: list[str] = []
        self.found: dict[str, str] = {}      # path -> the intermediate's name
        self.leaves = 0

    def identify(self, a, path: str, key: str) -> tuple[str, object]:
        """(the name of the intermediate `a` is, the value to use): steps 1 to 3; where
        the reference run put an intermediate of this shape, that one (a batch of 1's
        zero variance equals no standard deviation it was meant to be)."""
        same = self.shapes.get(a.shape)
        if same is None:
            raise Unknown(f"cache{path} of shape {tuple(a.shape)}")
        close = same.close(a)
        wanted = self.learned.get(path)
        for k, names in enumerate(same.names):
            if wanted in names:
                return (names[0], a) if close[k] else self._swap(path, k, same, a)
        if np.any(close):
            return same.names[int(np.argmax(close))][0], a
        key = key.lower().replace("_", "")
        named = [k for k, keys in enumerate(same.keys) if key and key in keys]
        if named and all(np.array_equal(same.values[named[0]], same.values[k]) for k in named):
            return self._swap(path, named[0], same, a)
        gaps = same.distance(a)
        best = int(np.argmin(gaps))
        twins = same.close(same.values[best])  # the same value, renamed
        others = gaps[~twins]
        if gaps[best] < self.near and (not others.size
                                       or others.min() > self.margin * gaps[best]):
            return self._swap(path, best, same, a)
        raise Unknown(f"cache{path} of shape {tuple(a.shape)}")

    def _swap(self, path: str, k: int, same: _Shape, a) -> tuple[str, object]:
        name = same.names[k][0]
        self.swapped.append(f"cache{path} ({re.sub(r'^flat:|@(squeezed|T)$', '', name)})")
        return name, np.array(same.values[k], dtype=a.dtype, copy=True)

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
                same = self.shapes.get(pending.value.shape)
                for k, names in enumerate(same.names if same and wanted else ()):
                    if wanted in names:
                        return self._swap(pending.path, k, same, pending.value)[1]
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
