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
    compile_expression,
    loss_report,
    output_error_report,
)

REPORTS = {"activation": activation_report, "loss": loss_report,
           "output": output_error_report}


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


# Right formulas whose float64 evaluation overflows inside the domain (exp(800) = inf,
# inf/inf = NaN) while autograd is finite there: the math is right, so is the verdict.
OVERFLOWING = [
    ("activation", ("sigmoid(z)", "exp(-z)/(1 + exp(-z))**2"), (-800, 800), -800.0),
    ("activation", ("sigmoid(z)", "exp(z)/(1 + exp(z))**2"), (-800, 800), 800.0),
    ("activation", ("softplus(z)", "exp(z)/(1 + exp(z))"), (-800, 800), 800.0),
    ("activation", ("z*sigmoid(z)", "sigmoid(z) + z*exp(-z)/(1 + exp(-z))**2"), (-800, 800),
     -800.0),
    ("activation", ("tanh(z)", "4*exp(-2*z)/(1 + exp(-2*z))**2"), (-1000, 1000), -1000.0),
    ("activation", ("tanh(z)", "1 - ((exp(z) - exp(-z))/(exp(z) + exp(-z)))**2"),
     (-1000, 1000), 1000.0),
    ("loss", ("softplus(a) - a*y", "exp(a)/(1 + exp(a)) - y"), (-800, 800), 800.0),
    ("output", ("quadratic", "sigmoid", "(a - y)*exp(-z)/(1 + exp(-z))**2"), (-800, 800),
     -800.0),
]


@pytest.mark.parametrize("kind, args, domain, edge", OVERFLOWING,
                         ids=[f"{k}-{a[-1]}" for k, a, _, _ in OVERFLOWING])
def test_right_formulas_that_overflow_in_float64_are_correct(kind, args, domain, edge):
    names = {"activation": ("z", "a"), "loss": ("a", "y"), "output": ("z", "a", "y")}[kind]
    claim = compile_expression(args[-1], names)
    point = {n: np.array([edge if n == names[0] else 0.5]) for n in names}
    assert not np.isfinite(claim.numpy(**point)).all()  # the float64 claim does overflow
    report = REPORTS[kind](*args, domain=domain)
    assert report.verdict.ok, report.verdict
    assert report.rechecked > 0 and report.recheck_example is not None
    assert not np.isfinite(report.recheck_example["float64"])


def test_wrong_formulas_that_overflow_stay_incorrect():
    # 1.01 sigma'(z): wrong by 1 % wherever sigma' is not negligible
    v = check_activation("sigmoid(z)", "1.01*exp(-z)/(1 + exp(-z))**2", domain=(-800, 800))
    ce = v.counterexample
    assert not v.ok and np.isfinite(ce["claimed"]) and abs(ce["z"]) < 700
    assert ce["claimed"] == pytest.approx(1.01 * ce["autograd"])
    assert not check_activation("sigmoid(z)", "exp(-z)/(1 + exp(-z))**2 + 1e-3",
                                domain=(-800, 800)).ok


@pytest.mark.parametrize("claim", ["log(-1)", "sqrt(-1 - z**2)", "1/0", "0*log(-1)",
                                   "exp(exp(exp(exp(z))))"])
def test_claims_that_are_not_finite_in_exact_math_stay_incorrect(claim):
    # tanh' is finite and positive everywhere; these are NaN or inf (or astronomically
    # large) at every point, in float64 and in exact arithmetic alike
    v = check_activation("tanh(z)", claim)
    assert not v.ok
    assert json.loads(v.to_json())["max_abs_err"] == "inf"


def test_nan_from_numpy_callable_claims_is_a_disagreement():
    # a callable cannot be re-evaluated: its NaN is judged as it is
    v = check_activation("sigmoid(z)", lambda z, a: np.exp(-z) / (1 + np.exp(-z)) ** 2,
                         domain=(-800, 800))
    assert not v.ok and np.isnan(v.counterexample["claimed"])


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


def test_piecewise_constant_forwards_have_derivative_zero():
    # a step's derivative is 0 away from its jump; the jump itself (z = 0, sampled)
    # is a kink where the claim may match either side
    assert check_activation("z > 0", "0").ok
    assert check_activation("where(z > 0, 1, -1)", "0*z").ok
    assert not check_activation("z > 0", "1").ok
    assert check_loss_gradient("y**2", "0").ok  # a cost that does not depend on a
    assert not check_loss_gradient("y**2", "2*y").ok


def test_seed_must_be_a_non_negative_integer():
    for seed in (-1, 1.5, True, "3"):
        with pytest.raises(InputError, match="seed"):
            check_activation("tanh(z)", "1 - a**2", seed=seed)


def test_the_widest_float64_domain():
    # lo + (hi - lo)·u would overflow here; every sample must stay inside [lo, hi]
    assert check_activation("tanh(z)", "1 - tanh(z)**2", domain=(-1e308, 1e308)).ok
    zs = [r["z"] for r in activation_report("z**2", "2*z", domain="-1e150,1e150").rows]
    assert zs[0] == -1e150 and zs[-1] == 1e150


@pytest.mark.parametrize("domain", [(1, 2, 3), (1,), "1,2,3", ("a", "b"), 5])
def test_a_domain_is_exactly_two_numbers(domain):
    with pytest.raises(InputError, match="domain"):
        check_activation("tanh(z)", "1 - a**2", domain=domain)


def test_bce_where_sigmoid_saturates_in_float64():
    # BCE with a = sigmoid(z): delta = a - y for every z (the math). Past |z| ~ 37,
    # float64 rounds a to exactly 0 or 1, and torch's binary_cross_entropy clamps; such
    # points are left out instead of being reported as counterexamples.
    v = check_output_error("bce", "sigmoid", "a - y", domain=(-40, 40))
    assert v.ok and 50 < v.points < 200
    wrong = check_output_error("bce", "sigmoid", "1.001*(a - y)", domain=(-40, 40))
    assert not wrong.ok and abs(wrong.counterexample["z"]) < 21
    # the expression form has no clamp: nothing needs to be left out for |z| <= 35
    assert check_output_error("-(y*log(a) + (1 - y)*log(1 - a))", "sigmoid(z)", "a - y",
                              target="binary", domain=(20, 35)).points == 200
    with pytest.raises(InputError, match="within 1e-09 of 0 or 1"):
        check_output_error("bce", "sigmoid", "a - y", domain=(30, 40))


def test_bce_gradient_on_the_closed_unit_interval():
    # the one-sided probes stay inside [0, 1] (torch refuses a < 0 or a > 1)
    v = check_loss_gradient("bce", "(a - y)/(a*(1 - a))", domain="0,1")
    assert v.ok and 190 <= v.points < 200  # a = 0 and a = 1 are left out
    assert not check_loss_gradient("bce", "a - y", domain="0,1").ok
    assert check_loss_gradient("bce", "-(y/a - (1 - y)/(1 - a))", domain=(1e-14, 0.5)).ok


def test_numpy_callables_may_take_only_z():
    assert check_activation(torch.tanh, lambda z: 1 - np.tanh(z) ** 2).ok
    assert not check_activation(torch.tanh, lambda z: 1 - z**2).ok
    assert check_output_error("quadratic", "identity", lambda z, a, y: z - y).ok
