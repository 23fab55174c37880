"""The oracle's twin of a network of layers (`manual.layers.network`): the same
sequence composed from the layers' torch twins, differentiated by autograd.

Nothing here uses a hand-written backward. The loss of the composed forward
(plus the `l2` twin's (λ/2) ‖W‖² on every weight when asked) is differentiated
by one `torch.autograd.grad` call with respect to every parameter and to every
layer boundary. A boundary's
gradient is taken through a probe: a zero tensor added to the layer's input
(∂L/∂(a + p) at p = 0 is ∂L/∂a), so it is the same computation whether the
networks are differentiated one at a time or K at once.

K networks of one structure (same layers, shapes and hyper-parameter dicts,
different arrays) are differentiated in one call: their losses are summed,
and since no network's arrays reach another's loss, each gradient is that
network's own. With `vectorize` (the default) the composed forward is mapped
over the K networks by `torch.func.vmap` (a convolution of K filter banks
becomes one grouped convolution); a twin that vmap cannot map falls back to a
loop over the K networks inside the same autograd call.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from manual.errors import InputError
from manual.layers.network import Key, Step, is_weight, validate_steps

from .base import get_twin, torch

__all__ = ["NetworkAnswer", "StackedNetworkAnswer", "oracle_network", "oracle_network_stacked"]


@dataclass
class NetworkAnswer:
    """One network's answer (float64 ndarrays), keyed as `manual.layers.NetworkGradients`."""

    loss: float
    outputs: dict[Key, np.ndarray]
    grads: dict[Key, np.ndarray]


@dataclass
class StackedNetworkAnswer:
    """The answer for K networks: `loss` (K,), every array with a leading axis K."""

    loss: np.ndarray
    outputs: dict[Key, np.ndarray]
    grads: dict[Key, np.ndarray]

    def __len__(self) -> int:
        return len(self.loss)

    def member(self, k: int) -> NetworkAnswer:
        return NetworkAnswer(float(self.loss[k]), {key: v[k] for key, v in self.outputs.items()},
                             {key: v[k] for key, v in self.grads.items()})


def oracle_network(steps: Sequence[Step], x, l2: float = 0.0,
                   precision: str = "float64") -> NetworkAnswer:
    """The loss, each layer's output and every named gradient of one network by autograd
    (in `precision`: float64, or float32 to measure float32's own rounding)."""
    arrays = [{k: np.asarray(v)[None] for k, v in s.arrays.items()} for s in steps]
    return oracle_network_stacked(steps, np.asarray(x)[None], arrays, l2, precision,
                                  vectorize=False).member(0)


def oracle_network_stacked(steps: Sequence[Step], x, arrays: Sequence[Mapping[str, np.ndarray]],
                           l2: float = 0.0, precision: str = "float64",
                           vectorize: bool = True) -> StackedNetworkAnswer:
    """The answer for K networks of one structure at once.

    steps: the structure (layer names and hyper-parameter dicts; their arrays are
    not read); x: the K inputs (K, ...); arrays[i]: step i's arrays, each (K, ...).
    """
    entries = validate_steps([Step(s.layer, dict(a), s.config) for s, a in zip(steps, arrays)])
    if len(arrays) != len(steps):
        raise InputError(f"{len(steps)} steps but {len(arrays)} dicts of arrays")
    if precision not in ("float64", "float32"):
        raise InputError(f"precision must be 'float64' or 'float32', not {precision!r}")
    net = _Composed(steps, entries, l2)
    dt = getattr(torch, precision)
    tx = _tensor(x, dt, entries[0].arrays[0] in entries[0].differentiated)
    ta = [{k: _tensor(v, dt, k in e.differentiated) for k, v in a.items()}
          for a, e in zip(arrays, entries)]
    with torch.no_grad():  # the boundaries' shapes, from the first network alone
        _, outs = net(tx[0], {}, [{k: v[0] for k, v in a.items()} for a in ta])
    shapes = [tuple(tx.shape)] + [(len(tx),) + tuple(o.shape) for o in outs]
    probes = {i: torch.zeros(shapes[i], dtype=dt, requires_grad=True)
              for i in range(len(steps)) if net.probed[i]}
    with torch.enable_grad():
        loss, outs = _stacked_forward(net, tx, probes, ta, vectorize)
        named = [((i, steps[i].layer, "d" + entries[i].arrays[0]), p) for i, p in probes.items()]
        named += [((i, s.layer, "d" + k), t) for i, (s, a) in enumerate(zip(steps, ta))
                  for k, t in a.items() if t.requires_grad]
        grads = torch.autograd.grad(loss.sum(), [t for _, t in named], allow_unused=True)
    by_key = {key: torch.zeros_like(t) if g is None else g for (key, t), g in zip(named, grads)}
    return _answer(net, loss, outs, by_key)


def _tensor(value, dt, differentiated: bool):
    value = np.asarray(value)
    if value.dtype.kind != "f":
        return torch.from_numpy(value.astype(np.int64))
    t = torch.from_numpy(np.array(value, dtype=np.float64)).to(dt)
    return t.requires_grad_() if differentiated else t


class _Composed:
    """The composed forward of one network: twin after twin, probes added at the
    boundaries, the L2 penalty added to the loss."""

    def __init__(self, steps, entries, l2: float):
        self.steps, self.entries, self.l2 = list(steps), entries, float(l2)
        self.twins = [get_twin(s.layer) for s in steps]
        self.probed = [e.arrays[0] in e.differentiated for e in entries]

    def __call__(self, x, probes, arrays):
        a, outs = x, []
        for i, (step, entry, twin) in enumerate(zip(self.steps, self.entries, self.twins)):
            if i in probes:
                a = a + probes[i]
            out = self._forward(twin, {entry.arrays[0]: a, **arrays[i]}, step.config)
            if entry.loss:
                loss = out["loss"]
            else:
                a = out[entry.outputs[0]]
                outs.append(a)
        if self.l2:  # the l2 twin on every weight
            l2 = get_twin("l2").forward
            loss = loss + sum(l2({"w": t}, {"reg": self.l2})["loss"] for arr in arrays
                              for k, t in arr.items() if is_weight(k))
        return loss, outs


    @staticmethod
    def _forward(twin, t, config):
        """The twin's forward; a twin that runs in float64 only (its hyper-parameter
        arrays are float64: batch norm's running averages) is run in float64 when asked
        for float32, and its outputs rounded to float32."""
        try:
            return twin.forward(t, copy.deepcopy(config))
        except RuntimeError:
            if not any(v.dtype == torch.float32 for v in t.values()):
                raise
        up = {k: v.double() if v.is_floating_point() else v for k, v in t.items()}
        return {k: v.float() for k, v in twin.forward(up, copy.deepcopy(config)).items()}


_NO_VMAP: set = set()  # structures (layer names) whose twins vmap could not map


def _stacked_forward(net: _Composed, tx, probes, ta, vectorize: bool):
    """(losses (K,), outputs each (K, ...)): vmapped, or a loop over the K networks."""
    key = tuple(s.layer for s in net.steps)
    if vectorize and key not in _NO_VMAP:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # vmap's notes on slow batching rules
                return torch.func.vmap(net)(tx, probes, ta)
        except (RuntimeError, NotImplementedError, ValueError, TypeError):
            _NO_VMAP.add(key)
    losses, outs = [], []
    for k in range(len(tx)):
        pk = {i: p[k] for i, p in probes.items()}
        loss, o = net(tx[k], pk, [{n: v[k] for n, v in a.items()} for a in ta])
        losses.append(loss)
        outs.append(o)
    return torch.stack(losses), [torch.stack(layer) for layer in zip(*outs)]


def _answer(net: _Composed, loss, outs, by_key) -> StackedNetworkAnswer:
    """The gradients named (i, layer, 'd' + array), in backward order (last layer first,
    its input's gradient before its parameters'), as float64 ndarrays."""
    as_np = lambda t: t.detach().to(torch.float64).numpy()
    ordered = {}
    for i in range(len(net.steps) - 1, -1, -1):
        entry = net.entries[i]
        for name in dict.fromkeys(["d" + entry.arrays[0], *entry.grads]):
            key = (i, net.steps[i].layer, name)
            if key in by_key:
                ordered[key] = as_np(by_key[key])
    outputs = {(i, net.steps[i].layer, "out"): as_np(o) for i, o in enumerate(outs)}
    return StackedNetworkAnswer(as_np(loss), outputs, ordered)
