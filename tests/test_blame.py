"""Where the error starts and the known mistakes of network libraries, on
`tests/thirdparty/tinynet.py` with planted bugs (rows layout, (1, n) biases).

Each planted bug says where it is (the output layer, layer 0, every softmax layer) and
what it computes, so the layer and the diagnosis expected are known from the plant, not
from the code's output.
"""

from __future__ import annotations

import numpy as np
import pytest

import reference
from reference.check.runner import run_family
from reference.oracle.cases import Case, draw_family
from reference.oracle.diagnose import (
    diagnose_clip_rounding,
    diagnose_output_scale,
    diagnose_softmax_diagonal,
    softmax_diagonal,
)
from reference.oracle.kinds import Kind
from reference.oracle.process import LOCAL
from tests.thirdparty import tinynet

ACTS = "identity,sigmoid,tanh,relu,softmax"  # what tinynet implements
FILTERS = dict(activations=ACTS, losses="quadratic,bce,cross_entropy", layouts=["rows"])


@pytest.fixture
def bug(monkeypatch):
    def plant(name, deltas=False):
        monkeypatch.setattr(tinynet, "BUG", name)
        monkeypatch.setattr(tinynet, "DELTAS", deltas)
    return plant


def _layers(case_id: str) -> int:
    """L from a case id's sizes (tanh-sigmoid-bce-rows-f64-4x3x1-m5: 2 layers)."""
    return next(p for p in case_id.split("-") if "x" in p and p[0].isdigit()).count("x")


def _verify(cases=160, seed=3, **options):
    summary = reference.verify(tinynet.backprop, cases=cases, seed=seed, bias_shape="row",
                               **{**FILTERS, **options})
    assert summary["failures"] > 0
    return summary["failures_detail"]


def test_a_wrong_output_derivative_is_blamed_on_the_output_layer_never_below(bug):
    """Without δ, every failure names the output layer (the outermost whose dW or db
    disagree), says the error starts there and that δ would pin the equation."""
    bug("output_derivative")
    failures = _verify(output_activations="sigmoid,tanh")
    for f in failures:
        L = _layers(f["case"])
        assert f["layer"] == L - 1 and f["equation"] in ("BP3", "BP4"), f
        assert f["starts"].startswith(f"the error starts at the output layer {L - 1} ")
        assert "return deltas" in f["starts"]
        assert f["starts"] in reference.check.verification.failure_line(f)


def test_a_wrong_first_layer_derivative_is_blamed_on_layer_0_never_above(bug):
    bug("first_derivative")
    failures = _verify(hidden_activations="sigmoid,tanh")
    assert all(f["layer"] == 0 for f in failures), {f["layer"] for f in failures}
    deep = [f for f in failures if _layers(f["case"]) > 1]
    assert deep and all("the layers above agree" in f["starts"] for f in deep)


def test_with_deltas_the_first_delta_that_disagrees_is_named_and_no_hint_is_given(bug):
    bug("output_derivative", deltas=True)
    failures = _verify(output_activations="sigmoid,tanh")
    for f in failures:
        L = _layers(f["case"])
        assert (f["equation"], f["layer"]) == ("BP1", L - 1) and f["starts"] == "", f


def test_assert_backprop_says_where_the_error_starts(bug):
    case = Case("tanh", "sigmoid", "bce", "rows", "float64", (3, 4, 1), m=5, seed=11)
    bug("output_derivative")
    with pytest.raises(AssertionError) as err:
        reference.assert_backprop(tinynet.backprop, case, bias_shape="row")
    assert "where: the error starts at the output layer 1 (sigmoid)" in str(err.value)


def test_a_softmax_differentiated_elementwise_is_diagnosed_wherever_it_stands(bug):
    bug("softmax_diagonal")
    failures = _verify(cases=200)
    assert {f["activation"] for f in failures} == {"softmax"}
    assert any(f["layer"] < _layers(f["case"]) - 1 for f in failures)  # hidden ones too
    for f in failures:
        assert "softmax is differentiated elementwise" in f["diagnosis"], f


def test_a_loss_averaged_over_the_outputs_is_diagnosed(bug):
    bug("output_mean")
    failures = _verify(cases=120, losses="quadratic")
    # one output: nothing to tell; m outputs: the 1/m diagnosis says it
    wide = [f for f in failures if f["case"].split("-")[5].split("x")[-1]
            != f["case"].split("-")[6][1:]]
    assert wide
    for f in wide:
        n_out = f["case"].split("-")[5].split("x")[-1]
        assert f"divided by the number of outputs n = {n_out}" in f["diagnosis"], f


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the planted library divides by 0
def test_a_clip_that_rounds_to_1_in_float32_is_diagnosed(bug):
    """The case stream keeps a sigmoid's z within ±8, where float32 never rounds it to 1:
    the network is saturated by hand (weights × 40), as a real model's output can be."""
    bug("clip")
    case = Case("tanh", "sigmoid", "bce", "rows", "float32", (3, 4, 2), m=6, seed=5)
    stack = draw_family(case)
    stack.W[-1] *= 40.0
    expected = LOCAL.stacked(stack.W, stack.b, case.activations, case.loss, stack.X, stack.Y,
                             case.layout, case.reduction, validate=False)
    assert all(np.isfinite(g).all() for g in expected.dW)  # float64: a right answer exists
    [result] = run_family([case], tinynet.backprop, "row", prepared=(stack, expected))
    assert not result.ok
    assert "rounds to 1 in float32" in result.mismatch["diagnosis"], result.mismatch


# --- the detectors alone, on wrong answers made by hand ---

P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])   # rows: two examples' softmax outputs
G = np.array([[1.0, -2.0, 0.5], [0.3, 0.0, -1.0]])  # ∂C/∂a


def test_the_softmax_diagonal_detector_tells_the_diagonal_from_the_jacobian():
    right = P * (G - (G * P).sum(axis=1, keepdims=True))
    wrong = G * P * (1 - P)
    assert np.allclose(softmax_diagonal(G, P), wrong)
    found = diagnose_softmax_diagonal(wrong, G, P, equation="BP1", name="deltas[1]")
    assert found is not None and found.kind is Kind.SOFTMAX_DIAGONAL
    assert diagnose_softmax_diagonal(right, G, P, equation="BP1", name="deltas[1]") is None


def test_the_clip_detector_needs_float32_an_output_of_1_and_a_nan():
    nan = np.array([[np.nan, 1.0]])
    saturated = np.array([[1.0 - 1e-12, 0.5]])
    found = diagnose_clip_rounding(nan, saturated, "float32", equation="BP3", name="db[1]")
    assert found is not None and found.kind is Kind.CLIP_ROUNDS
    assert diagnose_clip_rounding(nan, saturated, "float64", equation="BP3", name="db") is None
    assert diagnose_clip_rounding(nan, saturated / 2, "float32", equation="BP3",
                                  name="db") is None
    assert diagnose_clip_rounding(saturated, saturated, "float32", equation="BP3",
                                  name="db") is None


def test_the_output_scale_detector_both_ways():
    e = np.arange(1.0, 7.0).reshape(2, 3)
    for got in (e / 3, e * 3):
        found = diagnose_output_scale(got, e, 3, equation="BP4", name="dW[0]")
        assert found is not None and found.kind is Kind.OUTPUT_SCALE
    assert diagnose_output_scale(e / 2, e, 3, equation="BP4", name="dW[0]") is None
    assert diagnose_output_scale(e, e * 1.0, 1, equation="BP4", name="dW[0]") is None
