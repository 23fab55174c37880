"""The matrix must be able to fail: plant a bug in a copy of each equation and
check that the matrix catches it, and names that equation.

Each buggy function replaces the one `Network.backprop` calls (manual.network.bpN)
for the duration of one test only.
"""

import numpy as np
import pytest

import manual.network
from manual.equations import COLUMNS, bp1, bp2, bp3, bp4
from reference.check.runner import run_case
from reference.oracle.cases import generate


def bp1_without_sigma_prime(grad_a, z, a, sigma, layout):
    """BP1 with the ⊙σ'(zᴸ) forgotten: δᴸ = ∇ₐC."""
    return grad_a


def bp2_without_sigma_prime(w_next, delta_next, z, a, sigma, layout):
    """BP2 with the ⊙σ'(zˡ) forgotten."""
    return w_next.T @ delta_next if layout == COLUMNS else delta_next @ w_next.T


def bp3_without_scale(delta, scale, layout):
    """BP3 without the 1/m of the mean reduction."""
    return bp3(delta, 1.0, layout)


def bp4_transposed(delta, a_prev, scale, layout):
    """BP4 with the product in the wrong order: (δ aᵀ)ᵀ = a δᵀ, the weight gradient
    transposed (a wrong shape, or on a square layer wrong values)."""
    return bp4(delta, a_prev, scale, layout).T


PLANTED = {
    "BP1": ("bp1", bp1_without_sigma_prime),
    "BP2": ("bp2", bp2_without_sigma_prime),
    "BP3": ("bp3", bp3_without_scale),
    "BP4": ("bp4", bp4_transposed),
}


@pytest.mark.parametrize("equation", sorted(PLANTED))
def test_matrix_catches_planted_bug_at_its_equation(equation, monkeypatch):
    name, buggy = PLANTED[equation]
    monkeypatch.setattr(manual.network, name, buggy)
    results = [run_case(c) for c in generate(300, seed=0)]
    failed = [r for r in results if not r.ok]
    assert len(failed) > 30, f"only {len(failed)} of 300 cases caught the planted {equation} bug"
    named = {r.mismatch["equation"] for r in failed}
    assert named == {equation}, f"planted {equation}, the matrix blamed {named}"


def test_unpatched_equations_are_the_real_ones():
    """Guard for the test above: the planted functions really differ from the real ones."""
    assert manual.network.bp1 is bp1 and manual.network.bp2 is bp2
    assert manual.network.bp3 is bp3 and manual.network.bp4 is bp4
    delta = np.ones((2, 3))
    assert not np.allclose(bp3_without_scale(delta, 1 / 3, COLUMNS), bp3(delta, 1 / 3, COLUMNS))


@pytest.mark.parametrize("equation, check", [("BP3", "per_example"), ("BP4", "directional"),
                                             ("BP3", "directional")])
def test_torch_free_checks_catch_planted_bugs(equation, check, monkeypatch):
    from tests.properties import directional, per_example

    name, buggy = PLANTED[equation]
    monkeypatch.setattr(manual.network, name, buggy)
    caught = 0
    for case in generate(120, seed=4):
        if case.m == 1 or case.reduction == "sum":  # nothing to get wrong about 1/m there
            continue
        net, X, Y = case.network()
        got = net.backprop(X, Y)
        found = per_example(net, X, Y, got) if check == "per_example" else \
            directional(net, X, Y, got, seed=1)
        caught += found is not None
    assert caught > 20
