"""The correct intermediates of a layer's forward on one case: what a student's cache
may hold, for the probe to rebuild the cache of a wrong forward (`probes.layer_cache`).

A backward is graded on the cache the student's own forward returns. When that forward's
output is wrong, its cache may be wrong too (a variance without eps, a wrong mean), and a
right backward run on it would fail for the forward's bug. A TA gives the backward credit
if it is right on correct inputs: the probe keeps the forward's cache layout (its tuple,
dict or list of per-step caches) and puts the correct value in each entry it can
identify, from this pool: the layer's arrays and outputs, and the intermediates students
cache (the padded x, x̂, the batch mean, the variance with and without eps, the standard
deviation and its inverse, the mask, h and c per step...), each with the names students
give it. The pool holds the forward's values only, never a gradient.

A layer whose forward is random (dropout: the twin `adopt`s the student's mask) has no
pool: its backward runs on its own cache, as before.
"""

from __future__ import annotations

import functools

import numpy as np

from manual.layers import get_layer

from ...oracle.layer_run import layer_tolerance
from ...oracle.layers import LayerCase, get_twin, make_case
from ...oracle.tolerances import CACHE_NEAR, allowance

__all__ = ["cache_pool", "intermediates"]

REFERENCE_SEEDS = 40      # seeded draws the reference case is picked from

# the names students give an intermediate (compared lower-case, without '_'): the first
# is the pool's own name for it
ALIASES: dict[str, tuple[str, ...]] = {
    "x": ("x", "input", "inputs", "xin"), "running_mean": ("runningmean", "rm"),
    "running_var": ("runningvar", "rv"), "w": ("w", "weight", "weights"),
    "b": ("b", "bias"), "out": ("out", "y", "output"),
    "gamma": ("gamma", "g", "scale"), "beta": ("beta", "shift"),
    "mean": ("mean", "mu", "samplemean", "batchmean", "avg", "xmean", "m"),
    "var": ("var", "samplevar", "batchvar", "variance", "sigma2", "sigmasq", "v"),
    "var_eps": ("vareps", "varpluseps", "varianceeps"),
    "std": ("std", "sqrtvar", "sigma", "sd", "stddev", "sqrtvareps"),
    "inv_std": ("invstd", "ivar", "istd", "invvar", "rstd", "invsigma", "invsqrtvar"),
    "xmu": ("xmu", "xc", "xcentered", "xminusmean", "xmean0", "diff", "xm", "centered"),
    "x_hat": ("xhat", "xnorm", "xnormalized", "normalized", "xn", "norm"),
    "x_pad": ("xpad", "xpadded", "padded", "apad", "aprevpad"),
    "x_flat": ("xflat", "xrow", "xrows", "xreshaped", "x2d"),
    "mask": ("mask", "relumask"),
    "a": ("a", "z", "preact", "preactivation", "affine"),
    "next_h": ("nexth", "h", "hnext", "ht"), "prev_h": ("prevh", "hprev", "htm1", "hp"),
    "next_c": ("nextc", "c", "cnext", "ct"), "prev_c": ("prevc", "cprev", "ctm1", "cp"),
    "tanh_c": ("tanhc", "tanhnextc", "tc"), "i": ("i", "ig", "inputgate"),
    "f": ("f", "fg", "forgetgate"), "o": ("o", "og", "outputgate"),
    "g": ("g", "gg", "gate", "cellgate"),
}


def _names(name: str) -> list[str]:
    """The dict keys that name the intermediate `name` (lower-case, without '_')."""
    base = name.split("@")[0].split(":")[-1]
    keys = [name, base] + list(ALIASES.get(base, ()))
    return list(dict.fromkeys(k.lower().replace("_", "") for k in keys))


def _stats(x, eps: float, axis, prefix: str = "") -> dict:
    """A normalization's intermediates over `axis`, kept dims and squeezed (BN1, BN2)."""
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True)
    std = np.sqrt(var + eps)
    out = {"xmu": x - mean, "xmu_sq": (x - mean) ** 2, "x_hat": (x - mean) / std}
    for name, value in (("mean", mean), ("var", var), ("var_eps", var + eps), ("std", std),
                        ("inv_std", 1.0 / std), ("inv_var", 1.0 / (var + eps))):
        out[name] = value
        out[name + "@squeezed"] = np.squeeze(value, axis=axis)
    return {prefix + k: v for k, v in out.items()}


def _batchnorm(arrays: dict, config: dict, outputs: dict) -> dict:
    x, eps = arrays["x"], float(config.get("eps", 1e-5))
    found = {**_stats(x, eps, 0), "out": outputs["out"]}
    if config.get("mode") == "test" and isinstance(config.get("running_var"), np.ndarray):
        std = np.sqrt(config["running_var"] + eps)        # test mode: the running averages
        found.update({"std": std, "inv_std": 1 / std, "xmu": x - config["running_mean"],
                      "x_hat": (x - config["running_mean"]) / std})
    return found


def _layernorm(arrays: dict, config: dict, outputs: dict) -> dict:
    x, eps = arrays["x"], float(config.get("eps", 1e-5))
    found = _stats(x, eps, 1)
    # the layer written as batch norm of xᵀ: its intermediates transposed
    found.update({k + "@T": v.T for k, v in list(found.items()) if np.ndim(v) == 2})
    return {**found, "x@T": x.T}


def _spatial(arrays: dict, config: dict, outputs: dict) -> dict:
    x, eps = arrays["x"], float(config.get("eps", 1e-5))
    flat = x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])
    return {**_stats(x, eps, (0, 2, 3)), **_stats(flat, eps, 0, "flat:"), "x_flat": flat,
            "out_flat": outputs["out"].transpose(0, 2, 3, 1).reshape(-1, x.shape[1])}


def _padded(name: str, axes: tuple[int, int]):
    def padded(arrays: dict, config: dict, outputs: dict) -> dict:
        pad = int(config.get("pad", 0))
        widths = [(pad, pad) if k in axes else (0, 0) for k in range(arrays[name].ndim)]
        return {"x_pad": np.pad(arrays[name], widths)}
    return padded


def _affine(arrays: dict, config: dict, outputs: dict) -> dict:
    x = arrays["x"]
    return {"x_flat": x.reshape(x.shape[0], -1)}


def _relu(arrays: dict, config: dict, outputs: dict) -> dict:
    return {"mask": arrays["x"] > 0}


def _rnn_step(x, prev_h, Wx, Wh, b) -> dict:
    a = x @ Wx + prev_h @ Wh + b
    h = np.tanh(a)
    return {"x": x, "prev_h": prev_h, "a": a, "next_h": h, "dtanh": 1 - h ** 2}


def _lstm_step(x, prev_h, prev_c, Wx, Wh, b) -> dict:
    a = x @ Wx + prev_h @ Wh + b
    H = prev_h.shape[1]
    sig = 1 / (1 + np.exp(-a[:, :3 * H]))
    i, f, o, g = sig[:, :H], sig[:, H:2 * H], sig[:, 2 * H:], np.tanh(a[:, 3 * H:])
    c = f * prev_c + i * g
    return {"x": x, "prev_h": prev_h, "prev_c": prev_c, "a": a, "i": i, "f": f, "o": o,
            "g": g, "ifog": np.concatenate([i, f, o, g], axis=1), "next_c": c,
            "tanh_c": np.tanh(c), "next_h": o * np.tanh(c)}


def _steps(lstm: bool):
    """A sequence's intermediates at every step t, named 'next_h@t' (and h, c over T)."""
    def steps(arrays: dict, config: dict, outputs: dict) -> dict:
        x, h = arrays["x"], arrays["h0"]
        c = np.zeros_like(h)
        found: dict = {}
        hs, cs = [h], [c]
        for t in range(x.shape[1]):
            step = (_lstm_step(x[:, t], h, c, arrays["Wx"], arrays["Wh"], arrays["b"]) if lstm
                    else _rnn_step(x[:, t], h, arrays["Wx"], arrays["Wh"], arrays["b"]))
            found.update({f"{k}@{t}": v for k, v in step.items()})
            h, c = step["next_h"], step.get("next_c")
            hs.append(h)
            cs.append(c)
        # the states stacked over time, with the initial one first (N, T + 1, H) or not
        found.update({"h_all": np.stack(hs, axis=1), "prev_hs": np.stack(hs[:-1], axis=1)})
        if lstm:
            found.update({"c_all": np.stack(cs, axis=1), "c": np.stack(cs[1:], axis=1),
                          "prev_cs": np.stack(cs[:-1], axis=1)})
        return found
    return steps


def _step(lstm: bool):
    def step(arrays: dict, config: dict, outputs: dict) -> dict:
        names = ("x", "prev_h", "prev_c", "Wx", "Wh", "b") if lstm else (
            "x", "prev_h", "Wx", "Wh", "b")
        return (_lstm_step if lstm else _rnn_step)(*(arrays[n] for n in names))
    return step


EXTRAS = {
    "affine": _affine, "relu": _relu, "batchnorm": _batchnorm, "layernorm": _layernorm,
    "spatial_batchnorm": _spatial, "conv": _padded("x", (2, 3)),
    "conv_channels_last": _padded("A_prev", (1, 2)),
    "rnn_step": _step(False), "lstm_step": _step(True),
    "rnn": _steps(False), "lstm": _steps(True),
}


def _leaves(value, prefix: str, depth: int = 0) -> dict:
    """The arrays of the registry's own cache (manual's), by their place in it."""
    if isinstance(value, np.ndarray):
        return {prefix: value}
    if isinstance(value, (tuple, list)) and depth < 4:
        return {k: v for i, item in enumerate(value)
                for k, v in _leaves(item, f"{prefix}[{i}]", depth + 1).items()}
    return {}


def intermediates(case: LayerCase) -> tuple[dict, dict]:
    """(the forward's outputs by name, every correct intermediate by name) on `case`."""
    entry = get_layer(case.layer)
    arrays = {k: np.array(v, copy=True) for k, v in case.arrays.items()}
    config = case.config() if entry.config else {}
    after = case.config() if entry.config else None       # the state the forward writes
    value = entry.forward(*(arrays[a] for a in entry.arrays), *((after,) if entry.config else ()))
    outputs = dict(zip(entry.outputs, value[:len(entry.outputs)]))
    found = {**arrays, **outputs}
    found.update({k: v for k, v in (config or {}).items() if isinstance(v, np.ndarray)})
    found.update({f"{k}@updated": (after or {}).get(k) for k in entry.state
                  if isinstance((after or {}).get(k), np.ndarray)})
    extra = EXTRAS.get(case.layer)
    if extra is not None:
        found.update(extra(arrays, config, outputs))
    return outputs, {**found, **_leaves(value[-1], "cache")}


def _pool(case: LayerCase, tol: tuple[float, float]) -> dict:
    """The expected outputs, each with its allowance (the child compares |a − c| with it:
    the formula stays in `tolerances`), and the intermediates, each once ([names, value,
    the largest entry of its allowance, the keys a student may store it under]: a match
    tells an intermediate, it grades nothing; one value under several names is sent once,
    with every name)."""
    outputs, found = intermediates(case)
    candidates: list[list] = []
    for name, value in found.items():
        if not (isinstance(value, np.ndarray) and value.dtype.kind in "biuf"):
            continue
        same = next((c for c in candidates if c[1].shape == value.shape
                     and np.array_equal(c[1], value)), None)
        if same is not None:
            same[0].append(name)
            same[3] += [k for k in _names(name) if k not in same[3]]
            continue
        allowed = allowance(np.asarray(value, dtype=np.float64), *tol)
        candidates.append([[name], value, float(np.max(allowed, initial=0.0)), _names(name)])
    return {"expected": [[v, allowance(np.asarray(v, dtype=np.float64), *tol)]
                         for v in outputs.values()], "candidates": candidates}


@functools.lru_cache(maxsize=128)
def _reference(layer: str, mode, excluded: tuple[str, ...]) -> LayerCase | None:
    """A typical case of `layer` in `mode` (the fewest of the samplers' edge-case tags,
    none of `excluded`, a batch of 3 or more (of 2, x̂ is ±1), the median size), where every
    intermediate is finite and apart from the others."""
    drawn = [make_case(layer, seed, "float64") for seed in range(REFERENCE_SEEDS)]
    drawn = [c for c in drawn if not set(c.tags) & set(excluded)
             and (c.hyper or {}).get("mode") == mode]
    if not drawn:
        return None
    def rank(c):        # the fewest edge cases, then a batch of 3 or more
        return (len(c.tags), next(iter(c.arrays.values())).shape[0] < 3)
    fewest = min(rank(c) for c in drawn)
    typical = sorted((c for c in drawn if rank(c) == fewest),
                     key=lambda c: sum(int(np.size(a)) for a in c.arrays.values()))
    return typical[len(typical) // 2]


def cache_pool(case: LayerCase, excluded: tuple[str, ...] = ()) -> dict | None:
    """What the probe needs to rebuild a wrong forward's cache (None for a random layer):
    the expected outputs and the intermediates (`_pool`),
    how near a wrong entry must be to the intermediate it is taken for (`CACHE_NEAR`),
    and a reference case (its arguments and pool) to read the forward's layout on."""
    twin, entry = get_twin(case.layer), get_layer(case.layer)
    if twin.adopt is not None or entry.loss:
        return None
    tol = layer_tolerance(twin, case.dtype)
    pool = {**_pool(case, tol), "near": list(CACHE_NEAR)}
    reference = _reference(case.layer, (case.hyper or {}).get("mode"), tuple(excluded))
    if reference is not None:
        pool["reference"] = {"args": [reference.arrays[a] for a in entry.arrays],
                             "pool": {**_pool(reference, tol), "near": list(CACHE_NEAR),
                                      "expected": []}}
        if entry.config:
            pool["reference"]["config"] = reference.config()
    return pool
