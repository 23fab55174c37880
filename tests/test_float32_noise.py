"""The float32 noise allowance on deep stacks of exp(z) − 1 (issue #20).

torch's batched float32 forward (baddbmm, the stacked oracle's) was seen to end 10 to
40 times closer to float64 than its unbatched one (addmm) and NumPy's on these stacks,
so measured from the batched kernel alone the allowance falsely failed manual's right
float32 answers (these five cases of `check --activation 'myexp=exp(z)-1:exp(z)'
--hidden-activations myexp --seed 1 --cases 3000`). `float32_noise` now keeps the
larger gap of torch's two kernels.
"""

from __future__ import annotations

import numpy as np
import pytest

from manual.activations import unregister_activation
from manual.network import Network
from reference.check.runner import run_case
from reference.oracle import float32_noise, oracle_backprop
from reference.oracle.cases import Case, draw_arrays, register_custom
from reference.oracle.tolerances import NOISE_FACTOR

RIGHT = "expm1_f32noise_t=exp(z)-1:exp(z)"
WRONG = "expm1_f32noise_bad_t=exp(z)-1:exp(z)*1.01"  # a derivative 1% off

# (output, loss, layout, sizes, m, seed, member) of the cases that failed before
CASES = [
    ("tanh", "huber", "columns", (12, 11, 9, 2, 4, 12), 4, 32471165, 1),
    ("sigmoid", "mae", "columns", (5, 9, 6, 6, 6, 11), 1, 642354722, 14),
    ("leaky_relu", "quadratic", "rows", (5, 10, 9, 7, 12, 4, 1), 6, 544368364, 1),
    ("leaky_relu", "quadratic", "rows", (5, 10, 9, 7, 12, 4, 1), 6, 544368364, 20),
    ("relu", "quadratic", "rows", (7, 11, 1, 5, 4, 12, 6), 6, 2071701705, 13),
]


@pytest.fixture
def case():
    """case(spec, *params): the Case with the activation of `spec` registered for this test
    only (the matrix tests draw from every registered activation)."""
    names = []

    def make(spec: str, output, loss, layout, sizes, m, seed, member) -> Case:
        names.extend(register_custom([spec]))
        return _case(names[-1], output, loss, layout, sizes, m, seed, member)

    yield make
    for name in names:
        unregister_activation(name)


def _case(name: str, output, loss, layout, sizes, m, seed, member) -> Case:
    return Case(name, output, loss, layout, "float32", sizes, m, seed, "mean",
                member=member, members=32)


@pytest.mark.parametrize("params", CASES, ids=lambda p: f"{p[0]}-{p[1]}-{p[6]}")
def test_right_float32_answers_on_deep_exp_stacks_pass(case, params):
    result = run_case(case(RIGHT, *params))
    assert result.ok, result.mismatch


@pytest.mark.parametrize("params", CASES, ids=lambda p: f"{p[0]}-{p[1]}-{p[6]}")
def test_manuals_float32_error_is_within_the_noise(case, params):
    """Array by array, manual's right float32 δ and ∇W miss the float64 oracle by at most
    NOISE_FACTOR times the measured noise (which now includes torch's unbatched float32
    error, landing where a NumPy float32 forward does)."""
    c = case(RIGHT, *params)
    w, b, X, Y = draw_arrays(c)
    args = (c.activations, c.loss, X, Y, c.layout, c.reduction)
    expected = oracle_backprop(w, b, *args)
    noise = float32_noise(w, b, *args, expected=expected)
    got = Network(w, b, c.activations, c.loss, c.layout, c.reduction).backprop(X, Y)
    for field in ("deltas", "dW"):
        for g, e, n in zip(getattr(got, field), getattr(expected, field), getattr(noise, field)):
            assert np.abs(g - e).max() <= NOISE_FACTOR * float(n)


@pytest.mark.parametrize("params", CASES[2:4], ids=lambda p: f"{p[0]}-{p[6]}")
def test_a_derivative_one_percent_off_still_fails_there(case, params):
    result = run_case(case(WRONG, *params))
    assert not result.ok
    assert result.mismatch["equation"] in ("BP2", "BP1")
