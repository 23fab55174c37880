"""The torch twins of the dense family: affine, relu, flatten, softmax_loss,
svm_loss and the L2 penalty, with their samplers and known mistakes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..tolerances import LOG_GUARD
from .base import F, register_twin, torch


def _batch(rng) -> int:
    """N: 1 about one case in six (batch 1 breaks code that squeezes or means wrongly)."""
    return 1 if rng.random() < 1 / 6 else int(rng.integers(2, 9))


def _tags(**flags) -> tuple[str, ...]:
    return tuple(name for name, on in flags.items() if on)


def _off_kink(x, gap: float = 1e-3):
    """x moved at least `gap` away from 0, where relu and the hinge have kinks."""
    return np.where(np.abs(x) < gap, np.where(x < 0, -10 * gap, 10 * gap), x)


# ---- affine: out = x.reshape(N, D) @ w + b --------------------------------------------

def _affine(t, config):
    x = t["x"]
    return {"out": F.linear(x.reshape(x.shape[0], -1), t["w"].T, t["b"])}


def _affine_sample(rng, dtype):
    """x of 2 to 4 axes (CS231n's (N, d1, ..., dk)), M from 1 (a single output unit)."""
    N = _batch(rng)
    extra = tuple(int(d) for d in rng.integers(1, 5, size=int(rng.integers(1, 4))))
    D, M = int(np.prod(extra)), int(rng.integers(1, 7))
    arrays = {"x": rng.standard_normal((N, *extra)),
              "w": rng.standard_normal((D, M)) / np.sqrt(D),
              "b": rng.standard_normal(M)}
    tags = _tags(batch1=N == 1, x_many_axes=len(extra) > 1, one_output=M == 1)
    return {k: v.astype(dtype) for k, v in arrays.items()}, None, tags


def _x2(arrays):
    x = np.asarray(arrays["x"], dtype=np.float64)
    return x.reshape(x.shape[0], -1)


def _dw_unreshaped(arrays, config, up):
    x = np.asarray(arrays["x"], dtype=np.float64)
    return {"dw": np.matmul(x.T, up["dout"])} if x.ndim > 2 else {}


AFFINE_MISTAKES = {
    "db averaged over the batch (mean over N instead of the sum, BP3)":
        lambda a, c, up: {"db": up["dout"].mean(axis=0)},
    "dw averaged over the batch (xᵀ dout / N instead of the sum, BP4)":
        lambda a, c, up: {"dw": _x2(a).T @ up["dout"] / up["dout"].shape[0]},
    "dw transposed (doutᵀ x instead of xᵀ dout)":
        lambda a, c, up: {"dw": up["dout"].T @ _x2(a)},
    "dw computed from x without reshaping it to (N, D)": _dw_unreshaped,
    "dx left as (N, D): not reshaped back to x's shape":
        lambda a, c, up: {"dx": up["dout"] @ np.asarray(a["w"], dtype=np.float64).T},
    "dx = dout w without the transpose":
        lambda a, c, up: {"dx": up["dout"] @ np.asarray(a["w"], dtype=np.float64)},
}

register_twin("affine", _affine, _affine_sample, mistakes=AFFINE_MISTAKES)


# ---- relu -----------------------------------------------------------------------------

def _relu(t, config):
    return {"out": F.relu(t["x"])}


def _relu_sample(rng, dtype):
    """x of 2 to 4 axes, kept at least 1e-3 off relu's kink at 0."""
    shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(2, 5))))
    x = _off_kink(rng.standard_normal(shape))
    return {"x": x.astype(dtype)}, None, _tags(batch1=shape[0] == 1)


register_twin("relu", _relu, _relu_sample, mistakes={
    "the gradient passed where x < 0 (the mask [x > 0] is missing)":
        lambda arrays, config, up: {"dx": up["dout"]},
    "dx = [x > 0] without dout (the upstream gradient is not multiplied in)":
        lambda arrays, config, up: {"dx": (np.asarray(arrays["x"]) > 0).astype(float)},
})


# ---- flatten --------------------------------------------------------------------------

def _flatten(t, config):
    return {"out": torch.flatten(t["x"], 1)}


def _flatten_sample(rng, dtype):
    """x of 2 to 5 axes."""
    shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(2, 6))))
    x = rng.standard_normal(shape)
    return {"x": x.astype(dtype)}, None, _tags(batch1=shape[0] == 1, flat=len(shape) == 2)


register_twin("flatten", _flatten, _flatten_sample, mistakes={
    "dx left as (N, D): not reshaped back to x's shape":
        lambda arrays, config, up: {"dx": up["dout"]},
})


# ---- the class losses -----------------------------------------------------------------

def _scores(rng, dtype, hinge: bool):
    """Scores (N, C) and labels: logits of scale 1 to 10 (far from exp's overflow even in
    float32), repeated labels, C = 2 now and then; for the hinge no margin xⱼ − x_y + 1
    within 1e-3 of its kink at 0."""
    N, C = _batch(rng), int(rng.choice([2, 3, 5, 10]))
    scale = float(rng.choice([1.0, 3.0, 10.0]))
    x = scale * rng.standard_normal((N, C))
    y = rng.integers(0, C, size=N).astype(np.int64)
    if hinge:
        rows = np.arange(N)
        margins = _off_kink(x - x[rows, y][:, None] + 1)
        x = margins + x[rows, y][:, None] - 1
    tags = _tags(batch1=N == 1, two_classes=C == 2, large_scores=scale >= 10,
                 repeated_labels=len(set(y.tolist())) < N)
    return {"x": x.astype(dtype), "y": y}, None, tags


def _probs(a):
    x = np.asarray(a["x"], dtype=np.float64)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _onehot(a):
    x = np.asarray(a["x"])
    out = np.zeros(x.shape)
    out[np.arange(x.shape[0]), a["y"]] = 1
    return out


def _softmax(t, config):
    return {"loss": F.cross_entropy(t["x"], t["y"])}


SOFTMAX_MISTAKES = {
    "dx without the 1/N of the mean over the batch":
        lambda a, c, up: {"dx": _probs(a) - _onehot(a)},
    "dx = softmax(x) / N: the one-hot of y is not subtracted":
        lambda a, c, up: {"dx": _probs(a) / len(a["y"])},
    "dx with the sign flipped (onehot − softmax instead of softmax − onehot)":
        lambda a, c, up: {"dx": (_onehot(a) - _probs(a)) / len(a["y"])},
    "loss summed over the batch, not averaged (no 1/N)":
        lambda a, c, up: {"loss": -np.log(_probs(a)[np.arange(len(a["y"])), a["y"]]).sum()},
}

def _softmax_reconcile(arrays, config, got, expected):
    """A loss written -mean(log(p_y + ε)) with a small guard ε (students add 1e-8 to 1e-5
    inside the log against log 0) is right: the answer's loss, when it lies between the
    exact one and the one with the largest guard `LOG_GUARD`, is taken as expected."""
    loss = got.get("loss") if isinstance(got, Mapping) else None
    if "loss" not in expected or not np.isscalar(loss) and np.size(loss) != 1:
        return expected
    try:
        loss = float(np.asarray(loss, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return expected
    p_y = _probs(arrays)[np.arange(len(arrays["y"])), arrays["y"]]
    guarded = float(-np.log(p_y + LOG_GUARD).mean())
    exact = float(-np.log(p_y).mean())
    return {**expected, "loss": loss} if guarded <= loss <= exact else expected


register_twin("softmax_loss", _softmax, lambda rng, dtype: _scores(rng, dtype, False),
              mistakes=SOFTMAX_MISTAKES, reconcile=_softmax_reconcile)


def _svm(t, config):
    """torch's multi_margin_loss averages the hinge over the C classes; CS231n sums it."""
    x = t["x"]
    return {"loss": F.multi_margin_loss(x, t["y"], margin=1.0) * x.shape[1]}


def _hinge(a):
    """(margins with the correct class zeroed, [margin > 0], N) in float64."""
    x = np.asarray(a["x"], dtype=np.float64)
    rows = np.arange(x.shape[0])
    margins = np.maximum(0, x - x[rows, a["y"]][:, None] + 1)
    margins[rows, a["y"]] = 0
    return margins, (margins > 0).astype(float), x.shape[0]


def _svm_dx(a, correct):
    """The hinge's dx with the correct class's entry given by correct(count of positive
    margins, [margin > 0])."""
    _, pos, N = _hinge(a)
    pos[np.arange(N), a["y"]] = correct(pos.sum(axis=1), pos)
    return pos / N


SVM_MISTAKES = {
    "the correct class's own margin counted (margins[y] = 1 not zeroed)":
        lambda a, c, up: {"dx": _svm_dx(a, lambda n, p: -n - 1),
                          "loss": _hinge(a)[0].sum() / _hinge(a)[2] + 1},
    "dx without the 1/N of the mean over the batch":
        lambda a, c, up: {"dx": _svm_dx(a, lambda n, p: -n) * _hinge(a)[2]},
    "the correct class's column gets no gradient (−count of positive margins missing)":
        lambda a, c, up: {"dx": _svm_dx(a, lambda n, p: 0)},
    "the correct class gets −1 instead of −(the count of positive margins)":
        lambda a, c, up: {"dx": _svm_dx(a, lambda n, p: -(n > 0))},
    "loss summed over the batch, not averaged (no 1/N)":
        lambda a, c, up: {"loss": _hinge(a)[0].sum()},
}

register_twin("svm_loss", _svm, lambda rng, dtype: _scores(rng, dtype, True),
              mistakes=SVM_MISTAKES)


# ---- the L2 weight penalty ------------------------------------------------------------

def _l2(t, config):
    return {"loss": config["reg"] / (2 * config.get("m", 1)) * (t["w"] ** 2).sum()}


def _l2_sample(rng, dtype):
    """w of 1 to 4 axes; λ from 1e-3 to 5 (and 0); m = 1 (CS231n's 0.5·reg) or a batch
    size (Nielsen's and Ng's λ/2m)."""
    shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 5))))
    reg = float(rng.choice([0.0, 1e-3, 0.1, 0.5, 2.0, 5.0]))
    m = 1 if rng.random() < 0.4 else int(rng.integers(2, 65))
    config = {"reg": reg, "m": m}
    return ({"w": rng.standard_normal(shape).astype(dtype)}, config,
            _tags(cs231n=m == 1, no_reg=reg == 0))


def _w(a):
    return np.asarray(a["w"], dtype=np.float64)


L2_MISTAKES = {
    "dw = w: the factor λ/m is missing": lambda a, c, up: {"dw": _w(a)},
    "dw = λ·w: the 1/m is missing": lambda a, c, up: {"dw": c["reg"] * _w(a)},
    "dw = 2λ/m·w: the ½ of the penalty was not cancelled by the square's 2":
        lambda a, c, up: {"dw": 2 * c["reg"] / c.get("m", 1) * _w(a)},
    "the penalty without the ½ (λ/m ‖w‖² instead of λ/(2m) ‖w‖²)":
        lambda a, c, up: {"loss": c["reg"] / c.get("m", 1) * np.sum(_w(a) ** 2)},
    "the penalty without 1/m (λ/2 ‖w‖²)":
        lambda a, c, up: {"loss": c["reg"] / 2 * np.sum(_w(a) ** 2)},
}

register_twin("l2", _l2, _l2_sample, mistakes=L2_MISTAKES)
