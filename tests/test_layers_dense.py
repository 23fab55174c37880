"""The dense family's entries: hand-computed values, bad input, the samplers' promises
and the known mistakes (each differs from the oracle's answer and matches the planted
bug that makes it). That manual agrees with torch on the drawn cases is the generic
test in test_verify_layer.py."""

import numpy as np
import pytest

from manual.errors import InputError
from manual.layers.dense import (
    affine_backward,
    affine_forward,
    flatten_backward,
    flatten_forward,
    l2_loss,
    softmax_loss,
    svm_loss,
)
from reference.check.layers import layer_cases
from reference.oracle.layers import get_twin, oracle_layer
from reference.oracle.tolerances import SAME_ARITHMETIC, within
from tests.layer_bugs import dense as bugs

EXACT = SAME_ARITHMETIC["float64"]


def test_affine_is_bp2_bp3_bp4_in_rows_with_x_reshaped():
    """Against the four equations by hand: z = x w + b, dx = dout wᵀ, dw = xᵀ dout,
    db = Σ dout, for x of shape (2, 1, 3) (D = 3)."""
    x = np.arange(6.0).reshape(2, 1, 3)
    w = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    b = np.array([0.5, -0.5])
    out, cache = affine_forward(x, w, b)
    assert np.array_equal(out, [[2.5, 3.5], [8.5, 12.5]])
    dout = np.array([[1.0, 0.0], [0.0, 1.0]])
    dx, dw, db = affine_backward(dout, cache)
    assert dx.shape == x.shape and np.array_equal(dx.reshape(2, 3), [[1, 0, 1], [0, 2, 1]])
    assert np.array_equal(dw, [[0, 3], [1, 4], [2, 5]])
    assert np.array_equal(db, [1, 1])


def test_flatten_round_trips():
    x = np.arange(24.0).reshape(2, 3, 4)
    out, cache = flatten_forward(x)
    assert out.shape == (2, 12) and np.array_equal(flatten_backward(out, cache), x)


def test_softmax_loss_of_equal_scores_is_log_c():
    """Equal scores: every probability 1/C, loss log C, dx = (1/C − onehot) / N."""
    x, y = np.zeros((2, 4)), np.array([1, 3])
    loss, dx = softmax_loss(x, y)
    assert within(loss, np.log(4), *EXACT)
    assert within(dx, (0.25 - np.eye(4)[y]) / 2, *EXACT)


def test_svm_loss_by_hand():
    """CS231n's worked example: scores (3.2, 5.1, −1.7), correct class 0: margins 2.9
    and 0, loss 2.9; dx = (−1, 1, 0)."""
    loss, dx = svm_loss(np.array([[3.2, 5.1, -1.7]]), np.array([0]))
    assert within(loss, 2.9, *EXACT) and np.array_equal(dx, [[-1.0, 1.0, 0.0]])


def test_l2_is_reg_over_2m_and_cs231n_is_m_1():
    w = np.array([[1.0, 2.0], [0.0, -2.0]])  # ‖w‖² = 9
    penalty, dw = l2_loss(w, {"reg": 0.5, "m": 3})
    assert within(penalty, 0.5 / 6 * 9, *EXACT) and within(dw, w / 6, *EXACT)
    assert within(l2_loss(w, {"reg": 0.5})[0], 0.5 * 0.5 * 9, *EXACT)


@pytest.mark.parametrize("call, words", [
    (lambda: affine_forward(np.ones((2, 3)), np.ones((4, 2)), np.ones(2)), "needs w of shape"),
    (lambda: affine_forward(np.ones(3), np.ones((3, 2)), np.ones(2)), "batch axis"),
    (lambda: flatten_forward(np.ones(3)), "batch axis"),
    (lambda: softmax_loss(np.ones((2, 3)), np.array([0, 3])), "out of range"),
    (lambda: softmax_loss(np.ones((2, 3)), np.array([0.0, 1.0])), "integer class indices"),
    (lambda: svm_loss(np.ones((2, 3)), np.array([0])), "N = 2 integer"),
    (lambda: l2_loss(np.ones(3), {"reg": -1.0}), r"reg'\] must be a finite number >= 0"),
    (lambda: l2_loss(np.ones(3), {"reg": 1.0, "m": 0}), r"m'\] must be a positive"),
    (lambda: l2_loss(np.ones(3), 0.1), "must be a dict with 'reg'"),
])
def test_bad_input_is_an_input_error_naming_it(call, words):
    with pytest.raises(InputError, match=words):
        call()


def _cases(layer, n=60):
    return layer_cases(layer, n, seed=100)


def test_samplers_stay_off_the_kinks_and_far_from_overflow():
    for case in _cases("relu"):
        assert np.abs(case.arrays["x"]).min() >= 1e-3
    for case in _cases("svm_loss"):
        x, y = case.arrays["x"].astype(float), case.arrays["y"]
        margins = x - x[np.arange(len(y)), y][:, None] + 1
        margins[np.arange(len(y)), y] = 1.0
        assert np.abs(margins).min() >= 1e-3 * 0.99
    for case in _cases("softmax_loss") + _cases("svm_loss"):
        assert np.abs(case.arrays["x"]).max() < 80  # exp overflows float32 at 88.7
        assert case.arrays["y"].dtype == np.int64


@pytest.mark.parametrize("layer, tags", [
    ("affine", {"batch1", "x_many_axes", "one_output"}),
    ("softmax_loss", {"batch1", "two_classes", "large_scores", "repeated_labels"}),
    ("svm_loss", {"batch1", "two_classes", "repeated_labels"}),
    ("l2", {"cs231n", "no_reg"}),
    ("flatten", {"batch1", "flat"}),
])
def test_samplers_draw_the_edge_cases(layer, tags):
    cases = _cases(layer)
    assert tags <= {t for c in cases for t in c.tags}
    assert {c.dtype for c in cases} == {"float64", "float32"}
    assert all(a.dtype == np.dtype(c.dtype) for c in cases for a in c.arrays.values()
               if a.dtype.kind == "f")


# Each known mistake, applied to a case it changes, is what the planted bug returns and
# is not the oracle's answer: (layer, diagnosis prefix, planted function, gradient).
MISTAKES = [
    ("affine", "db averaged", bugs.affine_backward_db_mean, "db"),
    ("affine", "dw transposed", bugs.affine_backward_dw_transposed, "dw"),
    ("affine", "dx left as (N, D)", bugs.affine_backward_dx_flat, "dx"),
    ("softmax_loss", "dx without the 1/N", bugs.softmax_loss_no_mean, "dx"),
    ("softmax_loss", "dx = softmax(x) / N", bugs.softmax_loss_no_onehot, "dx"),
    ("svm_loss", "the correct class's own margin", bugs.svm_loss_counts_correct, "dx"),
    ("l2", "dw = w", bugs.l2_no_lambda_m, "dw"),
    ("l2", "dw = λ·w", bugs.l2_no_m, "dw"),
]


@pytest.mark.parametrize("layer, prefix, planted, grad", MISTAKES,
                         ids=[f"{m[0]}-{m[3]}-{m[1][:12]}" for m in MISTAKES])
def test_each_mistake_is_the_planted_bug_and_not_the_oracle(layer, prefix, planted, grad):
    twin = get_twin(layer)
    (diagnosis, fn), = [(d, f) for d, f in twin.mistakes.items() if d.startswith(prefix)]
    changed = 0
    for case in _cases(layer, 10)[::2]:  # float64
        arrays = case.arrays
        config = case.config()
        wrong = fn(arrays, config, case.upstream)[grad]
        if layer in ("affine",):
            _, cache = affine_forward(*case.inputs())
            got = planted(case.upstream["dout"].copy(), cache)[("dx", "dw", "db").index(grad)]
        else:
            got = planted(*case.inputs())[1]
        assert np.shape(got) == np.shape(wrong) and within(got, wrong, *EXACT)
        _, expected = oracle_layer(layer, arrays, config, case.upstream)
        changed += np.shape(wrong) != expected[grad].shape or not within(
            wrong, expected[grad], *EXACT)
    assert changed >= 3
