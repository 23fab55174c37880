"""The loss registry: per-example cost Cₓ(a, y) and its gradient ∇ₐCₓ.

Everything is per example (no 1/m here): `cost` returns one number per
example, `gradient` returns ∂Cₓ/∂a with the shape of a. The network applies
the reduction ("mean": C = (1/m) Σₓ Cₓ, "sum": C = Σₓ Cₓ).

`output_activations` lists the output activations the loss makes sense with
(the case generator pairs them); `targets` says what y looks like ("real",
"binary" in {0, 1}, or "onehot" rows/columns of a distribution).

What a network accepts (`validate_targets`, `validate_output`), since a loss on
probabilities is not a loss outside them:
- "binary" targets (bce) must lie in [0, 1] (soft labels are fine; labels
  in {-1, 1} are refused: the cost would be unbounded below);
- "onehot" targets (cross_entropy) must be a distribution per example:
  every entry ≥ 0 and each example's entries summing to 1 within
  TARGET_SUM_TOLERANCE (class indices or unnormalized scores are refused);
- a loss on "binary" or "onehot" targets needs an output activation from its
  `output_activations` (bce: sigmoid; cross_entropy: softmax or sigmoid), so
  that a lies in (0, 1); a loss on real targets takes any output activation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError

__all__ = [
    "Array", "Loss", "LOSSES", "TARGET_KINDS", "register_loss", "get_loss", "validate_output",
    "validate_targets", "quadratic_entry", "huber_entry", "BUILTIN_LOSSES",
]

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
    params: Mapping[str, float] = field(default_factory=dict)  # the values in use (manual.params)
    # kink_gap(a, y): how far each element is from where ∇ₐC jumps (MAE: |a − y|; hinge:
    # |1 − y·a|); the case generator keeps the cases KINK_MARGIN away from it
    kink_gap: Callable[[Array, Array], Array] | None = None


LOSSES: dict[str, Loss] = {}
TARGET_SUM_TOLERANCE = 1e-3
TARGET_KINDS = ("real", "binary", "onehot", "pm1")


def register_loss(name: str, cost, gradient, torch, *, output_activations,
                  targets: str = "real", tolerance=None, replace: bool = False,
                  params=None, kink_gap=None) -> Loss:
    """Add a loss to the registry (the only step a new loss needs).

    cost(a, y, axis) -> Cₓ per example (summed over the class `axis`); gradient(a, y)
    -> ∂Cₓ/∂a elementwise (no 1/m); torch: the elementwise loss in torch, a string in
    a and y such as "torch.abs(a - y)" or a callable f(a, y) (the oracle sums the
    classes); output_activations: the output activations it pairs with; targets:
    "real", "binary" (0/1), "onehot" (a distribution per example) or "pm1" (±1);
    tolerance: {dtype name: (rtol, atol)} overrides; params: the values of its named
    parameters (reporting only; see manual.params); kink_gap(a, y): the distance of each
    element from where the gradient is not defined (the cases keep away from it)."""
    from .activations import validate_entry

    validate_entry("loss", name, {"cost": cost, "gradient": gradient}, torch, tolerance)
    if isinstance(output_activations, str) or not all(
            isinstance(o, str) for o in _iterable(output_activations)):
        raise InputError(f"output_activations of loss {name!r} must be a list of activation "
                         f"names, got {output_activations!r}")
    if name in LOSSES and not replace:
        raise InputError(f"loss {name!r} is already registered")
    if targets not in TARGET_KINDS:
        raise InputError(f"targets must be one of {', '.join(TARGET_KINDS)}, not {targets!r}")
    entry = Loss(name, cost, gradient, torch, tuple(output_activations), targets,
                 dict(tolerance or {}), dict(params or {}), kink_gap)
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


def _iterable(value) -> list:
    try:
        return list(value)
    except TypeError:
        return [None]  # not iterable: refused by the caller's check


def validate_output(loss: Loss, output: str) -> None:
    """A loss on probabilities needs an output activation listed for it (see the docstring)."""
    if loss.targets != "real" and output not in loss.output_activations:
        raise InputError(f"loss {loss.name!r} needs an output activation in "
                         f"({', '.join(loss.output_activations)}) so that a lies in (0, 1), "
                         f"not {output!r}")


def validate_targets(loss: Loss, y: Array, axis: int, name: str = "Y") -> None:
    """Refuse targets outside the loss's domain (see the docstring); `axis` is the class axis."""
    if loss.targets == "binary" and y.size and not ((y >= 0).all() and (y <= 1).all()):
        raise InputError(f"loss {loss.name!r} needs {name} in [0, 1], got values from "
                         f"{y.min():.6g} to {y.max():.6g}")
    if loss.targets == "pm1" and y.size and not np.isin(y, (-1, 1)).all():
        bad = y.ravel()[~np.isin(y.ravel(), (-1, 1))][0]
        raise InputError(f"loss {loss.name!r} needs {name} in {{-1, +1}} (labels as signs), "
                         f"got {bad:.6g}")
    if loss.targets == "onehot" and y.size:
        if (y < 0).any():
            raise InputError(f"loss {loss.name!r} needs {name} to be one-hot or a distribution "
                             f"per example, got a negative entry {y.min():.6g}")
        sums = y.sum(axis=axis, dtype=np.float64)
        worst = np.abs(sums - 1).max()
        if worst > TARGET_SUM_TOLERANCE:
            bad = sums.ravel()[np.abs(sums.ravel() - 1).argmax()]
            raise InputError(f"loss {loss.name!r} needs each example of {name} to sum to 1 "
                             f"(one-hot or a distribution), got an example summing to {bad:.6g}")


def _eps(a: Array) -> float:
    """The smallest positive normal number of a's dtype: keeps log and 1/a finite
    without changing any value the math can produce (a ≥ tiny is left alone)."""
    return float(np.finfo(a.dtype).tiny)


def quadratic_cost(a: Array, y: Array, axis: int) -> Array:
    """Cₓ = ½‖aₓ − yₓ‖²."""
    d = a - y
    return 0.5 * (d * d).sum(axis=axis)


def quadratic_entry(scale: float = 0.5) -> dict:
    """The quadratic loss with its factor (parameter `quadratic.scale`, default ½):
    Cₓ = scale·‖aₓ − yₓ‖², ∂Cₓ/∂a = 2·scale·(a − y)."""
    if scale == 0.5:  # the default: the original arithmetic, unchanged
        return dict(cost=quadratic_cost, gradient=lambda a, y: a - y,
                    torch="0.5 * torch.nn.functional.mse_loss(a, y, reduction='none')")

    def cost(a: Array, y: Array, axis: int) -> Array:
        d = a - y
        return scale * (d * d).sum(axis=axis)

    return dict(cost=cost, gradient=lambda a, y: (2 * scale) * (a - y),
                torch=f"{scale!r} * torch.nn.functional.mse_loss(a, y, reduction='none')")


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


def mae_cost(a: Array, y: Array, axis: int) -> Array:
    """Cₓ = Σⱼ |aⱼ − yⱼ| (mean absolute error, per example)."""
    return np.abs(a - y).sum(axis=axis)


def mae_gradient(a: Array, y: Array) -> Array:
    """∂Cₓ/∂a = sign(a − y) (undefined at a = y: the cases keep away from it)."""
    return np.sign(a - y)


def hinge_cost(a: Array, y: Array, axis: int) -> Array:
    """Cₓ = Σⱼ max(0, 1 − yⱼ aⱼ), y in {−1, +1}."""
    return np.maximum(0, 1 - y * a).sum(axis=axis)


def hinge_gradient(a: Array, y: Array) -> Array:
    """∂Cₓ/∂a = −y where y·a < 1, else 0 (undefined at y·a = 1)."""
    return -y * (y * a < 1).astype(a.dtype)


def huber_entry(delta: float = 1.0) -> dict:
    """Huber with its δ (parameter `huber.delta`, default 1), d = a − y:
    Cₓ = Σⱼ ½dⱼ² where |dⱼ| ≤ δ, δ(|dⱼ| − ½δ) elsewhere; ∂Cₓ/∂a = clip(d, −δ, δ)."""
    def cost(a: Array, y: Array, axis: int) -> Array:
        d = a - y
        ad = np.abs(d)
        return np.where(ad <= delta, 0.5 * d * d, delta * (ad - 0.5 * delta)).sum(axis=axis)

    return dict(cost=cost, gradient=lambda a, y: np.clip(a - y, -delta, delta),
                torch=f"torch.nn.functional.huber_loss(a, y, reduction='none', "
                      f"delta={delta!r})")


ALL_OUTPUTS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
               "silu", "gelu_tanh", "softmax")

register_loss("quadratic", **quadratic_entry(), output_activations=ALL_OUTPUTS,
              params={"scale": 0.5})
register_loss("bce", bce_cost, bce_gradient,
              "torch.nn.functional.binary_cross_entropy(a, y, reduction='none')",
              output_activations=("sigmoid",), targets="binary")
register_loss("cross_entropy", cross_entropy_cost, cross_entropy_gradient,
              "-torch.special.xlogy(y, a)",
              output_activations=("softmax", "sigmoid"), targets="onehot")
# regression heads: quadratic already pairs a real-target loss with every output activation,
# so MAE and Huber are drawn with these three (a network accepts any output with them)
REGRESSION_OUTPUTS = ("identity", "sigmoid", "tanh")
register_loss("mae", mae_cost, mae_gradient, "torch.abs(a - y)",
              output_activations=REGRESSION_OUTPUTS, kink_gap=lambda a, y: np.abs(a - y))
# a linear output: through a squashing one, y·a = 1 is reached only where a rounds to ±1
register_loss("hinge", hinge_cost, hinge_gradient, "torch.clamp(1 - y * a, min=0.0)",
              output_activations=("identity",), targets="pm1",
              kink_gap=lambda a, y: np.abs(1 - y * a))
register_loss("huber", **huber_entry(), output_activations=REGRESSION_OUTPUTS,
              params={"delta": 1.0})


BUILTIN_LOSSES = tuple(LOSSES)
