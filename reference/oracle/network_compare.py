"""Compare a network of layers' answer with the oracle's, by name and index.

An answer (`manual.layers.NetworkGradients`, or anything with `loss`, `outputs`
and `grads` keyed (layer index, layer name, name)) is compared in the order a
reader follows the computation: each layer's output (forward order), the loss,
then every gradient in backward order (the loss's dx first, then each layer's
dx at its input and its parameters'). The first disagreement is named by its
key, its index and what the index means in the layer entry's `axes`
("layer 0 (conv) dw[2, 0, 1, 1]: filter 2, channel 0, kernel row 1, kernel
column 1").

Each entry passes under the allowance of `reference.oracle.tolerances`
(`atol · max(1, max|e|) + rtol · |e|`, per array) with the network's tolerance
(`network_tolerance`: the dtype's row of `LAYER_NETWORK`, loosened by any
layer twin's own override). For float32, an array may also miss by up to
NOISE_FACTOR times what torch's own float32 arithmetic misses the float64
oracle by on the same network (`noise`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from manual.layers import get_layer

from .compare import Mismatch, compare_arrays
from .tolerances import LAYER_NETWORK, allowance, relative_error

__all__ = ["COLUMNS", "NetworkMismatch", "NetworkVerdict", "network_tolerance", "describe_key",
           "compare_network", "compare_network_stacked", "ordered_keys"]

# what a relative error is reported under: a layer's output, the loss, the gradient at a
# layer's input (a boundary: BP2's δ_in = Jᵀ δ_out), a parameter's gradient (BP3/BP4's)
COLUMNS = ("out", "loss", "dx", "dparam")


@dataclass
class NetworkMismatch:
    """Where an answer first disagrees: (layer, its name, the array), index and meaning."""

    layer: int
    name: str            # the layer's registry name ('conv')
    array: str           # 'out', 'loss', 'dx', 'dw', ...
    index: tuple[int, ...]
    meaning: str
    expected: float
    got: float
    abs_err: float
    rel_err: float
    detail: str = ""

    def __str__(self) -> str:
        where = f"layer {self.layer} ({self.name}) {self.array}"
        if self.index:
            where += f"[{', '.join(map(str, self.index))}]"
        if self.meaning:
            where += f" ({self.meaning})"
        if not self.index and not np.isfinite(self.expected):  # a shape, a missing array
            return f"{where}: {self.detail}"
        return (f"{where}: expected {self.expected:.8g}, got {self.got:.8g} "
                f"(rel err {self.rel_err:.3g}){' ' + self.detail if self.detail else ''}")


@dataclass
class NetworkVerdict:
    ok: bool
    mismatch: NetworkMismatch | None = None
    # the largest relative error per (layer name, column): ('conv', 'dparam') -> 3e-15
    max_rel_err: dict[tuple[str, str], float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"ok": self.ok, "mismatch": asdict(self.mismatch) if self.mismatch else None,
                "max_rel_err": {f"{k[0]}:{k[1]}": v for k, v in self.max_rel_err.items()}}


def network_tolerance(layers: Sequence[str], dtype: str) -> tuple[float, float]:
    """(rtol, atol): LAYER_NETWORK's row for the dtype, loosened by any layer twin's own
    override (a float32 convolution's)."""
    # here: the twins cost 22 ms (-X importtime, 2026-12-04); layers only
    from .layers import get_twin

    rtol, atol = LAYER_NETWORK[str(dtype)]
    for name in layers:
        over = dict(getattr(get_twin(name), "tolerance", None) or {}).get(str(dtype))
        if over:
            rtol, atol = max(rtol, over[0]), max(atol, over[1])
    return rtol, atol


def describe_key(key, index, shape=None) -> str:
    """What an index of (i, layer, name) means: the entry's `describe` (its `axes`, a
    gradient's are its array's, or its `meaning`: an LSTM weight's gate)."""
    if key is None or not index:
        return ""
    return get_layer(key[1]).describe(key[2], index, shape)


def ordered_keys(expected) -> list:
    """(key, column) in reading order: outputs, the loss, gradients in backward order."""
    keys = [(k, "out") for k in expected.outputs]
    keys.append((None, "loss"))
    for k in expected.grads:
        keys.append((k, "dx" if k[2] == "d" + get_layer(k[1]).arrays[0] else "dparam"))
    return keys


def _column_key(key, column: str, loss_layer) -> tuple[str, str]:
    return (loss_layer if key is None else key[1], column)


def _value(answer, key):
    if key is None:
        return answer.loss
    return (answer.outputs if key[2] == "out" else answer.grads).get(key)


def compare_network(got, expected, dtype: str, layers: Sequence[str] | None = None,
                    noise: Mapping | None = None) -> NetworkVerdict:
    """One answer against the oracle's (`NetworkAnswer`); `noise` (float32): per key
    (None for the loss), the max |torch float32 − float64| on this network."""
    layers = layers or _layers_of(expected)
    rtol, atol = network_tolerance(layers, dtype)
    first, worst = None, {}
    for key, column in ordered_keys(expected):
        exp, mine = _value(expected, key), _value(got, key)
        ck = _column_key(key, column, layers[-1])
        if mine is None:
            rel, mm = float("inf"), Mismatch(column, -1, (), float("nan"), float("nan"),
                                             float("inf"), float("inf"), "missing from the answer")
        else:
            rel, mm = compare_arrays(mine, exp, rtol, atol, column, -1,
                                     (noise or {}).get(key, 0.0))
        worst[ck] = max(worst.get(ck, 0.0), rel)
        if mm is not None and first is None:
            first = _mismatch(key, layers, mm, np.shape(exp))
    return NetworkVerdict(first is None, first, worst)


def _layers_of(expected) -> list[str]:
    names = {k[0]: k[1] for k in list(expected.outputs) + list(expected.grads)}
    return [names[i] for i in sorted(names)]


def _mismatch(key, layers, mm: Mismatch, shape) -> NetworkMismatch:
    """The array comparison's Mismatch (`reference.oracle.compare.compare_arrays`), named
    by the network's key and the meaning of its index."""
    layer, name, array = (len(layers) - 1, layers[-1], "loss") if key is None else key
    return NetworkMismatch(layer, name, array, mm.index, describe_key(key, mm.index, shape),
                           mm.expected, mm.got, mm.abs_err, mm.rel_err, mm.detail)


def compare_network_stacked(gots: Sequence, expected, dtype: str,
                            layers: Sequence[str] | None = None) -> list[NetworkVerdict]:
    """`compare_network` for K answers against a `StackedNetworkAnswer`, vectorized
    over the K networks array by array; a member that disagrees (or whose arrays do not
    stack) is walked alone to name its first mismatch."""
    layers = list(layers or _layers_of(expected.member(0)))
    rtol, atol = network_tolerance(layers, dtype)
    K = len(gots)
    ok = np.ones(K, dtype=bool)
    worst: dict = {}
    for key, column in ordered_keys(expected):
        exp = np.asarray(expected.loss if key is None else _value(expected, key))
        try:
            G = np.array([_value(g, key) for g in gots], dtype=np.float64)
        except (TypeError, ValueError):
            G = None
        if G is None or G.shape != exp.shape:
            ok[:] = False
            continue
        rel, good = _stacked_pass(G.reshape(K, -1), exp.reshape(K, -1), rtol, atol)
        ok &= good
        ck = _column_key(key, column, layers[-1])
        worst[ck] = np.maximum(worst.get(ck, 0.0), rel)
    verdicts = []
    for k in range(K):
        if ok[k]:
            verdicts.append(NetworkVerdict(True, None, {c: float(v[k]) for c, v in worst.items()}))
        else:
            verdicts.append(compare_network(gots[k], expected.member(k), dtype, layers))
    return verdicts


def _stacked_pass(G, E, rtol, atol):
    """(max rel err (K,), ok (K,)) for K answers of one array, raveled to (K, n)."""
    err = np.abs(G - E)
    scale = np.maximum(np.abs(E).max(axis=1, initial=0.0), 1.0)[:, None]
    good = (err <= allowance(E, rtol, atol, scale)).all(axis=1)
    rel = relative_error(err, E, scale).max(axis=1, initial=0.0)
    return np.where(np.isnan(rel), np.inf, rel), good
