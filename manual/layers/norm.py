"""The norm family: batch norm (1-D and spatial), layer norm and inverted dropout, in
CS231n's convention (assignment 2, `cs231n/layers.py`).

Batch norm (Ioffe & Szegedy 2015), for each feature over the batch (the spatial form: for
each channel over the batch and the pixels, the (N, H, W) axes):

    μ = mean(x),  σ² = mean((x − μ)²)   (the biased, uncorrected variance),
    x̂ = (x − μ) / √(σ² + ε),  out = γ ⊙ x̂ + β                                   (BN1)

and its backward, the compact closed form (δ_in = Jᵀ δ_out through μ and σ²):

    dβ = Σ dout,  dγ = Σ dout ⊙ x̂,
    dx = γ / (N √(σ² + ε)) ⊙ (N dout − dβ − x̂ ⊙ dγ)                             (BN2)

Train mode normalizes with the batch's μ, σ² and updates the running averages that test
mode normalizes with, CS231n's rule (its skeleton's docstring):

    running_mean = momentum · running_mean + (1 − momentum) · μ
    running_var  = momentum · running_var  + (1 − momentum) · σ²   (σ² biased)     (BN3)

(torch's `momentum` is 1 − this one, and torch's running_var averages the *unbiased*
N/(N − 1) · σ²: a port of torch's rule is a different layer.) Layer norm is BN1/BN2 with
the statistics per example over the features. Dropout is inverted dropout with `p` the
probability of *keeping* a unit (CS231n since 2018; before, and in torch, p is the
probability of dropping it): out = x ⊙ mask / p in train mode, x in test mode.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import InputError, validate_real, validate_seed
from .base import register_layer

__all__ = ["batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt",
           "spatial_batchnorm_forward", "spatial_batchnorm_backward",
           "layernorm_forward", "layernorm_backward", "spatial_groupnorm_forward",
           "spatial_groupnorm_backward", "dropout_forward", "dropout_backward"]

EPS = 1e-5        # CS231n's default ε (bn_param and ln_param)
MOMENTUM = 0.9    # CS231n's default momentum of the running averages


def _array(value, name: str, ndim: int | None = None) -> np.ndarray:
    """A finite real array (of `ndim` axes when given), else an InputError."""
    a = np.asarray(value)
    if a.dtype.kind not in "fiu" or a.dtype.kind == "b":
        raise InputError(f"{name} must be a real array, got dtype {a.dtype}")
    if ndim is not None and a.ndim != ndim:
        raise InputError(f"{name} must have {ndim} axes, got shape {a.shape}")
    if a.size == 0:
        raise InputError(f"{name} is empty (shape {a.shape})")
    if not np.all(np.isfinite(a)):
        raise InputError(f"{name} has NaN or infinite entries")
    return a if a.dtype.kind == "f" else a.astype(np.float64)


def _param(value, x: np.ndarray, name: str, width: int) -> np.ndarray:
    """γ, β or a running average: a vector of `width` entries in x's dtype."""
    a = _array(value, name)
    if a.shape != (width,):
        raise InputError(f"{name} must have shape ({width},), got {a.shape}")
    return a.astype(x.dtype, copy=False)


def _upstream(dout, like: np.ndarray) -> np.ndarray:
    """dout as an array of the forward output's shape and dtype, else an InputError."""
    dout = np.asarray(dout)
    if dout.shape != like.shape:
        raise InputError(f"dout has shape {dout.shape}, the forward's out has {like.shape}")
    return dout.astype(like.dtype, copy=False)


def _mode(params, name: str) -> str:
    if not isinstance(params, dict):
        raise InputError(f"{name} must be a dict, got {type(params).__name__}")
    mode = params.get("mode")
    if mode not in ("train", "test"):
        raise InputError(f"{name}['mode'] must be 'train' or 'test', got {mode!r}")
    return mode


def _bn_settings(bn_param, x, width: int):
    """(mode, eps, momentum, running_mean, running_var) from bn_param, validated; absent
    running averages start at zeros, as CS231n's skeleton has them."""
    mode = _mode(bn_param, "bn_param")
    eps = validate_real(bn_param.get("eps", EPS), "bn_param['eps']", positive=True)
    momentum = validate_real(bn_param.get("momentum", MOMENTUM), "bn_param['momentum']")
    if momentum > 1:
        raise InputError(f"bn_param['momentum'] must be in [0, 1], got {momentum}")
    running = []
    for key in ("running_mean", "running_var"):
        value = bn_param.get(key)
        running.append(np.zeros(width, dtype=x.dtype) if value is None
                       else _param(value, x, f"bn_param['{key}']", width))
    if np.any(running[1] < 0):
        raise InputError("bn_param['running_var'] has negative entries")
    return mode, eps, momentum, running[0], running[1]


def _bn(x, gamma, beta, bn_param, axes: tuple[int, ...], shape: tuple[int, ...]):
    """BN1 over `axes` (the 1-D form: (0,); the spatial form: (0, 2, 3)), γ and β shaped
    `shape` to broadcast against x; updates bn_param's running averages (BN3)."""
    width = x.shape[1]
    gamma = _param(gamma, x, "gamma", width)
    beta = _param(beta, x, "beta", width)
    mode, eps, momentum, running_mean, running_var = _bn_settings(bn_param, x, width)
    if mode == "train":
        mu = x.mean(axis=axes)
        var = x.var(axis=axes)                                   # biased σ² (BN1)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu   # BN3
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        mu, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu.reshape(shape)) * inv_std.reshape(shape)       # x̂ (BN1)
    out = xhat * gamma.reshape(shape) + beta.reshape(shape)
    return out.astype(x.dtype, copy=False), (xhat, gamma, inv_std, axes, shape, mode)


SLAB = 1 << 18     # bytes of one array per slab of BN2: three slabs stay in L2


def _slabs(a: np.ndarray):
    """Slices of a's first axis of about SLAB bytes each (one for a small array)."""
    step = max(1, SLAB // max(1, a[0].nbytes))
    return (slice(start, start + step) for start in range(0, a.shape[0], step))


def _channel_sums(dout, xhat):
    """(Σ dout, Σ dout ⊙ x̂) over every axis but the channel axis 1 (einsum: no
    temporary for the product), slab by slab, so that the second sum reads dout from
    the cache the first brought it into."""
    axes = "nchw"[:dout.ndim]
    dbeta = dgamma = 0
    for rows in _slabs(dout):
        dbeta = dbeta + np.einsum(f"{axes}->c", dout[rows])
        dgamma = dgamma + np.einsum(f"{axes},{axes}->c", dout[rows], xhat[rows])
    return dbeta, dgamma


def _plane(v: np.ndarray, like: np.ndarray) -> np.ndarray:
    """A per-channel coefficient v (shaped to broadcast against x) as one example's plane
    of `like`'s shape[1:] (C, H, W), when that plane fits a slab: against a slab of
    examples it then broadcasts on the first axis only, so each ufunc's inner loop runs
    over two contiguous operands (a (1, C, 1, 1) operand makes it a stride-0 loop over
    the pixels, about 1.7 times slower in float32). Else v itself."""
    if like[0].nbytes > SLAB or v.ndim < 3:
        return v
    return np.broadcast_to(v[0], like.shape[1:]).copy()


def _bn_dx(dout, xhat, k, c, scale):
    """BN2's dx = (dout − (x̂ ⊙ k + c)) ⊙ scale with k = dγ/N, c = dβ/N, scale = γ/σ.

    Four in-place ufunc passes, run slab by slab of the first axis (`_slabs`): at
    (4096, 512) a pass over the whole array is a trip through memory, over a slab a trip
    through the L2 cache, and the four cost about one (a loop over cache-sized blocks,
    each vectorized). The spatial form's coefficients are planes (`_plane`)."""
    k, c, scale = (_plane(v, dout) for v in (k, c, scale))
    dx = np.empty_like(dout)
    for rows in _slabs(dout):
        out = dx[rows]
        np.multiply(xhat[rows], k, out=out)                       # x̂ dγ/N
        out += c                                                  # + dβ/N
        np.subtract(dout[rows], out, out=out)                     # dout − (...)
        out *= scale                                              # times γ/σ
    return dx


def _bn_backward(dout, cache):
    """BN2 (train mode); in test mode μ and σ² are constants: dx = dout ⊙ γ/σ."""
    xhat, gamma, inv_std, axes, shape, mode = cache
    dout = _upstream(dout, xhat)
    dbeta, dgamma = _channel_sums(dout, xhat)                     # dβ = Σ dout, dγ = Σ dout ⊙ x̂
    scale = (gamma * inv_std).reshape(shape)
    if mode == "test":
        return dout * _plane(scale, dout), dgamma, dbeta
    n = dout.size // dbeta.size
    k, c = (dgamma / n).reshape(shape), (dbeta / n).reshape(shape)
    return _bn_dx(dout, xhat, k, c, scale), dgamma, dbeta


def _bn_backward_staged(dout, cache):
    """BN2 by the staged computational graph (CS231n's first backward): the chain rule
    through x̂, then σ², then μ, each stage one line."""
    xhat, gamma, inv_std, axes, shape, mode = cache
    dout = _upstream(dout, xhat)
    dbeta, dgamma = dout.sum(axis=axes), (dout * xhat).sum(axis=axes)
    inv = inv_std.reshape(shape)
    dxhat = dout * gamma.reshape(shape)                           # ∂/∂x̂
    if mode == "test":
        return dxhat * inv, dgamma, dbeta
    n = dout.size // dbeta.size
    xmu = xhat / inv                                              # x − μ
    dvar = (dxhat * xmu).sum(axis=axes, keepdims=True) * -0.5 * inv ** 3   # ∂/∂σ²
    dmu = -(dxhat * inv).sum(axis=axes, keepdims=True) \
        - 2.0 * dvar * xmu.mean(axis=axes, keepdims=True)         # ∂/∂μ
    dx = dxhat * inv + dvar * 2.0 * xmu / n + dmu / n             # ∂/∂x through all three
    return dx, dgamma, dbeta


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch norm of x (N, D) with γ, β (D,): (out, cache). bn_param: 'mode' ('train' or
    'test', required), 'eps' (1e-5), 'momentum' (0.9), 'running_mean', 'running_var'
    ((D,), zeros when absent). Train mode normalizes with the batch mean and biased
    variance (BN1) and writes the updated running averages into bn_param (BN3); test mode
    normalizes with the running averages."""
    x = _array(x, "x", 2)
    return _bn(x, gamma, beta, bn_param, (0,), (1, x.shape[1]))


def batchnorm_backward(dout, cache):
    """(dx, dgamma, dbeta) of batch norm by the compact closed form (BN2)."""
    return _bn_backward(dout, cache)


def batchnorm_backward_alt(dout, cache):
    """(dx, dgamma, dbeta) of batch norm by the staged graph: the same gradients as
    `batchnorm_backward` (CS231n asks for both; its `_alt` is the short one, ours is the
    long one so that the registry's entry keeps the fast one)."""
    return _bn_backward_staged(dout, cache)


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Spatial batch norm of x (N, C, H, W) with γ, β (C,): BN1 for each channel over the
    batch and the pixels (N·H·W values each), running averages of shape (C,)."""
    x = _array(x, "x", 4)
    return _bn(x, gamma, beta, bn_param, (0, 2, 3), (1, x.shape[1], 1, 1))


def spatial_batchnorm_backward(dout, cache):
    """(dx, dgamma, dbeta) of spatial batch norm: BN2 with N·H·W values per channel."""
    return _bn_backward(dout, cache)


def layernorm_forward(x, gamma, beta, ln_param):
    """Layer norm of x (N, D) with γ, β (D,): BN1 with μ and σ² per example over its D
    features (no running averages, the same in train and test). ln_param: 'eps' (1e-5)."""
    x = _array(x, "x", 2)
    if not isinstance(ln_param, dict):
        raise InputError(f"ln_param must be a dict, got {type(ln_param).__name__}")
    eps = validate_real(ln_param.get("eps", EPS), "ln_param['eps']", positive=True)
    gamma = _param(gamma, x, "gamma", x.shape[1])
    beta = _param(beta, x, "beta", x.shape[1])
    mu = x.mean(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - mu) * inv_std                                     # x̂ per row (BN1)
    return (xhat * gamma + beta).astype(x.dtype, copy=False), (xhat, gamma, inv_std)


def layernorm_backward(dout, cache):
    """(dx, dgamma, dbeta) of layer norm: BN2 along each row, with γ inside the row's sums
    (dx̂ = dout ⊙ γ; dx = (dx̂ − mean dx̂ − x̂ ⊙ mean(dx̂ ⊙ x̂)) / σ, means over features)."""
    xhat, gamma, inv_std = cache
    dout = _upstream(dout, xhat)
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = dxhat - dxhat.mean(axis=1, keepdims=True)
    dx -= xhat * (dxhat * xhat).mean(axis=1, keepdims=True)
    dx *= inv_std
    return dx, dgamma, dbeta


def _groups(x, G) -> int:
    """G, the number of groups: a positive integer dividing x's channels."""
    if isinstance(G, bool) or not isinstance(G, numbers.Integral) and not (
            isinstance(G, np.ndarray) and G.ndim == 0 and G.dtype.kind in "iu"):
        raise InputError(f"G must be an integer, got {G!r}")
    G = int(G)
    if G < 1 or x.shape[1] % G:
        raise InputError(f"G = {G} must divide the {x.shape[1]} channels")
    return G


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Group norm of x (N, C, H, W) with γ, β of shape (1, C, 1, 1) (CS231n's): each
    example's channels in G groups of C/G, BN1 with μ and σ² per example and group over
    its channels and pixels (layer norm when G = 1); gn_param: 'eps' (1e-5)."""
    x = _array(x, "x", 4)
    if not isinstance(gn_param, dict):
        raise InputError(f"gn_param must be a dict, got {type(gn_param).__name__}")
    eps = validate_real(gn_param.get("eps", EPS), "gn_param['eps']", positive=True)
    G = _groups(x, G)
    n, c = x.shape[:2]
    gamma, beta = (_array(v, name).astype(x.dtype, copy=False)
                   for v, name in ((gamma, "gamma"), (beta, "beta")))
    for v, name in ((gamma, "gamma"), (beta, "beta")):
        if v.shape != (1, c, 1, 1):
            raise InputError(f"{name} must have shape (1, {c}, 1, 1), got {v.shape}")
    groups = x.reshape(n, G, -1)
    inv_std = 1.0 / np.sqrt(groups.var(axis=2, keepdims=True) + eps)
    xhat = ((groups - groups.mean(axis=2, keepdims=True)) * inv_std).reshape(x.shape)  # BN1
    return (xhat * gamma + beta).astype(x.dtype, copy=False), (xhat, gamma, inv_std, G)


def spatial_groupnorm_backward(dout, cache):
    """(dx, dgamma, dbeta) of group norm: BN2 within each example's group, γ inside the
    group's sums (dx̂ = dout ⊙ γ; dx = (dx̂ − mean dx̂ − x̂ ⊙ mean(dx̂ ⊙ x̂)) / σ, means
    over the group's channels and pixels); dgamma, dbeta (1, C, 1, 1)."""
    xhat, gamma, inv_std, G = cache
    dout = _upstream(dout, xhat)
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3), keepdims=True)
    n = xhat.shape[0]
    dxhat, xh = (dout * gamma).reshape(n, G, -1), xhat.reshape(n, G, -1)
    dx = dxhat - dxhat.mean(axis=2, keepdims=True)
    dx -= xh * (dxhat * xh).mean(axis=2, keepdims=True)
    return (dx * inv_std).reshape(xhat.shape), dgamma, dbeta


def _dropout_mask(x: np.ndarray, dropout_param, p: float) -> np.ndarray:
    """The kept units: dropout_param['mask'] (boolean or 0/1, x's shape) when given, else
    drawn as CS231n does, np.random.seed(seed); np.random.rand(*x.shape) < p (the same draw
    from a RandomState(seed), leaving NumPy's global state alone; without a seed, from it)."""
    mask = dropout_param.get("mask")
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != x.shape:
            raise InputError(f"dropout_param['mask'] has shape {mask.shape}, x has {x.shape}")
        if mask.dtype != bool and not np.all((mask == 0) | (mask == 1)):
            raise InputError("dropout_param['mask'] must be boolean (True: the unit is kept)")
        return mask.astype(bool)
    seed = dropout_param.get("seed")
    draw = np.random if seed is None else np.random.RandomState(validate_seed(
        seed, "dropout_param['seed']"))
    return draw.rand(*x.shape) < p


def dropout_forward(x, dropout_param):
    """Inverted dropout: (out, cache). dropout_param: 'p' (the probability of keeping a
    unit, in (0, 1]), 'mode' ('train' or 'test'), 'seed', and our optional 'mask' (the kept
    units, x's shape). Train mode: out = x ⊙ mask / p; test mode: out = x."""
    x = _array(x, "x")
    mode = _mode(dropout_param, "dropout_param")
    p = dropout_param.get("p")
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 < p <= 1:
        raise InputError(f"dropout_param['p'] (the keep probability) must be in (0, 1], "
                         f"got {p!r}")
    if mode == "test":
        return x.copy(), (mode, p, None)
    mask = _dropout_mask(x, dropout_param, float(p))
    return (x * mask / p).astype(x.dtype, copy=False), (mode, p, mask)


def dropout_backward(dout, cache):
    """dx = dout ⊙ mask / p in train mode (out is linear in x), dout in test mode."""
    mode, p, mask = cache
    dout = np.asarray(dout)
    if mode != "test" and dout.shape != mask.shape:
        raise InputError(f"dout has shape {dout.shape}, the forward's out has {mask.shape}")
    return dout.copy() if mode == "test" else dout * mask / p


_FEATURES = {"x": ("example", "feature"), "gamma": ("feature",), "beta": ("feature",),
             "running_mean": ("feature",), "running_var": ("feature",)}
_CHANNELS = {"x": ("example", "channel", "row", "column"), "gamma": ("channel",),
             "beta": ("channel",), "running_mean": ("channel",), "running_var": ("channel",)}
_BN = dict(arrays=("x", "gamma", "beta"), config="bn_param", grads=("dx", "dgamma", "dbeta"),
           state=("running_mean", "running_var"))

register_layer("batchnorm", batchnorm_forward, batchnorm_backward, axes=_FEATURES, **_BN)
register_layer("spatial_batchnorm", spatial_batchnorm_forward, spatial_batchnorm_backward,
               axes=_CHANNELS, **_BN)
register_layer("layernorm", layernorm_forward, layernorm_backward,
               arrays=("x", "gamma", "beta"), config="ln_param",
               grads=("dx", "dgamma", "dbeta"),
               axes={k: v for k, v in _FEATURES.items() if not k.startswith("running")})
_GROUPS = ("", "channel", "", "")       # γ, β (1, C, 1, 1): only the channel axis says much
register_layer("spatial_groupnorm", spatial_groupnorm_forward, spatial_groupnorm_backward,
               arrays=("x", "gamma", "beta", "G"), config="gn_param",
               grads=("dx", "dgamma", "dbeta"),
               axes={"x": _CHANNELS["x"], "out": _CHANNELS["x"], "gamma": _GROUPS,
                     "beta": _GROUPS})
register_layer("dropout", dropout_forward, dropout_backward, arrays=("x",),
               config="dropout_param", axes={"x": ("example", "feature")})
