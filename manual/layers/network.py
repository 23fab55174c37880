"""Networks of layers: a sequence of layer entries ending in a loss, its backward the
chain of the layers' backwards.

    from manual.layers.network import Step, LayerNetwork
    net = LayerNetwork([Step("affine", {"w": w1, "b": b1}),
                        Step("relu"),
                        Step("affine", {"w": w2, "b": b2}),
                        Step("softmax_loss", {"y": y})], l2=0.1)
    g = net.gradients(x)
    g.loss, g.grads[(0, "affine", "dw")], g.grads[(1, "relu", "dx")]

The forward runs each layer's forward on the previous layer's output and keeps
its cache; the loss returns the loss and the gradient of its scores at once
(δᴸ, BP1's role). The backward is BP2 generalized: at every layer boundary
δ_in = Jᵀ δ_out, each layer's own backward (`dout`, its `cache`) -> its `dx`
and its parameter gradients (BP3/BP4's role: db = Σ δ, dw = xᵀ δ for affine).

A step's `arrays` are the entry's arrays after its input (its first array,
'x'): parameters ('w', 'b', 'gamma', 'h0', 'Wx'...) and, for a loss, its targets
('y', 'mask'). Integer arrays are never differentiated.

Every gradient is named (layer index, layer name, gradient name): 'dx' is the
gradient at the layer's input (the boundary; the previous layer's dout), the
others its parameters'. The L2 penalty is the `l2` entry (CS231n's
convention, `l2_param` {'reg': λ}): it adds (λ/2) ‖W‖² to the loss for each
weight (`WEIGHT_NAMES`: 'w', 'W', 'Wx', 'Wh'; not biases, γ, β nor h0) and its
gradient λW to the weight's.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from .base import Layer, get_layer

__all__ = ["Step", "LayerNetwork", "NetworkGradients", "WEIGHT_NAMES", "Key",
           "validate_steps", "is_weight"]

Key = tuple  # (layer index, layer name, array or gradient name)
WEIGHT_NAMES = frozenset({"w", "W", "Wx", "Wh"})


def is_weight(name: str) -> bool:
    """An array the L2 penalty covers (a weight matrix or filter bank)."""
    return name in WEIGHT_NAMES


@dataclass
class Step:
    """One layer of a network: its registry name, its arrays after the input (by the
    entry's names) and its hyper-parameter dict (the entry's `config`, e.g. conv_param)."""

    layer: str
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    config: dict | None = None


@dataclass
class NetworkGradients:
    """What `LayerNetwork.gradients` returns.

    loss: the network's loss (with the L2 penalty when λ > 0).
    outputs: {(i, layer, 'out'): the forward output of layer i} for every layer but the loss.
    grads: {(i, layer, 'd' + name): gradient} in backward order (last layer first):
        'dx' at each layer's input (when its input is differentiated), then its parameters'.
    """

    loss: float
    outputs: dict[Key, np.ndarray]
    grads: dict[Key, np.ndarray]


def validate_steps(steps: Sequence[Step]) -> list[Layer]:
    """The steps' registry entries; an InputError for a network that cannot work: no
    steps, a loss that is not last or a last step that is not a loss, a layer with more
    than one output, arrays missing or unknown, a layer whose input gets no gradient
    (word_embedding) anywhere but first."""
    if not isinstance(steps, Sequence) or isinstance(steps, str) or not steps:
        raise InputError("a network needs a non-empty list of steps (the last a loss)")
    entries = []
    for i, step in enumerate(steps):
        if not isinstance(step, Step):
            raise InputError(f"step {i} must be a manual.layers.network.Step, "
                             f"got {type(step).__name__}")
        entry = get_layer(step.layer)
        last = i == len(steps) - 1
        if entry.loss != last:
            raise InputError(f"step {i} ({step.layer}): " + (
                "a loss can only be the last step" if entry.loss else
                "the last step must be a loss (softmax_loss, svm_loss, ...)"))
        if not entry.loss and len(entry.outputs) != 1:
            raise InputError(f"step {i} ({step.layer}) has {len(entry.outputs)} outputs; a "
                             f"network chains layers with one output (use the sequence form)")
        if i > 0 and entry.arrays[0] not in entry.differentiated:
            raise InputError(f"step {i} ({step.layer}): its input gets no gradient, so it can "
                             f"only be the first layer")
        _validate_arrays(i, step, entry)
        entries.append(entry)
    return entries


def _validate_arrays(i: int, step: Step, entry: Layer) -> None:
    wanted = set(entry.arrays[1:])
    given = set(step.arrays) if isinstance(step.arrays, Mapping) else None
    if given != wanted:
        raise InputError(f"step {i} ({step.layer}) needs arrays {sorted(wanted)} (its input "
                         f"{entry.arrays[0]!r} comes from the previous layer), got "
                         f"{sorted(given) if given is not None else type(step.arrays).__name__}")
    if entry.config and not isinstance(step.config, dict):
        raise InputError(f"step {i} ({step.layer}) needs its {entry.config} dict")


def _copy_config(config: dict) -> dict:
    """A copy of a hyper-parameter dict that a forward may update: its arrays copied,
    its numbers and strings shared (they cannot change); deepcopy for anything else."""
    if all(v is None or isinstance(v, (int, float, str, np.ndarray)) for v in config.values()):
        return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in config.items()}
    return copy.deepcopy(config)


class LayerNetwork:
    """A sequence of layer entries ending in a loss (see the module docstring)."""

    def __init__(self, steps: Sequence[Step], l2: float = 0.0) -> None:
        self.entries = validate_steps(steps)
        self.steps = list(steps)
        if not isinstance(l2, (int, float)) or not np.isfinite(l2) or l2 < 0:
            raise InputError(f"l2 must be a finite number >= 0, got {l2!r}")
        self.l2 = float(l2)

    def forward(self, x) -> tuple[float, np.ndarray, list, dict[Key, np.ndarray]]:
        """Each layer's forward on the previous output, keeping the caches.

        Returns (loss, dscores, caches, outputs): the loss's value and its gradient
        at its scores (the start of the backward), one cache per layer before the
        loss, and each such layer's output. Hyper-parameter dicts are copied, so
        running averages updated by a forward stay in the copy.
        """
        caches, outputs = [], {}
        a = x
        for i, (step, entry) in enumerate(zip(self.steps[:-1], self.entries[:-1])):
            args = [a] + [step.arrays[n] for n in entry.arrays[1:]]
            if entry.config:
                args.append(_copy_config(step.config))
            a, cache = entry.forward(*args)
            caches.append(cache)
            outputs[(i, step.layer, "out")] = a
        last, entry = self.steps[-1], self.entries[-1]
        loss, dscores = entry.forward(a, *[last.arrays[n] for n in entry.arrays[1:]])
        return float(loss) + self.penalty(), dscores, caches, outputs

    def backward(self, dscores, caches) -> dict[Key, np.ndarray]:
        """δ_in = Jᵀ δ_out at every boundary: each layer's backward from the last, its
        'dx' the dout of the layer before; λW added to each weight's gradient."""
        n = len(self.steps) - 1
        loss_step = self.steps[-1]
        grads = {(n, loss_step.layer, "d" + self.entries[-1].arrays[0]): dscores}
        dout = dscores
        for i in range(n - 1, -1, -1):
            step, entry = self.steps[i], self.entries[i]
            got = entry.backward(dout, caches[i])
            got = (got,) if len(entry.grads) == 1 else tuple(got)
            for name, g in zip(entry.grads, got):
                if self.l2 and is_weight(name[1:]):
                    g = g + self._l2(step.arrays[name[1:]])[1]
                grads[(i, step.layer, name)] = g
            dout = grads.get((i, step.layer, "d" + entry.arrays[0]))
        return grads

    def _l2(self, w):
        """The `l2` entry on one weight: ((λ/2) ‖W‖², λW)."""
        return get_layer("l2").forward(w, {"reg": self.l2})

    def penalty(self) -> float:
        """(λ/2) Σ‖W‖² over the weights (0 when λ = 0)."""
        if not self.l2:
            return 0.0
        return sum(float(self._l2(a)[0]) for s in self.steps for k, a in s.arrays.items()
                   if is_weight(k))

    def gradients(self, x) -> NetworkGradients:
        """The forward, then the backward: the loss, each layer's output and every
        named gradient."""
        loss, dscores, caches, outputs = self.forward(x)
        return NetworkGradients(loss, outputs, self.backward(dscores, caches))
