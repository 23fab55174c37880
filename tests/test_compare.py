"""The comparison: tolerances by dtype, and a verdict that names equation and layer."""

import numpy as np
import pytest

from manual import Gradients, get_activation
from reference.oracle.compare import TOLERANCES, compare_arrays, compare_gradients, tolerance_for


def _grads(L=2, value=1.0):
    return Gradients([np.full((3, 2), value) for _ in range(L)],
                     [np.full((3, 3), value) for _ in range(L)],
                     [np.full((3, 1), value) for _ in range(L)], 0.0)


@pytest.mark.parametrize("field, layer, equation", [
    ("deltas", 1, "BP1"), ("deltas", 0, "BP2"), ("db", 0, "BP3"), ("dW", 1, "BP4")])
def test_first_disagreement_names_equation_layer_and_index(field, layer, equation):
    got, expected = _grads(), _grads()
    getattr(got, field)[layer][2, 0] = 1.5
    v = compare_gradients(got, expected, "float64")
    assert not v.ok
    assert (v.mismatch.equation, v.mismatch.layer, v.mismatch.index) == (equation, layer, (2, 0))
    assert v.mismatch.expected == 1.0 and v.mismatch.got == 1.5
    assert v.mismatch.abs_err == pytest.approx(0.5)


def test_deltas_are_checked_before_gradients():
    got, expected = _grads(), _grads()
    got.dW[1][0, 0] = 9.0
    got.deltas[0][0, 0] = 9.0
    assert compare_gradients(got, expected, "float64").mismatch.equation == "BP2"


def test_float32_rounding_passes_with_float32_tolerance_only():
    rng = np.random.default_rng(0)
    exact = rng.standard_normal((50, 50))
    rounded = exact.astype(np.float32)
    assert compare_arrays(rounded, exact, *TOLERANCES["float32"], "BP4", 0)[1] is None
    assert compare_arrays(rounded, exact, *TOLERANCES["float64"], "BP4", 0)[1] is not None


def test_nan_and_shape_errors_are_mismatches():
    assert compare_arrays(np.array([np.nan]), np.array([1.0]), 1e-7, 1e-9, "BP3", 0)[1]
    mm = compare_arrays(np.ones(3), np.ones((3, 1)), 1e-7, 1e-9, "BP3", 0)[1]
    assert "shape (3,), expected (3, 1)" in mm.detail


def test_registry_override_loosens_the_tolerance():
    class Entry:
        tolerance = {"float64": (1e-3, 1e-9)}
    assert tolerance_for("float64", [Entry()])[0] == 1e-3
    assert tolerance_for("float64", [get_activation("tanh")]) == TOLERANCES["float64"]
