"""Random cases for the matrix, drawn from data (the registries) and a seed.

A `Case` is a small frozen description (activations, loss, layout, dtype,
layer sizes, batch size, its own seed); `case.arrays()` draws the weights,
biases, X and Y from that seed, so a case is the same on every xdist worker
and every machine. `generate(n, seed)` walks the product of

    hidden activation × (output activation, loss) × layout × dtype

round-robin (so the first |product| cases cover every combination once) and
draws each case's architecture: depth 1..6, widths 1..12, batch 1..8, with
width 1 and batch 1 drawn often (they catch rank-1 and broadcasting bugs).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass

import numpy as np

from manual.activations import ACTIVATIONS, get_activation
from manual.equations import COLUMNS, ROWS
from manual.errors import InputError
from manual.losses import LOSSES, get_loss
from manual.network import Network

LAYOUTS = (COLUMNS, ROWS)
DTYPES = ("float64", "float32")
_SHORT = {"float64": "f64", "float32": "f32"}
KINK_MARGIN = 1e-3


@dataclass(frozen=True)
class Case:
    hidden: str
    output: str
    loss: str
    layout: str
    dtype: str
    sizes: tuple[int, ...]
    m: int
    seed: int
    reduction: str = "mean"
    tag: int = 0  # tells apart cases whose structure is the same

    @property
    def id(self) -> str:
        """Structure only, e.g. tanh-sigmoid-bce-columns-f64-4x3x1-m5."""
        sizes = "x".join(map(str, self.sizes))
        red = "" if self.reduction == "mean" else f"-{self.reduction}"
        tag = f"-{self.tag}" if self.tag else ""
        return (f"{self.hidden}-{self.output}-{self.loss}-{self.layout}-{_SHORT[self.dtype]}-"
                f"{sizes}-m{self.m}{red}{tag}")

    @property
    def activations(self) -> list[str]:
        return [self.hidden] * (len(self.sizes) - 2) + [self.output]

    def arrays(self):
        """(weights, biases, X, Y) in the case's dtype and layout, freshly drawn."""
        return draw_arrays(self)

    def network(self) -> tuple[Network, np.ndarray, np.ndarray]:
        w, b, X, Y = self.arrays()
        return Network(w, b, self.activations, self.loss, self.layout, self.reduction), X, Y


def combinations(activations=None, losses=None, layouts=LAYOUTS, dtypes=DTYPES, outputs=None):
    """Every (hidden, output, loss, layout, dtype) the registries make sensible.

    `activations` restricts the hidden layers, `outputs` the output layer
    (default: every output the losses accept). An activation with no loss
    listing it (one registered from an expression) is also tried in output
    position with the quadratic loss.
    """
    activations = list(activations or ACTIVATIONS)
    losses = list(losses or LOSSES)
    outs = [(o, lo) for lo in losses for o in get_loss(lo).output_activations
            if o in ACTIVATIONS and (outputs is None or o in outputs)]
    listed = {o for lo in LOSSES.values() for o in lo.output_activations}
    extra = [(a, "quadratic") for a in activations
             if a not in listed and "quadratic" in losses and get_activation(a).elementwise
             and (outputs is None or a in outputs)]
    combos = list(itertools.product(activations, outs + extra, layouts, dtypes))
    if not combos:
        raise InputError("no (activation, loss) combination is left after the filters")
    return combos


def generate(n: int, seed: int = 0, *, start: int = 0, family: int = 1,
             **filters) -> list[Case]:
    """Cases start..n-1 of the stream for (`seed`, `family`). Case i depends only
    on (seed, family, i) and the registries, so any slice can be drawn alone.

    With family = K, the cases come in families of K consecutive cases that
    share a structure (combination, sizes, batch size, reduction) and differ in
    their arrays; the checker stacks a family into one oracle call.
    """
    if family < 1:
        raise ValueError("family must be at least 1")
    combos = combinations(**filters)
    # a seeded order, so that any prefix of the stream is already varied
    order = np.random.default_rng([seed, len(combos)]).permutation(len(combos))
    combos = [combos[j] for j in order]
    cases, seen = [], {}
    for i in range(start, n):
        case = case_at(i, seed, combos, family)
        k = seen[case.id] = seen.get(case.id, -1) + 1
        cases.append(case if k == 0 else dataclasses.replace(case, tag=k))
    return cases


def case_at(i: int, seed: int, combos, family: int = 1) -> Case:
    """The i-th case: its family f = i // family takes combination f mod |combos|
    and a structure drawn from (seed, f); the case's arrays come from its own seed."""
    f = i // family
    hidden, (output, loss), layout, dtype = combos[f % len(combos)]
    sizes, m, reduction, seeds = _family_structure(seed, f, family)
    return Case(hidden, output, loss, layout, dtype, sizes, m, seeds[i % family], reduction)


@functools.lru_cache(maxsize=256)
def _family_structure(seed: int, f: int, family: int):
    """Depth 1..6, widths 1..12, batch 1..8, reduction, and one array seed per member."""
    rng = np.random.default_rng([seed, f, family])
    depth = int(rng.integers(1, 7))
    sizes = tuple(_width(rng) for _ in range(depth + 1))
    m = 1 if rng.random() < 0.15 else int(rng.integers(2, 9))
    reduction = "sum" if rng.random() < 0.2 else "mean"
    return sizes, m, reduction, tuple(int(x) for x in rng.integers(0, 2**31, size=family))


def families(cases: list[Case]) -> list[list[Case]]:
    """Consecutive runs of cases with the same structure (what one oracle call can stack)."""
    groups: list[list[Case]] = []
    for c in cases:
        if groups and _structure(groups[-1][0]) == _structure(c):
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _structure(c: Case):
    return (c.hidden, c.output, c.loss, c.layout, c.dtype, c.sizes, c.m, c.reduction)


def _width(rng) -> int:
    return 1 if rng.random() < 0.15 else int(rng.integers(1, 13))


def case_rng(case: Case) -> np.random.Generator:
    return np.random.default_rng(case.seed)


def draw_targets(rng, loss, shape, class_axis: int, dtype) -> np.ndarray:
    """Targets of the kind the loss expects (real, binary, one-hot or a distribution)."""
    kind = get_loss(loss).targets
    if kind == "real":
        return rng.standard_normal(shape).astype(dtype)
    if kind == "binary":
        return (rng.random(shape) < 0.5).astype(dtype)
    n = shape[class_axis]
    if rng.random() < 0.25:  # a distribution over the classes
        p = rng.random(shape) + 0.05
        return (p / p.sum(axis=class_axis, keepdims=True)).astype(dtype)
    labels = rng.integers(0, n, shape[1 - class_axis])
    onehot = np.eye(n, dtype=dtype)[labels]  # (m, n)
    return onehot if class_axis == 1 else np.ascontiguousarray(onehot.T)


def draw_arrays(case: Case):
    """Weights, biases, X, Y for a case; z is kept at least KINK_MARGIN off any kink."""
    rng = case_rng(case)
    sizes, dtype, cols = case.sizes, np.dtype(case.dtype), case.layout == COLUMNS
    sigmas = [get_activation(a) for a in case.activations]
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        w = rng.standard_normal((n_out, n_in)) * np.sqrt(1.5 / n_in)
        b = rng.standard_normal(n_out) * 0.5
        weights.append(w)
        biases.append(b)
    X = rng.standard_normal((sizes[0], case.m))
    _keep_in_domain(weights, biases, sigmas, X)
    Y = draw_targets(rng, case.loss, (sizes[-1], case.m), 0, np.float64)
    if cols:
        W = [w.astype(dtype) for w in weights]
        B = [b.reshape(-1, 1).astype(dtype) for b in biases]
        return W, B, X.astype(dtype), Y.astype(dtype)
    W = [np.ascontiguousarray(w.T, dtype=dtype) for w in weights]
    B = [b.astype(dtype) for b in biases]
    return W, B, np.ascontiguousarray(X.T, dtype=dtype), np.ascontiguousarray(Y.T, dtype=dtype)


def _keep_in_domain(weights, biases, sigmas, X) -> None:
    """Shape the draw so every zˡ lies where its activation is meant to be used.

    A layer whose z leaves the activation's `domain` is scaled down (a deep
    stack of identity layers otherwise saturates the sigmoid at the output,
    where 1 − a underflows and no formula for ∇ₐC survives); biases are nudged
    so no z lies within KINK_MARGIN of a kink (where σ' is not defined).
    """
    a = X
    for w, b, sigma in zip(weights, biases, sigmas):
        z = w @ a + b[:, None]
        lo, hi = sigma.domain
        peak = max(z.max() / hi if hi > 0 else 0.0, z.min() / lo if lo < 0 else 0.0)
        if peak > 0.9:
            w /= peak / 0.9
            b /= peak / 0.9
            z = w @ a + b[:, None]
        for kink in sigma.kinks:
            for _ in range(8):
                near = np.abs(z - kink) < KINK_MARGIN
                if not near.any():
                    break
                shift = np.where(near.any(axis=1), 4 * KINK_MARGIN, 0.0)
                b += shift
                z = z + shift[:, None]
        a = sigma.apply(z, 0)
