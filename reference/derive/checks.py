"""The three checks of a hand derivation against torch autograd.

- check_activation: σ'(z) for an elementwise σ (claim in z, and a = σ(z));
- check_loss_gradient: the per-example ∂Cₓ/∂a (claim in a, y), no 1/m;
- check_output_error: δᴸₓ = ∂Cₓ/∂zᴸ for a = σ(z) (claim in z, a, y); for a
  softmax output the claim is evaluated elementwise on the class vectors.

Each accepts expressions (strings), registry names, or callables: the forward
as a torch callable (the truth is its autograd), the claim as a NumPy callable
(derivative(z, a) or derivative(z), gradient(a, y), delta(z, a, y)). Each
returns a Verdict.

Every input is checked (and every expression parsed) before torch is
imported, so bad input is refused at once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

from manual.activations import ACTIVATIONS, Activation
from manual.errors import InputError, validate_seed
from manual.losses import LOSSES, Loss

from ..oracle import exact
from ..oracle.expr import Expression, compile_expression
from . import sampling
from .judge import Block, Claim, Report, Verdict, judge, torch_errors

__all__ = [
    "DEFAULT_POINTS", "activation_report", "check_activation", "loss_report",
    "check_loss_gradient", "output_error_report", "check_output_error",
]

DEFAULT_DOMAIN = (-8.0, 8.0)
LOSS_DOMAINS = {"real": (-3.0, 3.0), "binary": (0.01, 0.99), "onehot": (0.05, 0.95),
                "pm1": (-3.0, 3.0)}
DEFAULT_POINTS = 200
# A registry loss for binary targets (bce) is tested only where a is at least this far
# from 0 and 1: closer, float64 cannot tell a from its end (1 - 1e-17 is 1.0) and
# torch's binary_cross_entropy clamps (its log at -100, its gradient's a(1-a) at 1e-12),
# so its autograd is no longer the derivative of the math.
A_MARGIN = 1e-9

Forward = str | Callable | Activation
LossSpec = str | Callable | Loss
ClaimSpec = str | Callable


# ---- reading the specs (no torch) --------------------------------------------

def _unknown_name(spec: str, registry: dict, variables: tuple[str, ...], what: str,
                  kind: str) -> None:
    """A bare word that is neither a registry name nor a variable: name the choices."""
    word = spec.strip()
    if word.isidentifier() and word not in registry and word not in variables \
            and word not in ("pi", "e"):
        raise InputError(f"{what} {word!r}: unknown {kind} (names: {', '.join(sorted(registry))}"
                         f"; or an expression in {', '.join(variables)})")


def _forward(spec: Forward, what: str, params=None) -> Activation | Expression | Callable:
    """A registry entry (by name), a compiled expression in z, or a torch callable."""
    if isinstance(spec, str) and spec.strip() in ACTIVATIONS:
        return ACTIVATIONS[spec.strip()]
    if isinstance(spec, str):
        _unknown_name(spec, ACTIVATIONS, ("z",), what, "activation")
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        return compile_expression(spec, ("z",), what, params)
    if callable(spec):
        return spec
    raise InputError(f"{what} must be a name, an expression or a callable")


def _loss(spec: LossSpec, what: str, params=None) -> Loss | Expression | Callable:
    """A registry entry (by name), a compiled expression in a and y, or a torch callable."""
    if isinstance(spec, str) and spec.strip() in LOSSES:
        return LOSSES[spec.strip()]
    if isinstance(spec, str):
        _unknown_name(spec, LOSSES, ("a", "y"), what, "loss")
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str):
        return compile_expression(spec, ("a", "y"), what, params)
    if callable(spec):
        return spec
    raise InputError(f"{what} must be a name, an expression or a callable")


def _claim(spec: ClaimSpec, variables: tuple[str, ...], what: str, params=None,
           matrices: tuple[str, ...] = ()) -> Claim:
    """The claim: an expression (also re-evaluable in extended precision) or a NumPy
    callable taking the arrays of `variables` positionally (or only the first few,
    e.g. derivative(z))."""
    if isinstance(spec, str):
        e = compile_expression(spec, variables, what, params, matrices)
        if e.matrix:
            raise InputError(f"{what} {spec!r} is a matrix per example, not a vector (reduce "
                             f"the matrix with matmul(...))")
        if e.vector:  # over class vectors: no point-by-point extended precision
            return Claim(lambda env: e.numpy(**{v: env[v] for v in variables}), vector=True)
        return Claim(lambda env: e.numpy(**{v: env[v] for v in variables}),
                     lambda point: e.exact(**{v: point[v] for v in variables}),
                     exact.size(e.tree))
    if callable(spec):
        used = variables[:_arity(spec, len(variables))]
        return Claim(lambda env: spec(*(env[v] for v in used)))
    raise InputError(f"{what} must be an expression or a callable")


def _arity(fn: Callable, most: int) -> int:
    """How many of the `most` positional arguments `fn` takes (all when unknown)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return most
    for n in range(most, 0, -1):
        try:
            sig.bind(*range(n))
            return n
        except TypeError:
            continue
    return most


def _setup(points: int, seed: int, domain):
    n = sampling.validate_points(points)
    return n, np.random.default_rng(validate_seed(seed)), sampling.parse_domain(domain)


# ---- turning specs into torch functions ----------------------------------------

def _torch_forward(f: Activation | Expression | Callable):
    """(torch σ(z) over an (n, K) tensor, default domain, elementwise?)."""
    if isinstance(f, Activation):
        # here: torch costs 1.4 s (-X importtime, 2026-12-04); refusing needs none
        from ..oracle.torchexpr import torch_activation

        t = torch_activation(f)
        return (lambda z: t(z, 1)), f.domain, f.elementwise
    if isinstance(f, Expression):
        return (lambda z: _full(f.torch(z=z), z)), DEFAULT_DOMAIN, not f.vector
    return f, DEFAULT_DOMAIN, True


def _torch_loss(c: Loss | Expression | Callable):
    """(torch elementwise C(a, y), default target kind, margin of a from 0 and 1)."""
    if isinstance(c, Loss):
        # here: torch costs 1.4 s (-X importtime, 2026-12-04); refusing needs none
        from ..oracle.torchexpr import torch_loss

        return torch_loss(c), c.targets, (A_MARGIN if c.targets == "binary" else 0.0)
    if isinstance(c, Expression) and c.vector:  # one number per example counts once
        return (lambda a, y: c.torch(a=a, y=y)), "real", 0.0
    if isinstance(c, Expression):
        return (lambda a, y: _full(c.torch(a=a, y=y), a)), "real", 0.0
    return c, "real", 0.0


def _is_vector(*specs) -> bool:
    """Whether a spec reads class vectors (sum, mean: tested on K = 3, 4, 5)."""
    return any(getattr(s, "vector", False) for s in specs)


def _full(value, like):
    """A constant expression (no variable) broadcast to the input's shape."""
    return value if value.shape == like.shape else value.expand_as(like) + 0 * like


def _inside(a: np.ndarray, margin: float) -> tuple[np.ndarray | None, str]:
    """(examples whose a is at least `margin` from 0 and 1, why the others are out)."""
    if not margin:
        return None, ""
    keep = ((a >= margin) & (a <= 1 - margin)).all(axis=1)
    return keep, f"a is within {margin:g} of 0 or 1"


# ---- the three checks -------------------------------------------------------

# what the errors call each input: the Python API's argument names (the command line
# passes its own flag names)
API_LABELS = {"forward": "forward", "derivative": "derivative", "loss": "loss",
              "gradient": "gradient", "activation": "activation", "delta": "delta"}


def activation_report(forward: Forward, derivative: ClaimSpec, *, domain=None,
                      points: int = DEFAULT_POINTS, seed: int = 0, params=None,
                      labels: dict | None = None) -> Report:
    """σ'(z) claimed vs d/dz of the torch forward, z uniform in the domain (its ends
    and 0 included); the claim may read z and a = σ(z)."""
    labels = labels or API_LABELS
    n, rng, domain = _setup(points, seed, domain)
    spec = _forward(forward, labels["forward"], params)
    if (isinstance(spec, Activation) and not spec.elementwise) or _is_vector(spec):
        raise InputError("this activation is not elementwise; check it with output-error")
    claim = _claim(derivative, ("z", "a"), labels["derivative"], params)
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); refusing needs none
    import torch

    sigma, default, _ = _torch_forward(spec)
    lo, hi = domain or default
    z = sampling.uniform(rng, lo, hi, (n, 1), special=(0.0,))
    with torch.no_grad(), torch_errors():
        a = sigma(torch.from_numpy(z)).numpy()
    block = Block("z", {"z": z, "a": a}, lambda t: sigma(t).sum(dim=1), claim, (lo, hi))
    return judge([block], ("z",), n)


def check_activation(forward: Forward, derivative: ClaimSpec, *, domain=None,
                     points: int = DEFAULT_POINTS, seed: int = 0, params=None) -> Verdict:
    """Is `derivative` σ'(z) for σ = `forward` on the domain (default [-8, 8])?

    forward: expression in z, registry name, or a torch callable σ(z);
    derivative: expression in z (and a = σ(z)) or a NumPy callable f(z, a) or f(z);
    params: named numbers the expressions use, e.g. {"alpha": 1.6733}.
    """
    return activation_report(forward, derivative, domain=domain, points=points,
                             seed=seed, params=params).verdict


def loss_report(loss: LossSpec, gradient: ClaimSpec, *, target: str | None = None,
                domain=None, points: int = DEFAULT_POINTS, seed: int = 0, params=None,
                labels: dict | None = None) -> Report:
    """∂Cₓ/∂a claimed vs autograd of Σⱼ C(aⱼ, yⱼ) with respect to a."""
    labels = labels or API_LABELS
    n, rng, domain = _setup(points, seed, domain)
    spec = _loss(loss, labels["loss"], params)
    if target is not None:
        sampling.validate_target(target)
    claim = _claim(gradient, ("a", "y"), labels["gradient"], params)
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); refusing needs none
    import torch

    cost, default_target, margin = _torch_loss(spec)
    target = target or default_target
    lo, hi = domain or LOSS_DOMAINS[target]
    blocks = []
    for m, k in sampling.block_sizes(n, target == "onehot" or _is_vector(spec, claim)):
        a = sampling.uniform(rng, lo, hi, (m, k))
        y = sampling.targets(rng, target, (m, k))
        ty = torch.from_numpy(y)
        keep, dropped = _inside(a, margin)
        blocks.append(Block("a", {"a": a, "y": y}, lambda t, ty=ty: cost(t, ty).sum(dim=1),
                            claim, (lo, hi), keep, dropped))
    return judge(blocks, ("a", "y"), n)


def check_loss_gradient(loss: LossSpec, gradient: ClaimSpec, *, target: str | None = None,
                        domain=None, points: int = DEFAULT_POINTS, seed: int = 0,
                        params=None) -> Verdict:
    """Is `gradient` the per-example ∂Cₓ/∂a of `loss` (no 1/m)?

    loss: expression in a, y (elementwise, summed over classes), registry name,
    or a torch callable C(a, y); gradient: expression in a, y or a NumPy
    callable f(a, y). target: real | binary | onehot (default: the registry
    entry's for a name, else real); the domain is the range of a.
    """
    return loss_report(loss, gradient, target=target, domain=domain, points=points,
                       seed=seed, params=params).verdict


def output_error_report(loss: LossSpec, activation: Forward, delta: ClaimSpec, *,
                        target: str | None = None, domain=None,
                        points: int = DEFAULT_POINTS, seed: int = 0, params=None,
                        labels: dict | None = None) -> Report:
    """δᴸ claimed vs autograd of Cₓ(σ(z), y) with respect to z."""
    labels = labels or API_LABELS
    n, rng, domain = _setup(points, seed, domain)
    loss_spec = _loss(loss, labels["loss"], params)
    forward_spec = _forward(activation, labels["activation"], params)
    if target is not None:
        sampling.validate_target(target)
    claim = _claim(delta, ("z", "a", "y"), labels["delta"], params)
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); refusing needs none
    import torch

    cost, default_target, margin = _torch_loss(loss_spec)
    sigma, default_domain, elementwise = _torch_forward(forward_spec)
    target = target or default_target
    lo, hi = domain or default_domain
    blocks = []
    vector = target == "onehot" or not elementwise or _is_vector(loss_spec, claim)
    for m, k in sampling.block_sizes(n, vector):
        z = sampling.uniform(rng, lo, hi, (m, k), special=(0.0,))
        y = sampling.targets(rng, target, (m, k))
        ty = torch.from_numpy(y)
        with torch.no_grad(), torch_errors():
            a = sigma(torch.from_numpy(z)).numpy()
        keep, dropped = _inside(a, margin)
        blocks.append(Block("z", {"z": z, "a": a, "y": y},
                            lambda t, ty=ty: cost(sigma(t), ty).sum(dim=1), claim, (lo, hi),
                            keep, dropped))
    return judge(blocks, ("z", "a", "y"), n)


def check_output_error(loss: LossSpec, activation: Forward, delta: ClaimSpec, *,
                       target: str | None = None, domain=None,
                       points: int = DEFAULT_POINTS, seed: int = 0, params=None) -> Verdict:
    """Is `delta` the output error δᴸₓ = ∂Cₓ/∂zᴸ for a = σ(z) and loss C (no 1/m)?

    loss and activation: names, expressions or torch callables; delta: an
    expression in z, a, y (elementwise on class vectors for softmax) or a NumPy
    callable f(z, a, y). z is drawn from the domain (default: the activation's).
    """
    return output_error_report(loss, activation, delta, target=target, domain=domain,
                               points=points, seed=seed, params=params).verdict
