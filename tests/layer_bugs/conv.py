"""Planted bugs of the conv family (see tests/layer_bugs/__init__.py).

Each is written as students write these layers, with loops over examples and output
positions (CS231n's `*_naive`, Ng's course 4 `conv_backward`), one classic mistake
each: a second route to the wrong answer, independent of the oracle's NumPy formula
of the mistake (`reference.oracle.layers.conv`). The loop versions without a mistake,
and the max pool that sends a tie to its last maximum, are right and must pass.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from . import Planted

# --- conv, NCHW (CS231n) ---------------------------------------------------------------

def conv_forward_naive(x, w, b, conv_param):
    s, p = conv_param["stride"], conv_param["pad"]
    N, _, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = 1 + (H + 2 * p - HH) // s, 1 + (W + 2 * p - WW) // s
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    out = np.zeros((N, F, Ho, Wo), dtype=np.result_type(x, w, b))
    for n in range(N):
        for h in range(Ho):
            for v in range(Wo):
                window = xp[n, :, h * s:h * s + HH, v * s:v * s + WW]
                out[n, :, h, v] = np.sum(window * w, axis=(1, 2, 3)) + b
    return out, (x, w, b, conv_param)


def conv_forward_asserting(x, w, b, conv_param):
    """CS231n's skeleton contract: the stride divides the padded size, asserted (right)."""
    s, p = conv_param["stride"], conv_param["pad"]
    assert (x.shape[2] + 2 * p - w.shape[2]) % s == 0, "height does not work"
    assert (x.shape[3] + 2 * p - w.shape[3]) % s == 0, "width does not work"
    return conv_forward_naive(x, w, b, conv_param)


def max_pool_forward_asserting(x, pool_param):
    """The same contract for pooling: (H - pool_height) divisible by the stride."""
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    assert (x.shape[2] - ph) % s == 0 and (x.shape[3] - pw) % s == 0
    return max_pool_forward_naive(x, pool_param)


def conv_backward_naive(dout, cache, bug=None):
    x, w, _, conv_param = cache
    s, p = conv_param["stride"], conv_param["pad"]
    N, _, H, W = x.shape
    _, _, HH, WW = w.shape
    step = 1 if bug == "stride" else s
    kernel = w[:, :, ::-1, ::-1] if bug == "flip-dx" else w
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for n in range(N):
        for h in range(dout.shape[2]):
            for v in range(dout.shape[3]):
                rows, cols = slice(h * step, h * step + HH), slice(v * step, v * step + WW)
                d = dout[n, :, h, v]
                dw += d[:, None, None, None] * xp[n, :, rows, cols][None]
                dxp[n, :, rows, cols] += np.tensordot(d, kernel, axes=1)
    db = dout.sum(axis=(0, 2, 3))
    dx = dxp[:, :, p:p + H, p:p + W]
    if bug == "padded":
        dx = dxp
    elif bug == "corner":
        dx = dxp[:, :, :H, :W]
    elif bug == "flip-dw":
        dw = dw[:, :, ::-1, ::-1]
    elif bug == "dw-mean":
        dw = dw / N
    elif bug == "db-mean":
        db = db / N
    elif bug == "db-one":
        db = dout[0].sum(axis=(1, 2))
    return dx, dw, db


# --- conv, channels last (Ng's course 4) -------------------------------------------------

def ng_conv_forward(A_prev, W, b, hparameters):
    s, p = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f_h, f_w, _, n_C = W.shape
    n_H, n_W = int((n_H_prev - f_h + 2 * p) / s) + 1, int((n_W_prev - f_w + 2 * p) / s) + 1
    A_prev_pad = np.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0)))
    Z = np.zeros((m, n_H, n_W, n_C), dtype=np.result_type(A_prev, W, b))
    for i in range(m):
        for h in range(n_H):
            for v in range(n_W):
                a_slice = A_prev_pad[i, h * s:h * s + f_h, v * s:v * s + f_w, :]
                Z[i, h, v, :] = np.tensordot(a_slice, W, axes=3) + b[0, 0, 0]
    return Z, (A_prev, W, b, hparameters)


def ng_conv_backward(dZ, cache, bug=None):
    A_prev, W, _, hparameters = cache
    s, p = hparameters["stride"], hparameters["pad"]
    _, n_H_prev, n_W_prev, _ = A_prev.shape
    f_h, f_w = W.shape[:2]
    step = 1 if bug == "stride" else s
    A_prev_pad = np.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0)))
    dA_prev_pad, dW = np.zeros_like(A_prev_pad), np.zeros_like(W)
    for i in range(dZ.shape[0]):
        for h in range(dZ.shape[1]):
            for v in range(dZ.shape[2]):
                rows, cols = slice(h * step, h * step + f_h), slice(v * step, v * step + f_w)
                dA_prev_pad[i, rows, cols, :] += np.tensordot(W, dZ[i, h, v], axes=([3], [0]))
                dW += A_prev_pad[i, rows, cols, :, None] * dZ[i, h, v]
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, -1)
    dA_prev = dA_prev_pad[:, p:p + n_H_prev, p:p + n_W_prev, :]
    if bug == "padded":
        dA_prev = dA_prev_pad
    elif bug == "flip-dw":
        dW = dW[::-1, ::-1]
    return dA_prev, dW, db


# --- pooling -----------------------------------------------------------------------------

def _pool_forward_naive(x, pool_param, reduce):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    out = np.zeros((N, C, 1 + (H - ph) // s, 1 + (W - pw) // s), dtype=x.dtype)
    for h in range(out.shape[2]):
        for v in range(out.shape[3]):
            out[:, :, h, v] = reduce(x[:, :, h * s:h * s + ph, v * s:v * s + pw], axis=(2, 3))
    return out, (x, pool_param)


max_pool_forward_naive = partial(_pool_forward_naive, reduce=np.max)
avg_pool_forward_naive = partial(_pool_forward_naive, reduce=np.mean)


def max_pool_backward_naive(dout, cache, bug=None):
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    step = 1 if bug == "stride" else s
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for h in range(Ho):
                for v in range(Wo):
                    hs, vs, d = h * step, v * step, dout[n, c, h, v]
                    window = x[n, c, hs:hs + ph, vs:vs + pw]
                    if bug == "ties":
                        dx[n, c, hs:hs + ph, vs:vs + pw] += (window == window.max()) * d
                        continue
                    if bug == "all":
                        dx[n, c, hs:hs + ph, vs:vs + pw] += d
                        continue
                    k = np.argmax(window)
                    if bug == "last":          # the last tied maximum: right as well
                        k = window.size - 1 - np.argmax(window.ravel()[::-1])
                    r, q = divmod(int(k), pw)
                    if bug == "unshifted":
                        dx[n, c, r, q] += d
                    elif bug == "overwrite":
                        mask = np.zeros_like(window)
                        mask[r, q] = 1
                        dx[n, c, hs:hs + ph, vs:vs + pw] = mask * d
                    else:
                        dx[n, c, hs + r, vs + q] += d
    return dx


def avg_pool_backward_naive(dout, cache, bug=None):
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    step = 1 if bug == "stride" else s
    share = dout if bug == "no-mean" else dout / (ph * pw)
    dx = np.zeros_like(x)
    for h in range(dout.shape[2]):
        for v in range(dout.shape[3]):
            rows, cols = slice(h * step, h * step + ph), slice(v * step, v * step + pw)
            if bug == "overwrite":
                dx[:, :, rows, cols] = share[:, :, h, v, None, None]
            else:
                dx[:, :, rows, cols] += share[:, :, h, v, None, None]
    return dx


def _plant(layer, forward, backward, bugs):
    return [Planted(f"{layer}-{name}", layer, forward,
                    backward if bug is None else partial(backward, bug=bug), diagnosis)
            for name, bug, diagnosis in bugs]


PLANTED: list[Planted] = [
    *_plant("conv", conv_forward_naive, conv_backward_naive, [
        ("naive-loops", None, None),
        ("dx-not-cropped", "padded", "dx not cropped"),
        ("dx-cropped-at-corner", "corner", "top-left corner"),
        ("stride-ignored", "stride", "the stride ignored"),
        ("dw-flipped", "flip-dw", "dw correlated the wrong way"),
        ("dx-flipped-kernel", "flip-dx", "flipped kernel"),
        ("dw-averaged", "dw-mean", "dw averaged over the examples"),
        ("db-averaged", "db-mean", "db averaged over the examples instead"),
        ("db-first-example", "db-one", "db summed over the first example only"),
    ]),
    Planted("conv-asserts-the-stride-divides", "conv", conv_forward_asserting,
            conv_backward_naive, None),
    Planted("max-pool-asserts-the-stride-divides", "max_pool", max_pool_forward_asserting,
            max_pool_backward_naive, None),
    *_plant("conv_channels_last", ng_conv_forward, ng_conv_backward, [
        ("ng-loops", None, None),
        ("dA_prev-not-cropped", "padded", "dx not cropped"),
        ("stride-ignored", "stride", "the stride ignored"),
        ("dW-flipped", "flip-dw", "dw correlated the wrong way"),
    ]),
    *_plant("max_pool", max_pool_forward_naive, max_pool_backward_naive, [
        ("naive-loops", None, None),
        ("tie-to-last-maximum", "last", None),
        ("copied-to-every-tie", "ties", "copied to every tied maximum"),
        ("spread-over-window", "all", "spread over the whole window"),
        ("not-offset", "unshifted", "not offset by its window's start"),
        ("stride-ignored", "stride", "the stride ignored"),
        ("overwrite", "overwrite", "overwrite each other's gradient"),
    ]),
    *_plant("avg_pool", avg_pool_forward_naive, avg_pool_backward_naive, [
        ("naive-loops", None, None),
        ("no-average", "no-mean", "1/(pool_height·pool_width) missing"),
        ("stride-ignored", "stride", "the stride ignored"),
        ("overwrite", "overwrite", "overwrite each other's gradient"),
    ]),
]
