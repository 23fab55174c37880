"""The checks' behaviour: tolerance, kinks, domains, callables, vectors, determinism."""

from __future__ import annotations

import json
from dataclasses import fields

import numpy as np
import pytest
import torch

from manual.errors import InputError
from reference.derive import (
    Verdict,
    activation_report,
    check_activation,
    check_loss_gradient,
    check_output_error,
)


def test_verdict_has_exactly_the_json_fields():
    v = check_activation("tanh(z)", "1 - z**2")
    assert [f.name for f in fields(Verdict)] == ["verdict", "points", "max_abs_err",
                                                  "max_rel_err", "counterexample"]
    out = json.loads(v.to_json())
    assert list(out) == ["verdict", "points", "max_abs_err", "max_rel_err", "counterexample"]
    assert out["verdict"] == "incorrect" and not v.ok
    assert set(out["counterexample"]) == {"z", "claimed", "autograd"}


def test_counterexample_is_a_real_disagreement():
    ce = check_activation("tanh(z)", "1 - z**2").counterexample
    z = ce["z"]
    assert ce["claimed"] == pytest.approx(1 - z * z)
    assert ce["autograd"] == pytest.approx(1 - np.tanh(z) ** 2)


def test_tolerance_is_relative_in_float64():
    assert check_activation("exp(z)", "exp(z)*(1 + 1e-12)", domain=(-50, 50)).ok
    assert not check_activation("exp(z)", "exp(z)*(1 + 1e-5)", domain=(-50, 50)).ok


def test_scale_aware_where_the_derivative_underflows():
    # sigmoid'(-700) ~ 1e-304: the exp form gives 1e304/inf = 0 there, which must pass
    assert check_activation("sigmoid(z)", "exp(-z)/(1 + exp(-z))**2", domain=(-700, 700)).ok
    assert check_activation("sigmoid(z)", "sigmoid(z)*(1 - sigmoid(z))", domain="-700,700").ok
    assert not check_activation("sigmoid(z)", "sigmoid(z)*(1 + sigmoid(z))",
                                domain=(-700, 700)).ok


def test_overflowing_claim_is_not_silently_accepted():
    # exp(710) = inf: inf/inf is NaN, which is not the derivative
    v = check_activation("sigmoid(z)", "exp(-z)/(1 + exp(-z))**2", domain=(-720, 0))
    assert not v.ok and v.counterexample["claimed"] != v.counterexample["claimed"]
    assert json.loads(v.to_json())["max_abs_err"] == "inf"


def test_either_one_sided_derivative_is_accepted_at_a_kink():
    # the domain starts exactly at relu's kink: left slope 0, right slope 1
    assert check_activation("relu(z)", "z > 0", domain=(0, 5)).ok
    assert check_activation("relu(z)", "z >= 0", domain=(0, 5)).ok
    v = check_activation("relu(z)", "where(z > 0, 1, 0.5)", domain=(0, 5))
    assert not v.ok and v.counterexample["z"] == 0.0
    assert check_activation("abs(z)", "sign(z)").ok
    assert check_activation("abs(z - 1)", "where(z < 1, -1, 1)", domain=(1, 3)).ok


def test_points_outside_the_forwards_domain_are_left_out():
    v = check_activation("log(z)", "1/z")
    assert v.ok and 50 < v.points < 200
    assert not check_activation("log(z)", "-1/z").ok
    with pytest.raises(InputError, match="not finite"):
        check_activation("log(z)", "1/z", domain=(-8, -1))


def test_points_and_seed():
    a = check_activation("tanh(z)", "1 - z**2", points=50, seed=3)
    b = check_activation("tanh(z)", "1 - z**2", points=50, seed=3)
    c = check_activation("tanh(z)", "1 - z**2", points=50, seed=4)
    assert a == b and a.points == 50
    assert a.max_abs_err == b.max_abs_err
    zs = [r["z"] for r in activation_report("tanh(z)", "1 - z**2", points=50, seed=4).rows]
    assert c.points == 50 and min(zs) == -8 and max(zs) == 8


@pytest.mark.parametrize("kwargs", [{"points": 0}, {"points": 10**6}, {"points": 2.5},
                                    {"domain": "1,0"}, {"domain": "a,b"}, {"domain": "1"},
                                    {"domain": (0, float("inf"))}])
def test_bad_options_are_input_errors(kwargs):
    with pytest.raises(InputError):
        check_activation("tanh(z)", "1 - a**2", **kwargs)


def test_bad_target_and_non_elementwise_forward():
    with pytest.raises(InputError, match="target"):
        check_loss_gradient("quadratic", "a - y", target="ordinal")
    with pytest.raises(InputError, match="elementwise"):
        check_activation("softmax", "a*(1 - a)")


def test_callables():
    assert check_activation(torch.tanh, lambda z, a: 1 - a**2).ok
    assert not check_activation(torch.tanh, lambda z, a: 1 - z**2).ok
    assert check_loss_gradient(lambda a, y: 0.5 * (a - y) ** 2, lambda a, y: a - y).ok
    assert check_output_error("quadratic", torch.sigmoid,
                              lambda z, a, y: (a - y) * a * (1 - a)).ok
    assert not check_output_error("quadratic", torch.sigmoid, lambda z, a, y: a - y).ok
    with pytest.raises(InputError, match="shape"):
        check_activation(torch.tanh, lambda z, a: np.ones(3))


def test_constant_claims_broadcast():
    assert check_activation("3*z + 1", "3").ok
    assert not check_activation("3*z + 1", "1").ok
    assert check_activation("2", "0").ok


def test_softmax_claims_are_checked_as_class_vectors():
    v = check_output_error("cross_entropy", "softmax", "-y/a")
    ce = v.counterexample
    assert isinstance(ce["z"], list) and 3 <= len(ce["z"]) <= 5
    assert len(ce["a"]) == len(ce["y"]) == len(ce["claimed"]) == len(ce["autograd"])
    assert sum(ce["y"]) == 1 and sum(ce["a"]) == pytest.approx(1)
    assert ce["autograd"] == pytest.approx(list(np.array(ce["a"]) - np.array(ce["y"])))


def test_cross_entropy_softmax_without_the_sum_over_classes_only_holds_for_distributions():
    # a - y relies on sum(y) = 1: with real-valued targets the true delta is a*sum(y) - y
    assert not check_output_error("cross_entropy", "softmax", "a - y", target="real").ok


def test_targets():
    # a - y is the BCE+sigmoid delta for any real y; (a-y)/(a(1-a)) for y in [0, 1]
    assert check_output_error("bce", "sigmoid", "a - y", target="binary").ok
    v = check_loss_gradient("bce", "(a - y)/(a*(1 - a))")
    assert v.ok and v.points == 200
    ce = check_loss_gradient("bce", "a - y").counterexample
    assert ce["y"] in (0.0, 1.0) and 0 < ce["a"] < 1 and "z" not in ce


def test_verdict_text_fields_are_floats():
    v = check_output_error("quadratic", "sigmoid", "a - y")
    assert isinstance(v.max_abs_err, float) and isinstance(v.max_rel_err, float)
    assert isinstance(v.points, int) and v.max_abs_err > 0.01
