"""The cases of the recurrent family: `sample(rng, dtype) -> (arrays, config, tags)`.

They draw the sizes people use and the ones that break code, each tagged: 'batch1'
(N = 1), 'seq1' (T = 1), 'D!=H' (input and hidden widths differ), 'repeated-words'
(an index used more than once), 'mask-zero-row' (an example with every step
masked). They avoid saturated tanh and sigmoid inputs, where every derivative is ~0
and a wrong one looks right: the weights are scaled so that every pre-activation
stays within ±3 (the sum of |weights| into a unit, times the largest |input|).
"""

from __future__ import annotations

import numpy as np

__all__ = ["word_embedding", "rnn_step", "rnn", "lstm_step", "lstm", "temporal_affine",
           "temporal_softmax_loss", "PRE_ACTIVATION_BOUND"]

PRE_ACTIVATION_BOUND = 3.0   # |x Wx + h Wh + b| ≤ this, entrywise, by construction


def _size(rng, tags: list, tag: str, high: int, p_one: float = 0.25) -> int:
    """1 with probability p_one (tagged), else 2..high."""
    if rng.random() < p_one:
        tags.append(tag)
        return 1
    return int(rng.integers(2, high + 1))


def _widths(rng, tags: list) -> tuple[int, int]:
    """(D, H): equal a third of the time, else different (tagged 'D!=H')."""
    D = int(rng.integers(1, 7))
    if rng.random() < 1 / 3:
        return D, D
    tags.append("D!=H")
    return D, int(rng.choice([h for h in range(1, 7) if h != D]))


def _recurrence(rng, dtype, *, steps: bool, gates: int) -> tuple[dict, list]:
    """x, h (prev_h or h0), Wx, Wh, b with every pre-activation within the bound:
    x carries 1.5, h ∈ (−1, 1) carries 1, b at most 0.5."""
    tags: list = []
    N = _size(rng, tags, "batch1", 4)
    T = _size(rng, tags, "seq1", 6) if steps else None
    D, H = _widths(rng, tags)
    x = rng.standard_normal((N, T, D) if steps else (N, D))
    h = rng.uniform(-0.95, 0.95, (N, H))
    Wx = rng.standard_normal((D, gates * H))
    Wh = rng.standard_normal((H, gates * H))
    reach = np.abs(x).reshape(-1, D).max(axis=0)               # the largest |x| per feature
    Wx *= 1.5 / max(float((reach @ np.abs(Wx)).max()), 1e-12)
    Wh *= 1.0 / max(float(np.abs(Wh).sum(axis=0).max()), 1e-12)
    b = rng.uniform(-0.5, 0.5, gates * H)
    arrays = {"x": x, ("h0" if steps else "prev_h"): h, "Wx": Wx, "Wh": Wh, "b": b}
    return {k: v.astype(dtype) for k, v in arrays.items()}, tags


def rnn_step(rng, dtype):
    arrays, tags = _recurrence(rng, dtype, steps=False, gates=1)
    return arrays, None, tuple(tags)


def rnn(rng, dtype):
    arrays, tags = _recurrence(rng, dtype, steps=True, gates=1)
    return arrays, None, tuple(tags)


def lstm_step(rng, dtype):
    arrays, tags = _recurrence(rng, dtype, steps=False, gates=4)
    arrays["prev_c"] = rng.uniform(-2, 2, arrays["prev_h"].shape).astype(dtype)
    return ({k: arrays[k] for k in ("x", "prev_h", "prev_c", "Wx", "Wh", "b")}, None,
            tuple(tags))


def lstm(rng, dtype):
    arrays, tags = _recurrence(rng, dtype, steps=True, gates=4)
    return arrays, None, tuple(tags)


def word_embedding(rng, dtype):
    """A small vocabulary (2 or 3 words, so indices repeat) 40% of the time."""
    tags: list = []
    N = _size(rng, tags, "batch1", 4)
    T = _size(rng, tags, "seq1", 6)
    V = int(rng.integers(2, 4)) if rng.random() < 0.4 else int(rng.integers(4, 13))
    x = rng.integers(0, V, (N, T), dtype=np.int64)
    if np.unique(x).size < x.size:
        tags.append("repeated-words")
    W = rng.standard_normal((V, int(rng.integers(1, 7)))).astype(dtype)
    return {"x": x, "W": W}, None, tuple(tags)


def temporal_affine(rng, dtype):
    tags: list = []
    N = _size(rng, tags, "batch1", 4)
    T = _size(rng, tags, "seq1", 6)
    D, M = int(rng.integers(1, 7)), int(rng.integers(1, 7))
    arrays = {"x": rng.standard_normal((N, T, D)),
              "w": rng.standard_normal((D, M)) / np.sqrt(D), "b": rng.standard_normal(M)}
    return {k: v.astype(dtype) for k, v in arrays.items()}, None, tuple(tags)


def temporal_softmax_loss(rng, dtype):
    """Scores N(0, 2²) (far from overflow), a mask true 70% of the time, and in a
    third of the cases one example with every step masked ('mask-zero-row')."""
    tags: list = []
    N = _size(rng, tags, "batch1", 4)
    T = _size(rng, tags, "seq1", 6)
    V = int(rng.integers(2, 9))
    mask = rng.random((N, T)) < 0.7
    if rng.random() < 1 / 3:
        mask[int(rng.integers(N))] = False
    if (~mask).all(axis=1).any():
        tags.append("mask-zero-row")
    x = (2 * rng.standard_normal((N, T, V))).astype(dtype)
    y = rng.integers(0, V, (N, T), dtype=np.int64)
    return {"x": x, "y": y, "mask": mask}, None, tuple(tags)
