"""Expression-defined activations for whole networks: "NAME=FORWARD:DERIVATIVE".

`expression_activation("cube=z**3/3:z**2")` compiles both expressions once and
registers an activation whose NumPy forward and derivative (for `manual`)
and torch forward (for the oracle) come from the same source, so the
matrix, `check --activation` and `--oracle-activation` can run it through
deep networks. A wrong DERIVATIVE then shows up as a BP1/BP2 mismatch.

The derivative may read z and a = σ(z) (the registry's derivative(z, a)).
Kinks (where the forward is not differentiable) are located numerically on
the domain when the forward uses abs, sign, relu, where, maximum, minimum or
a comparison, so the case generator keeps z away from them.
"""

from __future__ import annotations

import numpy as np

from manual.activations import BUILTIN_ACTIVATIONS, Activation, register_activation
from manual.errors import InputError
from manual.losses import ALL_OUTPUTS, BUILTIN_LOSSES, TARGET_KINDS, register_loss

from .expr import Expression, compile_expression

DOMAIN = (-8.0, 8.0)
_GRID = 4001  # kink search: slopes on a grid of this many points over the domain


def parse_spec(spec: str) -> tuple[str, str, str]:
    """"NAME=FORWARD:DERIVATIVE" -> (name, forward, derivative); split at the first
    '=' and the first ':' after it (expressions contain neither)."""
    if not isinstance(spec, str) or "=" not in spec:
        raise InputError(f"custom activation {spec!r} must look like NAME=FORWARD:DERIVATIVE")
    name, rest = spec.split("=", 1)
    name = name.strip()
    if ":" not in rest:
        raise InputError(f"custom activation {spec!r} needs ':' between FORWARD and DERIVATIVE")
    forward, derivative = rest.split(":", 1)
    if not name.isidentifier():
        raise InputError(f"custom activation name {name!r} must be an identifier")
    return name, forward, derivative


def expression_activation(spec: str, *, domain: tuple[float, float] = DOMAIN,
                          params: dict[str, float] | None = None) -> Activation:
    """Register (or re-register: same name, replace) an activation from
    "NAME=FORWARD:DERIVATIVE" on `domain` (where the cases draw its z), the names of
    `params` standing for their numbers; returns the registry entry. Built-in names
    are refused."""
    name, forward_src, derivative_src = parse_spec(spec)
    if name in BUILTIN_ACTIVATIONS:
        raise InputError(f"activation {name!r} is built in; choose another name")
    forward = compile_expression(forward_src, ("z",), f"forward of {name}", params)
    derivative = compile_expression(derivative_src, ("z", "a"), f"derivative of {name}", params)
    if forward.vector or derivative.vector:
        raise InputError(f"custom activation {name!r}: sum, mean, matmul and transpose are for "
                         f"derive claims; a network's custom activation is elementwise")

    def np_forward(z: np.ndarray) -> np.ndarray:
        return _as(forward.numpy(z=z), z)

    def np_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return _as(derivative.numpy(z=z, a=a), z)

    def torch_forward(z):
        out = forward.torch(z=z)
        return out if out.shape == z.shape else out.expand_as(z) + 0 * z

    # how the oracle's helper process (reference.oracle.process) rebuilds this torch side
    torch_forward.oracle_recipe = ("expression", spec, tuple(domain),
                                   tuple(sorted((params or {}).items())))
    kinks = find_kinks(np_forward, domain) if forward.non_smooth else ()
    return register_activation(name, np_forward, np_derivative, torch_forward,
                               domain=domain, kinks=kinks, replace=True)


def parse_domain(text: str | tuple[float, float] | None) -> tuple[float, float] | None:
    """'LO,HI' (or a pair) -> (lo, hi), both finite and lo < hi."""
    if text is None:
        return None
    if isinstance(text, str):
        parts = text.split(",")
        if len(parts) != 2:
            raise InputError(f"domain {text!r} must be LO,HI (two numbers)")
        try:
            lo, hi = float(parts[0]), float(parts[1])
        except ValueError:
            raise InputError(f"domain {text!r} must be LO,HI (two numbers)") from None
    else:
        try:
            lo, hi = (float(v) for v in text)
        except (TypeError, ValueError):
            raise InputError(f"domain {text!r} must be a pair (LO, HI) of numbers") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise InputError(f"domain ({lo:g}, {hi:g}) must be finite with LO < HI")
    return lo, hi


def _as(value: np.ndarray, like: np.ndarray) -> np.ndarray:
    """The float64 result in the input's shape and dtype (float32 networks stay float32)."""
    return np.broadcast_to(value, np.shape(like)).astype(np.asarray(like).dtype)


def find_kinks(forward, domain: tuple[float, float]) -> tuple[float, ...]:
    """Points in the domain where the slope of `forward` jumps, located by bisection.

    On a fine grid, a kink shows as consecutive secant slopes that differ by
    more than curvature can explain; each is then narrowed down to ~1e-9.
    """
    lo, hi = domain
    x = np.linspace(lo, hi, _GRID)
    with np.errstate(all="ignore"):
        f = forward(x)
        s = np.diff(f) / np.diff(x)
        jump = np.abs(np.diff(s)) > 1e-2 * np.maximum(1.0, np.maximum(np.abs(s[:-1]),
                                                                      np.abs(s[1:])))
    kinks: list[float] = []
    for i in np.flatnonzero(jump & np.isfinite(s[:-1]) & np.isfinite(s[1:])):
        left, right = max(i - 1, 0), min(i + 2, len(s) - 1)
        k = _bisect(forward, x[i], x[i + 2], s[left], s[right])
        if not kinks or abs(k - kinks[-1]) > 3 * (x[1] - x[0]):
            kinks.append(k)
    return tuple(kinks)


def _bisect(forward, l: float, r: float, sl: float, sr: float) -> float:
    """Narrow [l, r] around the kink: a midpoint predicted better by the left
    slope lies left of it."""
    with np.errstate(all="ignore"):
        fl, fr = (float(v) for v in forward(np.array([l, r])))
        for _ in range(60):
            if r - l < 1e-10:
                break
            m = 0.5 * (l + r)
            fm = float(forward(np.array([m]))[0])
            if abs(fm - (fl + sl * (m - l))) <= abs(fm - (fr - sr * (r - m))):
                l, fl = m, fm
            else:
                r, fr = m, fm
    k = 0.5 * (l + r)
    nice = round(k, 6)
    return float(nice) + 0.0 if abs(nice - k) < 1e-8 else float(k)


LOSS_OUTPUTS = {"binary": ("sigmoid",), "onehot": ("softmax", "sigmoid"), "pm1": ("identity",)}


def parse_loss_spec(spec: str) -> tuple[str, str, str, str]:
    """"NAME=COST:GRADIENT[:TARGETS]" -> (name, cost, gradient, targets); TARGETS is
    real (the default), binary, onehot or pm1."""

    if not isinstance(spec, str) or "=" not in spec or ":" not in spec.split("=", 1)[1]:
        raise InputError(f"custom loss {spec!r} must look like NAME=COST:GRADIENT[:TARGETS]")
    name, rest = (part.strip() for part in spec.split("=", 1))
    parts = rest.split(":")
    if len(parts) > 3:
        raise InputError(f"custom loss {spec!r}: expected NAME=COST:GRADIENT[:TARGETS]")
    targets = parts[2].strip() if len(parts) == 3 else "real"
    if not name.isidentifier():
        raise InputError(f"custom loss name {name!r} must be an identifier")
    if targets not in TARGET_KINDS:
        raise InputError(f"custom loss {name!r}: targets must be one of "
                         f"{', '.join(TARGET_KINDS)}, not {targets!r}")
    return name, parts[0], parts[1], targets


def expression_loss(spec: str, *, params: dict[str, float] | None = None):
    """Register (or re-register) a loss from "NAME=COST:GRADIENT[:TARGETS]": COST is the
    per-class cost in a and y (summed over the classes), GRADIENT its ∂/∂a; the NumPy
    side (for `manual`) and the torch side (the oracle) come from the same source.
    The output activations follow the targets (real: any; binary: sigmoid; onehot:
    softmax or sigmoid; pm1: identity). Built-in names are refused."""

    name, cost_src, gradient_src, targets = parse_loss_spec(spec)
    if name in BUILTIN_LOSSES:
        raise InputError(f"loss {name!r} is built in; choose another name")
    cost = compile_expression(cost_src, ("a", "y"), f"cost of {name}", params)
    gradient = compile_expression(gradient_src, ("a", "y"), f"gradient of {name}", params)
    if cost.vector or gradient.vector:
        raise InputError(f"custom loss {name!r}: write the per-class cost (it is summed over "
                         f"the classes); sum, mean, matmul and transpose are for derive")

    def np_cost(a: np.ndarray, y: np.ndarray, axis: int) -> np.ndarray:
        return _as(cost.numpy(a=a, y=y), a).sum(axis=axis)

    def np_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        return _as(gradient.numpy(a=a, y=y), a)

    def torch_cost(a, y):
        out = cost.torch(a=a, y=y)
        return out if out.shape == a.shape else out.expand_as(a) + 0 * a

    torch_cost.oracle_recipe = ("expression_loss", spec, tuple(sorted((params or {}).items())))
    return register_loss(name, np_cost, np_gradient, torch_cost,
                         output_activations=LOSS_OUTPUTS.get(targets, ALL_OUTPUTS),
                         targets=targets, replace=True)


__all__ = ["Expression", "expression_activation", "expression_loss", "find_kinks",
           "parse_loss_spec", "parse_spec"]
