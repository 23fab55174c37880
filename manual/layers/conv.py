"""The conv family: convolution (NCHW as in CS231n, and the channels-last layout of
Ng's course 4), max and average pooling, in CS231n's convention.

    out, cache = conv_forward(x, w, b, {"stride": 1, "pad": 1})
    dx, dw, db = conv_backward(dout, cache)
    out, cache = max_pool_forward(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    dx = max_pool_backward(dout, cache)

Output size. H' = ⌊(H + 2·pad − HH) / stride⌋ + 1, and the same for W': torch's rule
(and Ng's `int(...)`). CS231n asserts that the division is exact; here a remainder is
allowed, and the rows and columns of the padded input past the last window take part
in no output, so their gradient is 0. A kernel larger than the padded input, a stride
of 0 or a stride that is not an integer is an `InputError`.

How. The convolution is im2col and one matrix product per example: the windows of
the padded input are a strided view (no copy), copied once into
cols (N, C·HH·WW, H'·W'), CS231n's columns per example, so that out[n] = w_mat ·
cols[n] + b, w_mat = w.reshape(F, -1). The backward reads the same product the other
way: BP3's db = Σ δ, BP4's dw = Σₙ δ[n] · cols[n]ᵀ, and BP2's dx, the gradient of
each window w_matᵀ · δ[n] added back onto the padded input (col2im, one strided add
per kernel offset), the padding then cropped. With stride 1 (the common case) BP2 is
taken as the correlation of the zero-padded δ with the flipped kernel instead: the
same sum, as kh shifted copies of δ, one product and kw shifted adds on images laid
row after row (see `_dx_correlation`), over blocks of examples that stay in cache;
it does not scatter nine window gradients (a quarter less time for dx). The cache
keeps cols, as CS231n's fast layer does. Pooling takes the same windows; its backward
is one strided add per window offset.

Max pooling ties. When a window's maximum is reached at several positions, the
whole gradient of that window goes to the first of them in row-major order (the
first row, then the first column), as torch does. Any one tied position is an
equally right answer; copying the gradient to every tied position, or splitting
it between them, is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..errors import InputError, validate_int
from .base import register_layer

__all__ = ["conv_forward", "conv_backward", "conv_channels_last_forward",
           "conv_channels_last_backward", "max_pool_forward", "max_pool_backward",
           "avg_pool_forward", "avg_pool_backward", "max_pool_channels_last_forward",
           "max_pool_channels_last_backward", "avg_pool_channels_last_forward",
           "avg_pool_channels_last_backward"]

IMAGE = ("example", "channel", "row", "column")


# --- validation ------------------------------------------------------------------

def _array(value, name: str, axes: tuple[str, ...]) -> np.ndarray:
    """`value` as a real array with one axis per name in `axes` (integers become
    float64), none of them empty."""
    try:
        a = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{name} is not an array: {exc}") from None
    if a.dtype.kind in "iub":
        a = a.astype(np.float64)
    elif a.dtype.kind != "f":
        raise InputError(f"{name} must be a real array, got dtype {a.dtype}")
    if a.ndim != len(axes):
        raise InputError(f"{name} must have {len(axes)} axes ({', '.join(axes)}), "
                         f"got shape {a.shape}")
    if 0 in a.shape:
        raise InputError(f"{name} has an empty axis, shape {a.shape}")
    return a


def _params(param, keys: tuple[str, ...], name: str) -> tuple[int, ...]:
    """The integer hyper-parameters `keys` of the dict `param` (each >= 1, 'pad' >= 0)."""
    if not isinstance(param, Mapping):
        raise InputError(f"{name} must be a dict with keys {', '.join(map(repr, keys))}, "
                         f"got {type(param).__name__}")
    missing = [k for k in keys if k not in param]
    if missing:
        raise InputError(f"{name} is missing {', '.join(map(repr, missing))}")
    return tuple(int(param[k]) if _plain_int(param[k], k != "pad") else
                 validate_int(param[k], f"{name}[{k!r}]", 0 if k == "pad" else 1)
                 for k in keys)


def _plain_int(value, minimum: int) -> bool:
    """A Python or NumPy integer ≥ minimum: the common case, checked without
    validate_int's abc test (which would refuse or accept it alike)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) \
        and value >= minimum


def _out_size(size: int, kernel: int, pad: int, stride: int, axis: str, what: str) -> int:
    """⌊(size + 2·pad − kernel) / stride⌋ + 1, torch's rule; a kernel larger than the
    padded input is an InputError."""
    span = size + 2 * pad - kernel
    if span < 0:
        where = f"padded input's {axis} ({size} + 2·{pad} = {size + 2 * pad})" if pad else \
            f"input's {axis} ({size})"
        raise InputError(f"the {what} {axis} ({kernel}) is larger than the {where}")
    return span // stride + 1


def _upstream(dout, name: str, shape: tuple[int, ...]) -> np.ndarray:
    dout = np.asarray(dout)
    if dout.shape != shape:
        raise InputError(f"{name} must have the forward output's shape {shape}, "
                         f"got {dout.shape}")
    if dout.dtype.kind not in "fiub":
        raise InputError(f"{name} must be a real array, got dtype {dout.dtype}")
    return dout


# --- im2col and col2im -------------------------------------------------------------

def _windows(x: np.ndarray, kh: int, kw: int, stride: int) -> np.ndarray:
    """The read-only (N, C, H', W', kh, kw) view of every window of x (no copy):
    `sliding_window_view`'s view with the stride taken, built from the strides directly
    (a tenth of its time, which counts for the small layers of `check --arch`)."""
    N, C, H, W = x.shape
    s = x.strides
    shape = (N, C, (H - kh) // stride + 1, (W - kw) // stride + 1, kh, kw)
    return as_strided(x, shape, (s[0], s[1], s[2] * stride, s[3] * stride, s[2], s[3]),
                      writeable=False)


def _pad(x: np.ndarray, pad: int) -> np.ndarray:
    """x with `pad` zeros on each side of its rows and columns."""
    if not pad:
        return x
    N, C, H, W = x.shape
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad), x.dtype)
    xp[:, :, pad:pad + H, pad:pad + W] = x
    return xp


def _im2col(x: np.ndarray, kh: int, kw: int, stride: int, pad: int) -> np.ndarray:
    """cols (N, C·kh·kw, H'·W'), CS231n's columns per example: column (h, w) of
    cols[n] is the window of the zero-padded x[n] at output position (h, w), its rows
    in the order (channel, kernel row, kernel column) of w.reshape(F, -1). The one
    copy of the forward."""
    win = _windows(_pad(x, pad), kh, kw, stride)                 # (N, C, H', W', kh, kw)
    N, C, Ho, Wo = win.shape[:4]
    return np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(N, C * kh * kw,
                                                                          Ho * Wo)


def _dx_col2im(delta: np.ndarray, w: np.ndarray, padded: tuple[int, int], stride: int,
               out_hw: tuple[int, int]) -> np.ndarray:
    """The padded input's gradient dxp (N, C, Hp, Wp) by BP2 per window, dcols[n] =
    w_matᵀ · δ[n], then col2im (the adjoint of im2col): each window's gradient added
    back at its place, one strided add per kernel offset (i, j)."""
    F, C, kh, kw = w.shape
    Ho, Wo = out_hw
    dcols = np.matmul(np.ascontiguousarray(w.reshape(F, -1).T), delta)
    dcols = dcols.reshape(len(delta), C, kh, kw, Ho, Wo)
    dxp = np.zeros((len(delta), C, *padded), dcols.dtype)
    rows, cols = stride * (Ho - 1) + 1, stride * (Wo - 1) + 1
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i:i + rows:stride, j:j + cols:stride] += dcols[:, :, i, j]
    return dxp


# Stride 1's dx runs over blocks of examples whose buffers take about this many bytes
# (a core's L2 cache), so that each block's shifted copies and adds stay in cache: a
# few copies, one product and kw adds per block, never a loop over examples or pixels.
BLOCK_BYTES = 1 << 21


def _dx_correlation(dout: np.ndarray, w: np.ndarray, pad: int, dx: np.ndarray) -> None:
    """dx of a stride-1 convolution, as the correlation of the zero-padded δ with the
    flipped kernel: dx_pad[c, y, x] = Σ_{f,i,j} w[f, c, i, j] · δ[f, y − i, x − j].

    On images flattened row after row at the padded width Wp, a shift by (i, j) is a
    shift by i·Wp + j: δ3[(i, f), r] = δ[f, r − i·Wp] (δ written kh times, its rows
    starting at row i, zeros around it), then one product
    y[(j, c), r] = Σ_{i,f} w[f, c, i, j] · δ3[(i, f), r], then kw shifted adds
    dx_pad[c, r] = Σ_j y[(j, c), r − j], whose padding is cropped into dx. (A shift by
    j wraps round a row onto the last Wp − W' columns of the one before, which are
    zeros in δ3.)
    """
    N, F, Ho, Wo = dout.shape
    _, C, kh, kw = w.shape
    H, W = dx.shape[2:]
    Hp, Wp = Ho + kh - 1, Wo + kw - 1
    L = Hp * Wp
    w3 = np.ascontiguousarray(w.transpose(3, 1, 2, 0)).reshape(kw * C, kh * F)
    k = max(1, min(N, BLOCK_BYTES // ((kh * F + kw * C + C) * L * dx.itemsize)))
    d3 = np.zeros((k, kh, F, L), dx.dtype)
    rows = d3.reshape(k, kh, F, Hp, Wp)
    y, dxp = np.empty((k, kw * C, L), dx.dtype), np.empty((k, C, Hp, Wp), dx.dtype)
    for lo in range(0, N, k):
        n = min(k, N - lo)
        for i in range(kh):                               # δ3[(i, f), r] = δ[f, r − i·Wp]
            rows[:n, i, :, i:i + Ho, :Wo] = dout[lo:lo + n]
        np.matmul(w3, d3[:n].reshape(n, kh * F, L), out=y[:n])
        yj, flat = y[:n].reshape(n, kw, C, L), dxp[:n].reshape(n, C, L)
        flat[...] = yj[:, 0]
        for j in range(1, kw):                            # dx_pad[c, r] += y[(j, c), r − j]
            flat[:, :, j:] += yj[:, j, :, :L - j]
        dx[lo:lo + n] = dxp[:n, :, pad:pad + H, pad:pad + W]


# --- convolution, NCHW (CS231n) ------------------------------------------------------

def _conv_shapes(x, w, b, conv_param):
    """Validated arrays, (stride, pad) and output size of a convolution."""
    x = _array(x, "x", IMAGE)
    w = _array(w, "w", ("filter", "channel", "kernel row", "kernel column"))
    b = _array(b, "b", ("filter",))
    stride, pad = _params(conv_param, ("stride", "pad"), "conv_param")
    if w.shape[1] != x.shape[1]:
        raise InputError(f"w has {w.shape[1]} channels (w.shape[1]) but x has "
                         f"{x.shape[1]} (x.shape[1])")
    if b.shape != (w.shape[0],):
        raise InputError(f"b must have shape ({w.shape[0]},), one bias per filter of w, "
                         f"got {b.shape}")
    Ho = _out_size(x.shape[2], w.shape[2], pad, stride, "height", "kernel")
    Wo = _out_size(x.shape[3], w.shape[3], pad, stride, "width", "kernel")
    return x, w, b, stride, pad, (Ho, Wo)


def conv_forward(x, w, b, conv_param: dict) -> tuple[np.ndarray, tuple]:
    """out[n, f] = Σ_c x_pad[n, c] ⋆ w[f, c] + b[f] (a cross-correlation with stride),
    as out[n] = w_mat · cols[n] + b, one column of cols[n] per window.

    x (N, C, H, W), w (F, C, HH, WW), b (F,), conv_param {'stride', 'pad'} (zero
    padding); out (N, F, H', W'), H' = ⌊(H + 2·pad − HH) / stride⌋ + 1.
    """
    x, w, b, stride, pad, (Ho, Wo) = _conv_shapes(x, w, b, conv_param)
    F, _, HH, WW = w.shape
    cols = _im2col(x, HH, WW, stride, pad)                       # (N, C·HH·WW, H'·W')
    out = np.matmul(w.reshape(F, -1), cols) + b[:, None]        # z = W a + b per window
    cache = (x, w, b, {"stride": stride, "pad": pad}, cols)
    return out.reshape(x.shape[0], F, Ho, Wo), cache


def conv_backward(dout, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dx, dw, db of a convolution, given dout = ∂L/∂out (N, F, H', W').

    With δ[n] = dout[n] as (F, H'·W') and cols[n] the forward's windows of example n:
    BP3 db = Σ_{n,h,w} δ; BP4 dw = Σ_n δ[n] · cols[n]ᵀ; BP2 by col2im (each window's
    gradient w_matᵀ · δ[n] added back onto the padded input), or with stride 1 as the
    correlation of the padded δ with the flipped kernel (the same sum, taken without
    a scatter); the padding then cropped.
    """
    x, w, _, conv_param, cols = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1
    dout = _upstream(dout, "dout", (N, F, Ho, Wo))
    db = dout.sum(axis=(0, 2, 3))                                 # BP3
    delta = dout.reshape(N, F, Ho * Wo)
    dw = np.matmul(cols, delta.transpose(0, 2, 1)).sum(axis=0)    # BP4, (C·HH·WW, F)
    dx = np.empty(x.shape, np.result_type(w, dout))
    if stride == 1 and np.isfinite(w).all():     # (w ⋅ 0 on the grid's padding is 0)
        _dx_correlation(dout, w, pad, dx)                         # BP2
    else:
        dxp = _dx_col2im(delta, w, (H + 2 * pad, W + 2 * pad), stride, (Ho, Wo))
        dx[...] = dxp[:, :, pad:pad + H, pad:pad + W]
    return dx, np.ascontiguousarray(dw.T).reshape(w.shape), db


# --- convolution, channels last (Ng's course 4) ---------------------------------------

def conv_channels_last_forward(A_prev, W, b, hparameters: dict) -> tuple[np.ndarray, tuple]:
    """Ng's `conv_forward`: Z[i, h, w, c] = Σ a_slice_prev ⊙ W[..., c] + b[..., c].

    A_prev (m, n_H_prev, n_W_prev, n_C_prev), W (f, f, n_C_prev, n_C) (rectangular
    kernels allowed), b (1, 1, 1, n_C), hparameters {'stride', 'pad'}; Z (m, n_H, n_W,
    n_C). The NCHW convolution on transposed views.
    """
    A_prev = _array(A_prev, "A_prev", ("example", "row", "column", "channel"))
    W = _array(W, "W", ("kernel row", "kernel column", "channel", "filter"))
    b = _array(b, "b", ("1", "1", "1", "filter"))
    if W.shape[2] != A_prev.shape[3]:
        raise InputError(f"W has {W.shape[2]} input channels (W.shape[2]) but A_prev has "
                         f"{A_prev.shape[3]} (A_prev.shape[3])")
    if b.shape != (1, 1, 1, W.shape[3]):
        raise InputError(f"b must have shape (1, 1, 1, {W.shape[3]}), one bias per filter "
                         f"of W, got {b.shape}")
    try:
        out, cache = conv_forward(A_prev.transpose(0, 3, 1, 2), W.transpose(3, 2, 0, 1),
                                  b.reshape(-1), hparameters)
    except InputError as exc:
        raise InputError(str(exc).replace("conv_param", "hparameters")) from None
    return np.ascontiguousarray(out.transpose(0, 2, 3, 1)), cache


def conv_channels_last_backward(dZ, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ng's `conv_backward`: dA_prev, dW, db, given dZ (m, n_H, n_W, n_C); the NCHW
    backward on transposed views (dW (f, f, n_C_prev, n_C), db (1, 1, 1, n_C))."""
    dZ = np.asarray(dZ)
    if dZ.ndim != 4:
        raise InputError(f"dZ must have 4 axes (example, row, column, filter), "
                         f"got shape {dZ.shape}")
    try:
        dx, dw, db = conv_backward(dZ.transpose(0, 3, 1, 2), cache)
    except InputError as exc:
        raise InputError(str(exc).replace("dout", "dZ (as NCHW)")) from None
    return (np.ascontiguousarray(dx.transpose(0, 2, 3, 1)),
            np.ascontiguousarray(dw.transpose(2, 3, 1, 0)), db.reshape(1, 1, 1, -1))


# --- pooling -----------------------------------------------------------------------

def _pool_shapes(x, pool_param):
    x = _array(x, "x", IMAGE)
    ph, pw, stride = _params(pool_param, ("pool_height", "pool_width", "stride"),
                             "pool_param")
    Ho = _out_size(x.shape[2], ph, 0, stride, "height", "pooling window")
    Wo = _out_size(x.shape[3], pw, 0, stride, "width", "pooling window")
    return x, (ph, pw, stride), (Ho, Wo)


def _spread(per_offset, shape: tuple[int, ...], dtype, params: tuple[int, int, int],
            out_hw: tuple[int, int]) -> np.ndarray:
    """dx (N, C, H, W) = Σ over window offsets (i, j) of per_offset(i, j), each added at
    rows i, i + s, ... and columns j, j + s, ... (one strided add per offset)."""
    ph, pw, stride = params
    Ho, Wo = out_hw
    dx = np.zeros(shape, dtype=dtype)
    rows, cols = stride * (Ho - 1) + 1, stride * (Wo - 1) + 1
    for i in range(ph):
        for j in range(pw):
            dx[:, :, i:i + rows:stride, j:j + cols:stride] += per_offset(i, j)
    return dx


def max_pool_forward(x, pool_param: dict) -> tuple[np.ndarray, tuple]:
    """out[n, c, h, w] = max of the window at (h·stride, w·stride).

    x (N, C, H, W), pool_param {'pool_height', 'pool_width', 'stride'}; windows may
    overlap (stride < window) or leave gaps (stride > window). The cache keeps each
    window's argmax, the first maximum in row-major order.
    """
    x, params, (Ho, Wo) = _pool_shapes(x, pool_param)
    ph, pw, stride = params
    flat = _windows(x, ph, pw, stride).reshape(*x.shape[:2], Ho, Wo, ph * pw)
    argmax = flat.argmax(axis=-1)                                 # first maximum wins
    out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    return out, (x.shape, x.dtype, params, argmax)


def max_pool_backward(dout, cache: tuple) -> np.ndarray:
    """dx: each window's dout routed to its argmax (δ_in = Jᵀ δ_out, J a selection);
    overlapping windows add up."""
    shape, dtype, params, argmax = cache
    dout = _upstream(dout, "dout", argmax.shape)
    pw = params[1]
    return _spread(lambda i, j: np.where(argmax == i * pw + j, dout, 0), shape,
                   np.result_type(dtype, dout.dtype), params, argmax.shape[2:])


def avg_pool_forward(x, pool_param: dict) -> tuple[np.ndarray, tuple]:
    """out[n, c, h, w] = mean of the window at (h·stride, w·stride) (pool_param as for
    max pooling)."""
    x, params, (Ho, Wo) = _pool_shapes(x, pool_param)
    out = _windows(x, params[0], params[1], params[2]).mean(axis=(4, 5))
    return out, (x.shape, x.dtype, params, (Ho, Wo))


def avg_pool_backward(dout, cache: tuple) -> np.ndarray:
    """dx: each window's dout / (pool_height · pool_width) added to every position of
    the window."""
    shape, dtype, params, (Ho, Wo) = cache
    dout = _upstream(dout, "dout", (*shape[:2], Ho, Wo))
    share = dout / (params[0] * params[1])
    return _spread(lambda i, j: share, shape, np.result_type(dtype, share.dtype), params,
                   (Ho, Wo))


# --- pooling, channels last (Ng's course 4) ---------------------------------------------

def _channels_last_pool(forward, name: str):
    """Ng's `pool_forward` in one mode: A (m, n_H, n_W, n_C) pooled over f×f windows every
    `stride` pixels, A_prev (m, n_H_prev, n_W_prev, n_C), hparameters {'f', 'stride'};
    the NCHW pooling on a transposed view."""
    def pool(A_prev, hparameters: dict) -> tuple[np.ndarray, tuple]:
        A_prev = _array(A_prev, "A_prev", ("example", "row", "column", "channel"))
        f, stride = _params(hparameters, ("f", "stride"), "hparameters")
        out, cache = forward(A_prev.transpose(0, 3, 1, 2),
                             {"pool_height": f, "pool_width": f, "stride": stride})
        return np.ascontiguousarray(out.transpose(0, 2, 3, 1)), cache
    pool.__name__ = pool.__qualname__ = name
    return pool


def _channels_last_unpool(backward, name: str):
    """Ng's `pool_backward` in one mode: dA_prev from dA (m, n_H, n_W, n_C), the NCHW
    backward on transposed views."""
    def unpool(dA, cache: tuple) -> np.ndarray:
        dA = np.asarray(dA)
        if dA.ndim != 4:
            raise InputError(f"dA must have 4 axes (example, row, column, channel), "
                             f"got shape {dA.shape}")
        try:
            dx = backward(dA.transpose(0, 3, 1, 2), cache)
        except InputError as exc:
            raise InputError(str(exc).replace("dout", "dA (as NCHW)")) from None
        return np.ascontiguousarray(dx.transpose(0, 2, 3, 1))
    unpool.__name__ = unpool.__qualname__ = name
    return unpool


max_pool_channels_last_forward = _channels_last_pool(max_pool_forward,
                                                     "max_pool_channels_last_forward")
max_pool_channels_last_backward = _channels_last_unpool(max_pool_backward,
                                                        "max_pool_channels_last_backward")
avg_pool_channels_last_forward = _channels_last_pool(avg_pool_forward,
                                                     "avg_pool_channels_last_forward")
avg_pool_channels_last_backward = _channels_last_unpool(avg_pool_backward,
                                                        "avg_pool_channels_last_backward")


OUT = ("example", "filter", "row", "column")
register_layer("conv", conv_forward, conv_backward, arrays=("x", "w", "b"),
               config="conv_param", grads=("dx", "dw", "db"),
               axes={"x": IMAGE, "w": ("filter", "channel", "kernel row", "kernel column"),
                     "b": ("filter",), "out": OUT})
register_layer("conv_channels_last", conv_channels_last_forward, conv_channels_last_backward,
               arrays=("A_prev", "W", "b"), config="hparameters", outputs=("Z",),
               grads=("dA_prev", "dW", "db"),
               axes={"A_prev": ("example", "row", "column", "channel"),
                     "W": ("kernel row", "kernel column", "channel", "filter"),
                     "b": ("", "", "", "filter"),
                     "Z": ("example", "row", "column", "filter")})
for _name, _fwd, _bwd in (("max_pool", max_pool_forward, max_pool_backward),
                          ("avg_pool", avg_pool_forward, avg_pool_backward)):
    register_layer(_name, _fwd, _bwd, arrays=("x",), config="pool_param",
                   axes={"x": IMAGE, "out": IMAGE})
NHWC = ("example", "row", "column", "channel")
for _name, _fwd, _bwd in (
        ("max_pool_channels_last", max_pool_channels_last_forward,
         max_pool_channels_last_backward),
        ("avg_pool_channels_last", avg_pool_channels_last_forward,
         avg_pool_channels_last_backward)):
    register_layer(_name, _fwd, _bwd, arrays=("A_prev",), config="hparameters", outputs=("A",),
                   grads=("dA_prev",), axes={"A_prev": NHWC, "A": NHWC})
