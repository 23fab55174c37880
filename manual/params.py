"""Named parameters of registry entries: each constant an entry has is a parameter
with a default, set by name ("leaky_relu.slope": 0.3) for `manual` and the oracle
alike.

| parameter | default | where it stands |
| --- | --- | --- |
| leaky_relu.slope | 0.01 | σ(z) = z for z > 0, slope·z otherwise |
| elu.alpha | 1 | σ(z) = z for z > 0, α(eᶻ − 1) otherwise |
| quadratic.scale | 0.5 | Cₓ = scale·‖a − y‖² |
| huber.delta | 1 | Cₓ = Σ ½d² where |d| ≤ δ, δ(|d| − ½δ) elsewhere (d = a − y) |

Setting a parameter re-registers its entry (same name) with NumPy functions and a
torch counterpart built from the value, so the case generator, `manual.Network`,
the oracle (its helper process rebuilds the entry from the torch text) and the
reports all see the same entry. `using_params({...})` sets them for a block and
restores the entries after; `apply_params` sets them until `restore_params`.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Mapping

from .errors import InputError

__all__ = ["PARAMETERS", "defaults", "validate_params", "apply_params", "restore_params",
           "using_params", "register_parameters"]

# entry name -> (kind "activation" | "loss", {parameter: default}, builder(**values) -> the
#               keyword arguments of register_activation / register_loss, {parameter: check})
PARAMETERS: dict[str, tuple[str, dict[str, float], Callable[..., dict], dict]] = {}

POSITIVE = (lambda v: v > 0, "positive")
ANY = (lambda v: True, "finite")


def register_parameters(kind: str, name: str, defaults_: Mapping[str, float],
                        builder: Callable[..., dict], checks: Mapping | None = None) -> None:
    """Declare the parameters of the registry entry `name` (built by `builder(**values)`)."""
    PARAMETERS[name] = (kind, dict(defaults_), builder, dict(checks or {}))


def defaults() -> dict[str, float]:
    """{"leaky_relu.slope": 0.01, ...}: every parameter with its default."""
    return {f"{entry}.{p}": v for entry, (_, d, _, _) in sorted(PARAMETERS.items())
            for p, v in d.items()}


def validate_params(params) -> dict[str, dict[str, float]]:
    """{"leaky_relu.slope": 0.3} -> {"leaky_relu": {"slope": 0.3}}; an unknown name, a
    value that is not a finite number or out of its range is an InputError."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise InputError(f"params must be a dict such as {{'leaky_relu.slope': 0.3}}, "
                         f"got {type(params).__name__}")
    out: dict[str, dict[str, float]] = {}
    for key, value in params.items():
        entry, _, name = str(key).partition(".")
        if entry not in PARAMETERS or name not in PARAMETERS[entry][1]:
            known = ", ".join(defaults())
            raise InputError(f"unknown parameter {key!r} (parameters: {known})")
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        ok, words = PARAMETERS[entry][3].get(name, ANY)
        if isinstance(value, bool) or not math.isfinite(number) or not ok(number):
            raise InputError(f"parameter {key} must be a {words} number, got {value!r}")
        out.setdefault(entry, {})[name] = number
    return out


def apply_params(params) -> dict[str, object]:
    """Re-register the entries of `params` with these values (the others of the entry at
    their defaults); returns what `restore_params` needs to undo it."""
    from .activations import ACTIVATIONS, register_activation
    from .losses import LOSSES, register_loss

    previous: dict[str, object] = {}
    for entry, values in validate_params(params).items():
        kind, base, builder, _ = PARAMETERS[entry]
        merged = {**base, **values}
        if kind == "activation":
            old = previous.setdefault(entry, ACTIVATIONS[entry])
            register_activation(entry, **builder(**merged), domain=old.domain,
                                tolerance=old.tolerance, params=merged, replace=True)
        else:
            old = previous.setdefault(entry, LOSSES[entry])
            register_loss(entry, **builder(**merged), output_activations=old.output_activations,
                          targets=old.targets, tolerance=old.tolerance, params=merged,
                          kink_gap=old.kink_gap, replace=True)
    return previous


def restore_params(previous: Mapping[str, object]) -> None:
    """Put back the entries `apply_params` replaced."""
    from .activations import ACTIVATIONS
    from .losses import LOSSES

    for name, entry in previous.items():
        (ACTIVATIONS if PARAMETERS[name][0] == "activation" else LOSSES)[name] = entry


@contextlib.contextmanager
def using_params(params) -> Iterator[None]:
    """The entries with these parameter values inside the block, as before after it."""
    previous = apply_params(params)
    try:
        yield
    finally:
        restore_params(previous)


def _declare() -> None:
    from .activations import elu_entry, leaky_relu_entry
    from .losses import huber_entry, quadratic_entry

    register_parameters("activation", "leaky_relu", {"slope": 0.01}, leaky_relu_entry)
    register_parameters("activation", "elu", {"alpha": 1.0}, elu_entry, {"alpha": POSITIVE})
    register_parameters("loss", "quadratic", {"scale": 0.5}, quadratic_entry,
                        {"scale": POSITIVE})
    register_parameters("loss", "huber", {"delta": 1.0}, huber_entry, {"delta": POSITIVE})


_declare()
