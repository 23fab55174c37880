"""The three checks of a hand derivation against torch autograd.

- check_activation: σ'(z) for an elementwise σ (claim in z, and a = σ(z));
- check_loss_gradient: the per-example ∂Cₓ/∂a (claim in a, y), no 1/m;
- check_output_error: δᴸₓ = ∂Cₓ/∂zᴸ for a = σ(z) (claim in z, a, y); for a
  softmax output the claim is evaluated elementwise on the class vectors.

Each accepts expressions (strings), registry names, or callables: the forward
as a torch callable (the truth is its autograd), the claim as a NumPy callable
(derivative(z, a), gradient(a, y), delta(z, a, y)). Each returns a Verdict.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from manual.activations import ACTIVATIONS, Activation
from manual.errors import InputError
from manual.losses import LOSSES, Loss

from ..torchexpr import torch_activation, torch_loss
from . import sampling
from .expr import Expression, compile_expression
from .judge import Block, Report, Verdict, judge, torch_errors

DEFAULT_DOMAIN = (-8.0, 8.0)
LOSS_DOMAINS = {"real": (-3.0, 3.0), "binary": (0.01, 0.99), "onehot": (0.05, 0.95)}
DEFAULT_POINTS = 200

Forward = str | Callable | Activation
LossSpec = str | Callable | Loss
Claim = str | Callable


# ---- turning specs into functions -------------------------------------------

def _activation(spec: Forward, what: str = "activation"):
    """(torch σ(z) over an (n, K) tensor, domain, elementwise?) for a name, expression,
    registry entry or torch callable."""
    if isinstance(spec, str) and spec.strip() in ACTIVATIONS:
        spec = ACTIVATIONS[spec.strip()]
    if isinstance(spec, Activation):
        f = torch_activation(spec)
        return (lambda z: f(z, 1)), spec.domain, spec.elementwise
    if isinstance(spec, str):
        e = compile_expression(spec, ("z",), what)
        return (lambda z: _full(e.torch(z=z), z)), DEFAULT_DOMAIN, True
    if callable(spec):
        return spec, DEFAULT_DOMAIN, True
    raise InputError(f"{what} must be a name, an expression or a callable")


def _loss(spec: LossSpec, what: str = "loss"):
    """(torch elementwise C(a, y), default target kind) for a loss spec."""
    if isinstance(spec, str) and spec.strip() in LOSSES:
        spec = LOSSES[spec.strip()]
    if isinstance(spec, Loss):
        return torch_loss(spec), spec.targets
    if isinstance(spec, str):
        e = compile_expression(spec, ("a", "y"), what)
        return (lambda a, y: _full(e.torch(a=a, y=y), a)), "real"
    if callable(spec):
        return spec, "real"
    raise InputError(f"{what} must be a name, an expression or a callable")


def _claim(spec: Claim, variables: tuple[str, ...], what: str):
    """The claim as f(inputs dict) -> array: expression or NumPy callable (positional
    arguments in the order of `variables`)."""
    if isinstance(spec, str):
        e: Expression = compile_expression(spec, variables, what)
        return lambda env: e.numpy(**{v: env[v] for v in variables})
    if callable(spec):
        return lambda env: spec(*(env[v] for v in variables))
    raise InputError(f"{what} must be an expression or a callable")


def _full(value: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A constant expression (no variable) broadcast to the input's shape."""
    return value if value.shape == like.shape else value.expand_as(like) + 0 * like


def _setup(points: int, seed: int, domain):
    return sampling.check_points(points), np.random.default_rng(seed), \
        sampling.parse_domain(domain)


# ---- the three checks -------------------------------------------------------

def activation_report(forward: Forward, derivative: Claim, *, domain=None,
                      points: int = DEFAULT_POINTS, seed: int = 0) -> Report:
    """σ'(z) claimed vs d/dz of the torch forward, z uniform in the domain (its ends
    and 0 included); the claim may read z and a = σ(z)."""
    n, rng, domain = _setup(points, seed, domain)
    sigma, default, elementwise = _activation(forward, "--forward")
    if not elementwise:
        raise InputError("this activation is not elementwise; check it with output-error")
    claim = _claim(derivative, ("z", "a"), "--derivative")
    lo, hi = domain or default
    z = sampling.uniform(rng, lo, hi, (n, 1), special=(0.0,))
    with torch.no_grad(), torch_errors():
        a = sigma(torch.from_numpy(z)).numpy()
    block = Block("z", {"z": z, "a": a}, lambda t: sigma(t).sum(dim=1), claim)
    return judge([block], ("z",), n)


def check_activation(forward: Forward, derivative: Claim, *, domain=None,
                     points: int = DEFAULT_POINTS, seed: int = 0) -> Verdict:
    """Is `derivative` σ'(z) for σ = `forward` on the domain (default [-8, 8])?

    forward: expression in z, registry name, or a torch callable σ(z);
    derivative: expression in z (and a = σ(z)) or a NumPy callable f(z, a).
    """
    return activation_report(forward, derivative, domain=domain, points=points,
                             seed=seed).verdict


def loss_report(loss: LossSpec, gradient: Claim, *, target: str | None = None, domain=None,
                points: int = DEFAULT_POINTS, seed: int = 0) -> Report:
    """∂Cₓ/∂a claimed vs autograd of Σⱼ C(aⱼ, yⱼ) with respect to a."""
    n, rng, domain = _setup(points, seed, domain)
    cost, default_target = _loss(loss, "--loss")
    target = sampling.check_target(target or default_target)
    claim = _claim(gradient, ("a", "y"), "--gradient")
    lo, hi = domain or LOSS_DOMAINS[target]
    blocks = []
    for m, k in sampling.block_sizes(n, target == "onehot"):
        a = sampling.uniform(rng, lo, hi, (m, k))
        y = sampling.targets(rng, target, (m, k))
        ty = torch.from_numpy(y)
        blocks.append(Block("a", {"a": a, "y": y},
                            lambda t, ty=ty: cost(t, ty).sum(dim=1), claim))
    return judge(blocks, ("a", "y"), n)


def check_loss_gradient(loss: LossSpec, gradient: Claim, *, target: str | None = None,
                        domain=None, points: int = DEFAULT_POINTS, seed: int = 0) -> Verdict:
    """Is `gradient` the per-example ∂Cₓ/∂a of `loss` (no 1/m)?

    loss: expression in a, y (elementwise, summed over classes), registry name,
    or a torch callable C(a, y); gradient: expression in a, y or a NumPy
    callable f(a, y). target: real | binary | onehot (default: the registry
    entry's for a name, else real); the domain is the range of a.
    """
    return loss_report(loss, gradient, target=target, domain=domain, points=points,
                       seed=seed).verdict


def output_error_report(loss: LossSpec, activation: Forward, delta: Claim, *,
                        target: str | None = None, domain=None,
                        points: int = DEFAULT_POINTS, seed: int = 0) -> Report:
    """δᴸ claimed vs autograd of Cₓ(σ(z), y) with respect to z."""
    n, rng, domain = _setup(points, seed, domain)
    cost, default_target = _loss(loss, "--loss")
    sigma, default_domain, elementwise = _activation(activation, "--activation")
    target = sampling.check_target(target or default_target)
    claim = _claim(delta, ("z", "a", "y"), "--delta")
    lo, hi = domain or default_domain
    blocks = []
    for m, k in sampling.block_sizes(n, target == "onehot" or not elementwise):
        z = sampling.uniform(rng, lo, hi, (m, k), special=(0.0,))
        y = sampling.targets(rng, target, (m, k))
        ty = torch.from_numpy(y)
        with torch.no_grad(), torch_errors():
            a = sigma(torch.from_numpy(z)).numpy()
        blocks.append(Block("z", {"z": z, "a": a, "y": y},
                            lambda t, ty=ty: cost(sigma(t), ty).sum(dim=1), claim))
    return judge(blocks, ("z", "a", "y"), n)


def check_output_error(loss: LossSpec, activation: Forward, delta: Claim, *,
                       target: str | None = None, domain=None,
                       points: int = DEFAULT_POINTS, seed: int = 0) -> Verdict:
    """Is `delta` the output error δᴸₓ = ∂Cₓ/∂zᴸ for a = σ(z) and loss C (no 1/m)?

    loss and activation: names, expressions or torch callables; delta: an
    expression in z, a, y (elementwise on class vectors for softmax) or a NumPy
    callable f(z, a, y). z is drawn from the domain (default: the activation's).
    """
    return output_error_report(loss, activation, delta, target=target, domain=domain,
                               points=points, seed=seed).verdict
