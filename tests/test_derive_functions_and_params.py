"""derive as users expect it: the missing functions, named parameters, a domain for
check --activation, the tolerance stated, enough digits, dropped points counted, and
API errors in API terms."""

import json

import pytest

from manual.errors import InputError
from reference.derive import check_activation, check_loss_gradient, check_output_error
from reference.derive.checks import activation_report

GELU = "z*(1 + erf(z/sqrt(2)))/2"
GELU_PRIME = "(1 + erf(z/sqrt(2)))/2 + z*exp(-z**2/2)/sqrt(2*pi)"


@pytest.mark.parametrize("forward, derivative, domain", [
    (GELU, GELU_PRIME, None),                       # exact GELU needs erf
    ("arctan(z)", "1/(1 + z**2)", None),
    ("tanh(z)", "sech(z)**2", None),
    ("log10(z)", "1/(z*log(10))", "0.1,5"),
    ("clip(z, -1, 1)", "heaviside(1 - abs(z), 0.5)", None),
    ("max(z, 0)", "heaviside(z, 0)", None),
    ("min(z, 0) + 2*z", "heaviside(-z, 0) + 2", None),
])
def test_new_functions_give_correct_verdicts(forward, derivative, domain):
    assert check_activation(forward, derivative, domain=domain).ok


def test_a_wrong_gelu_derivative_is_caught():
    assert not check_activation(GELU, "(1 + erf(z/sqrt(2)))/2").ok


def test_named_parameters_in_python_and_on_the_command_line(cli):
    selu = "where(z > 0, lam*z, lam*alpha*expm1(z))"
    claim = "where(z > 0, lam, lam*alpha*exp(z))"
    params = {"alpha": 1.6733, "lam": 1.0507}
    assert check_activation(selu, claim, params=params).ok
    assert not check_activation(selu, "where(z > 0, lam, alpha*exp(z))", params=params).ok
    r = cli("derive", "activation", "--forward", selu, "--derivative", claim,
            "--param", "alpha=1.6733", "--param", "lam=1.0507", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["verdict"] == "correct"
    r = cli("derive", "activation", "--forward", selu, "--derivative", claim,
            "--param", "alpha=1.6733")
    assert r.returncode == 2 and "unknown name 'lam'" in r.stderr
    assert "parameters: alpha" in r.stderr
    r = cli("derive", "activation", "--forward", "z", "--derivative", "1", "--param", "alpha")
    assert r.returncode == 2 and "expected NAME=NUMBER" in r.stderr


def test_bad_params_in_api_terms():
    with pytest.raises(InputError, match="parameter name 'z' is taken"):
        check_activation("z", "1", params={"z": 1.0})
    with pytest.raises(InputError, match="parameter 'alpha' must be a finite number"):
        check_activation("alpha*z", "alpha", params={"alpha": float("inf")})


def test_api_errors_name_the_argument_not_a_command_line_flag():
    """The Python API said `--forward 'selu'`."""
    with pytest.raises(InputError) as err:
        check_activation("selu", "1")
    assert str(err.value).startswith("forward 'selu': unknown activation")
    assert "--" not in str(err.value)
    for call in (lambda: check_loss_gradient("a - ", "1"),
                 lambda: check_output_error("quadratic", "sigmoid", "a +* y")):
        with pytest.raises(InputError) as err:
            call()
        assert "--" not in str(err.value)
        assert str(err.value).split()[0] in ("loss", "delta")


def test_the_command_line_still_names_its_flags(cli):
    r = cli("derive", "activation", "--forward", "selu", "--derivative", "1")
    assert r.returncode == 2 and "--forward 'selu': unknown activation" in r.stderr


def test_the_tolerance_is_stated_in_help_and_in_the_verdict(cli, capsys):
    from reference.cli import main

    with pytest.raises(SystemExit):
        main(["derive", "activation", "--help"])
    assert "Tolerance: a claim agrees where" in " ".join(capsys.readouterr().out.split())
    r = cli("derive", "activation", "--forward", "tanh(z)", "--derivative", "1 - a**2")
    assert r.returncode == 0
    assert "tolerance: agrees where |claimed - autograd| <= 1e-07*|autograd|" in r.stdout


def test_a_disagreement_never_prints_equal_numbers(cli):
    """'claimed 1.75517, autograd 1.75517': a relative error of 1e-6 hid below 6 digits."""
    r = cli("derive", "activation", "--forward", "exp(z)", "--derivative", "exp(z)*1.000001")
    assert r.returncode == 1
    worst = next(line for line in r.stdout.splitlines() if line.startswith("worst point"))
    claimed = worst.split("claimed ")[1].split(",")[0]
    autograd = worst.split("autograd ")[1]
    assert claimed != autograd
    for line in r.stdout.splitlines():
        if line.endswith("  NO"):
            *_, c, a, _ = line.split()
            assert c != a


def test_dropped_points_are_counted(cli):
    report = activation_report("log(z)", "1/z", domain="-1,4")
    assert report.verdict.ok and report.dropped > 0
    assert report.verdict.points + report.dropped == 200
    r = cli("derive", "activation", "--forward", "log(z)", "--derivative", "1/z",
            "--domain=-1,4")
    assert f"dropped: {report.dropped} sampled point(s) left out" in r.stdout


def test_check_activation_takes_a_domain_and_params(cli):
    """log(z) was refused on [-8, 8] with no way to say where it is defined."""
    r = cli("check", "--activation", "mylog=log(z):1/z", "--domain", "0.05,8", "--cases", "120")
    assert r.returncode == 0, r.stderr
    r = cli("check", "--activation", "mylog=log(z):1/z**2", "--domain", "0.05,8", "--cases",
            "120", "--format", "json")
    assert r.returncode == 1
    assert {f["equation"] for f in json.loads(r.stdout)["failures_detail"]} <= {"BP1", "BP2"}
    r = cli("check", "--activation", "s=alpha*tanh(z):alpha*(1 - tanh(z)**2)",
            "--param", "alpha=1.7", "--cases", "60")
    assert r.returncode == 0, r.stderr
    r = cli("check", "--domain", "0.05,8", "--cases", "5")
    assert r.returncode == 2 and "apply to the --activation expressions" in r.stderr
