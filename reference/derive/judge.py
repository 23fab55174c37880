"""The verdict: a claimed derivative against autograd, point by point, in float64.

For each sample the truth is ∂F/∂x from torch autograd, where F is the
per-example scalar whose derivative is claimed (σ(z), Cₓ(a, y) or Cₓ(σ(z), y))
and x the variable (z or a). A claimed value c agrees with the truth t when

    |c − t| ≤ RTOL·|t| + ATOL·scale,     scale = max(1, max |t| over all points)

The ATOL·scale term makes the test scale-aware: where a derivative underflows
at the end of the domain (sigmoid'(−700) ≈ 1e−304) any tiny claim agrees.

Kinks: the forward's one-sided difference quotients (F(x) − F(x − h))/h and
(F(x + h) − F(x))/h are computed at every point; where they differ by more
than KINK_JUMP (relative) the point is at a kink, and a claim that matches
either one (within KINK_RTOL) is accepted there: at a kink either one-sided
derivative is right. Elsewhere only autograd counts. Points where the
forward or its gradient is not finite (outside the function's domain, e.g.
log of a negative) are left out, and so are points a check marks as not
testable in float64 (`Block.keep`).

Floating point in the claim: a right formula can overflow where the truth is
finite (exp(-z)/(1+exp(-z))**2 is NaN at z = -800). Where an expression claim
disagrees, it is evaluated again at that point in extended range and
precision (`exact.py`); if that value agrees, the point agrees (the report
counts such points: the formula is right but its float64 evaluation is not).
A NumPy callable claim is judged by its float64 values alone.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from manual.errors import InputError

from ..oracle.tolerances import DERIVE, DERIVE_KINK, allowance, relative_error

__all__ = ["TOLERANCE_TEXT", "Verdict", "Report", "Claim", "Block", "judge", "torch_errors"]

if TYPE_CHECKING:
    import torch

RTOL, ATOL = DERIVE  # the numbers and their reasons: reference.oracle.tolerances
KINK_RTOL, KINK_ATOL = DERIVE_KINK
KINK_JUMP = 1e-3  # a kink: the one-sided quotients differ by more than this (relative)
STEP = 1e-6  # h = STEP · max(1, |x|) for the one-sided quotients
TABLE_ROWS = 6
TOLERANCE_TEXT = (f"agrees where |claimed - autograd| <= {RTOL:g}*|autograd| + "
                  f"{ATOL:g}*max(1, max|autograd|); at a kink, either one-sided difference "
                  f"quotient within {KINK_RTOL:g}*|quotient| + {KINK_ATOL:g}*max(1, max|autograd|)")
RECHECK_NODES = 200_000  # extended-precision work allowed per check (expression nodes)
RECHECK_CHUNK = 32


@dataclass(frozen=True)
class Verdict:
    """The result of one check; the fields are exactly those of the JSON output.

    counterexample: None when correct, else the worst point, e.g.
    {"z": 1.5, "claimed": 0.2, "autograd": 0.149} (plus "a"/"y" for loss and
    output-error claims; lists over the classes for vector claims).
    """

    verdict: str
    points: int
    max_abs_err: float
    max_rel_err: float
    counterexample: dict | None

    @property
    def ok(self) -> bool:
        return self.verdict == "correct"

    def to_dict(self) -> dict:
        """JSON-ready; NaN and infinities (which JSON lacks) become "nan", "inf", "-inf"."""
        return {"verdict": self.verdict, "points": self.points,
                "max_abs_err": _plain(self.max_abs_err), "max_rel_err": _plain(self.max_rel_err),
                "counterexample": _plain(self.counterexample)}

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)


@dataclass
class Report:
    """A verdict plus a few sample rows (claimed vs autograd) for the text output.

    `rechecked` counts the elements where the claim's float64 value disagreed
    (often NaN or inf from an overflow) but its extended-precision value
    agrees; `recheck_example` is one of them, with the float64 value.
    """

    verdict: Verdict
    rows: list[dict] = field(default_factory=list)
    names: tuple[str, ...] = ()
    rechecked: int = 0
    recheck_example: dict | None = None
    dropped: int = 0  # sampled points left out (see `dropped_why`)
    dropped_why: str = ""
    # every tested element, flat: the first shown input, claimed, autograd, agrees (--plot)
    samples: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def tolerance(self) -> str:
        """The agreement rule, in words (stated with every verdict)."""
        return TOLERANCE_TEXT


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


@dataclass(frozen=True)
class Claim:
    """A claimed derivative: `numpy(inputs) -> array` in float64; for an
    expression also `exact(point) -> float` (extended precision, one point of
    float inputs), which costs about `cost` units of RECHECK_NODES."""

    numpy: Callable[[dict[str, np.ndarray]], np.ndarray]
    exact: Callable[[dict[str, float]], float] | None = None
    cost: int = 1
    vector: bool = False  # reads class vectors (sum, mean, matmul): tested on K > 1


@dataclass
class Block:
    """Samples of one shape (n examples, K classes).

    `x` is the variable differentiated (named `x_name`), `inputs` every named
    array a claim may read (including x), `cost` maps an (n, K) tensor to the n
    per-example values whose gradient is claimed, `claim` gives the claimed
    (n, K) array. `bounds` is the sampled range of x (where the one-sided probes
    stay if the forward refuses to leave it); `keep` marks the examples float64
    can test (None: all), and `dropped` says why the others are left out.
    """

    x_name: str
    inputs: dict[str, np.ndarray]
    cost: Callable[[torch.Tensor], torch.Tensor]
    claim: Claim
    bounds: tuple[float, float] = (-np.inf, np.inf)
    keep: np.ndarray | None = None
    dropped: str = ""


def judge(blocks: list[Block], shown: tuple[str, ...], requested: int) -> Report:
    """Compare claim and autograd on every block; `shown` names the inputs reported."""
    parts = [_evidence(b) for b in blocks]
    kept = [{k: v[p["valid"]] for k, v in p.items() if k != "valid"} for p in parts]
    n_valid = sum(len(p["truth"]) for p in kept)
    n_sampled = sum(len(p["valid"]) for p in parts)
    reasons = sorted({b.dropped for b in blocks if b.dropped})
    why = "".join(f", or {r}" for r in reasons)
    if n_valid < max(1, requested // 10):
        raise InputError(f"only {n_valid} of {requested} sampled points can be tested (the "
                         f"forward or its gradient is not finite at the others{why}); "
                         f"choose a domain where it is defined")
    vector = any(p["truth"].shape[1] > 1 for p in kept)
    scale = max([1.0] + [float(np.abs(p["truth"]).max(initial=0.0)) for p in kept])
    for p in kept:
        _errors(p, scale)
    rechecked, example, confirmed = _recheck(kept, blocks, scale, shown)
    if rechecked:
        for p in kept:
            _errors(p, scale)
    max_abs = max(float(p["err"].max(initial=0.0)) for p in kept)
    max_rel = max(float(p["rel"].max(initial=0.0)) for p in kept)
    worst = max(((float(p["excess"].max(initial=-np.inf)), i) for i, p in enumerate(kept)))
    counterexample = None
    if confirmed is not None:  # a disagreement the extended precision confirmed
        counterexample = _point(kept[confirmed[0]], confirmed[1], shown, vector)
    elif worst[0] > 0:
        p = kept[worst[1]]
        row = int(np.unravel_index(int(np.argmax(p["excess"])), p["excess"].shape)[0])
        counterexample = _point(p, row, shown, vector)
    verdict = Verdict("correct" if counterexample is None else "incorrect", n_valid,
                      max_abs, max_rel, counterexample)
    dropped_why = (f"the forward or its gradient is not finite there{why}"
                   if n_sampled > n_valid else "")
    return Report(verdict, _table(kept, shown, counterexample is not None), shown, rechecked,
                  example, n_sampled - n_valid, dropped_why, _samples(kept, shown[0]))


def _samples(kept: list[dict], x_name: str) -> dict[str, np.ndarray]:
    """Every tested element, flattened (what a plot draws)."""
    def flat(key):
        return np.concatenate([p[key].ravel() for p in kept])
    return {"x": flat(x_name), "claimed": flat("claimed"), "autograd": flat("truth"),
            "agrees": flat("excess") <= 0, "x_name": x_name,
            "vector": any(p["truth"].shape[1] > 1 for p in kept)}


@contextlib.contextmanager
def torch_errors():
    """A torch forward that refuses the sampled inputs (e.g. BCE with y outside
    [0, 1]) is bad input, not a crash."""
    try:
        yield
    except RuntimeError as exc:
        first = (str(exc).strip().splitlines() or ["failed"])[0]
        raise InputError(f"the torch forward refused the sampled inputs: {first}") from None


def _evidence(block: Block) -> dict:
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); refusing needs none
    import torch

    x = np.asarray(block.inputs[block.x_name], dtype=np.float64)
    tx = torch.from_numpy(x.copy()).requires_grad_()
    with torch.enable_grad(), torch_errors():
        value = block.cost(tx)
        truth = None
        if value.requires_grad:  # else the cost does not depend on x (e.g. a step): 0
            (truth,) = torch.autograd.grad(value.sum(), tx, allow_unused=True)
    truth = np.zeros_like(x) if truth is None else truth.detach().numpy()
    f0 = value.detach().numpy()
    left, right = _one_sided(block.cost, x, f0, block.bounds)
    claimed = _claimed(block, x.shape)
    valid = np.isfinite(f0) & np.isfinite(truth).all(axis=1)
    valid &= np.all([np.isfinite(v).reshape(len(v), -1).all(axis=1)
                     for v in block.inputs.values()], axis=0)
    if block.keep is not None:
        valid &= block.keep
    out = {k: np.asarray(v, dtype=np.float64) for k, v in block.inputs.items()}
    out.update(truth=truth, claimed=claimed, left=left, right=right, valid=valid)
    return out


def _one_sided(cost, x: np.ndarray, f0: np.ndarray, bounds: tuple[float, float]
               ) -> tuple[np.ndarray, np.ndarray]:
    """(F(x) − F(x − h))/h and (F(x + h) − F(x))/h, one class component at a time.

    A probe may step out of the sampled range (relu sampled on [0, 5] still has
    its left slope at 0) unless the torch forward refuses it (BCE refuses a < 0):
    then the probes stay inside `bounds`, and at an end of the range that side's
    quotient is NaN (unknown)."""
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); refusing needs none
    import torch

    h = STEP * np.maximum(1.0, np.abs(x))
    left, right = np.empty_like(x), np.empty_like(x)
    with torch.no_grad(), np.errstate(all="ignore"):
        for k in range(x.shape[1]):
            for sign, out in ((-1.0, left), (1.0, right)):
                moved = x.copy()
                moved[:, k] = x[:, k] + sign * h[:, k]
                try:
                    fk = cost(torch.from_numpy(moved)).numpy()
                except RuntimeError:
                    moved[:, k] = np.clip(moved[:, k], *bounds)
                    with torch_errors():
                        fk = cost(torch.from_numpy(moved)).numpy()
                step = moved[:, k] - x[:, k]
                out[:, k] = np.where(step != 0, (fk - f0) / step, np.nan)
    return left, right


def _claimed(block: Block, shape: tuple[int, int]) -> np.ndarray:
    with np.errstate(all="ignore"):
        value = _claim_values(block)
    try:
        return np.broadcast_to(value, shape).copy()
    except ValueError:
        raise InputError(f"the claim returned shape {value.shape}, expected {shape}") from None


def _claim_values(block: Block) -> np.ndarray:
    """The claim on the block's inputs; shapes that do not fit (a matmul of a matrix
    by a vector of another length) are bad input, said in one line."""
    try:
        return np.asarray(block.claim.numpy(block.inputs), dtype=np.float64)
    except ValueError as exc:
        first = (str(exc).strip().splitlines() or ["shapes do not fit"])[0]
        raise InputError(f"the claim cannot be evaluated on the sampled shapes: {first}") \
            from None


def _errors(p: dict, scale: float) -> None:
    """Per-element error, allowance and excess, with the kink rule applied."""
    p["err"], p["excess"] = _excess(p["truth"], p["claimed"], p["left"], p["right"], scale)
    p["rel"] = relative_error(p["err"], p["truth"], scale)


def _excess(t, c, left, right, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(|c − t|, |c − t| − allowance): agreement is excess <= 0. At a kink (the
    one-sided quotients differ) matching either side is agreement."""
    with np.errstate(all="ignore"):
        err = np.where(np.isnan(c), np.inf, np.abs(c - t))
        allowed = allowance(t, RTOL, ATOL, scale)
        excess = err - allowed
        # a kink: the quotients differ, or one side is unknown (at the end of the range)
        kink = ~(np.abs(right - left) <= KINK_JUMP * np.maximum(1.0, np.maximum(abs(left),
                                                                               abs(right))))
        for side in (left, right):
            side_err = np.abs(c - side)
            side_ok = kink & np.isfinite(side) & (side_err <= allowance(side, KINK_RTOL,
                                                                        KINK_ATOL, scale))
            err = np.where(side_ok, np.minimum(err, side_err), err)
            excess = np.where(side_ok, np.minimum(excess, 0.0), excess)
    return err, excess


def _recheck(kept: list[dict], blocks: list[Block], scale: float, shown: tuple[str, ...]
             ) -> tuple[int, dict | None, tuple[int, int] | None]:
    """Evaluate an expression claim again, in extended precision, where its float64
    value disagrees with a finite truth; where that value agrees, it replaces the
    float64 one. In order: the largest finite disagreements (one chunk: a wrong
    claim is usually confirmed here), then the non-finite values (the overflow
    suspects), then, while nothing is confirmed, the other finite ones; each
    pass stops at its first confirmed disagreement, all stop when RECHECK_NODES
    is spent.

    Returns (how many agreed, one of them as {inputs..., "float64": value}, the
    (block, row) of a confirmed disagreement, finite if there is one, or None)."""
    where = [(b, *np.nonzero((p["excess"] > 0) & np.isfinite(p["truth"])))
             for b, (p, block) in enumerate(zip(kept, blocks)) if block.claim.exact is not None]
    if not where:
        return 0, None, None
    r = _Recheck(kept, blocks, scale, shown, where)
    confirmed = r.resolve(r.finite[:RECHECK_CHUNK])
    suspects = r.by_excess[~np.isfinite(r.claimed[r.by_excess])]
    # with the verdict known, resolve the suspects (for the errors reported) only if all fit
    cost = sum(blocks[b].claim.cost for b in r.blk[suspects])
    nan_confirmed = r.resolve(suspects) if confirmed is None or cost <= r.budget else None
    if confirmed is None:
        confirmed = nan_confirmed or r.resolve(r.finite[RECHECK_CHUNK:])
    return r.agreed, r.example, confirmed


class _Recheck:
    """The disagreeing elements of the expression claims, flattened (block, row,
    column, claimed, truth, one-sided quotients), ordered by excess; the budget left
    and what agreed so far."""

    def __init__(self, kept: list[dict], blocks: list[Block], scale: float,
                 shown: tuple[str, ...], where: list):
        self.kept, self.blocks, self.scale, self.shown = kept, blocks, scale, shown

        def gather(key):
            return np.concatenate([kept[b][key][i, k] for b, i, k in where])

        self.blk = np.concatenate([np.full(len(i), b) for b, i, _ in where])
        self.row = np.concatenate([i for _, i, _ in where])
        self.col = np.concatenate([k for _, _, k in where])
        self.claimed, self.truth, self.left, self.right = (
            gather(key) for key in ("claimed", "truth", "left", "right"))
        self.by_excess = np.argsort(-gather("excess"), kind="stable")
        self.finite = self.by_excess[np.isfinite(self.claimed[self.by_excess])]
        self.budget, self.agreed, self.example = RECHECK_NODES, 0, None

    def resolve(self, order: np.ndarray) -> tuple[int, int] | None:
        """Accept what agrees, in chunks; the first confirmed disagreement, or None."""
        for start in range(0, len(order), RECHECK_CHUNK):
            js = order[start:start + RECHECK_CHUNK]
            self.budget -= sum(self.blocks[self.blk[j]].claim.cost for j in js)
            if self.budget < 0:
                return None
            values = np.array([self._exact(j) for j in js], dtype=np.float64)
            _, over = _excess(self.truth[js], values, self.left[js], self.right[js], self.scale)
            for j, value, ok in zip(js, values, over <= 0):
                if not ok:
                    return int(self.blk[j]), int(self.row[j])
                self._accept(j, value)
        return None

    def _exact(self, j: int) -> float:
        b, i, k = int(self.blk[j]), int(self.row[j]), int(self.col[j])
        return self.blocks[b].claim.exact({name: float(self.kept[b][name][i, k])
                                           for name in self.blocks[b].inputs})

    def _accept(self, j: int, value: float) -> None:
        """The extended-precision value agrees: it replaces the float64 one."""
        b, i, k = int(self.blk[j]), int(self.row[j]), int(self.col[j])
        if self.example is None:
            self.example = {name: float(self.kept[b][name][i, k]) for name in self.shown}
            self.example["float64"] = float(self.claimed[j])
        self.kept[b]["claimed"][i, k] = value
        self.agreed += 1


def _value(array: np.ndarray, vector: bool):
    return [float(v) for v in array] if vector else float(array[0])


def _point(p: dict, row: int, shown: tuple[str, ...], vector: bool) -> dict:
    point = {name: _value(p[name][row], vector) for name in shown}
    point["claimed"] = _value(p["claimed"][row], vector)
    point["autograd"] = _value(p["truth"][row], vector)
    return point


def _table(kept: list[dict], shown: tuple[str, ...], failed: bool) -> list[dict]:
    """A few elements spread over the samples (sorted by the first input), and the worst."""
    flat = {k: np.concatenate([p[k].ravel() for p in kept])
            for k in (*shown, "claimed", "truth", "excess")}
    order = np.argsort(flat[shown[0]], kind="stable")
    picks = list(order[np.linspace(0, len(order) - 1, min(TABLE_ROWS, len(order))).astype(int)])
    if failed:
        picks.append(int(np.argmax(flat["excess"])))
    rows = []
    for i in sorted(set(int(i) for i in picks), key=lambda i: flat[shown[0]][i]):
        row = {name: float(flat[name][i]) for name in shown}
        row.update(claimed=float(flat["claimed"][i]), autograd=float(flat["truth"][i]),
                   agrees=bool(flat["excess"][i] <= 0))
        rows.append(row)
    return rows
