"""The grader's cases: edge shapes whatever --cases is, reproducible, cached without sharing.

A missing transpose is only caught by value on a square layer, a missing
keepdims only on a width-1 layer, an m-vs-1 mix-up only with batch size 1: so
every style keeps those shapes even with `--cases 1`.
"""

from __future__ import annotations

import numpy as np
import pytest

from reference.grade.cases import build_cases, cases_for
from reference.grade.styles import get_style


def _batch_and_weights(style: str, inputs: dict) -> tuple[int | None, list[np.ndarray]]:
    """(batch size, weight matrices) of one case's inputs, in the style's own names."""
    if style == "ng":
        if "parameters" in inputs:
            Ws = [v for k, v in inputs["parameters"].items() if k.startswith("W")]
            return (inputs["X"].shape[1] if "X" in inputs else None), Ws
        return inputs["A_prev"].shape[1], [inputs["W"]]
    if style == "saito":
        Ws = [inputs[k] for k in ("W", "W1", "W2") if k in inputs]
        return inputs["x"].shape[0], Ws
    m = len(inputs["mini_batch"]) if "mini_batch" in inputs else 1
    return m, list(inputs["weights"])


WITH_WEIGHTS = {
    "ng": ["linear_forward", "linear_activation_forward", "L_model_forward", "linear_backward",
           "linear_activation_backward", "L_model_backward"],
    "saito": ["Affine.forward", "Affine.backward", "TwoLayerNet.gradient"],
    "nielsen": ["Network.feedforward", "Network.backprop", "Network.update_mini_batch"],
}


@pytest.mark.parametrize("style, name", [(s, n) for s, names in WITH_WEIGHTS.items()
                                         for n in names])
def test_one_case_still_covers_batch_size_1_width_1_and_square_layers(style, name):
    fn = next(f for f in get_style(style).functions if f.name == name)
    found = [_batch_and_weights(style, c.inputs) for c in build_cases(fn, 0, 1)]
    weights = [W for _, Ws in found for W in Ws]
    assert any(W.shape[0] == W.shape[1] > 1 for W in weights), "no square layer"
    assert any(1 in W.shape for W in weights), "no width-1 layer"
    if any(m is not None for m, _ in found):
        assert any(m == 1 for m, _ in found), "no batch of size 1"


def test_cached_cases_are_equal_to_fresh_ones_and_never_shared():
    style = get_style("ng")
    fn = next(f for f in style.functions if f.name == "linear_backward")
    first = cases_for(style, fn, 3, 2)
    fresh = build_cases(fn, 3, 2)
    assert [c.description for c in first] == [c.description for c in fresh]
    for a, b in zip(first, fresh):
        np.testing.assert_array_equal(a.inputs["dZ"], b.inputs["dZ"])
        np.testing.assert_array_equal(a.expected["dW"], b.expected["dW"])
    first[0].inputs["dZ"][...] = 0.0          # what one submission's grading might do
    first[0].expected["dW"] += 1.0
    again = cases_for(style, fn, 3, 2)
    np.testing.assert_array_equal(again[0].inputs["dZ"], fresh[0].inputs["dZ"])
    np.testing.assert_array_equal(again[0].expected["dW"], fresh[0].expected["dW"])
