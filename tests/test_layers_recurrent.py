"""The recurrent family (word_embedding, rnn_step, rnn, lstm_step, lstm,
temporal_affine, temporal_softmax_loss): manual against its torch twin on seeded
cases of both dtypes, closed forms worked by hand, the samplers' edge cases, bad
input, the index meanings, and the planted bugs against the twins' mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from manual.errors import InputError
from manual.layers import get_layer
from manual.layers.recurrent import (
    GATES,
    lstm_forward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    temporal_affine_forward,
    temporal_softmax_loss,
    word_embedding_backward,
    word_embedding_forward,
)
from reference.oracle.layers import get_twin, make_case, oracle_layer
from reference.oracle.layers.recurrent import NAMES
from reference.oracle.layers.recurrent.samplers import PRE_ACTIVATION_BOUND
from reference.oracle.tolerances import SAME_ARITHMETIC, tolerance_for, within
from tests.layer_bugs.recurrent import PLANTED

DTYPES = ("float64", "float32")
SEEDS = range(40)


def answers(layer: str, forward, backward, case) -> dict:
    """{output or gradient name: array} of an implementation on a case."""
    entry = get_layer(layer)
    result = forward(*case.inputs())
    if entry.loss:
        return {"loss": np.asarray(result[0]), "dx": result[1]}
    outs = dict(zip(entry.outputs, result[:-1]))
    grads = backward(*[case.upstream[u].copy() for u in entry.upstream()], result[-1])
    grads = grads if isinstance(grads, tuple) else (grads,)
    return {**outs, **dict(zip(entry.grads, grads))}


def oracle(case) -> dict:
    outputs, grads = oracle_layer(case.layer, case.arrays, case.hyper, case.upstream)
    return {**outputs, **grads}


def disagreements(got: dict, expected: dict, dtype: str) -> list[str]:
    rtol, atol = tolerance_for(dtype)
    return [k for k in expected if not within(got[k], expected[k], rtol, atol)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layer", NAMES)
def test_manual_agrees_with_its_twin(layer, dtype):
    entry = get_layer(layer)
    for seed in SEEDS:
        case = make_case(layer, seed, dtype)
        got = answers(layer, entry.forward, entry.backward, case)
        assert all(np.asarray(v).dtype == np.dtype(dtype) for v in got.values()), case.id
        bad = disagreements(got, oracle(case), dtype)
        assert not bad, f"{case.id}: {bad}"


# --- closed forms, worked by hand -----------------------------------------------------------


def test_temporal_softmax_loss_of_uniform_scores_is_log_v_per_unmasked_step():
    """Scores all 0: every step's loss is log V and dx = (1/V − onehot)/N where unmasked."""
    N, T, V = 2, 3, 4
    y = np.array([[0, 3, 1], [2, 2, 0]])
    mask = np.array([[True, False, True], [False, False, False]])
    loss, dx = temporal_softmax_loss(np.zeros((N, T, V)), y, mask)
    np.testing.assert_allclose(loss, 2 * np.log(4) / 2, rtol=SAME_ARITHMETIC["float64"][0])
    expected = (np.full((N, T, V), 1 / V) - np.eye(V)[y]) * mask[..., None] / N
    np.testing.assert_allclose(dx, expected, atol=SAME_ARITHMETIC["float64"][1])


def test_a_zero_one_mask_reads_as_the_boolean_mask():
    case = make_case("temporal_softmax_loss", 5)
    x, y, mask = (case.arrays[k] for k in ("x", "y", "mask"))
    loss, dx = temporal_softmax_loss(x, y, mask)
    for other in (mask.astype(np.int64), mask.astype(np.float64)):
        loss2, dx2 = temporal_softmax_loss(x, y, other, verbose=False)
        assert loss2 == loss and np.array_equal(dx2, dx)


def test_embedding_backward_accumulates_a_repeated_word():
    x = np.array([[1, 1], [1, 0]])
    W = np.arange(6.0).reshape(3, 2)
    out, cache = word_embedding_forward(x, W)
    np.testing.assert_array_equal(out[0, 1], W[1])
    dout = np.arange(8.0).reshape(2, 2, 2)
    dW = word_embedding_backward(dout, cache)
    np.testing.assert_array_equal(dW, [[6, 7], [0 + 2 + 4, 1 + 3 + 5], [0, 0]])


def test_lstm_reads_the_gates_in_cs231n_order():
    """Wx = Wh = 0 and b = [a_i | a_f | a_o | a_g]: next_c = σ(a_f) c + σ(a_i) tanh(a_g),
    next_h = σ(a_o) tanh(next_c), by hand."""
    a = dict(zip(GATES, (0.3, -0.7, 1.1, 0.4)))
    b = np.array([a[k] for k in GATES])
    prev_c = np.array([[0.5]])
    next_h, next_c, _ = lstm_step_forward(np.zeros((1, 2)), np.zeros((1, 1)), prev_c,
                                          np.zeros((2, 4)), np.zeros((1, 4)), b)
    s = {k: 1 / (1 + np.exp(-a[k])) for k in "ifo"}
    c = s["f"] * 0.5 + s["i"] * np.tanh(a["g"])
    np.testing.assert_allclose(next_c, [[c]], rtol=SAME_ARITHMETIC["float64"][0])
    np.testing.assert_allclose(next_h, [[s["o"] * np.tanh(c)]], rtol=SAME_ARITHMETIC["float64"][0])


def test_a_sequence_of_length_one_is_one_step():
    """rnn over T = 1 is rnn_step from h0; lstm over T = 1 is lstm_step from c0 = 0."""
    case = make_case("rnn", 3)
    x, h0, Wx, Wh, b = (case.arrays[k] for k in ("x", "h0", "Wx", "Wh", "b"))
    h, cache = rnn_forward(x[:, :1], h0, Wx, Wh, b)
    step, step_cache = rnn_step_forward(x[:, 0], h0, Wx, Wh, b)
    np.testing.assert_allclose(h[:, 0], step, rtol=SAME_ARITHMETIC["float64"][0])
    dh = np.ones_like(h)
    for seq, one in zip(rnn_backward(dh, cache), rnn_step_backward(dh[:, 0], step_cache)):
        np.testing.assert_allclose(np.squeeze(seq), np.squeeze(one),
                                   atol=SAME_ARITHMETIC["float64"][1])
    Wx4, Wh4, b4 = np.tile(Wx, 4), np.tile(Wh, 4), np.tile(b, 4)
    h, _ = lstm_forward(x[:, :1], h0, Wx4, Wh4, b4)
    step = lstm_step_forward(x[:, 0], h0, np.zeros_like(h0), Wx4, Wh4, b4)[0]
    np.testing.assert_allclose(h[:, 0], step, rtol=SAME_ARITHMETIC["float64"][0])


# --- the samplers ---------------------------------------------------------------------------

EDGES = {"word_embedding": {"batch1", "seq1", "repeated-words"}, "rnn_step": {"batch1", "D!=H"},
         "rnn": {"batch1", "seq1", "D!=H"}, "lstm_step": {"batch1", "D!=H"},
         "lstm": {"batch1", "seq1", "D!=H"}, "temporal_affine": {"batch1", "seq1"},
         "temporal_softmax_loss": {"batch1", "seq1", "mask-zero-row"}}


@pytest.mark.parametrize("layer", NAMES)
def test_sampler_covers_the_edge_cases_and_tags_them_truly(layer):
    cases = [make_case(layer, seed, dtype) for seed in range(60) for dtype in DTYPES]
    seen = set().union(*(c.tags for c in cases))
    assert EDGES[layer] <= seen, EDGES[layer] - seen
    for case in cases:
        x = case.arrays["x"]
        assert ("batch1" in case.tags) == (x.shape[0] == 1), case.id
        if x.ndim == 3 or layer == "word_embedding":
            assert ("seq1" in case.tags) == (x.shape[1] == 1), case.id
        if "Wx" in case.arrays:
            assert ("D!=H" in case.tags) == (x.shape[-1] != case.arrays["Wh"].shape[0]), case.id
        if layer == "word_embedding":
            assert x.dtype == np.int64
            assert ("repeated-words" in case.tags) == (len(set(x.ravel())) < x.size), case.id
        if layer == "temporal_softmax_loss":
            assert case.arrays["y"].dtype == np.int64 and case.arrays["mask"].dtype == bool
            rows = (~case.arrays["mask"]).all(axis=1).any()
            assert ("mask-zero-row" in case.tags) == rows, case.id


@pytest.mark.parametrize("layer", ["rnn_step", "rnn", "lstm_step", "lstm"])
def test_pre_activations_stay_off_saturation(layer):
    """|x Wx + h Wh + b| ≤ Σ_d max|x_d| |Wx_dj| + Σ_i |Wh_ij| + |b_j| (|h| < 1: a tanh
    or o ⊙ tanh(c) output, and the drawn h0 / prev_h)."""
    for seed in range(40):
        a = make_case(layer, seed, "float64").arrays
        h = a.get("h0", a.get("prev_h"))
        assert np.abs(h).max() < 1
        reach = np.abs(a["x"]).reshape(-1, a["x"].shape[-1]).max(axis=0)
        bound = reach @ np.abs(a["Wx"]) + np.abs(a["Wh"]).sum(axis=0) + np.abs(a["b"])
        assert bound.max() <= PRE_ACTIVATION_BOUND * (1 + SAME_ARITHMETIC["float64"][0])


# --- bad input ------------------------------------------------------------------------------

_r = np.random.default_rng(0)
X3, H0, WX, WH, B = _r.normal(size=(2, 3, 4)), np.zeros((2, 5)), _r.normal(size=(4, 5)), \
    _r.normal(size=(5, 5)), np.zeros(5)
EMB = _r.normal(size=(6, 3))
SCORES, Y, MASK = _r.normal(size=(2, 3, 6)), np.zeros((2, 3), dtype=int), np.ones((2, 3), bool)

BAD = {
    "index out of the vocabulary": (word_embedding_forward, (np.array([[0, 6]]), EMB),
                                    "out of the vocabulary"),
    "negative index": (word_embedding_forward, (np.array([[0, -1]]), EMB), "negative"),
    "float indices": (word_embedding_forward, (np.array([[0.0, 1.0]]), EMB), "integer"),
    "one-axis indices": (word_embedding_forward, (np.array([0, 1]), EMB), "(N, T)"),
    "mask of another shape": (temporal_softmax_loss, (SCORES, Y, np.ones((3, 2), bool)),
                              "mask must have shape"),
    "mask of other values": (temporal_softmax_loss, (SCORES, Y, np.full((2, 3), 0.5)),
                             "mask must be boolean"),
    "target out of the vocabulary": (temporal_softmax_loss, (SCORES, Y + 6, MASK),
                                     "out of the vocabulary"),
    "float targets": (temporal_softmax_loss, (SCORES, Y.astype(float), MASK), "integer"),
    "h0 of the wrong width": (rnn_forward, (X3, np.zeros((2, 4)), WX, WH, B), "h0 must have"),
    "h0 of the wrong batch": (lstm_forward, (X3, np.zeros((3, 5)), np.tile(WX, 4),
                                             np.tile(WH, 4), np.tile(B, 4)), "h0 must have"),
    "Wx of the wrong height": (rnn_forward, (X3, H0, WX[:3], WH, B), "Wx must have"),
    "LSTM Wh not 4H wide": (lstm_forward, (X3, H0, np.tile(WX, 4), WH, np.tile(B, 4)),
                            "Wh must have"),
    "no time steps": (rnn_forward, (X3[:, :0], H0, WX, WH, B), "time step"),
    "prev_c of another shape": (lstm_step_forward, (X3[:, 0], H0, np.zeros((2, 4)),
                                                    np.tile(WX, 4), np.tile(WH, 4),
                                                    np.tile(B, 4)), "prev_c"),
    "step x with a time axis": (rnn_step_forward, (X3, H0, WX, WH, B), "x must have 2 axes"),
    "temporal affine w of another height": (temporal_affine_forward, (X3, WX[:3], B),
                                            "w must have"),
    "string weights": (rnn_forward, (X3, H0, WX.astype(str), WH, B), "real numbers"),
}


@pytest.mark.parametrize("problem", sorted(BAD))
def test_bad_input_is_an_input_error_naming_the_problem(problem):
    function, args, words = BAD[problem]
    with pytest.raises(InputError) as raised:
        function(*args)
    assert words in str(raised.value) and "\n" not in str(raised.value)


def test_an_upstream_gradient_of_another_shape_is_an_input_error():
    h, cache = rnn_forward(X3, H0, WX, WH, B)
    with pytest.raises(InputError, match="dh must have"):
        rnn_backward(h[:, :2], cache)


# --- what an index means --------------------------------------------------------------------


def test_an_lstm_weight_column_is_named_by_its_gate():
    lstm, step = get_layer("lstm"), get_layer("lstm_step")
    assert lstm.describe("dWx", (1, 7), (3, 8)) == "feature 1, gate g, unit 1"
    assert lstm.describe("dWh", (0, 2), (2, 8)) == "previous hidden unit 0, gate f, unit 0"
    assert step.describe("db", (9,), (16,)) == "gate o, unit 1"
    assert lstm.describe("dWx", (1, 7)) == "feature 1, gate column 7"   # shape unknown
    assert lstm.describe("dx", (0, 2, 1)) == "example 0, time step 2, feature 1"
    assert step.describe("dprev_c", (1, 0)) == "example 1, hidden unit 0"
    assert get_layer("rnn").describe("h", (1, 0, 2)) == "example 1, time step 0, hidden unit 2"
    assert get_layer("word_embedding").describe("dW", (4, 0)) == "word 4, feature 0"


# --- planted bugs and the twins' mistakes ---------------------------------------------------

BUGGY = [p for p in PLANTED if p.diagnosis]
HARMLESS = [p for p in PLANTED if not p.diagnosis]


def _mistake(planted):
    found = [fn for text, fn in get_twin(planted.layer).mistakes.items()
             if planted.diagnosis in text]
    assert len(found) == 1, f"{planted.name}: {len(found)} mistakes say {planted.diagnosis!r}"
    return found[0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("planted", BUGGY, ids=lambda p: p.name)
def test_a_planted_bug_is_caught_and_matches_its_named_mistake(planted, dtype):
    """Wrong on most cases, and wherever it is wrong it is what the mistake's formula says
    (on the keys the formula gives); where it is right, so is the formula."""
    mistake, caught = _mistake(planted), 0
    for seed in SEEDS:
        case = make_case(planted.layer, seed, dtype)
        got = answers(planted.layer, planted.forward, planted.backward, case)
        expected = oracle(case)
        wrong = mistake(case.arrays, case.config(), case.upstream)
        caught += bool(disagreements(got, expected, dtype))
        assert not disagreements(got, {**expected, **wrong}, dtype), case.id
    assert caught >= len(SEEDS) // 3, f"caught on {caught} of {len(SEEDS)} cases"


@pytest.mark.parametrize("planted", HARMLESS, ids=lambda p: p.name)
def test_a_harmless_variant_agrees_with_the_twin(planted):
    for seed in SEEDS:
        for dtype in DTYPES:
            case = make_case(planted.layer, seed, dtype)
            got = answers(planted.layer, planted.forward, planted.backward, case)
            assert not disagreements(got, oracle(case), dtype), case.id


@pytest.mark.parametrize("layer", NAMES)
def test_every_mistake_is_told_apart_from_the_right_answer(layer):
    """Each mistake's formula misses the twin's answer on some case (a mistake that never
    differs could name a right answer)."""
    for text, mistake in get_twin(layer).mistakes.items():
        missed = 0
        for case in (make_case(layer, seed) for seed in range(20)):
            wrong, right = mistake(case.arrays, case.config(), case.upstream), oracle(case)
            missed += bool(disagreements(wrong, {k: right[k] for k in wrong}, "float64"))
        assert missed >= 5, f"{text}: differs from the right answer on {missed} of 20 cases"
