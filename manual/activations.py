"""The activation registry: one entry per activation σ, everything a test needs.

Each entry holds the forward σ(z), its derivative σ'(z) (given z and a = σ(z),
so sigmoid and tanh reuse a), the torch counterpart written as a string that
`reference.oracle.torchexpr` evaluates (the oracle's forward), the input domain the
case generator samples, the points where σ is not differentiable (kinks), and
per-dtype tolerance overrides.

Softmax is not elementwise: it carries `vjp`, the product Jᵀv of its Jacobian
with a vector, which BP1 and BP2 use instead of v ⊙ σ'(z).

Adding an activation is one `register_activation(...)` call; the matrix, the
checker and the command line pick it up from `ACTIVATIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError

__all__ = [
    "Array", "Activation", "ACTIVATIONS", "register_activation", "validate_entry",
    "unregister_activation", "get_activation", "softplus", "sigmoid", "elu", "gelu_tanh",
    "softmax", "BUILTIN_ACTIVATIONS", "leaky_relu_entry", "elu_entry",
]

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """One registry entry (the eight fields of an activation).

    forward(z, axis) -> a; derivative(z, a) -> σ'(z) elementwise (None for
    softmax); vjp(z, a, v, axis) -> Jᵀv for activations that are not
    elementwise. `torch` is the oracle's forward: a string such as
    "torch.tanh(z)" or a callable taking a torch tensor (and `dim`).
    """

    name: str
    forward: Callable[..., Array]
    derivative: Callable[[Array, Array], Array] | None
    torch: str | Callable
    domain: tuple[float, float] = (-8.0, 8.0)
    kinks: tuple[float, ...] = ()
    tolerance: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    vjp: Callable[[Array, Array, Array, int], Array] | None = None
    params: Mapping[str, float] = field(default_factory=dict)  # the values in use (manual.params)

    @property
    def elementwise(self) -> bool:
        return self.vjp is None

    def apply(self, z: Array, axis: int) -> Array:
        """a = σ(z); `axis` is the class axis (used by softmax only)."""
        return self.forward(z, axis) if not self.elementwise else self.forward(z)

    def backward(self, z: Array, a: Array, v: Array, axis: int, overwrite: bool = False) -> Array:
        """Jᵀv: v ⊙ σ'(z) for an elementwise σ (the ⊙ of BP1 and BP2).

        With `overwrite`, v is a temporary the caller owns and the product is
        taken in place (one large array fewer to allocate per layer)."""
        if self.vjp is not None:
            return self.vjp(z, a, v, axis)
        if overwrite:
            v *= self.derivative(z, a)
            return v
        return v * self.derivative(z, a)


ACTIVATIONS: dict[str, Activation] = {}


def register_activation(
    name: str,
    forward: Callable[..., Array],
    derivative: Callable[[Array, Array], Array] | None,
    torch: str | Callable,
    *,
    domain: tuple[float, float] = (-8.0, 8.0),
    kinks: tuple[float, ...] = (),
    tolerance: Mapping[str, tuple[float, float]] | None = None,
    vjp: Callable | None = None,
    replace: bool = False,
    params: Mapping[str, float] | None = None,
) -> Activation:
    """Add an activation to the registry (the only step a new activation needs).

    `derivative(z, a)` receives z and a = σ(z). `torch` is the oracle's forward.
    """
    validate_entry("activation", name, {"forward": forward, "derivative": derivative, "vjp": vjp},
                torch, tolerance, optional=("derivative", "vjp"))
    domain, kinks = _pair(domain, f"domain of activation {name!r}"), _numbers(kinks, name)
    if name in ACTIVATIONS and not replace:
        raise InputError(f"activation {name!r} is already registered")
    if derivative is None and vjp is None:
        raise InputError(f"activation {name!r} needs a derivative or a vjp")
    entry = Activation(name, forward, derivative, torch, domain, kinks, dict(tolerance or {}),
                       vjp, dict(params or {}))
    ACTIVATIONS[name] = entry
    return entry


def validate_entry(kind: str, name, functions: dict, torch, tolerance,
                optional: tuple[str, ...] = ()) -> None:
    """The checks every registry entry shares: a name, callables, a torch
    counterpart (a string or a callable) and a tolerance table
    {dtype name: (rtol, atol)}."""
    if not isinstance(name, str) or not name.isidentifier():
        raise InputError(f"{kind} name {name!r} must be an identifier (a string)")
    for what, fn in functions.items():
        if not (callable(fn) or (fn is None and what in optional)):
            raise InputError(f"{what} of {kind} {name!r} must be callable, got {fn!r}")
    if not (isinstance(torch, str) or callable(torch)):
        raise InputError(f"torch counterpart of {kind} {name!r} must be a string such as "
                         f"'torch.tanh(z)' or a callable, got {torch!r}")
    if tolerance is None:
        return
    if not isinstance(tolerance, Mapping):
        raise InputError(f"tolerance of {kind} {name!r} must map a dtype name to (rtol, atol), "
                         f"got {tolerance!r}")
    for dtype, pair in tolerance.items():
        if dtype not in ("float32", "float64"):
            raise InputError(f"tolerance of {kind} {name!r}: dtype must be float32 or float64, "
                             f"not {dtype!r}")
        rtol, atol = _pair(pair, f"tolerance of {kind} {name!r} for {dtype} (rtol, atol)")
        if rtol < 0 or atol < 0:
            raise InputError(f"tolerance of {kind} {name!r} for {dtype} must be >= 0, "
                             f"got {pair!r}")


def _pair(value, what: str) -> tuple[float, float]:
    """Two finite numbers (lo < hi for a domain)."""
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be two numbers, got {value!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or (what.startswith("domain") and lo >= hi):
        raise InputError(f"{what} must be two finite numbers"
                         f"{' lo < hi' if what.startswith('domain') else ''}, got {value!r}")
    return lo, hi


def _numbers(kinks, name: str) -> tuple[float, ...]:
    try:
        if isinstance(kinks, str):
            raise TypeError
        return tuple(float(k) for k in kinks)
    except (TypeError, ValueError):
        raise InputError(f"kinks of activation {name!r} must be a list of numbers, "
                         f"got {kinks!r}") from None


def unregister_activation(name: str) -> None:
    ACTIVATIONS.pop(name, None)


def get_activation(name: str | Activation) -> Activation:
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(ACTIVATIONS))
        raise InputError(f"unknown activation {name!r} (known: {known})") from None


# ---- the functions -------------------------------------------------------

def softplus(z: Array) -> Array:
    """log(1+eᶻ), computed as logaddexp(0, z): no overflow for large |z|."""
    return np.logaddexp(0, z)


def sigmoid(z: Array) -> Array:
    """σ(z) = 1/(1+e⁻ᶻ) = exp(−softplus(−z)): no overflow for large |z|, and one
    rounding of the log away from the exact value (≤ 2 ulp for |z| ≤ 8)."""
    return np.exp(-softplus(-z))


def elu(z: Array) -> Array:
    """z for z > 0, eᶻ − 1 otherwise (α = 1): max(z, 0) + expm1(min(z, 0)), exact on both sides."""
    return np.maximum(z, 0) + np.expm1(np.minimum(z, 0))


def elu_prime(z: Array, a: Array) -> Array:
    """1 for z > 0, eᶻ = a + 1 otherwise: min(a + 1, 1), since a + 1 > 1 exactly when z > 0."""
    return np.minimum(a + 1, 1)


def leaky_relu_entry(slope: float = 0.01) -> dict:
    """leaky_relu with its slope for z < 0 (parameter `leaky_relu.slope`, default 0.01):
    max(z, slope·z) for slope ≤ 1; derivative 1 for z > 0, slope otherwise."""
    def forward(z: Array) -> Array:
        return np.where(z > 0, z, slope * z).astype(z.dtype, copy=False)

    if slope == 0.01:  # the default: the original arithmetic, unchanged
        forward = lambda z: np.maximum(z, 0.01 * z)  # noqa: E731
    return dict(forward=forward, torch=f"torch.nn.functional.leaky_relu(z, "
                                       f"negative_slope={slope!r})",
                derivative=lambda z, a: np.where(z > 0, 1.0, slope).astype(z.dtype),
                kinks=(0.0,))


def elu_entry(alpha: float = 1.0) -> dict:
    """elu with its α (parameter `elu.alpha`, default 1): z for z > 0, α(eᶻ − 1) otherwise;
    derivative 1 for z > 0, α eᶻ = a + α otherwise."""
    if alpha == 1.0:
        return dict(forward=elu, derivative=elu_prime,
                    torch="torch.nn.functional.elu(z, alpha=1.0)")

    def forward(z: Array) -> Array:
        return np.maximum(z, 0) + alpha * np.expm1(np.minimum(z, 0))

    return dict(forward=forward, derivative=lambda z, a: np.where(z > 0, 1.0, a + alpha
                                                                  ).astype(z.dtype),
                torch=f"torch.nn.functional.elu(z, alpha={alpha!r})")


_GELU_K = float(np.sqrt(2.0 / np.pi))
_GELU_C = 0.044715


def _gelu_u(z: Array) -> Array:
    """u = √(2/π)(z + 0.044715 z³), the argument of gelu_tanh's tanh."""
    return _GELU_K * (z + _GELU_C * z**3)


def gelu_tanh(z: Array) -> Array:
    """½ z (1 + tanh u), torch's approximate="tanh", computed as z σ(2u)
    (½(1 + tanh u) = σ(2u) exactly; no cancellation where tanh u ≈ −1)."""
    return z * sigmoid(2 * _gelu_u(z))


def gelu_tanh_prime(z: Array, a: Array) -> Array:
    """½(1 + tanh u) + ½ z (1 − tanh² u) u'(z), with ½(1 + tanh u) = σ(2u) and
    1 − tanh² u = 4 σ(2u) σ(−2u): σ(2u) (1 + 2 z u'(z) σ(−2u)). Both sigmoids are
    accurate where tanh u is near ±1, so the float32 derivative is too."""
    u2 = 2 * _gelu_u(z)
    du = _GELU_K * (1 + 3 * _GELU_C * z * z)
    return sigmoid(u2) * (1 + 2 * z * du * sigmoid(-u2))


def softmax(z: Array, axis: int) -> Array:
    """eᶻ/Σeᶻ over the class axis, with the max subtracted (no overflow)."""
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def softmax_vjp(z: Array, a: Array, v: Array, axis: int) -> Array:
    """Jᵀv for softmax, J = diag(a) − a aᵀ: a ⊙ (v − Σₖ aₖvₖ)."""
    return a * (v - (a * v).sum(axis=axis, keepdims=True))


def _silu_prime(z: Array, a: Array) -> Array:
    """(z σ(z))' = σ(z) (1 + z (1 − σ(z))), with 1 − σ(z) = σ(−z) (no cancellation)."""
    return sigmoid(z) * (1 + z * sigmoid(-z))


register_activation("identity", lambda z: z, lambda z, a: np.ones_like(z), "z")
register_activation("sigmoid", sigmoid, lambda z, a: a * (1.0 - a), "torch.sigmoid(z)")
register_activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, "torch.tanh(z)")
register_activation("relu", lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype),
                    "torch.relu(z)", kinks=(0.0,))
register_activation("leaky_relu", **leaky_relu_entry(), params={"slope": 0.01})
register_activation("elu", **elu_entry(), params={"alpha": 1.0})
register_activation("softplus", softplus, lambda z, a: sigmoid(z),
                    "torch.nn.functional.softplus(z)")
register_activation("silu", lambda z: z * sigmoid(z), _silu_prime, "torch.nn.functional.silu(z)")
# the oracle's twin: torch's approximate="tanh" GELU written as z σ(2u), the same function;
# torch's own ½ z (1 + tanh u) cancels where tanh u ≈ −1 and its autograd derivative there
# carries an absolute error of ~20 ulps, which deep stacks amplified to 1e-11..5e-10 against a
# float64 oracle (manual, and a longdouble backprop, agreed to 1e-15; issue #20)
register_activation("gelu_tanh", gelu_tanh, gelu_tanh_prime,
                    "z * torch.sigmoid(1.5957691216057308 * (z + 0.044715 * z * z * z))")
register_activation("softmax", softmax, None, "torch.softmax(z, dim=axis)", vjp=softmax_vjp)

BUILTIN_ACTIVATIONS = tuple(ACTIVATIONS)
