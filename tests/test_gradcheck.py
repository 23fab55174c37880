"""The central-difference gradient check: a third oracle, independent of torch."""

import numpy as np
import pytest

import manual.network
from manual import gradient_check
from reference.oracle.cases import generate
from tests.test_planted_bugs import bp2_without_sigma_prime

FLOAT64_CASES = [c for c in generate(400, seed=3) if c.dtype == "float64"
                 and sum(a * b for a, b in zip(c.sizes, c.sizes[1:])) <= 60][:24]


@pytest.mark.parametrize("case", FLOAT64_CASES, ids=lambda c: c.id)
def test_backprop_agrees_with_central_differences(case):
    net, X, Y = case.network()
    assert gradient_check(net, X, Y).relative_error < 1e-6


def test_gradient_check_catches_a_wrong_equation(monkeypatch):
    monkeypatch.setattr(manual.network, "bp2", bp2_without_sigma_prime)
    case = next(c for c in FLOAT64_CASES if len(c.sizes) >= 3 and c.hidden not in
                ("identity", "relu", "leaky_relu"))
    net, X, Y = case.network()
    assert gradient_check(net, X, Y).relative_error > 1e-3


def test_gradient_check_of_a_known_gradient():
    """C = ½(w·x − y)² for one weight: dC/dw = (wx − y)x, by hand."""
    net = manual.Network([np.array([[2.0]])], [np.array([[0.0]])], ["identity"], "quadratic")
    result = gradient_check(net, np.array([[3.0]]), np.array([[1.0]]))
    assert result.backprop[0] == pytest.approx((2 * 3 - 1) * 3)
    assert result.relative_error < 1e-9
