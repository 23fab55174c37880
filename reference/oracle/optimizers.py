"""The oracle's side of the optimizer registry (`manual.optimizers`): each entry run by
torch.optim, stepping on a float64 leaf tensor whose `.grad` is set to the given gradient,
with the state read back in the course's names.

Where the course's convention differs from torch's, the recipe says how (each rescaling
is checked by `tests/test_optimizers.py`, manual against torch, step by step):

- sgd_momentum: `SGD(momentum=μ)` keeps b ← μ·b + g and steps w ← w − lr·b, so the
  course's velocity v = −lr·b (torch's first step takes b = g: the same as v = 0 before).
- momentum_ema (Ng): `SGD(momentum=β, dampening=β)` gives b ← β·b + (1 − β)·g, Ng's
  v; torch's first step would take b = g undamped, so the buffer is set to zeros
  before the first step (with dampening = 1 − β it would be b ← β·b + β·g: not Ng's).
- nesterov (Saito): Saito's step μ²·v − (1 + μ)·lr·g is μ times torch's Nesterov step
  (μ·v − lr·g, `SGD(nesterov=True)`) plus a plain SGD step (−lr·g); the two run on
  shadow tensors fed the same gradients, v = −lr·b.
- adagrad, rmsprop: `Adagrad(lr_decay=0, initial_accumulator_value=0)` and
  `RMSprop(alpha=ρ)` are the courses' (h = state_sum, cache = square_avg).
- adam: `Adam` (m = exp_avg, v = exp_avg_sq, t = step).
- adam_lr_t: `Adam` with ε/√(1 − β₂ᵗ) for ε at step t (set in the group before it).

torch is imported on first use (`layers.base.torch`), as the layer twins do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from manual.errors import InputError
from manual.optimizers import get_optimizer, hyperparameters

from .layers.base import torch

__all__ = ["RECIPES", "torch_run"]


def _leaf(w: np.ndarray):
    return torch.tensor(np.array(w, dtype=np.float64), requires_grad=True)


def _stepper(opt_class, w, **kw):
    """A leaf holding w and its optimizer; `step(g)` sets .grad and steps."""
    p = _leaf(w)
    opt = opt_class([p], **kw)

    def step(g):
        p.grad = torch.tensor(np.asarray(g, dtype=np.float64))
        opt.step()
        return p.detach().numpy().copy()
    return p, opt, step


def _sgd(w, grads, hp):
    _, _, step = _stepper(torch.optim.SGD, w, lr=hp["learning_rate"])
    return [(step(g), {}) for g in grads]


def _sgd_momentum(w, grads, hp):
    lr = hp["learning_rate"]
    p, opt, step = _stepper(torch.optim.SGD, w, lr=lr, momentum=hp["momentum"])
    out = []
    for g in grads:
        nxt = step(g)
        out.append((nxt, {"velocity": -lr * opt.state[p]["momentum_buffer"].numpy().copy()}))
    return out


def _momentum_ema(w, grads, hp):
    beta = hp["beta"]
    p, opt, step = _stepper(torch.optim.SGD, w, lr=hp["learning_rate"], momentum=beta,
                            dampening=beta)
    opt.state[p]["momentum_buffer"] = torch.zeros_like(p.detach())
    out = []
    for g in grads:
        nxt = step(g)
        out.append((nxt, {"v": opt.state[p]["momentum_buffer"].numpy().copy()}))
    return out


def _nesterov(w, grads, hp):
    lr, mu = hp["learning_rate"], hp["momentum"]
    a, opt_a, step_a = _stepper(torch.optim.SGD, np.zeros_like(w), lr=lr, momentum=mu,
                                nesterov=True)
    _, _, step_b = _stepper(torch.optim.SGD, np.zeros_like(w), lr=lr)
    out, w = [], np.array(w, dtype=np.float64)
    before_a = before_b = np.zeros_like(w)
    for g in grads:
        after_a, after_b = step_a(g), step_b(g)
        w = w + mu * (after_a - before_a) + (after_b - before_b)
        before_a, before_b = after_a, after_b
        out.append((w, {"v": -lr * opt_a.state[a]["momentum_buffer"].numpy().copy()}))
    return out


def _state_run(opt_class: str, names: dict[str, str], **kw) -> Callable:
    """A recipe of `torch.optim.<opt_class>` reading its state tensors back under the
    course's names (`names`: ours -> torch's); `kw` its arguments from the hyper-parameters."""
    def recipe(w, grads, hp):
        args = {k: f(hp) for k, f in kw.items()}
        p, opt, step = _stepper(getattr(torch.optim, opt_class), w, **args)
        out = []
        for g in grads:
            nxt = step(g)
            state = opt.state[p]
            out.append((nxt, {ours: _plain(state[theirs]) for ours, theirs in names.items()}))
        return out
    return recipe


def _plain(value):
    if isinstance(value, torch.Tensor):
        return value.detach().numpy().copy() if value.ndim else int(value.item())
    return int(value)


def _adam_lr_t(w, grads, hp):
    p, opt, step = _stepper(torch.optim.Adam, w, lr=hp["learning_rate"],
                            betas=(hp["beta1"], hp["beta2"]), eps=hp["epsilon"])
    out = []
    for t, g in enumerate(grads, start=1):
        opt.param_groups[0]["eps"] = hp["epsilon"] / np.sqrt(1 - hp["beta2"] ** t)
        nxt = step(g)
        state = opt.state[p]
        out.append((nxt, {"m": _plain(state["exp_avg"]), "v": _plain(state["exp_avg_sq"]),
                          "t": _plain(state["step"])}))
    return out


def _lr(hp):
    return hp["learning_rate"]


def _eps(hp):
    return hp["epsilon"]


RECIPES: dict[str, Callable] = {
    "sgd": _sgd,
    "sgd_momentum": _sgd_momentum,
    "momentum_ema": _momentum_ema,
    "nesterov": _nesterov,
    "adagrad": _state_run("Adagrad", {"h": "sum"},
                          lr=_lr, eps=_eps, lr_decay=lambda hp: 0.0,
                          initial_accumulator_value=lambda hp: 0.0),
    "rmsprop": _state_run("RMSprop", {"cache": "square_avg"}, lr=_lr, eps=_eps,
                          alpha=lambda hp: hp["decay_rate"]),
    "adam": _state_run("Adam", {"m": "exp_avg", "v": "exp_avg_sq", "t": "step"}, lr=_lr,
                       eps=_eps, betas=lambda hp: (hp["beta1"], hp["beta2"])),
    "adam_lr_t": _adam_lr_t,
}


def torch_run(name: str, w, grads: Sequence, **given) -> list[tuple[np.ndarray, dict]]:
    """The trajectory of `manual.optimizers.run(name, w, grads, **given)` computed by
    torch.optim: [(w after step k, state after step k in the course's names), ...]."""
    get_optimizer(name)
    if name not in RECIPES:
        raise InputError(f"the optimizer {name!r} has no torch recipe")
    return RECIPES[name](np.array(w, dtype=np.float64), list(grads),
                         hyperparameters(name, **given))
