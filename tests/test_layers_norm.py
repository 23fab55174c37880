"""The norm family (batchnorm, spatial_batchnorm, layernorm, dropout): manual's layers
against their torch twins, closed forms worked by hand, the samplers' edge cases, each
known mistake against a planted bug that makes it, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from manual.errors import InputError
from manual.layers import get_layer
from manual.layers import norm as mnorm
from reference.oracle.layers import get_twin, make_case, oracle_layer
from reference.oracle.layers import norm as tnorm
from reference.oracle.tolerances import SAME_ARITHMETIC, allowance, tolerance_for
from tests.layer_bugs.norm import PLANTED

FAMILY = ("batchnorm", "spatial_batchnorm", "layernorm", "dropout")
DTYPES = ("float64", "float32")
SEEDS = range(60)


def run(layer: str, forward, backward, case) -> dict:
    """Outputs, state and gradients of a CS231n-convention forward/backward on a case (no
    gradients where the twin says the backward may decline and it raises)."""
    entry, twin = get_layer(layer), get_twin(layer)
    args = case.inputs()
    *outs, cache = forward(*args)
    got = dict(zip(entry.outputs, outs))
    for key in entry.state:
        got[key] = args[-1].get(key)
    try:
        grads = backward(*[case.upstream[u] for u in entry.upstream()], cache)
    except Exception:
        if twin.forward_only is None or not twin.forward_only(case.config()):
            raise
        return got
    got.update(zip(entry.grads, grads if len(entry.grads) > 1 else (grads,)))
    return got


def expected(layer: str, case, got: dict) -> tuple[dict, dict]:
    """The oracle's outputs and gradients (those `got` has, where the backward may
    decline), after the twin adopts what it must from `got` (dropout's mask); and the
    config it used."""
    twin = get_twin(layer)
    config = case.config()
    if twin.adopt is not None:
        config = twin.adopt(config, got)
    outputs, grads = oracle_layer(layer, case.arrays, config, case.upstream)
    if twin.forward_only is not None and twin.forward_only(config):
        grads = {k: v for k, v in grads.items() if k in got}
    return {**outputs, **grads}, config


def mismatches(got: dict, want: dict, dtype: str) -> list[str]:
    rtol, atol = tolerance_for(dtype)
    bad = []
    for key, e in want.items():
        g = got.get(key)
        if g is None or np.shape(g) != np.shape(e):
            bad.append(f"{key}: shape {np.shape(g)} != {np.shape(e)}")
        elif not np.all(np.abs(np.asarray(g, dtype=np.float64) - e) <= allowance(e, rtol, atol)):
            bad.append(f"{key}: max |diff| {np.max(np.abs(np.asarray(g, np.float64) - e)):.3g}")
    return bad


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layer", FAMILY)
def test_manual_agrees_with_its_twin(layer, dtype):
    entry = get_layer(layer)
    failures = []
    for seed in SEEDS:
        case = make_case(layer, seed, dtype)
        got = run(layer, entry.forward, entry.backward, case)
        for key in entry.outputs + entry.grads:
            assert np.asarray(got[key]).dtype == np.dtype(dtype), (case.id, key)
        want, _ = expected(layer, case, got)
        failures += [f"{case.id} {m}" for m in mismatches(got, want, dtype)]
    assert failures == []


@pytest.mark.parametrize("dtype", DTYPES)
def test_batchnorm_backward_alt_is_the_same_gradient(dtype):
    """CS231n's second backward (here the staged graph) on the same entry."""
    failures = []
    for seed in SEEDS:
        case = make_case("batchnorm", seed, dtype)
        got = run("batchnorm", mnorm.batchnorm_forward, mnorm.batchnorm_backward_alt, case)
        want, _ = expected("batchnorm", case, got)
        failures += [f"{case.id} {m}" for m in mismatches(got, want, dtype)]
    assert failures == []


def test_running_averages_by_hand_are_cs231n_rule_not_torch_buffers():
    """x = [1, 3]: μ = 2, biased σ² = 1 (unbiased 2). CS231n's rule with momentum 0.9 from
    zeros: running_mean = 0.2, running_var = 0.1; torch's own buffers (momentum 0.1) hold
    running_var = 0.2, the unbiased variance: the twin must not be torch's buffers."""
    import torch
    import torch.nn.functional as F

    x, gamma, beta = np.array([[1.0], [3.0]]), np.ones(1), np.zeros(1)
    bn_param = {"mode": "train"}
    mnorm.batchnorm_forward(x, gamma, beta, bn_param)
    rtol, atol = SAME_ARITHMETIC["float64"]
    np.testing.assert_allclose(bn_param["running_mean"], [0.2], rtol, atol)
    np.testing.assert_allclose(bn_param["running_var"], [0.1], rtol, atol)
    outputs, _ = oracle_layer("batchnorm", {"x": x, "gamma": gamma, "beta": beta},
                              {"mode": "train"}, {"dout": np.ones((2, 1))})
    np.testing.assert_allclose(outputs["running_mean"], [0.2], rtol, atol)
    np.testing.assert_allclose(outputs["running_var"], [0.1], rtol, atol)
    buffers = torch.zeros(1, dtype=torch.float64), torch.zeros(1, dtype=torch.float64)
    F.batch_norm(torch.from_numpy(x), *buffers, training=True, momentum=0.1)
    assert buffers[1].item() == pytest.approx(0.2)


@pytest.mark.parametrize("layer", ["batchnorm", "spatial_batchnorm"])
def test_one_value_per_statistic_in_train_mode_gives_beta_and_no_gradient(layer):
    """N = 1 (one pixel): x − μ = 0 exactly, so out = β, dx = 0 and dγ = 0 for every right
    implementation, with ε keeping 1/σ finite; torch refuses train mode there, the twin
    writes it out."""
    rng = np.random.default_rng(0)
    shape = (1, 3) if layer == "batchnorm" else (1, 3, 1, 1)
    x, gamma, beta = rng.standard_normal(shape), rng.standard_normal(3), rng.standard_normal(3)
    dout = rng.standard_normal(shape)
    entry = get_layer(layer)
    bn_param = {"mode": "train"}
    out, cache = entry.forward(x, gamma, beta, bn_param)
    dx, dgamma, dbeta = entry.backward(dout, cache)
    np.testing.assert_array_equal(out.reshape(3), beta)
    np.testing.assert_array_equal(dx, np.zeros(shape))
    np.testing.assert_array_equal(dgamma, np.zeros(3))
    np.testing.assert_array_equal(dbeta, dout.reshape(3))
    outputs, grads = oracle_layer(layer, {"x": x, "gamma": gamma, "beta": beta},
                                  {"mode": "train"}, {"dout": dout})
    assert not mismatches({"out": out, "dx": dx, "dgamma": dgamma, "dbeta": dbeta, **bn_param},
                          {**outputs, **grads}, "float64")


def test_spatial_batchnorm_is_batchnorm_with_the_channels_last():
    """CS231n's definition: (N, C, H, W) → (N·H·W, C), the 1-D batch norm, and back."""
    rng = np.random.default_rng(1)
    x, dout = rng.standard_normal((3, 2, 5, 3)), rng.standard_normal((3, 2, 5, 3))
    gamma, beta = rng.standard_normal(2), rng.standard_normal(2)
    p1, p2 = {"mode": "train"}, {"mode": "train"}
    out, cache = mnorm.spatial_batchnorm_forward(x, gamma, beta, p1)
    flat, flat_cache = mnorm.batchnorm_forward(x.transpose(0, 2, 3, 1).reshape(-1, 2),
                                               gamma, beta, p2)
    np.testing.assert_allclose(out, flat.reshape(3, 5, 3, 2).transpose(0, 3, 1, 2))
    np.testing.assert_allclose(p1["running_var"], p2["running_var"])
    dx, dg, db = mnorm.spatial_batchnorm_backward(dout, cache)
    fdx, fdg, fdb = mnorm.batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, 2),
                                             flat_cache)
    np.testing.assert_allclose(dx, fdx.reshape(3, 5, 3, 2).transpose(0, 3, 1, 2))
    np.testing.assert_allclose(np.stack([dg, db]), np.stack([fdg, fdb]))


def test_dropout_without_a_mask_draws_as_cs231n_does():
    """np.random.seed(seed); np.random.rand(*x.shape) < p, on both sides, and neither
    touches NumPy's global random state."""
    x = np.random.default_rng(2).standard_normal((4, 7)) + 5.0    # never 0
    state = np.random.get_state()
    try:
        np.random.seed(123)
        keep = np.random.rand(4, 7) < 0.3
        np.random.seed(9)
        after = np.random.get_state()[1].copy()
        out, cache = mnorm.dropout_forward(x, {"p": 0.3, "mode": "train", "seed": 123})
        twin_mask = tnorm.dropout_mask((4, 7), {"p": 0.3, "seed": 123})
        assert np.array_equal(np.random.get_state()[1], after)
    finally:
        np.random.set_state(state)
    np.testing.assert_array_equal(out != 0, keep)
    np.testing.assert_array_equal(twin_mask, keep)
    np.testing.assert_allclose(out, x * keep / 0.3)
    np.testing.assert_allclose(mnorm.dropout_backward(np.ones((4, 7)), cache), keep / 0.3)


def test_dropout_test_mode_and_p_one_are_the_identity():
    x = np.random.default_rng(3).standard_normal((3, 4))
    for param in ({"p": 0.3, "mode": "test"}, {"p": 1.0, "mode": "train", "seed": 0}):
        out, cache = mnorm.dropout_forward(x, param)
        np.testing.assert_array_equal(out, x)
        np.testing.assert_array_equal(mnorm.dropout_backward(x, cache), x)


def test_dropout_adopt_takes_the_mask_from_the_output_under_test():
    """A student's own mask (another seed) is adopted and agrees; scaling by 1/(1 − p)
    keeps the same zeros, so the mask is adopted and the values then disagree."""
    twin = get_twin("dropout")
    x = np.random.default_rng(4).standard_normal((5, 6)) + 4.0
    config = {"p": 0.8, "mode": "train", "mask": np.ones((5, 6), dtype=bool)}
    theirs = np.random.RandomState(7).rand(5, 6) < 0.8
    for scale, agrees in ((1 / 0.8, True), (1 / 0.2, False)):
        adopted = twin.adopt(config, {"out": x * theirs * scale})
        np.testing.assert_array_equal(adopted["mask"], theirs)
        outputs, _ = oracle_layer("dropout", {"x": x}, adopted, {"dout": np.ones((5, 6))})
        assert np.allclose(outputs["out"], x * theirs * scale) == agrees
    assert twin.adopt(dict(config, mode="test"), {"out": x}) == dict(config, mode="test")
    assert twin.adopt(config, {"out": x[:2]}) is config          # another shape: left alone


def test_samplers_draw_the_edge_cases_in_both_dtypes():
    wanted = {"batchnorm": {"batch1", "feature1", "test-mode", "no-running-stats",
                            "momentum", "eps"},
              "spatial_batchnorm": {"batch1", "channel1", "odd", "nonsquare", "test-mode"},
              "layernorm": {"batch1", "feature1", "eps"},
              "dropout": {"batch1", "p0.3", "p0.8", "p1", "p0.5", "test-mode", "seeded",
                          "dropped-row"}}
    for layer, tags in wanted.items():
        seen = set()
        for seed in range(200):
            case = make_case(layer, seed, DTYPES[seed % 2])
            seen.update(case.tags)
            assert {a.dtype for a in case.arrays.values()} == {np.dtype(case.dtype)}
            if layer == "dropout":
                assert np.all(case.arrays["x"] != 0)     # adopt reads the mask from out ≠ 0
            elif case.hyper.get("momentum") is not None:
                assert case.hyper["momentum"] != 0.5     # a swap would be invisible
        assert tags <= seen, (layer, tags - seen)


@pytest.mark.parametrize("layer", ["batchnorm", "spatial_batchnorm", "layernorm"])
def test_statistics_are_drawn_away_from_zero_variance(layer):
    """Groups of 2 or 3 values have σ ≥ 0.5 (scale ≥ 1, spread ≥ 0.5 scales): a right
    float32 answer never meets x − μ lost to rounding, nor a cancelled dx amplified by
    γ/σ beyond the float32 allowance."""
    axes = {"batchnorm": (0,), "spatial_batchnorm": (0, 2, 3), "layernorm": (1,)}[layer]
    for seed in range(200):
        x = make_case(layer, seed, "float32").arrays["x"].astype(np.float64)
        if x.size // np.prod([x.shape[a] for a in range(x.ndim) if a not in axes]) > 1:
            assert x.std(axis=axes).min() >= 0.5 * (1 - SAME_ARITHMETIC["float32"][0]), seed


def _mistake_for(planted):
    found = [(d, fn) for d, fn in get_twin(planted.layer).mistakes.items()
             if planted.diagnosis in d]
    assert len(found) == 1, (planted.name, [d for d, _ in found])
    return found[0]


BUGS = [p for p in PLANTED if p.diagnosis is not None]
HARMLESS = [p for p in PLANTED if p.diagnosis is None]


@pytest.mark.parametrize("planted", BUGS, ids=lambda p: p.name)
def test_each_planted_bug_is_its_mistakes_formula_and_is_caught(planted):
    """Where the mistake applies, the planted bug's arrays are the mistake's formula (in
    float32 too: the samplers condition the wrong statistics of a known mistake, per pixel
    or over the batch, as well as the right ones), and at least one of them misses the
    oracle; the bug is caught on every case where its mistake applies."""
    _, mistake = _mistake_for(planted)
    applied = caught = 0
    for seed in SEEDS:
        for dtype in DTYPES:
            case = make_case(planted.layer, seed, dtype)
            with np.errstate(all="ignore"):
                got = run(planted.layer, planted.forward, planted.backward, case)
            want, config = expected(planted.layer, case, got)
            caught += bool(mismatches(got, want, dtype))
            wrong = mistake(case.arrays, config, case.upstream)
            if not wrong:
                continue
            applied += 1
            assert mismatches(got, wrong, dtype) == [], case.id
            assert mismatches(wrong, {k: want[k] for k in wrong}, dtype), case.id
    assert applied >= 10 and caught >= applied, (applied, caught)


@pytest.mark.parametrize("planted", HARMLESS, ids=lambda p: p.name)
def test_harmless_variants_pass(planted):
    failures = []
    for seed in SEEDS:
        for dtype in DTYPES:
            case = make_case(planted.layer, seed, dtype)
            got = run(planted.layer, planted.forward, planted.backward, case)
            want, _ = expected(planted.layer, case, got)
            failures += [f"{case.id} {m}" for m in mismatches(got, want, dtype)]
    assert failures == []


def test_every_mistake_of_the_family_has_a_planted_bug():
    named = {_mistake_for(p)[0] for p in BUGS}
    for layer in FAMILY:
        missing = set(get_twin(layer).mistakes) - named
        if layer == "spatial_batchnorm":   # its 1-D mistakes are planted on batchnorm
            missing -= set(get_twin("batchnorm").mistakes)
        assert missing == set(), (layer, missing)


def test_per_pixel_statistics_are_caught_by_the_forward_alone():
    planted = next(p for p in BUGS if p.name == "spatial_batchnorm-per-pixel")
    seen = 0
    for seed in SEEDS:
        case = make_case("spatial_batchnorm", seed, "float32")
        x = case.arrays["x"]
        if case.hyper["mode"] != "train" or x.shape[2] * x.shape[3] == 1:
            continue
        out, _ = planted.forward(*case.inputs())
        want, _ = expected("spatial_batchnorm", case, {})
        assert mismatches({"out": out}, {"out": want["out"]}, "float32"), case.id
        seen += 1
    assert seen >= 20


X2, V3 = np.ones((3, 4)), np.ones(4)
BAD = [
    (lambda: mnorm.batchnorm_forward(X2, V3[:3], V3, {"mode": "train"}), "gamma must have"),
    (lambda: mnorm.batchnorm_forward(X2, V3, V3, {"mode": "eval"}), "'train' or 'test'"),
    (lambda: mnorm.batchnorm_forward(X2, V3, V3, {}), "bn_param['mode']"),
    (lambda: mnorm.batchnorm_forward(X2, V3, V3, None), "bn_param must be a dict"),
    (lambda: mnorm.batchnorm_forward(np.ones((3, 4, 1)), V3, V3, {"mode": "train"}),
     "x must have 2 axes"),
    (lambda: mnorm.batchnorm_forward(X2, V3, V3, {"mode": "test", "running_var": -V3}),
     "negative"),
    (lambda: mnorm.batchnorm_forward(X2, V3, V3, {"mode": "train", "eps": 0}), "eps"),
    (lambda: mnorm.batchnorm_forward(X2, V3, V3, {"mode": "train", "momentum": 2}),
     "momentum"),
    (lambda: mnorm.batchnorm_forward(X2, V3, V3, {"mode": "train",
                                                  "running_mean": np.ones(3)}), "running_mean"),
    (lambda: mnorm.batchnorm_forward(np.full((3, 4), np.nan), V3, V3, {"mode": "train"}),
     "NaN"),
    (lambda: mnorm.batchnorm_forward(np.ones((0, 4)), V3, V3, {"mode": "train"}), "empty"),
    (lambda: mnorm.spatial_batchnorm_forward(X2, V3, V3, {"mode": "train"}), "4 axes"),
    (lambda: mnorm.layernorm_forward(X2, V3, V3, None), "ln_param must be a dict"),
    (lambda: mnorm.layernorm_forward(X2, V3, V3[:2], {}), "beta must have"),
    (lambda: mnorm.dropout_forward(X2, {"p": -0.5, "mode": "train"}), "keep probability"),
    (lambda: mnorm.dropout_forward(X2, {"p": 0, "mode": "train"}), "(0, 1]"),
    (lambda: mnorm.dropout_forward(X2, {"p": 1.5, "mode": "train"}), "(0, 1]"),
    (lambda: mnorm.dropout_forward(X2, {"p": "half", "mode": "train"}), "'p'"),
    (lambda: mnorm.dropout_forward(X2, {"p": 0.5, "mode": "train",
                                        "mask": np.ones((4, 3), bool)}), "mask"),
    (lambda: mnorm.dropout_forward(X2, {"p": 0.5, "mode": "train",
                                        "mask": np.full((3, 4), 0.5)}), "boolean"),
    (lambda: mnorm.dropout_forward(X2, {"p": 0.5, "mode": "train", "seed": -1}), "seed"),
    (lambda: mnorm.dropout_forward(X2, {"p": 0.5}), "dropout_param['mode']"),
    (lambda: mnorm.batchnorm_backward(X2[:2], mnorm.batchnorm_forward(
        X2, V3, V3, {"mode": "train"})[1]), "dout has shape (2, 4)"),
    (lambda: mnorm.layernorm_backward(X2.T, mnorm.layernorm_forward(X2, V3, V3, {})[1]),
     "dout has shape (4, 3)"),
    (lambda: mnorm.dropout_backward(X2[:1], mnorm.dropout_forward(
        X2, {"p": 0.5, "mode": "train", "seed": 0})[1]), "dout has shape (1, 4)"),
]


@pytest.mark.parametrize("call,message", BAD, ids=[m for _, m in BAD])
def test_bad_input_is_an_input_error_naming_it(call, message):
    with pytest.raises(InputError, match=None) as info:
        call()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_train_mode_writes_the_running_averages_into_bn_param_and_test_mode_keeps_them():
    x = np.random.default_rng(5).standard_normal((6, 4))
    bn_param = {"mode": "train", "momentum": 0.8}
    mnorm.batchnorm_forward(x, V3, 0 * V3, bn_param)
    np.testing.assert_allclose(bn_param["running_mean"], 0.2 * x.mean(axis=0))
    np.testing.assert_allclose(bn_param["running_var"], 0.2 * x.var(axis=0))
    kept = {k: v.copy() for k, v in bn_param.items() if k.startswith("running")}
    out, _ = mnorm.batchnorm_forward(x, V3, 0 * V3, dict(bn_param, mode="test"))
    np.testing.assert_allclose(out, (x - kept["running_mean"]) / np.sqrt(
        kept["running_var"] + mnorm.EPS))


@pytest.mark.parametrize("layer", ["batchnorm", "spatial_batchnorm"])
def test_batchnorm_dx_slab_by_slab_is_the_same_gradient(layer, monkeypatch):
    """BN2's dx runs slab by slab of the batch (cache-sized); the cases are smaller than
    one slab, so here every slab is one row, with a remainder where N is odd, and the
    spatial form's coefficients stay (1, C, 1, 1) (an example's plane is over a slab)."""
    monkeypatch.setattr(mnorm, "SLAB", 1)
    entry, failures = get_layer(layer), []
    for seed in range(20):
        case = make_case(layer, seed, "float64")
        got = run(layer, entry.forward, entry.backward, case)
        want, _ = expected(layer, case, got)
        failures += [f"{case.id} {m}" for m in mismatches(got, want, "float64")]
    assert failures == []


def test_a_backward_without_test_mode_is_judged_on_its_forward_there():
    """CS231n's batchnorm_forward keeps no cache in test mode: the twin says so
    (`forward_only`), and a right forward with such a backward passes every case."""
    planted = next(p for p in HARMLESS if p.name == "batchnorm-no-test-mode-cache")
    declined = 0
    for seed in SEEDS:
        case = make_case("batchnorm", seed, "float64")
        got = run("batchnorm", planted.forward, planted.backward, case)
        declined += "dx" not in got
        assert ("dx" not in got) == (case.hyper["mode"] == "test")
    assert declined >= 5
    assert not get_twin("layernorm").forward_only and not get_twin("dropout").forward_only


def test_dropout_of_a_feature_map_agrees_with_its_twin():
    """The samplers draw (N, D); dropout after a convolution drops units of (N, C, H, W)
    the same way, with a seeded draw or a given mask."""
    rng = np.random.default_rng(6)
    x, dout = rng.standard_normal((2, 3, 4, 5)) + 4.0, rng.standard_normal((2, 3, 4, 5))
    for param in ({"p": 0.6, "mode": "train", "seed": 11},
                  {"p": 0.3, "mode": "train", "mask": rng.random(x.shape) < 0.3}):
        out, cache = mnorm.dropout_forward(x, dict(param))
        dx = mnorm.dropout_backward(dout, cache)
        outputs, grads = oracle_layer("dropout", {"x": x}, param, {"dout": dout})
        assert not mismatches({"out": out, "dx": dx}, {**outputs, **grads}, "float64")
