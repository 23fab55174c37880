"""The layer registry: one entry per layer type, in CS231n's convention.

A layer's forward takes its arrays (and, last, a dict of hyper-parameters) and
returns its outputs and a cache; its backward takes the upstream gradient of
each output and the cache and returns the gradient of each differentiable
array, in the order of `grads`:

    out, cache = conv_forward(x, w, b, conv_param)
    dx, dw, db = conv_backward(dout, cache)

This is the rule every layer's backward implements, the generalization of BP2:
δ_in = Jᵀ δ_out (for affine, BP2's (Wᵀδ) before the ⊙ σ'(z)); BP3 and BP4 are
affine's parameter gradients db = Σ δ and dW = aᵀ δ. A loss takes its scores
and targets and returns the loss and the gradient of the scores at once:

    loss, dx = softmax_loss(x, y)

Adding a layer type is one `register_layer(...)` call here (NumPy only) and one
twin on the oracle's side (`reference.oracle.layers`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..errors import InputError

__all__ = ["Layer", "LAYERS", "register_layer", "get_layer"]


@dataclass(frozen=True)
class Layer:
    """One registry entry.

    name: the CS231n name without `_forward`/`_backward` ('conv', 'lstm_step').
    forward: forward(*arrays[, config]) -> (*outputs, cache); a loss:
        forward(*arrays) -> (loss, dx).
    backward: backward(*upstream, cache) -> the gradients named in `grads` (one
        array, not a tuple, when there is one); None for a loss.
    arrays: the names of the forward's array arguments in order ('x', 'w', 'b');
        integer arrays (word indices, labels, masks) are never differentiated.
    config: the name of the forward's last argument, a dict of hyper-parameters
        ('conv_param'), or None.
    outputs: the names of the forward's outputs before the cache ('out'; 'next_h',
        'next_c'); the backward takes 'd' + each of them, in this order.
    grads: the names of the backward's returns, each 'd' + an array's name.
    state: keys of the config that the forward updates in place (batch norm's
        'running_mean', 'running_var'): compared after the forward like an output.
    axes: what each axis of each array means, for messages ('x': ('example',
        'channel', 'row', 'column')); a gradient's axes are its array's; an empty name
        is a singleton axis, left out of the message (Ng's b is (1, 1, 1, filters)).
    loss: True for a loss (forward returns loss and dx; no backward).
    meaning: optional meaning(name, index, shape) -> str | None, for an index `axes`
        cannot describe (an LSTM weight's column j of 4H is 'gate o, unit 3', not
        'column 7'); None falls back to `axes`. Read it through `describe`.
    """

    name: str
    forward: Callable
    backward: Callable | None
    arrays: tuple[str, ...]
    config: str | None = None
    outputs: tuple[str, ...] = ("out",)
    grads: tuple[str, ...] = ("dx",)
    state: tuple[str, ...] = ()
    axes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    loss: bool = False
    meaning: Callable[[str, tuple[int, ...], tuple[int, ...] | None], str | None] | None = None

    def describe(self, name: str, index, shape=None) -> str:
        """What an index of an array, an output or a gradient ('d' + a name) of the
        given shape means: 'example 2, time step 0' from `axes`, or the entry's
        `meaning` ('feature 1, gate o, unit 3'). For an array of another rank than its
        axes (affine's x with more than two axes) only the first axis keeps its name,
        the others read 'axis k index i'; '' for no index."""
        if not len(index):
            return ""
        index = tuple(int(i) for i in index)
        if name not in self.axes and name[:1] == "d" and name[1:] in self.axes:
            name = name[1:]
        shape = None if shape is None else tuple(int(n) for n in shape)
        text = self.meaning(name, index, shape) if self.meaning is not None else None
        if text:
            return text
        axes = tuple(self.axes.get(name, ()))
        if len(axes) != len(index):
            axes = axes[:1] + tuple(f"axis {k} index" for k in range(len(axes[:1]), len(index)))
        return ", ".join(f"{axis} {i}" for axis, i in zip(axes, index) if axis)

    @property
    def differentiated(self) -> tuple[str, ...]:
        """The arrays the backward returns a gradient for, in the order of `grads`."""
        return tuple(g[1:] for g in self.grads)

    def upstream(self) -> tuple[str, ...]:
        """The names of the backward's gradient arguments ('dout'; 'dnext_h', 'dnext_c')."""
        return tuple("d" + o for o in self.outputs)


LAYERS: dict[str, Layer] = {}


def register_layer(name: str, forward: Callable, backward: Callable | None, *,
                   arrays: tuple[str, ...], config: str | None = None,
                   outputs: tuple[str, ...] = ("out",), grads: tuple[str, ...] = ("dx",),
                   state: tuple[str, ...] = (), axes: Mapping | None = None,
                   loss: bool = False, meaning: Callable | None = None,
                   replace: bool = False) -> Layer:
    """Add a layer type to the registry (the manual side of a new layer)."""
    if not isinstance(name, str) or not name.isidentifier():
        raise InputError(f"layer name {name!r} must be an identifier")
    if name in LAYERS and not replace:
        raise InputError(f"layer {name!r} is already registered")
    if not callable(forward) or not (callable(backward) or (loss and backward is None)):
        raise InputError(f"layer {name!r} needs a callable forward and backward")
    unknown = [g for g in grads if g[1:] not in arrays]
    if unknown:
        raise InputError(f"layer {name!r}: gradients {unknown} name no array of {arrays}")
    entry = Layer(name, forward, backward, tuple(arrays), config, tuple(outputs), tuple(grads),
                  tuple(state), dict(axes or {}), loss, meaning)
    LAYERS[name] = entry
    return entry


def get_layer(name: str) -> Layer:
    """The entry of a registered layer; an unknown name is an InputError that lists them."""
    try:
        return LAYERS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown layer {name!r} (known: {', '.join(sorted(LAYERS))})"
                         ) from None
