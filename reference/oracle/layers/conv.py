"""The torch twins of the conv family: conv (`F.conv2d`), conv_channels_last (the
same on permuted tensors), max_pool (`F.max_pool2d`) and avg_pool (`F.avg_pool2d`),
with their samplers and the classic wrong gradients as NumPy formulas.

Output size: torch's ⌊(H + 2·pad − HH) / stride⌋ + 1 (CS231n asserts the division is
exact; its layers are right on those cases too, and the samplers draw both).

Max pooling ties: torch sends a window's gradient to its first maximum in row-major
order, and so does `manual`; any one tied position is right. `reconcile` moves the
oracle's answer to the tied position an answer under test chose, window by window,
so that answer passes while one that copies the gradient to every tied maximum, or
splits it, still fails. Ties are drawn only with windows that do not overlap
(stride ≥ window), where each position belongs to one window and the check is exact.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .base import F, register_twin

__all__ = ["CONV_MISTAKES", "MAX_POOL_MISTAKES", "AVG_POOL_MISTAKES", "conv_grads",
           "pool_dx"]


# --- the torch forwards ---------------------------------------------------------------

def _conv(t, config):
    return {"out": F.conv2d(t["x"], t["w"], t["b"], stride=config["stride"],
                            padding=config["pad"])}


def _conv_channels_last(t, config):
    # contiguous: torch's float64 convolution refuses a permuted weight's gradient
    x, w = (t["A_prev"].permute(0, 3, 1, 2).contiguous(),
            t["W"].permute(3, 2, 0, 1).contiguous())
    z = F.conv2d(x, w, t["b"].reshape(-1), stride=config["stride"], padding=config["pad"])
    return {"Z": z.permute(0, 2, 3, 1)}


def _max_pool(t, config):
    window = (config["pool_height"], config["pool_width"])
    return {"out": F.max_pool2d(t["x"], window, stride=config["stride"])}


def _avg_pool(t, config):
    window = (config["pool_height"], config["pool_width"])
    return {"out": F.avg_pool2d(t["x"], window, stride=config["stride"])}


def _pool_channels_last(pool: str):
    """Ng's pooling (A_prev (m, H, W, C), hparameters {'f', 'stride'}) as F.`pool` on the
    permuted tensor (named, not looked up here: torch loads on a twin's first use)."""
    def forward(t, config):
        out = getattr(F, pool)(t["A_prev"].permute(0, 3, 1, 2), config["f"],
                               stride=config["stride"])
        return {"A": out.permute(0, 2, 3, 1)}
    return forward


# --- samplers ----------------------------------------------------------------------------

def _small(rng, one: float, high: int) -> int:
    """1 with probability `one`, else uniform in 2..high."""
    return 1 if rng.random() < one else int(rng.integers(2, high + 1))


def _conv_geometry(rng) -> tuple[int, int, int, int, int]:
    """(HH, WW, stride, pad, fit): a layer people use, or one of the edge cases that
    break code; fit says the input is exactly as large as the padded kernel."""
    kind = rng.choice(["common", "random", "kernel1", "kernel=input", "stride>kernel"],
                      p=[0.3, 0.3, 0.1, 0.15, 0.15])
    if kind == "common":                      # 3×3 or 5×5 'same' padding, stride 1 or 2
        k = int(rng.choice([3, 5], p=[0.75, 0.25]))
        return k, k, int(rng.integers(1, 3)), k // 2, False
    if kind == "kernel1":
        return 1, 1, int(rng.integers(1, 3)), int(rng.integers(0, 2)), False
    if kind == "stride>kernel":
        HH, WW = (int(k) for k in rng.integers(1, 3, size=2))
        return HH, WW, max(HH, WW) + int(rng.integers(1, 3)), int(rng.integers(0, 3)), False
    HH, WW = (int(k) for k in rng.integers(1, 6, size=2))
    stride = int(rng.integers(1, 4))
    if kind == "kernel=input":
        return HH, WW, stride, int(rng.integers(0, (min(HH, WW) - 1) // 2 + 1)), True
    return HH, WW, stride, int(rng.choice(4, p=[0.35, 0.35, 0.2, 0.1])), False


def _conv_tags(N, C, H, W, HH, WW, stride, pad) -> tuple[str, ...]:
    checks = {
        "batch1": N == 1, "channel1": C == 1, "kernel1": HH == WW == 1,
        "kernel=input": H + 2 * pad == HH or W + 2 * pad == WW,
        "stride>kernel": stride > min(HH, WW), "stride>1": stride > 1,
        "pad0": pad == 0, "pad>1": pad > 1, "nonsquare": H != W, "rect-kernel": HH != WW,
        "odd": H % 2 == 1 or W % 2 == 1,
        "floor": (H + 2 * pad - HH) % stride != 0 or (W + 2 * pad - WW) % stride != 0,
        # the stride moves a window (stride > 1 and two windows on an axis): a loop that
        # forgets it is wrong only here
        "strided": stride > 1 and (H + 2 * pad - HH >= stride or W + 2 * pad - WW >= stride),
    }
    return tuple(tag for tag, on in checks.items() if on)


def _conv_sample(rng, dtype):
    """x (N, C, H, W), w (F, C, HH, WW) scaled by 1/√(C·HH·WW), b (F,): every array
    N(0, 1)-like; a convolution has no kink, so nothing needs avoiding."""
    HH, WW, stride, pad, fit = _conv_geometry(rng)
    N, C, Fn = _small(rng, 0.2, 4), _small(rng, 0.25, 3), int(rng.integers(1, 5))
    if fit:
        H, W = HH - 2 * pad, WW - 2 * pad
    else:
        H, W = (max(1, k - 2 * pad) + int(rng.integers(0, 7)) for k in (HH, WW))
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((Fn, C, HH, WW)) / np.sqrt(C * HH * WW)
    b = rng.standard_normal(Fn)
    arrays = {"x": x.astype(dtype), "w": w.astype(dtype), "b": b.astype(dtype)}
    return arrays, {"stride": stride, "pad": pad}, _conv_tags(N, C, H, W, HH, WW, stride, pad)


def _conv_channels_last_sample(rng, dtype):
    """The NCHW sample in Ng's layout: A_prev (m, H, W, C), W (HH, WW, C, F),
    b (1, 1, 1, F)."""
    arrays, config, tags = _conv_sample(rng, dtype)
    return ({"A_prev": np.ascontiguousarray(arrays["x"].transpose(0, 2, 3, 1)),
             "W": np.ascontiguousarray(arrays["w"].transpose(2, 3, 1, 0)),
             "b": arrays["b"].reshape(1, 1, 1, -1)}, config, tags)


def _pool_geometry(rng, ties: bool) -> tuple[int, int, int, str]:
    """(pool_height, pool_width, stride, kind)."""
    kinds = ["common", "overlap", "gaps", "window=input"] + (["ties"] if ties else [])
    kind = str(rng.choice(kinds, p=[0.25, 0.25, 0.15, 0.1, 0.25] if ties else
                          [0.35, 0.3, 0.2, 0.15]))
    if kind == "common":                      # 2×2 stride 2, 3×3 stride 2, 2×2 stride 1
        return [(2, 2, 2), (3, 3, 2), (2, 2, 1)][int(rng.integers(0, 3))] + (kind,)
    ph, pw = (int(k) for k in rng.integers(1, 5, size=2))
    if kind == "overlap":
        ph, pw = max(ph, 2), max(pw, 2)
        return ph, pw, int(rng.integers(1, min(ph, pw))), kind
    if kind in ("gaps", "ties"):              # non-overlapping windows
        extra = int(rng.integers(1, 3)) if kind == "gaps" else int(rng.integers(0, 2))
        return ph, pw, max(ph, pw) + extra, kind
    return ph, pw, int(rng.integers(1, 4)), kind


def _pool_values(rng, shape, kind: str) -> np.ndarray:
    """Distinct values (a permutation of an evenly spaced grid, so float32 keeps them
    apart and no window has a tie), or for 'ties' a relu of small integers (many
    zeros and repeated values, so many windows tie)."""
    if kind == "ties":
        return np.maximum(rng.integers(-2, 3, size=shape), 0).astype(np.float64)
    size = int(np.prod(shape))
    return ((rng.permutation(size) - size / 2) * (4.0 / size)).reshape(shape)


def _pool_sample(rng, dtype, ties: bool, square: bool = False):
    ph, pw, stride, kind = _pool_geometry(rng, ties)
    pw = ph if square else pw             # Ng's f: square windows (strides unchanged)
    N, C = _small(rng, 0.2, 3), _small(rng, 0.25, 3)
    H, W = ph + int(rng.integers(0, 6)), pw + int(rng.integers(0, 6))
    if kind == "window=input":
        H, W = ph, pw
    x = _pool_values(rng, (N, C, H, W), kind) if ties else rng.standard_normal((N, C, H, W))
    config = {"pool_height": ph, "pool_width": pw, "stride": stride}
    checks = {"batch1": N == 1, "channel1": C == 1, "window=input": H == ph and W == pw,
              "overlap": stride < max(ph, pw), "stride>window": stride > min(ph, pw),
              "nonsquare": ph != pw, "odd": H % 2 == 1 or W % 2 == 1,
              "floor": (H - ph) % stride != 0 or (W - pw) % stride != 0,
              "strided": stride > 1 and (H - ph >= stride or W - pw >= stride),
              "ties": kind == "ties" and bool((_tied(x, ph, pw, stride).sum(-1) > 1).any())}
    return {"x": x.astype(dtype)}, config, tuple(t for t, on in checks.items() if on)


def _max_pool_sample(rng, dtype):
    return _pool_sample(rng, dtype, ties=True)


def _avg_pool_sample(rng, dtype):
    return _pool_sample(rng, dtype, ties=False)


def _nchw_config(config) -> dict:
    """Ng's hparameters {'f', 'stride'} as CS231n's pool_param."""
    return {"pool_height": config["f"], "pool_width": config["f"], "stride": config["stride"]}


def _pool_channels_last_sample(ties: bool):
    """The NCHW pooling sample with square windows, in Ng's layout: A_prev (m, H, W, C),
    hparameters {'f', 'stride'}."""
    def sample(rng, dtype):
        arrays, config, tags = _pool_sample(rng, dtype, ties, square=True)
        return ({"A_prev": np.ascontiguousarray(arrays["x"].transpose(0, 2, 3, 1))},
                {"f": config["pool_height"], "stride": config["stride"]}, tags)
    return sample


# --- the right gradients as NumPy formulas, and the classic wrong ones ----------------

def _windows(x, kh, kw, step, out_hw):
    """The (N, C, H', W', kh·kw) windows of x at rows and columns 0, step, 2·step, ..."""
    win = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::step, ::step]
    win = win[:, :, :out_hw[0], :out_hw[1]]
    return win.reshape(*win.shape[:4], kh * kw)


def _scatter(per_offset, shape, kh, kw, step, out_hw):
    """Σ over window offsets (i, j) of per_offset[..., i·kw + j] added at rows
    i, i + step, ... and columns j, j + step, ..."""
    dx = np.zeros(shape)
    rows, cols = step * (out_hw[0] - 1) + 1, step * (out_hw[1] - 1) + 1
    for i in range(kh):
        for j in range(kw):
            dx[:, :, i:i + rows:step, j:j + cols:step] += per_offset[..., i * kw + j]
    return dx


def conv_grads(x, w, dout, stride: int, pad: int, *, step: int | None = None,
               flip: bool = False):
    """(dx of the padded input, dw, db) of a convolution in float64, the windows taken at
    (step·h, step·w) (step = stride; 1 is the 'stride ignored' mistake); `flip` scatters
    dx with the kernel flipped (a mistake)."""
    step = stride if step is None else step
    x, w, dout = (np.asarray(a, dtype=np.float64) for a in (x, w, dout))
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Fn, C, HH, WW = w.shape
    out_hw = dout.shape[2:]
    win = _windows(xp, HH, WW, step, out_hw)                       # (N, C, H', W', HH·WW)
    dw = np.einsum("nfhw,nchwk->fck", dout, win).reshape(w.shape)
    wk = w[:, :, ::-1, ::-1] if flip else w
    per_offset = np.einsum("nfhw,fck->nchwk", dout, wk.reshape(Fn, C, HH * WW))
    dxp = _scatter(per_offset, xp.shape, HH, WW, step, out_hw)
    return dxp, dw, dout.sum(axis=(0, 2, 3))


def _untransposed(dw) -> dict:
    """Saito's im2col backward, col.T @ dout of shape (C·HH·WW, F), reshaped to (F, C, HH,
    WW) without its transpose (nothing where that is the same array)."""
    wrong = dw.reshape(dw.shape[0], -1).T.reshape(dw.shape)
    return {} if np.array_equal(wrong, dw) else {"dw": wrong}


def _conv_mistake(which):
    """A mistake fn(arrays, config, upstream) -> {grad: array} from conv_grads."""
    def mistake(arrays, config, up):
        x, dout, pad = arrays["x"], up["dout"], config["pad"]
        H, W = x.shape[2:]
        N, Ho, Wo = dout.shape[0], dout.shape[2], dout.shape[3]
        if which == "stride":
            dxp, dw, _ = conv_grads(x, arrays["w"], dout, config["stride"], pad, step=1)
            return {"dx": dxp[:, :, pad:pad + H, pad:pad + W], "dw": dw}
        dxp, dw, db = conv_grads(x, arrays["w"], dout, config["stride"], pad,
                                 flip=which == "flip-dx")
        return {"padded": {"dx": dxp}, "corner": {"dx": dxp[:, :, :H, :W]},
                "flip-dx": {"dx": dxp[:, :, pad:pad + H, pad:pad + W]},
                "flip-dw": {"dw": dw[:, :, ::-1, ::-1]}, "dw-mean": {"dw": dw / N},
                "db-mean": {"db": db / N}, "db-mean-all": {"db": db / (N * Ho * Wo)},
                "db-one": {"db": np.asarray(dout, dtype=np.float64)[0].sum(axis=(1, 2))},
                "dw-untransposed": _untransposed(dw),
                }[which]
    return mistake


CONV_MISTAKES = {
    "dx not cropped: the gradient of the zero-padded input returned, padding and all":
        _conv_mistake("padded"),
    "dx cropped at the top-left corner: the padding removed from one side only":
        _conv_mistake("corner"),
    "the stride ignored in the backward: windows taken at every pixel, not every "
    "stride-th": _conv_mistake("stride"),
    "dw correlated the wrong way: the kernel flipped (dw[:, :, ::-1, ::-1])":
        _conv_mistake("flip-dw"),
    "dx scattered through the flipped kernel (w[:, :, ::-1, ::-1]), a convolution where "
    "the backward of a correlation needs a correlation": _conv_mistake("flip-dx"),
    "dw averaged over the examples instead of summed": _conv_mistake("dw-mean"),
    "db averaged over the examples instead of summed": _conv_mistake("db-mean"),
    "db averaged over the examples and output positions instead of summed":
        _conv_mistake("db-mean-all"),
    "db summed over the first example only, not over every example": _conv_mistake("db-one"),
    "dw reshaped to (F, C, HH, WW) from the (C·HH·WW, F) product col.T @ dout without its "
    "transpose": _conv_mistake("dw-untransposed"),
}


def _channels_last(mistake):
    """A conv mistake read in Ng's layout: arrays and dZ transposed to NCHW, the wrong
    gradients transposed back."""
    def wrapped(arrays, config, up):
        nchw = {"x": np.asarray(arrays["A_prev"]).transpose(0, 3, 1, 2),
                "w": np.asarray(arrays["W"]).transpose(3, 2, 0, 1),
                "b": np.asarray(arrays["b"]).reshape(-1)}
        wrong = mistake(nchw, config, {"dout": np.asarray(up["dZ"]).transpose(0, 3, 1, 2)})
        back = {"dx": ("dA_prev", lambda a: a.transpose(0, 2, 3, 1)),
                "dw": ("dW", lambda a: a.transpose(2, 3, 1, 0)),
                "db": ("db", lambda a: a.reshape(1, 1, 1, -1))}
        return {back[k][0]: back[k][1](v) for k, v in wrong.items()}
    return wrapped


def pool_dx(x, dout, config, *, route: str, step: int | None = None):
    """dx of a pooling layer in float64, each window's dout spread by `route`: 'first'
    (its first maximum, max pooling), 'ties' (every tied maximum), 'all' (every
    position), 'mean' (every position, / (pool_height · pool_width)); windows at
    (step·h, step·w) (step = stride; 1 is a mistake)."""
    ph, pw, stride = config["pool_height"], config["pool_width"], config["stride"]
    step = stride if step is None else step
    x, dout = np.asarray(x, dtype=np.float64), np.asarray(dout, dtype=np.float64)
    win = _windows(x, ph, pw, step, dout.shape[2:])
    if route == "first":
        weight = np.arange(ph * pw) == win.argmax(axis=-1)[..., None]
    elif route == "ties":
        weight = win == win.max(axis=-1, keepdims=True)
    else:
        weight = np.full(win.shape, 1.0 / (ph * pw) if route == "mean" else 1.0)
    return _scatter(weight * dout[..., None], x.shape, ph, pw, step, dout.shape[2:])


def _overwritten(x, dout, config, route: str):
    """dx when each window *assigns* its gradient (dx[window] = ...) in row-major window
    order: a position shared by overlapping windows keeps only the last window's (max
    pooling: dout at that window's first maximum, 0 elsewhere in it)."""
    ph, pw, stride = config["pool_height"], config["pool_width"], config["stride"]
    x, dout = np.asarray(x, dtype=np.float64), np.asarray(dout, dtype=np.float64)
    Ho, Wo = dout.shape[2:]
    ys, xs = np.arange(x.shape[2]), np.arange(x.shape[3])
    hl, wl = np.minimum(ys // stride, Ho - 1), np.minimum(xs // stride, Wo - 1)
    covered = ((ys - hl * stride) < ph)[:, None] & ((xs - wl * stride) < pw)[None, :]
    last = dout[:, :, hl[:, None], wl[None, :]]
    if route == "mean":
        return np.where(covered, last / (ph * pw), 0.0)
    first = _windows(x, ph, pw, stride, (Ho, Wo)).argmax(axis=-1)[:, :, hl[:, None], wl[None, :]]
    offset = (ys - hl * stride)[:, None] * pw + (xs - wl * stride)[None, :]
    return np.where(covered & (offset == first), last, 0.0)


def _unshifted(x, dout, config):
    """dx with each window's maximum put at its offset inside the window, as if every
    window started at (0, 0)."""
    ph, pw, stride = config["pool_height"], config["pool_width"], config["stride"]
    x, dout = np.asarray(x, dtype=np.float64), np.asarray(dout, dtype=np.float64)
    k = _windows(x, ph, pw, stride, dout.shape[2:]).argmax(axis=-1)
    n, c = np.indices(k.shape)[:2]
    dx = np.zeros(x.shape)
    np.add.at(dx, (n, c, k // pw, k % pw), dout)
    return dx


MAX_POOL_MISTAKES = {
    "the gradient copied to every tied maximum of a window (it belongs to one of them)":
        lambda a, c, u: {"dx": pool_dx(a["x"], u["dout"], c, route="ties")},
    "the gradient spread over the whole window instead of routed to its maximum":
        lambda a, c, u: {"dx": pool_dx(a["x"], u["dout"], c, route="all")},
    "the maximum's position not offset by its window's start (h·stride, w·stride)":
        lambda a, c, u: {"dx": _unshifted(a["x"], u["dout"], c)},
    "the stride ignored in the backward: windows taken at every pixel, not every "
    "stride-th": lambda a, c, u: {"dx": pool_dx(a["x"], u["dout"], c, route="first", step=1)},
    "overlapping windows overwrite each other's gradient (dx[window] = ... instead of +=)":
        lambda a, c, u: {"dx": _overwritten(a["x"], u["dout"], c, "first")},
}
AVG_POOL_MISTAKES = {
    "the average's 1/(pool_height·pool_width) missing from the gradient":
        lambda a, c, u: {"dx": pool_dx(a["x"], u["dout"], c, route="all")},
    "the stride ignored in the backward: windows taken at every pixel, not every "
    "stride-th": lambda a, c, u: {"dx": pool_dx(a["x"], u["dout"], c, route="mean", step=1)},
    "overlapping windows overwrite each other's gradient (dx[window] = ... instead of +=)":
        lambda a, c, u: {"dx": _overwritten(a["x"], u["dout"], c, "mean")},
}


# --- ties: any one tied maximum is right --------------------------------------------

def _tied(x, ph, pw, stride) -> np.ndarray:
    """(N, C, H', W', ph·pw): True where a window reaches its maximum."""
    Ho, Wo = (x.shape[2] - ph) // stride + 1, (x.shape[3] - pw) // stride + 1
    win = _windows(np.asarray(x, dtype=np.float64), ph, pw, stride, (Ho, Wo))
    return win == win.max(axis=-1, keepdims=True)


def _max_pool_reconcile(arrays, config, got, expected):
    """The right dx nearest the answer: in every window with a tie, the window's whole
    gradient at the tied position where the answer put the most of it (the nearest
    of the right answers). Only for windows that do not overlap, where a window's
    gradient is the sum of dx over it; otherwise (no ties are drawn there) unchanged."""
    ph, pw, stride = config["pool_height"], config["pool_width"], config["stride"]
    dx_got = got.get("dx") if isinstance(got, Mapping) else None
    if stride < max(ph, pw) or dx_got is None or "dx" not in expected:
        return expected
    try:
        dx_got = np.asarray(dx_got, dtype=np.float64)
    except (TypeError, ValueError):
        return expected
    dx_exp = np.asarray(expected["dx"], dtype=np.float64)
    tied = _tied(arrays["x"], ph, pw, stride)
    if dx_got.shape != dx_exp.shape or not (tied.sum(axis=-1) > 1).any():
        return expected
    out_hw = tied.shape[2:4]
    total = _windows(dx_exp, ph, pw, stride, out_hw).sum(axis=-1)
    lowest = np.finfo(np.float64).min
    share = np.nan_to_num(total[..., None] * _windows(dx_got, ph, pw, stride, out_hw),
                          nan=lowest, posinf=-lowest, neginf=lowest)
    chosen = np.arange(ph * pw) == np.where(tied, share, -np.inf).argmax(axis=-1)[..., None]
    dx = _scatter(chosen * total[..., None], dx_exp.shape, ph, pw, stride, out_hw)
    return {**expected, "dx": dx}


def _pool_nchw(arrays, config, up=None):
    """Ng's pooling arrays, hparameters and dA as the NCHW twin's."""
    nchw = {"x": np.asarray(arrays["A_prev"]).transpose(0, 3, 1, 2)}
    dout = {} if up is None else {"dout": np.asarray(up["dA"]).transpose(0, 3, 1, 2)}
    return nchw, _nchw_config(config), dout


def _pool_channels_last_mistake(mistake):
    """A pooling mistake read in Ng's layout (transposed in, dA_prev transposed back)."""
    def wrapped(arrays, config, up):
        wrong = mistake(*_pool_nchw(arrays, config, up))
        return {"dA_prev": np.asarray(wrong["dx"]).transpose(0, 2, 3, 1)}
    return wrapped


def _max_pool_channels_last_reconcile(arrays, config, got, expected):
    """`_max_pool_reconcile` in Ng's layout."""
    nchw, pool_param, _ = _pool_nchw(arrays, config)
    if not isinstance(got, Mapping) or got.get("dA_prev") is None or "dA_prev" not in expected:
        return expected
    try:
        dx_got = np.asarray(got["dA_prev"], dtype=np.float64)
    except (TypeError, ValueError):
        return expected
    if dx_got.ndim != 4:
        return expected
    near = _max_pool_reconcile(
        nchw, pool_param, {"dx": dx_got.transpose(0, 3, 1, 2)},
        {"dx": np.asarray(expected["dA_prev"], dtype=np.float64).transpose(0, 3, 1, 2)})
    return {**expected, "dA_prev": np.ascontiguousarray(near["dx"].transpose(0, 2, 3, 1))}


register_twin("conv", _conv, _conv_sample, mistakes=CONV_MISTAKES, lenient=("floor",))
register_twin("conv_channels_last", _conv_channels_last, _conv_channels_last_sample,
              mistakes={k: _channels_last(v) for k, v in CONV_MISTAKES.items()},
              lenient=("floor",))
register_twin("max_pool", _max_pool, _max_pool_sample, mistakes=MAX_POOL_MISTAKES,
              reconcile=_max_pool_reconcile, lenient=("floor",))
register_twin("avg_pool", _avg_pool, _avg_pool_sample, mistakes=AVG_POOL_MISTAKES,
              lenient=("floor",))
register_twin("max_pool_channels_last", _pool_channels_last("max_pool2d"),
              _pool_channels_last_sample(ties=True),
              mistakes={k: _pool_channels_last_mistake(v) for k, v in MAX_POOL_MISTAKES.items()},
              reconcile=_max_pool_channels_last_reconcile, lenient=("floor",))
register_twin("avg_pool_channels_last", _pool_channels_last("avg_pool2d"),
              _pool_channels_last_sample(ties=False),
              mistakes={k: _pool_channels_last_mistake(v) for k, v in AVG_POOL_MISTAKES.items()},
              lenient=("floor",))
