"""Inverted dropout's twin: x ⊙ mask / p written out (p keeps a unit), the mask from the
config or CS231n's seeded draw, adopted from the output under test."""

from __future__ import annotations

import numpy as np

from ..base import register_twin, torch

__all__ = ["dropout_mask"]


def dropout_mask(shape: tuple[int, ...], config: dict) -> np.ndarray:
    """The kept units: config['mask'], else CS231n's draw, np.random.seed(seed) then
    np.random.rand(*shape) < p (a RandomState(seed) gives the same numbers)."""
    if config.get("mask") is not None:
        return np.asarray(config["mask"]).astype(bool)
    return np.random.RandomState(config["seed"]).rand(*shape) < config["p"]


def _dropout(t, config):
    x = t["x"]
    if config["mode"] == "test":
        return {"out": x.clone()}
    mask = dropout_mask(tuple(x.shape), config)
    if mask.shape != tuple(x.shape):    # adopted from an output of another shape
        mask = dropout_mask(tuple(x.shape), dict(config, mask=None))
    mask = torch.from_numpy(mask)
    return {"out": x * mask / config["p"]}


def _dropout_adopt(config: dict, outputs) -> dict:
    """The mask the forward under test used: its out is x/p where a unit was kept and 0
    where dropped (x is never 0), so mask = out ≠ 0; anything else in out (x/(1 − p), x)
    then differs from the oracle's x ⊙ mask / p and is reported there."""
    out = outputs.get("out") if isinstance(outputs, dict) else None
    if config.get("mode") != "train" or out is None:
        return config
    out = np.asarray(out)
    if out.dtype.kind not in "fiu":
        return config
    shape = np.shape(config["mask"]) if config.get("mask") is not None else None
    if shape is not None and out.shape != shape:
        return config
    return dict(config, mask=out != 0)


def _dropout_own(arrays, config, outputs, upstream) -> dict | None:
    """dx of the forward under test itself: its out is x ⊙ s unit by unit (x is never 0),
    so dx = dout ⊙ out/x, whatever s it used (vanilla dropout's mask, a 1/(1 − p), no
    dropout at all, a 0/0 where it divided by a p of 0); None where its out is not an
    array of x's shape."""
    x = np.asarray(arrays["x"], dtype=np.float64)
    out = outputs.get("out") if isinstance(outputs, dict) else None
    if not isinstance(out, np.ndarray) or out.shape != x.shape or out.dtype.kind != "f":
        return None
    with np.errstate(all="ignore"):
        return {"dx": np.asarray(upstream["dout"], dtype=np.float64) * (out / x)}


def _dropout_sample(rng, dtype):
    """x (N, D) away from 0; p the keep probability (0.3, 0.5, 0.8, 1.0 or another);
    the mask given (sometimes a row all dropped) or drawn from a seed."""
    n, d = int(rng.integers(1, 9)), int(rng.integers(1, 17))
    x = rng.standard_normal((n, d))
    x = np.where(np.abs(x) < 1e-3, 0.5, x)
    p = float(rng.choice([0.3, 0.5, 0.8, 1.0, round(float(rng.uniform(0.1, 0.95)), 3)]))
    config = {"p": p, "mode": "test" if rng.random() < 0.2 else "train"}
    tags = ["batch1"] * (n == 1) + ["feature1"] * (d == 1) + [f"p{p:g}"]
    if config["mode"] == "test":
        tags.append("test-mode")
    if rng.random() < 0.5:
        config["seed"] = int(rng.integers(0, 2 ** 31))
        tags.append("seeded")
    else:
        mask = rng.random((n, d)) < p
        if n > 1 and rng.random() < 0.2:
            mask[int(rng.integers(n))] = False
            tags.append("dropped-row")
        config["mask"] = mask
    return {"x": x.astype(dtype)}, config, tuple(tags)


def _dropout_mistake(formula, *, train: bool = True):
    """A mistake of dropout, where it shows: not at p = 1 (everything kept), and only its
    arrays that differ from the right ones (1/(1 − p) is 1/p at p = 0.5; a mask that keeps
    every unit hides a missing mask)."""
    def mistake(arrays, config, up):
        p = config["p"]
        if (config["mode"] == "train") != train or p == 1:
            return {}
        x = np.asarray(arrays["x"], dtype=np.float64)
        dout = np.asarray(up["dout"], dtype=np.float64)
        mask = dropout_mask(x.shape, config) if train else np.ones(x.shape, dtype=bool)
        right = {"out": x * mask / p if train else x, "dx": dout * mask / p if train else dout}
        wrong = formula(x, mask, p, dout)
        return {k: v for k, v in wrong.items() if not np.array_equal(v, right[k])}
    return mistake


register_twin("dropout", _dropout, _dropout_sample, adopt=_dropout_adopt, own=_dropout_own,
              mistakes={
    "dropout backward without the mask (dx = dout/p; the dropped units get no gradient)":
        _dropout_mistake(lambda x, mask, p, dout: {"dx": dout / p}),
    "dropout backward without the 1/p (dx = dout·mask; inverted dropout scales by 1/p)":
        _dropout_mistake(lambda x, mask, p, dout: {"dx": dout * mask}),
    "dropout scaled by 1/(1 − p): p is the probability of keeping a unit (CS231n since "
    "2018), not of dropping it":
        _dropout_mistake(lambda x, mask, p, dout: {"out": x * mask / (1 - p),
                                                   "dx": dout * mask / (1 - p)}),
    "dropout forward without the 1/p (vanilla dropout; inverted dropout scales the kept "
    "units by 1/p in train mode)":
        _dropout_mistake(lambda x, mask, p, dout: {"out": x * mask, "dx": dout * mask}),
    "test mode scaled by p (vanilla dropout's test time); inverted dropout is the "
    "identity in test mode":
        _dropout_mistake(lambda x, mask, p, dout: {"out": x * p}, train=False),
})
