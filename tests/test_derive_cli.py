"""`backprop-oracle derive ...`: exit codes, the JSON contract, the text output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from reference.cli import main

KEYS = ["verdict", "points", "max_abs_err", "max_rel_err", "counterexample"]


def test_correct_claim_json_exit_0(cli):
    r = cli("derive", "activation", "--forward", "sigmoid(z)",
            "--derivative", "exp(-z)/(1+exp(-z))**2", "--format", "json", "--points", "150")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert list(out) == KEYS
    assert out["verdict"] == "correct" and out["points"] == 150
    assert out["counterexample"] is None and out["max_abs_err"] < 1e-12


def test_nielsen_quadratic_with_cross_entropy_delta_exit_1(cli):
    r = cli("derive", "output-error", "--loss", "quadratic", "--activation", "sigmoid",
            "--delta", "a - y", "--format", "json", "--seed", "5")
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["verdict"] == "incorrect"
    ce = out["counterexample"]
    assert set(ce) == {"z", "a", "y", "claimed", "autograd"}
    assert ce["claimed"] == pytest.approx(ce["a"] - ce["y"])
    assert ce["autograd"] == pytest.approx((ce["a"] - ce["y"]) * ce["a"] * (1 - ce["a"]))


def test_hostile_expression_exit_2_one_line(cli_process, tmp_path):
    """In a real process: the expression must not run, and the error is one line."""
    marker = tmp_path / "pwned"
    r = cli_process("derive", "loss", "--loss", f"__import__('os').system('touch {marker}')",
            "--gradient", "a - y")
    assert r.returncode == 2 and not marker.exists()
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "column" in lines[0] and lines[0].startswith("backprop-oracle derive: error:")


def test_text_output_has_verdict_worst_point_and_table(cli):
    r = cli("derive", "output-error", "--loss", "cross_entropy", "--activation", "softmax",
            "--delta", "-y/a", "--domain", "-4,4")
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("INCORRECT")
    assert any(line.startswith("worst point: z = [") for line in lines)
    header = next(i for i, line in enumerate(lines) if line.split()[-3:] == ["claimed",
                                                                             "autograd", "agrees"])
    rows = lines[header + 1:]
    assert 3 <= len(rows) <= 8 and any(row.endswith("NO") for row in rows)


def test_usage_errors_are_one_line_exit_2(cli):
    r = cli("derive", "activation", "--forward", "z")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "--derivative" in r.stderr


def test_values_may_start_with_a_dash(capsys):
    code = main(["derive", "output-error", "--loss", "bce", "--activation", "sigmoid",
                 "--delta", "-y+a", "--domain", "-6,6", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["verdict"] == "correct"


@pytest.mark.parametrize("argv", [
    ["activation", "--forward", "z.real", "--derivative", "1"],
    ["activation", "--forward", "lambda: 1", "--derivative", "1"],
    ["activation", "--forward", "z", "--derivative", "9**999999"],
    ["activation", "--forward", "z", "--derivative", "10**10**10"],
    ["activation", "--forward", "z+" * 5000 + "z", "--derivative", "1"],
    ["activation", "--forward", "z", "--derivative", "[z for z in (1,)]"],
    ["loss", "--loss", "open('/etc/passwd')", "--gradient", "1"],
    ["output-error", "--loss", "quadratic", "--activation", "softmax", "--delta", "a[0]"],
    ["activation", "--forward", "z", "--derivative", "1", "--points", "0"],
    ["activation", "--forward", "z", "--derivative", "1", "--points", "many"],
    ["activation", "--forward", "z", "--derivative", "1", "--domain", "5,-5"],
    ["loss", "--loss", "quadratic", "--gradient", "a-y", "--target", "ordinal"],
    ["activation", "--forward", "softmax", "--derivative", "1"],
    ["loss", "--loss", "bce", "--gradient", "(a-y)/(a*(1-a))", "--target", "real"],
    ["activation", "--forward", "log(z)", "--derivative", "1/z", "--domain", "-5,-1"],
    ["activation", "--forward", "sigmoid(", "--derivative", "1"],
    ["activation", "--forward", "z +", "--derivative", "1"],
    ["activation", "--forward", "", "--derivative", "1"],
    ["activation", "--forward", "a*z", "--derivative", "1"],
    ["activation", "--forward", "exp(z, z)", "--derivative", "exp(z)"],
    ["activation", "--forward", "z", "--derivative", "1 # and a comment"],
    ["activation", "--forward", "z", "--derivative", "1", "--seed", "-1"],
    ["activation", "--forward", "z", "--derivative", "1", "--domain", "1,2,3"],
    ["loss", "--loss", "quadratic", "--gradient", "a - y + z"],
    ["output-error", "--loss", "quadratic", "--activation", "softmax(z)", "--delta", "a - y"],
    [],
])
def test_bad_input_exit_2(argv, capsys):
    assert main(["derive", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err


@pytest.mark.parametrize("argv, words", [
    (["output-error", "--loss", "quadratic", "--activation", "swish", "--delta", "a"],
     ["'swish': unknown activation", "silu", "expression in z"]),
    (["loss", "--loss", "focal", "--gradient", "1"],
     ["unknown loss", "cross_entropy", "expression in a, y"]),
])
def test_an_unknown_name_lists_the_registry(argv, words, capsys):
    assert main(["derive", *argv]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err


def test_bad_input_is_refused_before_torch_is_imported():
    # parsing and refusing an expression must not wait for torch to load
    code = ("import sys; from reference.cli import main; "
            "c = main(['derive', 'activation', '--forward', 'z.real', '--derivative', '1']); "
            "print(c, 'torch' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120)
    assert r.stdout.split() == ["2", "False"], r.stderr


def test_text_output_notes_a_right_formula_that_overflows(cli):
    r = cli("derive", "activation", "--forward", "sigmoid(z)",
            "--derivative", "exp(-z)/(1 + exp(-z))**2", "--domain", "-800,800")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("CORRECT")
    note = next(line for line in lines if line.startswith("note:"))
    assert "z = -800: nan" in note and "extended-precision" in note


@pytest.mark.parametrize("argv, code", [
    (["loss", "--loss", "bce", "--gradient", "-(y/a - (1-y)/(1-a))"], 0),
    (["loss", "--loss", "cross_entropy", "--gradient", "a - y"], 1),
    (["activation", "--forward", "relu", "--derivative", "z >= 0", "--domain", "0,3"], 0),
    (["output-error", "--loss", "0.5*(a-y)**2", "--activation", "z", "--delta", "a-y"], 0),
    (["activation", "--forward", "tanh(z)", "--derivative", "1-tanh(z)**2",
      "--domain", "-1e308,1e308"], 0),
    (["activation", "--forward", "z", "--derivative", "1/0"], 1),
    (["activation", "--forward", "z", "--derivative", "log(-1)"], 1),
    (["activation", "--forward", "z > 0", "--derivative", "0"], 0),
    (["output-error", "--loss", "bce", "--activation", "sigmoid", "--delta", "a - y",
      "--domain", "-40,40"], 0),
])
def test_exit_codes_follow_the_verdict(argv, code, capsys):
    assert main(["derive", *argv, "--format", "json"]) == code
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == ("correct" if code == 0 else "incorrect")


@pytest.fixture
def forget_check_activations():
    """`check --activation` registers into this process's registry: undo it after."""
    from manual.activations import ACTIVATIONS, unregister_activation

    before = set(ACTIVATIONS)
    yield
    for name in set(ACTIVATIONS) - before:
        unregister_activation(name)


def test_check_with_a_wrong_custom_derivative_fails_in_bp1_bp2(capsys, forget_check_activations):
    code = main(["check", "--cases", "40", "--jobs", "1", "--format", "json",
                 "--activation", "swish_cli=z*sigmoid(z):sigmoid(z)"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["failures"] > 0
    assert {f["equation"] for f in out["failures_detail"]} <= {"BP1", "BP2"}
    assert all("swish_cli" in f["case"] for f in out["failures_detail"])


def test_check_with_a_right_custom_derivative_passes(capsys, forget_check_activations):
    code = main(["check", "--cases", "40", "--jobs", "1", "--format", "json",
                 "--activation", "swish_cli2=z*sigmoid(z):sigmoid(z)*(1 + z*(1 - sigmoid(z)))"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["failures"] == 0, out["failures_detail"][:3]
