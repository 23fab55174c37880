"""Two claims about a network's weights: a regularization gradient and BP2.

- regularization: the gradient of a penalty R(w) (an L2 term λ/2·w², an L1
  term λ|w|, ...) with respect to the weights, claimed in w;
- hidden-error (BP2): δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ), claimed in z, a = σ(z), the
  next layer's W and δ (``delta``). The truth is autograd through a small
  layer: C = δˡ⁺¹ · (W σ(z) + b), so that ∂C/∂zˡ⁺¹ = δˡ⁺¹ and ∂C/∂zˡ is δˡ.
  W is square (K × K, K = 3, 4, 5, one per example) so that W δ, the
  classic mistake, is a wrong number rather than a shape error.

Both return a Verdict (check_*) or a Report (*_report), as the other checks.
"""

from __future__ import annotations

from manual.activations import Activation
from manual.errors import InputError

from ..oracle.expr import Expression, compile_expression
from . import sampling
from .checks import (
    API_LABELS,
    DEFAULT_POINTS,
    ClaimSpec,
    Forward,
    _claim,
    _forward,
    _full,
    _is_vector,
    _setup,
    _torch_forward,
)
from .judge import Block, Report, Verdict, judge, torch_errors

__all__ = ["WEIGHT_DOMAIN", "regularization_report", "check_regularization",
           "hidden_error_report", "check_hidden_error"]

WEIGHT_DOMAIN = (-3.0, 3.0)
NEXT_DELTA_RANGE = (-2.0, 2.0)  # the next layer's δ, drawn uniformly
W_RANGE = (-1.5, 1.5)  # the next layer's weights, drawn uniformly
LABELS = dict(API_LABELS, penalty="penalty", delta="delta")


def _penalty(spec, what: str, params=None):
    """(torch R(w) per example, vector?) from an expression in w or a torch callable."""
    if isinstance(spec, str):
        e = compile_expression(spec, ("w",), what, params)
        if e.vector:  # reduced to one number per weight vector: counts once
            return (lambda w: e.torch(w=w)), True
        return (lambda w: _full(e.torch(w=w), w)), False
    if callable(spec):
        return spec, False
    raise InputError(f"{what} must be an expression or a callable")


def regularization_report(penalty, gradient: ClaimSpec, *, domain=None,
                          points: int = DEFAULT_POINTS, seed: int = 0, params=None,
                          labels: dict | None = None) -> Report:
    """∂R/∂w claimed vs autograd of R summed over the weights (an expression that uses
    sum or mean is tested on weight vectors of 3, 4 and 5 entries)."""
    labels = labels or LABELS
    n, rng, domain = _setup(points, seed, domain)
    cost, vector = _penalty(penalty, labels["penalty"], params)
    claim = _claim(gradient, ("w",), labels["gradient"], params)
    lo, hi = domain or WEIGHT_DOMAIN
    blocks = []
    for m, k in sampling.block_sizes(n, vector or claim.vector):
        w = sampling.uniform(rng, lo, hi, (m, k), special=(0.0,))
        blocks.append(Block("w", {"w": w}, lambda t: cost(t).sum(dim=1), claim, (lo, hi)))
    return judge(blocks, ("w",), n)


def check_regularization(penalty, gradient: ClaimSpec, *, domain=None,
                         points: int = DEFAULT_POINTS, seed: int = 0,
                         params=None) -> Verdict:
    """Is `gradient` ∂R/∂w for the penalty R (an expression in w, summed over the weights,
    or a torch callable)? E.g. check_regularization("lam/2*w**2", "lam*w",
    params={"lam": 0.1}). The domain is the range of w (default [-3, 3])."""
    return regularization_report(penalty, gradient, domain=domain, points=points, seed=seed,
                                 params=params).verdict


def _hidden_forward(activation: Forward, what: str, params):
    spec = _forward(activation, what, params)
    if (isinstance(spec, Activation) and not spec.elementwise) or (
            isinstance(spec, Expression) and _is_vector(spec)):
        raise InputError(f"{what}: BP2 is checked for an elementwise hidden activation")
    return spec


def hidden_error_report(activation: Forward, delta: ClaimSpec, *, domain=None,
                        points: int = DEFAULT_POINTS, seed: int = 0, params=None,
                        labels: dict | None = None) -> Report:
    """δˡ claimed (in z, a, W, delta) vs autograd of δˡ⁺¹ · (W σ(z)) with respect to z."""
    labels = labels or LABELS
    n, rng, domain = _setup(points, seed, domain)
    spec = _hidden_forward(activation, labels["activation"], params)
    claim = _claim(delta, ("z", "a", "W", "delta"), labels["delta"], params, matrices=("W",))
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); refusing needs none
    import torch

    sigma, default_domain, _ = _torch_forward(spec)
    lo, hi = domain or default_domain
    blocks = []
    for m, k in sampling.block_sizes(n, True):
        z = sampling.uniform(rng, lo, hi, (m, k), special=(0.0,))
        w = rng.uniform(*W_RANGE, size=(m, k, k))
        d = rng.uniform(*NEXT_DELTA_RANGE, size=(m, k))
        with torch.no_grad(), torch_errors():
            a = sigma(torch.from_numpy(z)).numpy()
        tw, td = torch.from_numpy(w), torch.from_numpy(d)

        def cost(t, tw=tw, td=td):
            return (td * torch.matmul(tw, sigma(t).unsqueeze(-1)).squeeze(-1)).sum(dim=1)

        blocks.append(Block("z", {"z": z, "a": a, "W": w, "delta": d}, cost, claim, (lo, hi)))
    return judge(blocks, ("z", "a", "delta"), n)


def check_hidden_error(activation: Forward, delta: ClaimSpec, *, domain=None,
                       points: int = DEFAULT_POINTS, seed: int = 0,
                       params=None) -> Verdict:
    """Is `delta` BP2's δˡ for the hidden activation σ? The claim reads z, a = σ(z), the
    next layer's W (K × K per example) and δ (``delta``), e.g.
    check_hidden_error("sigmoid", "matmul(transpose(W), delta) * a*(1-a)")."""
    return hidden_error_report(activation, delta, domain=domain, points=points, seed=seed,
                               params=params).verdict

