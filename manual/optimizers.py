"""Optimizers: the update rules the courses teach, one registry entry each (NumPy only).

Backprop is taught in three steps: dense networks, the layers, then what is done with
the gradient. Each entry is a pure step: `step(w, dw, state, hp) -> (next_w, state)`
returns the next parameters and a new state dict (nothing given is modified), with the
course's names for the state arrays and the hyper-parameters:

    sgd            w ← w − lr·dw
    sgd_momentum   v ← μ·v − lr·dw;  w ← w + v                      (CS231n, Saito's Momentum)
    momentum_ema   v ← β·v + (1 − β)·dW;  W ← W − lr·v              (Ng: an exponential average)
    nesterov       v ← μ·v − lr·g;  w ← w + μ²·v − (1 + μ)·lr·g     (Saito's Nesterov)
    adagrad        h ← h + g²;  w ← w − lr·g / (√h + ε)             (Saito's AdaGrad, ε 1e-7)
    rmsprop        cache ← ρ·cache + (1 − ρ)·dw²;  w ← w − lr·dw / (√cache + ε)
    adam           t ← t + 1;  m ← β₁m + (1 − β₁)dw;  v ← β₂v + (1 − β₂)dw²;
                   m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ);  w ← w − lr·m̂ / (√v̂ + ε)
    adam_lr_t      the same moments, the step folded into lr_t = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ):
                   w ← w − lr_t·m / (√v + ε)     (Kingma & Ba's efficient form, Saito's Adam)

    from manual.optimizers import run
    trajectory = run("adam", w, [dw1, dw2, dw3], learning_rate=1e-2)   # [(w, state), ...]

Equal after rescaling (a convention, not a bug): torch's momentum buffer b is −v/lr of
sgd_momentum's v (v ← μv + dw; w ← w − lr·v gives the same w); momentum_ema's steps are
those of sgd_momentum with the learning rate lr·(1 − β) (its v is −v′/lr of that run's v′);
adam_lr_t is adam with ε replaced by ε/√(1 − β₂ᵗ). The oracle's twins in
`reference.oracle.optimizers` run each entry through torch.optim.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .errors import InputError

__all__ = ["Optimizer", "OPTIMIZERS", "register_optimizer", "get_optimizer", "init_state",
           "hyperparameters", "step", "run", "sgd", "sgd_momentum", "momentum_ema", "nesterov",
           "adagrad", "rmsprop", "adam", "adam_lr_t"]


@dataclass(frozen=True)
class Optimizer:
    """One update rule: its pure step, its hyper-parameters with the course's defaults, the
    names of its state arrays (zeros of w's shape at the start) and whether it counts steps
    (`t`, 0 at the start, incremented before use)."""

    name: str
    step: Callable
    defaults: Mapping[str, float]
    arrays: tuple[str, ...] = ()
    counts: bool = False
    course: str = ""


OPTIMIZERS: dict[str, Optimizer] = {}


def register_optimizer(name: str, step_fn: Callable, defaults: Mapping[str, float], *,
                       arrays: Sequence[str] = (), counts: bool = False, course: str = "",
                       replace: bool = False) -> Optimizer:
    """Add an update rule to the registry."""
    if name in OPTIMIZERS and not replace:
        raise InputError(f"the optimizer {name!r} is already registered")
    entry = Optimizer(name, step_fn, dict(defaults), tuple(arrays), counts, course)
    OPTIMIZERS[name] = entry
    return entry


def get_optimizer(name: str) -> Optimizer:
    try:
        return OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown optimizer {name!r} (known: {', '.join(OPTIMIZERS)})"
                         ) from None


def init_state(name: str, w: np.ndarray) -> dict:
    """The state before the first step: each state array zeros like w, t = 0."""
    entry = get_optimizer(name)
    state: dict = {k: np.zeros_like(np.asarray(w, dtype=np.float64)) for k in entry.arrays}
    if entry.counts:
        state["t"] = 0
    return state


def hyperparameters(name: str, **given) -> dict:
    """The entry's defaults updated by `given`; an unknown name is an InputError."""
    entry = get_optimizer(name)
    unknown = sorted(set(given) - set(entry.defaults))
    if unknown:
        raise InputError(f"{name} has no hyper-parameter {unknown[0]!r} "
                         f"(known: {', '.join(entry.defaults)})")
    return {**entry.defaults, **{k: float(v) for k, v in given.items()}}


def step(name: str, w, dw, state: Mapping | None = None, **given) -> tuple[np.ndarray, dict]:
    """One step of the entry `name` from `state` (None: the start); nothing given changes."""
    w = np.asarray(w, dtype=np.float64)
    dw = np.asarray(dw, dtype=np.float64)
    if w.shape != dw.shape:
        raise InputError(f"dw has shape {dw.shape}, w has shape {w.shape}")
    state = init_state(name, w) if state is None else dict(state)
    return get_optimizer(name).step(w, dw, state, hyperparameters(name, **given))


def run(name: str, w, grads: Sequence, state: Mapping | None = None, **given
        ) -> list[tuple[np.ndarray, dict]]:
    """The trajectory [(w after step k, state after step k), ...] over the gradients."""
    out = []
    for dw in grads:
        w, state = step(name, w, dw, state, **given)
        out.append((w, state))
    return out


# --- the update rules ------------------------------------------------------------------------
def sgd(w: np.ndarray, dw: np.ndarray, state: Mapping, hp: Mapping
        ) -> tuple[np.ndarray, dict]:
    """w ← w − lr·dw."""
    return w - hp["learning_rate"] * dw, {}


def sgd_momentum(w: np.ndarray, dw: np.ndarray, state: Mapping, hp: Mapping
                 ) -> tuple[np.ndarray, dict]:
    """CS231n's (and Saito's Momentum): v ← μ·v − lr·dw; w ← w + v."""
    v = hp["momentum"] * state["velocity"] - hp["learning_rate"] * dw
    return w + v, {"velocity": v}


def momentum_ema(w: np.ndarray, dw: np.ndarray, state: Mapping, hp: Mapping
                 ) -> tuple[np.ndarray, dict]:
    """Ng's momentum, an exponential average of the gradients: v ← β·v + (1 − β)·dW;
    W ← W − lr·v."""
    v = hp["beta"] * state["v"] + (1 - hp["beta"]) * dw
    return w - hp["learning_rate"] * v, {"v": v}


def nesterov(w: np.ndarray, dw: np.ndarray, state: Mapping, hp: Mapping
             ) -> tuple[np.ndarray, dict]:
    """Saito's Nesterov: v ← μ·v − lr·g; w ← w + μ²·v − (1 + μ)·lr·g (v the updated one)."""
    mu, lr = hp["momentum"], hp["learning_rate"]
    v = mu * state["v"] - lr * dw
    return w + mu * mu * v - (1 + mu) * lr * dw, {"v": v}


def adagrad(w: np.ndarray, dw: np.ndarray, state: Mapping, hp: Mapping
            ) -> tuple[np.ndarray, dict]:
    """h ← h + g²; w ← w − lr·g / (√h + ε)."""
    h = state["h"] + dw * dw
    return w - hp["learning_rate"] * dw / (np.sqrt(h) + hp["epsilon"]), {"h": h}


def rmsprop(w: np.ndarray, dw: np.ndarray, state: Mapping, hp: Mapping
            ) -> tuple[np.ndarray, dict]:
    """cache ← ρ·cache + (1 − ρ)·dw²; w ← w − lr·dw / (√cache + ε)."""
    rho = hp["decay_rate"]
    cache = rho * state["cache"] + (1 - rho) * dw * dw
    return w - hp["learning_rate"] * dw / (np.sqrt(cache) + hp["epsilon"]), {"cache": cache}


def _moments(dw, state, hp) -> tuple[int, np.ndarray, np.ndarray]:
    """t ← t + 1 (before use); m ← β₁m + (1 − β₁)dw; v ← β₂v + (1 − β₂)dw²."""
    t = int(state["t"]) + 1
    m = hp["beta1"] * state["m"] + (1 - hp["beta1"]) * dw
    v = hp["beta2"] * state["v"] + (1 - hp["beta2"]) * dw * dw
    return t, m, v


def adam(w: np.ndarray, dw: np.ndarray, state: Mapping, hp: Mapping
         ) -> tuple[np.ndarray, dict]:
    """Bias-corrected: m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ); w ← w − lr·m̂ / (√v̂ + ε)
    (ε outside the square root)."""
    t, m, v = _moments(dw, state, hp)
    m_hat = m / (1 - hp["beta1"] ** t)
    v_hat = v / (1 - hp["beta2"] ** t)
    return (w - hp["learning_rate"] * m_hat / (np.sqrt(v_hat) + hp["epsilon"]),
            {"m": m, "v": v, "t": t})


def adam_lr_t(w: np.ndarray, dw: np.ndarray, state: Mapping, hp: Mapping
              ) -> tuple[np.ndarray, dict]:
    """The paper's efficient form: lr_t = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ); w ← w − lr_t·m / (√v + ε)
    (adam with ε/√(1 − β₂ᵗ) for ε)."""
    t, m, v = _moments(dw, state, hp)
    lr_t = hp["learning_rate"] * np.sqrt(1 - hp["beta2"] ** t) / (1 - hp["beta1"] ** t)
    return w - lr_t * m / (np.sqrt(v) + hp["epsilon"]), {"m": m, "v": v, "t": t}


ADAM = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}

register_optimizer("sgd", sgd, {"learning_rate": 1e-2}, course="CS231n, Saito, Ng")
register_optimizer("sgd_momentum", sgd_momentum, {"learning_rate": 1e-2, "momentum": 0.9},
                   arrays=("velocity",), course="CS231n optim.py, Saito's Momentum")
register_optimizer("momentum_ema", momentum_ema, {"learning_rate": 1e-2, "beta": 0.9},
                   arrays=("v",), course="Ng course 2 week 2")
register_optimizer("nesterov", nesterov, {"learning_rate": 1e-2, "momentum": 0.9},
                   arrays=("v",), course="Saito's Nesterov")
register_optimizer("adagrad", adagrad, {"learning_rate": 1e-2, "epsilon": 1e-7},
                   arrays=("h",), course="Saito's AdaGrad")
register_optimizer("rmsprop", rmsprop,
                   {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
                   arrays=("cache",), course="CS231n optim.py, Saito's RMSprop (ε 1e-7)")
register_optimizer("adam", adam, ADAM, arrays=("m", "v"), counts=True,
                   course="CS231n optim.py, Ng course 2 week 2")
register_optimizer("adam_lr_t", adam_lr_t, ADAM, arrays=("m", "v"), counts=True,
                   course="Saito's Adam (ε 1e-7), Kingma & Ba's efficient form")
