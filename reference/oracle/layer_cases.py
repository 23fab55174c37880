"""Random networks of layers for the matrix: `mlp`, `cnn` and `rnn` architectures drawn
from a seed, in families of K networks that share a structure.

A family's structure (`Structure`) is the layers, their shapes and their
hyper-parameter dicts (a dropout mask and batch norm's running averages too: a
family shares its dicts), drawn from (seed, architecture, dtype, family index);
its K networks differ in their arrays (input, weights, labels, masks), drawn
at once (`draw_family`), so the oracle differentiates the K in one call.

- mlp: [affine, (batchnorm | layernorm), relu, (dropout with a given mask)] × 1..3,
  affine, softmax_loss | svm_loss; x of 2 or 3 axes (affine flattens), optional l2.
- cnn: conv, (spatial_batchnorm), relu, (max_pool | avg_pool), flatten, affine,
  softmax_loss | svm_loss; optional l2.
- rnn: word_embedding, rnn | lstm, temporal_affine, temporal_softmax_loss with a mask.

The edge cases that break code are drawn often and tagged in the case id:
batch1, channel1, kernel1, kernel=input (a kernel as large as the padded input),
stride>kernel, pad>1, odd (odd and non-square sizes), T1, mask-row0 (a sequence
whose mask is all zeros), repeated (repeated word indices), test (batch norm in
test mode), l2.

Kinks. A float32 network rounds differently from the float64 oracle, so a value
within rounding of a kink (relu's 0, a near tie in a max-pooling window, a
hinge margin at 0) could fall on the other side and change the gradient by
O(1) although both answers are right; and a normalization of nearly equal values
(σ ≈ 0) amplifies float32's rounding by 1/σ. `kinks_ok` finds the float32
networks whose float64 forward (the oracle's) has a value within
FLOAT32_KINK_MARGIN of a kink or a normalized group with σ below
FLOAT32_SPREAD_MARGIN of its scale; the checker draws such a network again
(`redraw_member`). Exact ties (a
pooling window of relu's zeros) are routed to the first maximum on both sides
and are kept.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from manual.layers.network import Step

__all__ = ["ARCHS", "Structure", "NetCase", "generate", "families", "structure_of",
           "draw_family", "redraw_member", "kinks_ok", "FLOAT32_KINK_MARGIN",
           "FLOAT32_SPREAD_MARGIN", "MAX_LAYER_FAMILY"]

ARCHS = ("mlp", "cnn", "rnn")
DTYPES = ("float64", "float32")
_SHORT = {"float64": "f64", "float32": "f32"}
MAX_LAYER_FAMILY = 32
# float32's rounding through a few layers moves a value by ~1e-6 of its array's scale;
# a kink farther than this (relative to max(1, max|value|)) is on the same side for both
FLOAT32_KINK_MARGIN = 1e-5
# a batch or layer norm divides float32's rounding of x − μ (~1e-7 of the scale) by σ; a
# σ below 1e-2 of the scale turns it into errors of 1e-4 and more (seen: a conv's db of
# 2e-4 where 0 is right, before a batch norm of two nearly equal values)
FLOAT32_SPREAD_MARGIN = 5e-2


@dataclass(frozen=True)
class Spec:
    """How one array of a network is drawn: 'normal' (N(0, scale²) + shift), 'labels'
    and 'words' (integers in [0, high)), 'mask' (booleans, True with probability p;
    rows listed in `zero_rows` all False)."""

    shape: tuple[int, ...]
    kind: str = "normal"
    scale: float = 1.0
    shift: float = 0.0
    high: int = 0
    p: float = 1.0
    zero_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class Structure:
    """What the K networks of a family share."""

    arch: str
    dtype: str
    layers: tuple[str, ...]
    configs: tuple               # one hyper-parameter dict (or None) per layer
    x: Spec
    arrays: tuple                # per layer: ((name, Spec), ...)
    l2: float = 0.0
    tags: tuple[str, ...] = ()

    def steps(self, arrays=None) -> list[Step]:
        """The network's steps with `arrays` (one dict per layer), or without arrays."""
        arrays = arrays or [dict() for _ in self.layers]
        return [Step(name, dict(a), cfg) for name, a, cfg in zip(self.layers, arrays,
                                                                 self.configs)]


@dataclass(frozen=True)
class NetCase:
    """Case `member` of family `family` of the stream (seed, architectures, dtypes, K)."""

    arch: str
    dtype: str
    seed: int
    family: int
    member: int
    members: int
    archs: tuple[str, ...] = ARCHS
    dtypes: tuple[str, ...] = DTYPES
    tags: tuple[str, ...] = field(default=(), compare=False)

    @property
    def structure(self) -> Structure:
        return structure_of(self.seed, self.family, self.archs, self.dtypes, self.members)

    @property
    def id(self) -> str:
        tags = "".join("-" + t for t in self.tags)
        return f"{self.arch}-{_SHORT[self.dtype]}-s{self.seed}-f{self.family}-k{self.member}{tags}"

    @property
    def family_id(self) -> str:
        """The id of its family: the case's id without the member."""
        return self.id.replace(f"-k{self.member}", "", 1)


def generate(n: int, seed: int = 0, archs=ARCHS, dtypes=DTYPES, family: int = 16,
             start: int = 0) -> list[NetCase]:
    """Cases start..n-1: family f = i // family takes (architecture, dtype) round-robin
    over archs × dtypes, and its structure from (seed, f)."""
    archs, dtypes = tuple(archs), tuple(dtypes)
    out = []
    for i in range(start, n):
        f = i // family
        s = structure_of(seed, f, archs, dtypes, family)
        out.append(NetCase(s.arch, s.dtype, seed, f, i % family, family, archs, dtypes, s.tags))
    return out


def families(cases: list[NetCase]) -> list[list[NetCase]]:
    """Consecutive cases of one family (one stacked oracle call each)."""
    groups: list[list[NetCase]] = []
    for c in cases:
        if groups and groups[-1][0].family == c.family and groups[-1][0].seed == c.seed:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


@functools.lru_cache(maxsize=512)
def structure_of(seed: int, f: int, archs: tuple, dtypes: tuple, family: int) -> Structure:
    combos = [(a, d) for d in dtypes for a in archs]
    arch, dtype = combos[f % len(combos)]
    rng = np.random.default_rng([seed, f, family, ARCHS.index(arch)])
    return _DRAW[arch](rng, dtype)


def _pick(rng, p: float) -> bool:
    return bool(rng.random() < p)


def _batch(rng, tags: list, high: int = 6) -> int:
    if _pick(rng, 0.2):
        tags.append("batch1")
        return 1
    return int(rng.integers(2, high + 1))


def _classifier(rng, tags: list, n_in: int, classes: int, layers, configs, arrays) -> None:
    """affine to the class scores, then softmax_loss or svm_loss."""
    layers += ["affine", rng.choice(["softmax_loss", "svm_loss"])]
    configs += [None, None]
    arrays += [(("w", Spec((n_in, classes), scale=np.sqrt(1 / n_in))),
                ("b", Spec((classes,), scale=0.3))), None]


def _labels(N: int, classes: int) -> tuple:
    return (("y", Spec((N,), "labels", high=classes)),)


def _well_spread(n: int) -> int:
    """A float32 normalization over 2 or 3 values has σ ≈ 0 too often (float32's
    rounding of x − μ over σ, see FLOAT32_SPREAD_MARGIN): 4 instead; 1 stays (x = μ)."""
    return 4 if n in (2, 3) else n


def _bn_config(rng, tags: list, width: int) -> dict:
    test = _pick(rng, 0.25)
    if test:
        tags.append("test")
    return {"mode": "test" if test else "train", "eps": 1e-5, "momentum": 0.9,
            "running_mean": rng.normal(0, 0.3, width),
            "running_var": rng.uniform(0.5, 1.5, width)}


def _mlp(rng, dtype: str) -> Structure:
    tags: list[str] = []
    N = _batch(rng, tags)
    x_shape = (N, int(rng.integers(1, 4)), int(rng.integers(1, 4))) if _pick(rng, 0.25) \
        else (N, int(rng.integers(1, 9)))
    norm = rng.choice(["none", "batchnorm", "layernorm"])
    if norm == "batchnorm" and dtype == "float32":
        N = _well_spread(N)
        x_shape = (N, *x_shape[1:])
    dropout = _pick(rng, 0.5)
    n_in = int(np.prod(x_shape[1:]))
    layers, configs, arrays = [], [], []
    for _ in range(int(rng.integers(1, 4))):
        width = 1 if _pick(rng, 0.1) else int(rng.integers(2, 9))
        if norm == "layernorm" and dtype == "float32":
            width = _well_spread(width)
        elif norm == "batchnorm" and dtype == "float32":
            width = max(width, 4)  # a unit of width 1, relu'd and dropped, feeds the next
            # batch norm a batch of equal values (σ = 0) that float32 rounds apart
        layers.append("affine")
        configs.append(None)
        arrays.append((("w", Spec((n_in, width), scale=np.sqrt(2 / n_in))),
                       ("b", Spec((width,), scale=0.3))))
        if norm != "none":
            layers.append(str(norm))
            configs.append(_bn_config(rng, tags, width) if norm == "batchnorm" else {"eps": 1e-5})
            arrays.append((("gamma", Spec((width,), scale=0.3, shift=1.0)),
                           ("beta", Spec((width,), scale=0.3))))
        layers.append("relu")
        configs.append(None)
        arrays.append(())
        if dropout:
            p = float(rng.choice([0.3, 0.5, 0.8, 1.0]))
            layers.append("dropout")
            configs.append({"p": p, "mode": "train", "mask": rng.random((N, width)) < p})
            arrays.append(())
        n_in = width
    classes = int(rng.integers(2, 6))
    _classifier(rng, tags, n_in, classes, layers, configs, arrays)
    arrays[-1] = _labels(N, classes)
    return _finish(rng, "mlp", dtype, layers, configs, Spec(x_shape), arrays, tags)


def _finish(rng, arch, dtype, layers, configs, x, arrays, tags) -> Structure:
    l2 = 0.0
    if arch != "rnn" and _pick(rng, 0.3):
        l2 = float(rng.choice([0.01, 0.1, 0.5]))
        tags.append("l2")
    tags = list(dict.fromkeys(tags))
    return Structure(arch, dtype, tuple(str(n) for n in layers), tuple(configs), x,
                     tuple(tuple(a) for a in arrays), l2, tuple(tags))


def _conv_geometry(rng, tags: list) -> tuple[int, int, int, int, int, int]:
    """(H, W, HH, WW, stride, pad), drawn with the edge cases, so that the kernel fits the
    padded input and the stride divides H + 2·pad − HH (and W's)."""
    edge = str(rng.choice(["plain", "kernel1", "kernel=input", "stride>kernel", "pad>1"]))
    pad = int(rng.integers(2, 4)) if edge == "pad>1" else int(rng.integers(0, 2))
    HH, WW = (1, 1) if edge in ("kernel1", "stride>kernel") else (
        int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    stride = int(rng.integers(HH + 1, HH + 3)) if edge == "stride>kernel" \
        else int(rng.integers(1, 3))
    if edge == "kernel=input":
        H, W = max(HH - 2 * pad, 1), max(WW - 2 * pad, 1)
        HH, WW, stride = H + 2 * pad, W + 2 * pad, 1
    else:
        H, W = (_fitting(k - 2 * pad, stride) + stride * int(rng.integers(0, 4)) for k in (HH, WW))
    if not (_sees_input(H, HH, stride, pad) and _sees_input(W, WW, stride, pad)):
        pad = 0  # every window on the padding: a constant output (batch norm's σ = 0)
        H, W = (_fitting(k, stride) + stride * int(rng.integers(0, 4)) for k in (HH, WW))
    tags += [tag for tag, true in (
        ("kernel1", HH == WW == 1), ("kernel=input", (HH, WW) == (H + 2 * pad, W + 2 * pad)),
        ("stride>kernel", stride > max(HH, WW)), ("pad>1", pad > 1),
        ("odd", H % 2 or W % 2 or H != W)) if true]
    return H, W, HH, WW, stride, pad


def _sees_input(H: int, HH: int, stride: int, pad: int) -> bool:
    """Some window of the convolution along this axis covers a pixel of the input."""
    return any(i * stride < pad + H and i * stride + HH > pad
               for i in range(1 + (H + 2 * pad - HH) // stride))


def _fitting(base: int, stride: int) -> int:
    """The smallest size ≥ 1 and ≥ base that is base plus a multiple of the stride."""
    return base if base >= 1 else base + stride * -(-(1 - base) // stride)


def _cnn(rng, dtype: str) -> Structure:
    tags: list[str] = []
    N = _batch(rng, tags, 4)
    C = 1 if _pick(rng, 0.3) else int(rng.integers(2, 4))
    if C == 1:
        tags.append("channel1")
    H, W, HH, WW, stride, pad = _conv_geometry(rng, tags)
    Fn = int(rng.integers(1, 5))
    Ho, Wo = 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride
    layers = ["conv"]
    configs: list = [{"stride": stride, "pad": pad}]
    arrays: list = [(("w", Spec((Fn, C, HH, WW), scale=np.sqrt(2 / (C * HH * WW)))),
                     ("b", Spec((Fn,), scale=0.3)))]
    if _pick(rng, 0.4):
        if dtype == "float32" and N * Ho * Wo in (2, 3):
            N = 4
        layers.append("spatial_batchnorm")
        configs.append(_bn_config(rng, tags, Fn))
        arrays.append((("gamma", Spec((Fn,), scale=0.3, shift=1.0)),
                       ("beta", Spec((Fn,), scale=0.3))))
    layers.append("relu")
    configs.append(None)
    arrays.append(())
    if _pick(rng, 0.6):
        Ho, Wo = _pool(rng, tags, Ho, Wo, layers, configs, arrays)
    layers.append("flatten")
    configs.append(None)
    arrays.append(())
    classes = int(rng.integers(2, 6))
    _classifier(rng, tags, Fn * Ho * Wo, classes, layers, configs, arrays)
    arrays[-1] = _labels(N, classes)
    return _finish(rng, "cnn", dtype, layers, configs, Spec((N, C, H, W)), arrays, tags)


def _pool(rng, tags, Ho: int, Wo: int, layers, configs, arrays) -> tuple[int, int]:
    """max_pool or avg_pool with a window that fits and a stride that divides the rest."""
    ph, pw = int(rng.integers(1, min(Ho, 3) + 1)), int(rng.integers(1, min(Wo, 3) + 1))
    s = int(rng.integers(1, 3))
    if (Ho - ph) % s or (Wo - pw) % s:
        s = 1
    kind = str(rng.choice(["max_pool", "avg_pool"]))
    layers.append(kind)
    configs.append({"pool_height": ph, "pool_width": pw, "stride": s})
    arrays.append(())
    return 1 + (Ho - ph) // s, 1 + (Wo - pw) // s


def _rnn(rng, dtype: str) -> Structure:
    tags: list[str] = []
    N = _batch(rng, tags, 4)
    T = 1 if _pick(rng, 0.2) else int(rng.integers(2, 6))
    if T == 1:
        tags.append("T1")
    V = int(rng.integers(2, 7))
    if N * T > V:
        tags.append("repeated")
    D, H, M = (int(rng.integers(1, 5)) for _ in range(3))
    cell = str(rng.choice(["rnn", "lstm"]))
    G = 4 * H if cell == "lstm" else H
    zero_rows = (int(rng.integers(0, N)),) if _pick(rng, 0.3) else ()
    if zero_rows:
        tags.append("mask-row0")
    arrays = [(("W", Spec((V, D))),),
              (("h0", Spec((N, H), scale=0.5)), ("Wx", Spec((D, G), scale=np.sqrt(1 / D))),
               ("Wh", Spec((H, G), scale=np.sqrt(1 / H))), ("b", Spec((G,), scale=0.3))),
              (("w", Spec((H, M), scale=np.sqrt(1 / H))), ("b", Spec((M,), scale=0.3))),
              (("y", Spec((N, T), "labels", high=M)),
               ("mask", Spec((N, T), "mask", p=0.8, zero_rows=zero_rows)))]
    layers = ["word_embedding", cell, "temporal_affine", "temporal_softmax_loss"]
    return _finish(rng, "rnn", dtype, layers, [None] * 4, Spec((N, T), "words", high=V),
                   arrays, tags)


_DRAW = {"mlp": _mlp, "cnn": _cnn, "rnn": _rnn}


def _draw(rng, spec: Spec, K: int, dtype: str) -> np.ndarray:
    shape = (K, *spec.shape)
    if spec.kind == "normal":
        return (rng.standard_normal(shape) * spec.scale + spec.shift).astype(dtype)
    if spec.kind in ("labels", "words"):
        return rng.integers(0, spec.high, shape).astype(np.int64)
    mask = rng.random(shape) < spec.p
    mask[:, list(spec.zero_rows)] = False
    return mask


def draw_family(s: Structure, seed: int, f: int, K: int, member: int | None = None,
                attempt: int = 0):
    """(x (K, ...), [one dict per layer of arrays (K, ...)]) of a family's K networks;
    with `member`, that network alone drawn again (attempt ≥ 1), K = 1."""
    key = [seed, f, K] + ([member, attempt] if member is not None else [])
    rng = np.random.default_rng(key)
    x = _draw(rng, s.x, K, s.dtype)
    arrays = [{name: _draw(rng, spec, K, s.dtype) for name, spec in (a or ())}
              for a in s.arrays]
    return x, arrays


def redraw_member(s: Structure, seed: int, f: int, K: int, member: int, attempt: int):
    """Network `member` drawn again (its `attempt`-th draw), shaped (1, ...)."""
    return draw_family(s, seed, f, K, member, attempt)


def kinks_ok(s: Structure, x, arrays, outputs) -> np.ndarray:
    """(K,) bool: no value of the float64 forward within FLOAT32_KINK_MARGIN of a kink
    (relu's input at 0, a max-pooling window's two largest, an SVM margin at 0)."""
    ok = np.ones(len(x), dtype=bool)
    inputs = [x] + [outputs[k] for k in sorted(outputs)]
    for i, name in enumerate(s.layers):
        if name == "relu":
            ok &= _far(np.abs(inputs[i]), inputs[i])
        elif name == "max_pool":
            ok &= _far(_pool_gaps(inputs[i], s.configs[i]), inputs[i], exact_ties=True)
        elif name == "svm_loss":
            scores, y = inputs[i], arrays[i]["y"]
            correct = np.take_along_axis(scores, y[..., None], axis=-1)
            margins = scores - correct + 1.0
            np.put_along_axis(margins, y[..., None], 1.0, axis=-1)
            ok &= _far(np.abs(margins), scores)
        elif name in _NORM_AXES and (s.configs[i] or {}).get("mode", "train") == "train":
            ok &= _spread(inputs[i], _NORM_AXES[name])
    return ok


# the axes a normalization's statistics run over, with the leading axis K of the family
_NORM_AXES = {"batchnorm": (1,), "spatial_batchnorm": (1, 3, 4), "layernorm": (2,)}


def _spread(a, axes: tuple[int, ...]) -> np.ndarray:
    """(K,) bool: every group a normalization averages over has σ ≥ FLOAT32_SPREAD_MARGIN
    of the input's scale, or a single value (x − μ = 0 exactly in any precision)."""
    count = int(np.prod([a.shape[k] for k in axes]))
    if count == 1:
        return np.ones(len(a), dtype=bool)
    sigma = a.std(axis=axes)
    scale = np.maximum(np.abs(a.reshape(len(a), -1)).max(axis=1), 1.0)
    return (sigma.reshape(len(a), -1) >= FLOAT32_SPREAD_MARGIN * scale[:, None]).all(axis=1)


def _far(distance, values, exact_ties: bool = False) -> np.ndarray:
    K = len(values)
    scale = np.maximum(np.abs(values.reshape(K, -1)).max(axis=1, initial=0.0), 1.0)
    d = distance.reshape(K, -1)
    near = d < FLOAT32_KINK_MARGIN * scale[:, None]
    if exact_ties:
        near &= d != 0
    return ~near.any(axis=1)


def _pool_gaps(a, config) -> np.ndarray:
    """The gap between the two largest values of every pooling window (K, N, C, H', W')."""
    ph, pw, s = config["pool_height"], config["pool_width"], config["stride"]
    if ph * pw == 1:
        return np.full(a.shape, np.inf)
    win = np.lib.stride_tricks.sliding_window_view(a, (ph, pw), axis=(-2, -1))
    win = win[..., ::s, ::s, :, :]
    top = np.sort(win.reshape(*win.shape[:3], -1, ph * pw), axis=-1)
    return top[..., -1] - top[..., -2]
