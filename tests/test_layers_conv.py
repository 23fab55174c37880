"""The conv family (conv, conv_channels_last, max_pool, avg_pool): manual's forward and
backward against torch autograd on the sampled cases, the samplers' edge cases, ties
in max pooling, bad input, and the planted bugs against the oracle's formulas of the
mistakes they make."""

from __future__ import annotations

import numpy as np
import pytest

from manual.errors import InputError
from manual.layers import get_layer
from manual.layers.conv import (
    avg_pool_forward,
    conv_backward,
    conv_channels_last_backward,
    conv_channels_last_forward,
    conv_forward,
    max_pool_backward,
    max_pool_forward,
)
from reference.oracle.layers import get_twin, make_case, oracle_layer
from reference.oracle.tolerances import tolerance_for, within
from tests.layer_bugs.conv import PLANTED

LAYERS = ["conv", "conv_channels_last", "max_pool", "avg_pool"]
DTYPES = ["float64", "float32"]
SEEDS = range(60)
_ORACLE: dict = {}


def run(entry, case, forward=None, backward=None):
    """(outputs, gradients) of a forward/backward pair (the entry's own by default)."""
    res = (forward or entry.forward)(*case.inputs())
    grads = (backward or entry.backward)(*[case.upstream[u] for u in entry.upstream()],
                                         res[-1])
    grads = grads if isinstance(grads, tuple) else (grads,)
    return dict(zip(entry.outputs, res[:-1])), dict(zip(entry.grads, grads))


def oracle(case):
    key = (case.layer, case.seed, case.dtype)
    if key not in _ORACLE:
        _ORACLE[key] = oracle_layer(case.layer, case.arrays, case.hyper, case.upstream)
    return _ORACLE[key]


def disagreements(case, outputs, grads) -> list[str]:
    """Names of the outputs and gradients outside the case dtype's tolerance (the
    oracle's dx moved to the tied maximum the answer chose, where one is)."""
    rtol, atol = tolerance_for(case.dtype)
    expected_out, expected = oracle(case)
    twin = get_twin(case.layer)
    if twin.reconcile:
        expected = twin.reconcile(case.arrays, case.hyper, grads, expected)
    return [name for name, value in {**outputs, **grads}.items()
            if not within(value, {**expected_out, **expected}[name], rtol, atol)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layer", LAYERS)
def test_manual_agrees_with_autograd(layer, dtype):
    entry = get_layer(layer)
    failed = []
    for seed in SEEDS:
        case = make_case(layer, seed, dtype)
        outputs, grads = run(entry, case)
        assert all(v.dtype == np.dtype(dtype) for v in [*outputs.values(), *grads.values()])
        failed += [f"{case.id}: {name}" for name in disagreements(case, outputs, grads)]
    assert failed == []


REQUIRED_TAGS = {
    "conv": {"batch1", "channel1", "kernel1", "kernel=input", "stride>kernel", "pad0", "pad>1",
             "odd", "nonsquare", "rect-kernel", "floor", "stride>1"},
    "max_pool": {"batch1", "channel1", "ties", "overlap", "stride>window", "nonsquare",
                 "window=input", "floor", "odd"},
    "avg_pool": {"overlap", "stride>window", "nonsquare", "window=input", "floor"},
}


@pytest.mark.parametrize("layer", sorted(REQUIRED_TAGS))
def test_samplers_draw_every_edge_case_in_both_dtypes(layer):
    for dtype in DTYPES:
        cases = [make_case(layer, seed, dtype) for seed in range(120)]
        assert REQUIRED_TAGS[layer] <= {t for c in cases for t in c.tags}
        assert all(a.dtype == np.dtype(dtype) for c in cases for a in c.arrays.values())
        assert all(type(v) is int for c in cases for v in c.hyper.values())


def test_conv_tags_say_what_the_case_is():
    """Each tag read back from the case's own shapes (not from the sampler's choice)."""
    for seed in range(120):
        case = make_case("conv", seed)
        (N, C, H, W), (_, _, HH, WW) = case.arrays["x"].shape, case.arrays["w"].shape
        s, p = case.hyper["stride"], case.hyper["pad"]
        facts = {"batch1": N == 1, "channel1": C == 1, "kernel1": HH == WW == 1, "pad>1": p > 1,
                 "kernel=input": H + 2 * p == HH or W + 2 * p == WW,
                 "floor": (H + 2 * p - HH) % s > 0 or (W + 2 * p - WW) % s > 0}
        assert {t for t, on in facts.items() if on} == set(case.tags) & set(facts), case.id


def test_channels_last_sample_is_in_ngs_layout():
    for seed in range(20):
        arrays = make_case("conv_channels_last", seed).arrays
        assert arrays["A_prev"].shape[-1] == arrays["W"].shape[2]
        assert arrays["b"].shape == (1, 1, 1, arrays["W"].shape[3])


def test_output_size_floors_as_torch_does():
    """(H + 2·pad − HH) / stride: 7 → (7 − 3)/2 + 1 = 3 exactly (CS231n's assert holds);
    8 → ⌊5/2⌋ + 1 = 3 (CS231n asserts, torch floors: the last row takes part in nothing)."""
    rng = np.random.default_rng(0)
    w, b = rng.standard_normal((2, 1, 3, 3)), np.zeros(2)
    for size in (7, 8):
        x = rng.standard_normal((1, 1, size, size))
        out, cache = conv_forward(x, w, b, {"stride": 2, "pad": 0})
        assert out.shape == (1, 2, 3, 3)
        dx = conv_backward(np.ones_like(out), cache)[0]
        assert dx.shape == x.shape and (size == 7 or not dx[0, 0, -1].any())


def _tied_cases(dtype="float64", count=8):
    cases = (make_case("max_pool", seed, dtype) for seed in range(400))
    tied = [c for c in cases if "ties" in c.tags]
    assert len(tied) >= count
    return tied[:count]


def test_ties_go_to_the_first_maximum_in_row_major_order_as_torch():
    """Compared with torch's own routing, without reconcile: the rule is torch's."""
    entry = get_layer("max_pool")
    for case in _tied_cases():
        _, grads = run(entry, case)
        np.testing.assert_array_equal(grads["dx"], oracle(case)[1]["dx"])


def _windows(case, a):
    """a as (N, C, H', W', ph·pw) windows (a copy)."""
    ph, pw, s = (case.hyper[k] for k in ("pool_height", "pool_width", "stride"))
    view = np.lib.stride_tricks.sliding_window_view(a, (ph, pw), axis=(2, 3))[:, :, ::s, ::s]
    return view.reshape(*view.shape[:4], ph * pw)


def _unwindow(case, per_window, shape):
    """The inverse for windows that do not overlap (stride ≥ window): dx with each
    window's values in place, 0 outside every window."""
    ph, pw, s = (case.hyper[k] for k in ("pool_height", "pool_width", "stride"))
    Ho, Wo = per_window.shape[2:4]
    dx = np.zeros(shape)
    for k in range(ph * pw):
        dx[:, :, k // pw::s, k % pw::s][:, :, :Ho, :Wo] = per_window[..., k]
    return dx


def test_any_one_tied_maximum_passes_and_copying_or_splitting_fails():
    entry = get_layer("max_pool")
    last = next(p for p in PLANTED if p.name == "max_pool-tie-to-last-maximum")
    for case in _tied_cases():
        _, grads = run(entry, case, last.forward, last.backward)
        assert disagreements(case, {}, grads) == []
        right = oracle(case)[1]["dx"]
        assert not np.array_equal(grads["dx"], right)          # a tie did move
        np.testing.assert_array_equal(_unwindow(case, _windows(case, right), right.shape),
                                      right)                   # the test's own round trip
        x = _windows(case, case.arrays["x"])
        tied = x == x.max(axis=-1, keepdims=True)
        share = _windows(case, right).sum(axis=-1, keepdims=True)
        for wrong in (tied * share, tied * share / tied.sum(axis=-1, keepdims=True)):
            dx = _unwindow(case, wrong, right.shape)
            assert disagreements(case, {}, {"dx": dx}) == ["dx"], case.id


def test_reconcile_leaves_a_case_without_ties_alone():
    twin = get_twin("max_pool")
    case = next(make_case("max_pool", s) for s in range(50)
                if "ties" not in make_case("max_pool", s).tags)
    expected = oracle(case)[1]
    wrong = {"dx": np.ones_like(expected["dx"])}
    assert twin.reconcile(case.arrays, case.hyper, wrong, expected)["dx"] is not None
    np.testing.assert_array_equal(
        twin.reconcile(case.arrays, case.hyper, wrong, expected)["dx"], expected["dx"])


def test_backward_can_run_twice_from_one_cache():
    case = make_case("conv", 3)
    out, cache = conv_forward(*case.inputs())
    first = conv_backward(case.upstream["dout"], cache)
    second = conv_backward(case.upstream["dout"], cache)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_float32_row_holds_for_a_large_channel_count():
    """A float32 convolution accumulates C·HH·WW products per output and N·H'·W' per dw
    entry: at C·HH·WW = 64·25 and N·H'·W' = 2048 the float32 row of the tolerance table
    still holds (measured ~5e-7 of the scale against its 1e-5), so the conv family adds
    no tolerance of its own."""
    rng = np.random.default_rng(1)
    arrays = {"x": rng.standard_normal((8, 64, 16, 16)).astype(np.float32),
              "w": (rng.standard_normal((16, 64, 5, 5)) / 40).astype(np.float32),
              "b": rng.standard_normal(16).astype(np.float32)}
    config = {"stride": 1, "pad": 2}
    out, cache = conv_forward(*arrays.values(), config)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    expected_out, expected = oracle_layer("conv", arrays, config, {"dout": dout})
    rtol, atol = tolerance_for("float32")
    assert within(out, expected_out["out"], rtol, atol)
    for name, got in zip(("dx", "dw", "db"), conv_backward(dout, cache)):
        assert within(got, expected[name], rtol, atol), name


# --- bad input ---------------------------------------------------------------------------

_X, _W, _B = np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3)), np.ones(4)
_POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}
BAD = {
    "kernel larger than the padded input": (
        lambda: conv_forward(_X, np.ones((4, 3, 8, 3)), _B, {"stride": 1, "pad": 1}),
        r"kernel height \(8\) is larger than the padded input's height \(5 \+ 2·1 = 7\)"),
    "stride 0": (lambda: conv_forward(_X, _W, _B, {"stride": 0, "pad": 1}),
                 r"conv_param\['stride'\] must be an integer >= 1, got 0"),
    "stride not an integer": (lambda: conv_forward(_X, _W, _B, {"stride": 1.5, "pad": 1}),
                              r"conv_param\['stride'\] must be an integer"),
    "negative pad": (lambda: conv_forward(_X, _W, _B, {"stride": 1, "pad": -1}),
                     r"conv_param\['pad'\] must be an integer >= 0"),
    "pad missing": (lambda: conv_forward(_X, _W, _B, {"stride": 1}),
                    r"conv_param is missing 'pad'"),
    "conv_param not a dict": (lambda: conv_forward(_X, _W, _B, 1), r"conv_param must be a dict"),
    "channels differ": (lambda: conv_forward(_X, np.ones((4, 2, 3, 3)), _B,
                                             {"stride": 1, "pad": 1}),
                        r"w has 2 channels \(w.shape\[1\]\) but x has 3"),
    "one bias per filter": (lambda: conv_forward(_X, _W, np.ones(3), {"stride": 1, "pad": 1}),
                            r"b must have shape \(4,\), one bias per filter"),
    "x of 3 axes": (lambda: conv_forward(_X[0], _W, _B, {"stride": 1, "pad": 1}),
                    r"x must have 4 axes \(example, channel, row, column\)"),
    "dout of the wrong shape": (
        lambda: conv_backward(np.ones((2, 4, 4, 4)),
                              conv_forward(_X, _W, _B, {"stride": 1, "pad": 1})[1]),
        r"dout must have the forward output's shape \(2, 4, 5, 5\)"),
    "pooling window larger than the input": (
        lambda: max_pool_forward(_X, {**_POOL, "pool_width": 6}),
        r"pooling window width \(6\) is larger than the input's width \(5\)"),
    "pool stride 0": (lambda: avg_pool_forward(_X, {**_POOL, "stride": 0}),
                      r"pool_param\['stride'\] must be an integer >= 1"),
    "pool_param missing a key": (lambda: max_pool_forward(_X, {"pool_height": 2, "stride": 2}),
                                 r"pool_param is missing 'pool_width'"),
    "max pool dout of the wrong shape": (
        lambda: max_pool_backward(np.ones((2, 3, 3, 3)), max_pool_forward(_X, _POOL)[1]),
        r"dout must have the forward output's shape \(2, 3, 2, 2\)"),
    "channels-last W channels differ": (
        lambda: conv_channels_last_forward(np.ones((2, 5, 5, 3)), np.ones((3, 3, 2, 4)),
                                           np.ones((1, 1, 1, 4)), {"stride": 1, "pad": 1}),
        r"W has 2 input channels \(W.shape\[2\]\) but A_prev has 3"),
    "channels-last b as a vector": (
        lambda: conv_channels_last_forward(np.ones((2, 5, 5, 3)), np.ones((3, 3, 3, 4)),
                                           np.ones(4), {"stride": 1, "pad": 1}),
        r"b must have 4 axes"),
    "channels-last stride 0": (
        lambda: conv_channels_last_forward(np.ones((2, 5, 5, 3)), np.ones((3, 3, 3, 4)),
                                           np.ones((1, 1, 1, 4)), {"stride": 0, "pad": 1}),
        r"hparameters\['stride'\] must be an integer >= 1"),
    "channels-last dZ of 3 axes": (
        lambda: conv_channels_last_backward(np.ones((2, 5, 5)), None), r"dZ must have 4 axes"),
    "a string array": (lambda: conv_forward(np.array([["a"]]), _W, _B, {"stride": 1, "pad": 0}),
                       r"x must be a real array"),
}


@pytest.mark.parametrize("problem", sorted(BAD))
def test_bad_input_is_an_input_error_that_names_the_problem(problem):
    call, message = BAD[problem]
    with pytest.raises(InputError, match=message):
        call()


# --- planted bugs against the oracle's formulas of their mistakes ---------------------------

@pytest.mark.parametrize("planted", PLANTED, ids=lambda p: p.name)
def test_planted_bug_is_its_mistake_and_harmless_variants_pass(planted):
    """Where the planted bug's gradient disagrees with autograd, it equals the twin's
    NumPy formula of its mistake (two independent routes to the same wrong answer);
    a harmless variant never disagrees."""
    entry, twin = get_layer(planted.layer), get_twin(planted.layer)
    [mistake] = [f for text, f in twin.mistakes.items()
                 if planted.diagnosis and planted.diagnosis in text] or [None]
    assert (mistake is None) == (planted.diagnosis is None)
    shown = 0
    for seed in range(40):
        for dtype in DTYPES:
            case = make_case(planted.layer, seed, dtype)
            if "floor" in case.tags and "asserts" in planted.name:
                continue  # outside the contract it asserts (the twins' `lenient` tags)
            outputs, grads = run(entry, case, planted.forward, planted.backward)
            wrong = disagreements(case, outputs, grads)
            assert mistake is not None or wrong == [], case.id
            if wrong:
                rtol, atol = tolerance_for(dtype)
                formula = mistake(case.arrays, case.hyper, case.upstream)
                assert all(within(grads[n], formula.get(n), rtol, atol) for n in wrong), case.id
                shown += 1
        if shown >= 6:
            break
    assert mistake is None or shown > 0
