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
log of a negative) are left out.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from manual.errors import InputError

RTOL = 1e-7
ATOL = 1e-10
KINK_RTOL = 1e-4
KINK_ATOL = 1e-6
KINK_JUMP = 1e-3  # a kink: the one-sided quotients differ by more than this (relative)
STEP = 1e-6  # h = STEP · max(1, |x|) for the one-sided quotients
TABLE_ROWS = 6


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
    """A verdict plus a few sample rows (claimed vs autograd) for the text output."""

    verdict: Verdict
    rows: list[dict] = field(default_factory=list)
    names: tuple[str, ...] = ()


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


@dataclass
class Block:
    """Samples of one shape (n examples, K classes).

    `x` is the variable differentiated (named `x_name`), `inputs` every named
    array a claim may read (including x), `cost` maps an (n, K) tensor to the n
    per-example values whose gradient is claimed, `claim` maps the inputs to the
    claimed (n, K) array.
    """

    x_name: str
    inputs: dict[str, np.ndarray]
    cost: Callable[[torch.Tensor], torch.Tensor]
    claim: Callable[[dict[str, np.ndarray]], np.ndarray]


def judge(blocks: list[Block], shown: tuple[str, ...], requested: int) -> Report:
    """Compare claim and autograd on every block; `shown` names the inputs reported."""
    parts = [_evidence(b) for b in blocks]
    kept = [{k: v[p["valid"]] for k, v in p.items() if k != "valid"} for p in parts]
    n_valid = sum(len(p["truth"]) for p in kept)
    if n_valid < max(1, requested // 10):
        raise InputError(f"the forward or its gradient is not finite at {requested - n_valid} "
                         f"of {requested} sampled points; choose a domain where it is defined")
    vector = any(p["truth"].shape[1] > 1 for p in kept)
    scale = max([1.0] + [float(np.abs(p["truth"]).max(initial=0.0)) for p in kept])
    for p in kept:
        _errors(p, scale)
    max_abs = max(float(p["err"].max(initial=0.0)) for p in kept)
    max_rel = max(float(p["rel"].max(initial=0.0)) for p in kept)
    worst = max(((float(p["excess"].max(initial=-np.inf)), i) for i, p in enumerate(kept)))
    counterexample = None
    if worst[0] > 0:
        p = kept[worst[1]]
        row = int(np.unravel_index(int(np.argmax(p["excess"])), p["excess"].shape)[0])
        counterexample = _point(p, row, shown, vector)
    verdict = Verdict("correct" if counterexample is None else "incorrect", n_valid,
                      max_abs, max_rel, counterexample)
    return Report(verdict, _table(kept, shown, counterexample is not None), shown)


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
    x = np.asarray(block.inputs[block.x_name], dtype=np.float64)
    tx = torch.from_numpy(x.copy()).requires_grad_()
    with torch.enable_grad(), torch_errors():
        value = block.cost(tx)
        (truth,) = torch.autograd.grad(value.sum(), tx, allow_unused=True)
    truth = np.zeros_like(x) if truth is None else truth.detach().numpy()
    f0 = value.detach().numpy()
    left, right = _one_sided(block.cost, x, f0)
    claimed = _claimed(block, x.shape)
    valid = np.isfinite(f0) & np.isfinite(truth).all(axis=1)
    valid &= np.all([np.isfinite(v).all(axis=1) for v in block.inputs.values()], axis=0)
    out = {k: np.asarray(v, dtype=np.float64) for k, v in block.inputs.items()}
    out.update(truth=truth, claimed=claimed, left=left, right=right, valid=valid)
    return out


def _one_sided(cost, x: np.ndarray, f0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(F(x) − F(x − h))/h and (F(x + h) − F(x))/h, one class component at a time."""
    h = STEP * np.maximum(1.0, np.abs(x))
    left, right = np.empty_like(x), np.empty_like(x)
    with torch.no_grad(), np.errstate(all="ignore"), torch_errors():
        for k in range(x.shape[1]):
            for sign, out in ((-1.0, left), (1.0, right)):
                moved = x.copy()
                moved[:, k] += sign * h[:, k]
                fk = cost(torch.from_numpy(moved)).numpy()
                out[:, k] = sign * (fk - f0) / h[:, k]
    return left, right


def _claimed(block: Block, shape: tuple[int, int]) -> np.ndarray:
    with np.errstate(all="ignore"):
        value = np.asarray(block.claim(block.inputs), dtype=np.float64)
    try:
        return np.broadcast_to(value, shape).copy()
    except ValueError:
        raise InputError(f"the claim returned shape {value.shape}, expected {shape}") from None


def _errors(p: dict, scale: float) -> None:
    """Per-element error, allowance and excess, with the kink rule applied."""
    t, c = p["truth"], p["claimed"]
    with np.errstate(all="ignore"):
        err = np.where(np.isnan(c), np.inf, np.abs(c - t))
        allowed = RTOL * np.abs(t) + ATOL * scale
        excess = err - allowed
        left, right = p["left"], p["right"]
        kink = ~(np.abs(right - left) <= KINK_JUMP * np.maximum(1.0, np.maximum(abs(left),
                                                                               abs(right))))
        for side in (left, right):
            side_err = np.abs(c - side)
            side_ok = kink & np.isfinite(side) & (side_err <= KINK_RTOL * np.abs(side)
                                                  + KINK_ATOL * scale)
            err = np.where(side_ok, np.minimum(err, side_err), err)
            excess = np.where(side_ok, np.minimum(excess, 0.0), excess)
    p["err"], p["excess"] = err, excess
    p["rel"] = err / np.maximum(np.abs(t), 1e-3 * scale)


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
