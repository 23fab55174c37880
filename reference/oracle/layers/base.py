"""The oracle's side of the layer registry: each layer's torch twin, its sampler
and its known mistakes, one `register_twin(...)` entry per layer type.

A twin's `forward(t, config)` takes the case's arrays as float64 torch tensors
(a dict by the manual entry's array names; integer arrays stay int64) and the
hyper-parameter dict, and returns a dict of outputs by the entry's output names
(plus its `state` keys, batch norm's running averages). It is written with
`torch.nn.functional` where an op matches and torch ops written out where none
does, never in place, never from `manual`. `oracle_layer` differentiates it by
autograd: the gradient of Σ ⟨dout, out⟩ with respect to each differentiated
array, which is what a backward given `dout` must return (δ_in = Jᵀ δ_out).

Importing this module imports no torch: `torch` and `F` below load it on first
use, so cases can be drawn in a process that never differentiates.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from manual.errors import InputError
from manual.layers import get_layer

__all__ = ["Twin", "TWINS", "register_twin", "get_twin", "LayerCase", "make_case",
           "oracle_layer", "torch", "F"]


class _LazyModule:
    """A module imported on first attribute access (torch costs ~2 s to import)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr):
        return getattr(importlib.import_module(self._name), attr)


torch = _LazyModule("torch")
F = _LazyModule("torch.nn.functional")


@dataclass(frozen=True)
class Twin:
    """The oracle's entry for one layer type.

    forward(t, config) -> {output name: tensor} (see the module docstring).
    sample(rng, dtype) -> (arrays, config, tags): a case's arrays by name (float
        arrays in `dtype`, index arrays int64), its hyper-parameter dict and the
        edge cases it exercises ('batch1', 'ties', 'stride>kernel', ...). It draws
        the hyper-parameters people really use and the settings that break code,
        and avoids what makes a right answer look wrong (an input at a kink).
    mistakes: {diagnosis: fn(arrays, config, upstream) -> {grad name: array}}, the
        gradients a known mistake returns; a wrong answer that matches one is
        named by its diagnosis.
    adopt(config, outputs) -> config: what the oracle takes from the forward under
        test before differentiating (dropout's mask, read from its output; `outputs`
        are the user's, by output name). An adopt with a third parameter is also
        given the case's arrays: adopt(config, outputs, arrays).
    reconcile(arrays, config, got, expected) -> expected: where more than one answer
        is right (a tie in a pooling window), the right answer nearest `got`.
    tolerance: {dtype: (rtol, atol)} where this layer needs more than the table
        (a named constant of `reference.oracle.tolerances`, with its reason there).
    forward_only(config) -> bool: True for the cases where the backward is not part of
        the layer's usual contract (CS231n's batch norm keeps no cache in test mode, so a
        right `batchnorm_backward` may raise there): the forward and the state are
        judged; a backward that raises is not a failure, one that returns is judged.
    lenient: the sampler's tags of cases outside the convention's usual contract (a
        stride that does not divide the padded size: torch floors, CS231n's skeleton
        asserts it divides); a forward that raises on such a case is not a failure,
        one that returns is judged.
    own(arrays, config, outputs, upstream) -> {grad name: array} | None: the gradients of
        the forward under test itself, read from its outputs, for a random layer (no
        cache can be rebuilt with correct values: dropout's mask is the student's draw).
        When that forward is wrong, a backward that returns these is right for the cache
        it was given (dropout's out = x ⊙ s: dx = dout ⊙ s, whatever s the forward used).
    """

    name: str
    forward: Callable
    sample: Callable
    mistakes: Mapping[str, Callable] = field(default_factory=dict)
    adopt: Callable | None = None
    reconcile: Callable | None = None
    tolerance: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    forward_only: Callable | None = None
    lenient: tuple[str, ...] = ()
    own: Callable | None = None


TWINS: dict[str, Twin] = {}


def register_twin(name: str, forward: Callable, sample: Callable, *,
                  mistakes: Mapping | None = None, adopt: Callable | None = None,
                  reconcile: Callable | None = None, tolerance: Mapping | None = None,
                  forward_only: Callable | None = None, lenient: tuple[str, ...] = (),
                  own: Callable | None = None, replace: bool = False) -> Twin:
    """Add the oracle's side of a layer type; the manual entry must exist."""
    get_layer(name)
    if name in TWINS and not replace:
        raise InputError(f"the twin of layer {name!r} is already registered")
    twin = Twin(name, forward, sample, dict(mistakes or {}), adopt, reconcile,
                dict(tolerance or {}), forward_only, tuple(lenient), own)
    TWINS[name] = twin
    return twin


def get_twin(name: str) -> Twin:
    try:
        return TWINS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown layer {name!r} (known: {', '.join(sorted(TWINS))})"
                         ) from None


@dataclass
class LayerCase:
    """One case of one layer: its arrays, hyper-parameters and upstream gradients.

    `config()` and `inputs()` return fresh copies, so an implementation that
    writes into what it is given (a student's `dout *= mask`) changes nothing
    the oracle reads.
    """

    layer: str
    dtype: str
    seed: int
    arrays: dict[str, np.ndarray]
    hyper: dict | None
    upstream: dict[str, np.ndarray]
    tags: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        tags = "-".join(self.tags)
        return f"{self.layer}-{self.dtype}-s{self.seed}{'-' + tags if tags else ''}"

    def config(self) -> dict | None:
        return copy.deepcopy(self.hyper)

    def inputs(self) -> list:
        """The forward's positional arguments: copies of the arrays, then the config."""
        entry = get_layer(self.layer)
        args = [self.arrays[name].copy() for name in entry.arrays]
        return args + ([self.config()] if entry.config else [])


def make_case(layer: str, seed: int, dtype: str = "float64") -> LayerCase:
    """The case of `layer` drawn from `seed`: the twin's sample, then an upstream
    gradient N(0, 1) per output, shaped by the forward's outputs (manual's forward
    gives the shapes, so drawing a case needs no torch)."""
    entry, twin = get_layer(layer), get_twin(layer)
    rng = np.random.default_rng([seed, sum(map(ord, layer))])
    arrays, hyper, tags = twin.sample(rng, np.dtype(dtype))
    upstream: dict[str, np.ndarray] = {}
    if not entry.loss:
        args = [arrays[n].copy() for n in entry.arrays] + ([copy.deepcopy(hyper)]
                                                           if entry.config else [])
        outs = entry.forward(*args)[:-1]
        for name, out in zip(entry.upstream(), outs):
            upstream[name] = rng.standard_normal(np.shape(out)).astype(dtype)
    return LayerCase(layer, dtype, seed, arrays, hyper, upstream, tuple(tags))


def oracle_layer(layer: str, arrays: Mapping[str, np.ndarray], config: dict | None,
                 upstream: Mapping[str, np.ndarray]) -> tuple[dict, dict]:
    """(outputs, gradients) of one layer by torch autograd in float64.

    outputs: {output name (and state key): ndarray}; gradients: {'d' + array name:
    ndarray} for the entry's differentiated arrays, the vector-Jacobian product
    with `upstream` ({'d' + output name: array}; a loss's is 1).
    """
    entry, twin = get_layer(layer), get_twin(layer)
    t = {}
    for name, value in arrays.items():
        value = np.asarray(value)
        real = value.dtype.kind == "f"
        t[name] = torch.from_numpy(value.astype(np.float64 if real else np.int64, copy=True))
        if name in entry.differentiated:
            t[name].requires_grad_()
    with torch.enable_grad():
        out = twin.forward(t, copy.deepcopy(config))
        if entry.loss:
            roots, seeds = [out["loss"]], [torch.ones_like(out["loss"])]
        else:
            roots = [out[o] for o in entry.outputs]
            seeds = [torch.from_numpy(np.asarray(upstream["d" + o], dtype=np.float64))
                     for o in entry.outputs]
        wrt = [t[name] for name in entry.differentiated]
        grads = torch.autograd.grad(roots, wrt, seeds, allow_unused=True)
    outputs = {k: v.detach().numpy() for k, v in out.items()}
    gradients = {"d" + name: (np.zeros(t[name].shape) if g is None else g.numpy())
                 for name, g in zip(entry.differentiated, grads)}
    return outputs, gradients
