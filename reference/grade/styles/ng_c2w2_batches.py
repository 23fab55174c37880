"""random_mini_batches of Ng's course 2 week 2, judged as a TA reads it: a partition of the
shuffled examples, not the notebook's one permutation.

    mini_batches = random_mini_batches(X, Y, mini_batch_size=64, seed=0)
    # [(mini_batch_X (n_x, s), mini_batch_Y (1, s)), ...]

Right when the batches hold every column of X exactly once, each with its own column of
Y (X and Y shuffled alike), in ⌈m / mini_batch_size⌉ batches of mini_batch_size and a
smaller last one (m mod mini_batch_size examples, when there is a remainder), the
examples shuffled (m ≥ 8: not in their original order, and another order for seed + 1: a
shuffle that ignores its seed gives every epoch the same batches). Any permutation is
accepted;
the probe notes one that is not the notebook's `np.random.seed(seed)` then
`np.random.permutation(m)`.
"""

from __future__ import annotations

import math

import numpy as np

from ...oracle.diagnose import Finding, Kind, as_array
from ..base import GradeCase

__all__ = ["mini_batch_cases", "judge_mini_batches"]

# (m, mini_batch_size): the notebook's 148 examples by 64, an exact division, a size above
# m, one example, and small batches
SHAPES = ((148, 64), (128, 64), (5, 8), (1, 64), (10, 3), (9, 2))


def mini_batch_cases(rng, n: int) -> list[GradeCase]:
    out = []
    shapes = list(SHAPES) + [(int(rng.integers(1, 40)), int(rng.integers(1, 10)))
                             for _ in range(max(0, n - len(SHAPES)))]
    for m, size in shapes:
        n_x = int(rng.integers(1, 5))
        X = rng.standard_normal((n_x, m))
        Y = rng.permutation(m).astype(np.float64).reshape(1, m) + 0.5   # distinct labels
        out.append(GradeCase({"X": X, "Y": Y, "mini_batch_size": size,
                              "seed": int(rng.integers(0, 100))}, {},
                             (m,), f"X ({n_x}, {m}), Y (1, {m}), mini_batch_size {size}"))
    return sorted(out, key=lambda c: c.size)


def _bad(text: str, kind: Kind = Kind.VALUE) -> Finding:
    return Finding("forward", text, kind=kind)


def _batches(value) -> tuple[list, Finding | None]:
    """[(X_b, Y_b) as arrays], or why the return is not a list of pairs."""
    if not isinstance(value, list):
        return [], _bad("should return a list of (mini_batch_X, mini_batch_Y)", Kind.API)
    if value and all(isinstance(i, list) and all(v is None for v in i) for i in value):
        return [], _bad("random_mini_batches is a stub (not implemented yet: the "
                        "mini-batches are still None)", Kind.MISSING)
    pairs = []
    for i, item in enumerate(value):
        if not isinstance(item, list) or len(item) != 2:
            return [], _bad(f"mini_batches[{i}] should be (mini_batch_X, mini_batch_Y)",
                            Kind.API)
        x, y = as_array(item[0]), as_array(item[1])
        if x is None or y is None or x.ndim != 2 or y.ndim != 2:
            return [], _bad(f"mini_batches[{i}] should hold two 2-d arrays (n_x, s) and "
                            "(1, s)", Kind.SHAPE)
        pairs.append((x, y))
    return pairs, None


def _sizes(pairs, m: int, size: int, n_x: int) -> Finding | None:
    n_full, rest = divmod(m, size)
    want = [size] * n_full + ([rest] if rest else [])
    got = [x.shape[1] for x, _ in pairs]
    if got == want[:-1] and rest:
        return _bad(f"{len(got)} mini-batches, expected {len(want)}: the last, smaller "
                    f"mini-batch (m mod mini_batch_size = {rest} examples) is missing")
    if got == want + [0]:
        return _bad(f"an empty mini-batch at the end ({len(got)} mini-batches, expected "
                    f"{len(want)}): m = {m} is a multiple of {size}")
    if got != want:
        return _bad(f"mini-batch sizes {got}, expected {want} (⌈m / mini_batch_size⌉ = "
                    f"{math.ceil(m / size)} batches)", Kind.SHAPE)
    for i, (x, y) in enumerate(pairs):
        if x.shape[0] != n_x or y.shape[0] != 1 or y.shape[1] != x.shape[1]:
            return _bad(f"mini_batches[{i}] has shapes {x.shape} and {y.shape}, expected "
                        f"({n_x}, {x.shape[1]}) and (1, {x.shape[1]})", Kind.SHAPE)
    return None


def _columns(pairs, X, Y) -> tuple[list[int], Finding | None]:
    """Every column of X once, with its own column of Y, shuffled: the order taken."""
    index = {X[:, j].tobytes(): j for j in range(X.shape[1])}
    order = []
    for x, y in pairs:
        for c in range(x.shape[1]):
            j = index.get(np.ascontiguousarray(x[:, c]).tobytes())
            if j is None:
                return order, _bad("a column of mini_batch_X is no example of X (shuffle "
                                   "the columns, X[:, permutation])")
            if not np.array_equal(y[:, c], Y[:, j]):
                return order, _bad("mini_batch_Y does not follow mini_batch_X: X and Y are "
                                   "shuffled with different permutations (use the same "
                                   "permutation for both)")
            order.append(j)
    if sorted(order) != list(range(X.shape[1])):
        twice = sorted({j for j in order if order.count(j) > 1})
        return order, _bad(f"not every example once (example {twice[0]} appears twice): "
                           "shuffle with a permutation, not random choices" if twice else
                           "not every example is in a mini-batch")
    if len(order) >= 8 and order == sorted(order):
        return order, _bad("the examples are not shuffled (the mini-batches take X's "
                           "columns in order)")
    return order, None


def _same_with_next_seed(again, order: list[int], X, Y, size: int) -> Finding | None:
    """The call with seed + 1 (`probes.ng_c2w2.mini_batches`): the same order from m ≥ 8
    examples (1 chance in 8! for a random one) is a shuffle that ignores its seed."""
    pairs, found = _batches(again) if again is not None else ([], None)
    if found or not pairs or len(order) < 8:
        return None
    if _sizes(pairs, X.shape[1], size, X.shape[0]):
        return None         # not a partition (checked before its columns: bounded work)
    order2, found = _columns(pairs, X, Y)
    if found is None and order2 == order:
        return _bad("the same mini-batches for seed and seed + 1: the shuffle ignores its "
                    "seed (the notebook's model reshuffles each epoch with a new seed: "
                    "np.random.seed(seed), then np.random.permutation(m))")
    return None


def judge_mini_batches(got, case):
    """A partition of the shuffled columns, X and Y alike, sizes mini_batch_size and the
    remainder last, shuffled otherwise for the next seed."""
    X, Y, size = case.inputs["X"], case.inputs["Y"], case.inputs["mini_batch_size"]
    pairs, found = _batches(got.get("return"))
    found = found or _sizes(pairs, X.shape[1], size, X.shape[0])
    if found:
        return found
    order, found = _columns(pairs, X, Y)
    return found or _same_with_next_seed(got.get("again"), order, X, Y, size)
