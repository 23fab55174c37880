"""The loss registry: per-example cost Cₓ(a, y) and its gradient ∇ₐCₓ.

Everything is per example (no 1/m here): `cost` returns one number per
example, `gradient` returns ∂Cₓ/∂a with the shape of a. The network applies
the reduction ("mean": C = (1/m) Σₓ Cₓ, "sum": C = Σₓ Cₓ).

`output_activations` lists the output activations the loss makes sense with
(the case generator pairs them); `targets` says what y looks like ("real",
"binary" in {0, 1}, or "onehot" rows/columns of a distribution).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError

Array = np.ndarray


@dataclass(frozen=True)
class Loss:
    """One registry entry. cost(a, y, axis) -> (m,); gradient(a, y) -> ∇ₐCₓ."""

    name: str
    cost: Callable[[Array, Array, int], Array]
    gradient: Callable[[Array, Array], Array]
    torch: str | Callable
    output_activations: tuple[str, ...]
    targets: str = "real"
    tolerance: Mapping[str, tuple[float, float]] = field(default_factory=dict)


LOSSES: dict[str, Loss] = {}


def register_loss(name: str, cost, gradient, torch, *, output_activations,
                  targets: str = "real", tolerance=None, replace: bool = False) -> Loss:
    """Add a loss to the registry (the only step a new loss needs)."""
    if name in LOSSES and not replace:
        raise InputError(f"loss {name!r} is already registered")
    if targets not in ("real", "binary", "onehot"):
        raise InputError(f"targets must be real, binary or onehot, not {targets!r}")
    entry = Loss(name, cost, gradient, torch, tuple(output_activations), targets,
                 dict(tolerance or {}))
    LOSSES[name] = entry
    return entry


def get_loss(name: str | Loss) -> Loss:
    if isinstance(name, Loss):
        return name
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(LOSSES))
        raise InputError(f"unknown loss {name!r} (known: {known})") from None


def _eps(a: Array) -> float:
    """The smallest positive normal number of a's dtype: keeps log and 1/a finite
    without changing any value the math can produce (a ≥ tiny is left alone)."""
    return float(np.finfo(a.dtype).tiny)


def quadratic_cost(a: Array, y: Array, axis: int) -> Array:
    """Cₓ = ½‖aₓ − yₓ‖²."""
    d = a - y
    return 0.5 * (d * d).sum(axis=axis)


def bce_cost(a: Array, y: Array, axis: int) -> Array:
    """Cₓ = −Σⱼ [yⱼ log aⱼ + (1−yⱼ) log(1−aⱼ)], logs clipped away from log 0."""
    e = _eps(a)
    log_a = np.log(np.maximum(a, e))
    log_1ma = np.log(np.maximum(1 - a, e))
    return -(y * log_a + (1 - y) * log_1ma).sum(axis=axis)


def bce_gradient(a: Array, y: Array) -> Array:
    """∂Cₓ/∂a = (a − y) / (a (1 − a))."""
    e = _eps(a)
    return (a - y) / np.maximum(a * (1 - a), e)


def cross_entropy_cost(a: Array, y: Array, axis: int) -> Array:
    """Cₓ = −Σⱼ yⱼ log aⱼ (y one-hot or a distribution over the classes)."""
    return -(y * np.log(np.maximum(a, _eps(a)))).sum(axis=axis)


def cross_entropy_gradient(a: Array, y: Array) -> Array:
    """∂Cₓ/∂a = −y / a."""
    return -y / np.maximum(a, _eps(a))


ALL_OUTPUTS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
               "silu", "gelu_tanh", "softmax")

register_loss("quadratic", quadratic_cost, lambda a, y: a - y,
              "0.5 * torch.nn.functional.mse_loss(a, y, reduction='none')",
              output_activations=ALL_OUTPUTS)
register_loss("bce", bce_cost, bce_gradient,
              "torch.nn.functional.binary_cross_entropy(a, y, reduction='none')",
              output_activations=("sigmoid",), targets="binary")
register_loss("cross_entropy", cross_entropy_cost, cross_entropy_gradient,
              "-torch.special.xlogy(y, a)",
              output_activations=("softmax", "sigmoid"), targets="onehot")

BUILTIN_LOSSES = tuple(LOSSES)
