"""What textbooks derive and `derive` could not express before: a softmax written out
(sum over the classes), a log-softmax, an L2 (and L1) gradient with a weight variable,
hinge with ±1 targets, BP2 through a small layer. Each derivation is checked correct
and, with a mistake learners make planted in it, incorrect; the expected values come
from the closed forms, not from the checker."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch

from manual.errors import InputError
from reference.derive import (
    check_activation,
    check_hidden_error,
    check_loss_gradient,
    check_output_error,
    check_regularization,
    compile_expression,
)
from reference.oracle.tolerances import SAME_ARITHMETIC

RTOL, ATOL = SAME_ARITHMETIC["float64"]
SOFTMAX = "exp(z)/sum(exp(z))"
STABLE_SOFTMAX = "exp(z - mean(z))/sum(exp(z - mean(z)))"  # shifted: the same softmax
LOG_SOFTMAX = "z - log(sum(exp(z)))"
L2 = {"lam": 0.1}

# (name, check, args, kwargs, the right claim, a planted mistake)
DERIVATIONS = [
    ("softmax+cross_entropy", check_output_error, ("cross_entropy", SOFTMAX), {},
     "a - y", "-y/a"),
    ("softmax+quadratic", check_output_error, ("quadratic", SOFTMAX), {},
     "a*((a - y) - sum(a*(a - y)))", "(a - y)*a*(1 - a)"),  # the Jacobian's diagonal only
    ("log_softmax+nll", check_output_error, ("-y*a", LOG_SOFTMAX), {"target": "onehot"},
     "exp(a) - y", "1 - y"),
    ("cross_entropy written out", check_loss_gradient, ("-sum(y*log(a))",), {"target": "onehot"},
     "-y/a", "-1/a"),
    ("L2", check_regularization, ("lam/2*w**2",), {"params": L2}, "lam*w", "lam*w/2"),
    ("L2 summed", check_regularization, ("lam/2*sum(w**2)",), {"params": L2},
     "lam*w", "lam*sum(w)"),
    ("L1", check_regularization, ("lam*abs(w)",), {"params": L2}, "lam*sign(w)", "lam"),
    ("hinge", check_loss_gradient, ("maximum(0, 1 - y*a)",), {"target": "pm1"},
     "-y*(y*a < 1)", "-y"),
    ("BP2 sigmoid", check_hidden_error, ("sigmoid",), {},
     "matmul(transpose(W), delta) * a*(1 - a)", "matmul(W, delta) * a*(1 - a)"),
    ("BP2 tanh", check_hidden_error, ("tanh",), {},
     "matmul(transpose(W), delta) * (1 - a**2)", "matmul(transpose(W), delta) * (1 - z**2)"),
    ("BP2 relu", check_hidden_error, ("relu",), {},
     "matmul(transpose(W), delta) * (z > 0)", "matmul(transpose(W), delta)"),
]
IDS = [d[0] for d in DERIVATIONS]


@pytest.mark.parametrize("name, check, args, kwargs, right, wrong", DERIVATIONS, ids=IDS)
def test_the_derivation_is_correct_and_a_planted_mistake_is_not(name, check, args, kwargs,
                                                                 right, wrong):
    assert check(*args, right, points=120, **kwargs).verdict == "correct"
    verdict = check(*args, wrong, points=120, **kwargs)
    assert verdict.verdict == "incorrect" and verdict.counterexample is not None


def test_a_softmax_written_out_is_the_registry_softmax():
    """The same delta is right for the written-out and the registry softmax, and the
    claim is tested on class vectors (lists in the counterexample)."""
    assert check_output_error("cross_entropy", STABLE_SOFTMAX, "a - y").ok
    bad = check_output_error("quadratic", SOFTMAX, "(a - y)*a*(1 - a)", seed=3)
    z, a, y = (np.array(bad.counterexample[k]) for k in ("z", "a", "y"))
    assert z.size in (3, 4, 5)
    np.testing.assert_allclose(a, np.exp(z) / np.exp(z).sum())
    jacobian = np.diag(a) - np.outer(a, a)
    np.testing.assert_allclose(bad.counterexample["autograd"], jacobian @ (a - y), rtol=RTOL,
                               atol=ATOL)


def test_hinge_counterexample_is_the_closed_form():
    bad = check_loss_gradient("maximum(0, 1 - y*a)", "-y", target="pm1", seed=1)
    ce = bad.counterexample
    assert ce["y"] in (-1.0, 1.0)
    assert ce["autograd"] == (-ce["y"] if ce["y"] * ce["a"] < 1 else 0.0)


def test_bp2_counterexample_is_w_transpose_delta_times_sigma_prime():
    """The planted 'forgot sigma prime' claim disagrees with autograd by exactly the factor
    a(1 - a): autograd is (W^T delta) * a(1 - a), the claim W^T delta."""
    bad = check_hidden_error("sigmoid", "matmul(transpose(W), delta)", seed=2)
    ce = bad.counterexample
    a = np.array(ce["a"])
    np.testing.assert_allclose(np.array(ce["autograd"]), np.array(ce["claimed"]) * a * (1 - a),
                               rtol=RTOL, atol=ATOL)


def test_sum_and_mean_reduce_over_the_classes_in_numpy_and_torch():
    z = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]])
    for source, expected in (("sum(z)", z.sum(1, keepdims=True)),
                             ("mean(z)", z.mean(1, keepdims=True)),
                             (SOFTMAX, np.exp(z) / np.exp(z).sum(1, keepdims=True))):
        e = compile_expression(source, ("z",))
        assert e.vector
        np.testing.assert_allclose(e.numpy(z=z), expected)
        np.testing.assert_allclose(e.torch(z=torch.from_numpy(z)).numpy(), expected)


def test_matmul_of_the_transpose_is_w_transpose_delta():
    rng = np.random.default_rng(0)
    w, d = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3))
    e = compile_expression("matmul(transpose(W), delta)", ("W", "delta"), matrices=("W",))
    expected = np.stack([w[i].T @ d[i] for i in range(2)])
    np.testing.assert_allclose(e.numpy(W=w, delta=d), expected)
    np.testing.assert_allclose(e.torch(W=torch.from_numpy(w), delta=torch.from_numpy(d)).numpy(),
                               expected)


@pytest.mark.parametrize("call, words", [
    (lambda: check_hidden_error("sigmoid", "W * a"), "matrix per example"),
    (lambda: check_hidden_error("softmax", "delta"), "elementwise hidden activation"),
    (lambda: check_activation(SOFTMAX, "a*(1-a)"), "not elementwise"),
    (lambda: check_regularization("lam*w**2", "2*lam*w"), "unknown name 'lam'"),
])
def test_bad_claims_are_input_errors(call, words):
    with pytest.raises(InputError, match=words):
        call()


def test_cli_regularization_and_hidden_error(cli):
    r = cli("derive", "regularization", "--penalty", "lam/2*w**2", "--gradient", "lam*w/2",
            "--param", "lam=0.5", "--format", "json")
    assert r.returncode == 1, r.stderr
    ce = json.loads(r.stdout)["counterexample"]
    assert ce["autograd"] == pytest.approx(0.5 * ce["w"]) and ce["claimed"] == pytest.approx(
        0.25 * ce["w"])
    r = cli("derive", "hidden-error", "--activation", "tanh",
            "--delta", "matmul(transpose(W), delta) * (1 - a**2)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("CORRECT")


def test_cli_refuses_the_caret_at_its_column(cli):
    r = cli("derive", "activation", "--forward", "z ^ 2", "--derivative", "2*z")
    assert r.returncode == 2
    assert "'^'" in r.stderr and "column 3" in r.stderr and len(r.stderr.splitlines()) == 1


def test_plot_without_matplotlib_is_one_line_exit_2(cli, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    out = tmp_path / "p.png"
    r = cli("derive", "activation", "--forward", "tanh", "--derivative", "1 - a**2",
            "--plot", str(out))
    assert r.returncode == 2 and r.stdout == "" and not out.exists()
    assert len(r.stderr.splitlines()) == 1 and "matplotlib" in r.stderr


@pytest.mark.parametrize("argv", [
    ("activation", "--forward", "tanh", "--derivative", "1 - z**2"),
    ("output-error", "--loss", "cross_entropy", "--activation", SOFTMAX, "--delta", "a - y"),
])
def test_plot_writes_a_png(cli, tmp_path, argv):
    pytest.importorskip("matplotlib")
    out = tmp_path / "p.png"
    r = cli("derive", *argv, "--plot", str(out), "--points", "80")
    assert r.returncode in (0, 1), r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _readme_textbook_commands() -> list[list[str]]:
    import shlex
    from pathlib import Path

    root = Path(__file__).parents[1]  # the README, or the docs it points to
    text = "\n".join(f.read_text() for f in [root / "README.md", *sorted(root.glob("docs/*.md"))])
    block = text.split("What the textbooks derive", 1)[1].split("```bash", 1)[1].split("```")[0]
    joined = block.replace("\\\n", " ")
    return [shlex.split(line)[1:] for line in joined.splitlines()
            if line.startswith("backprop-oracle derive")]


def test_the_readmes_textbook_commands_are_correct_as_written(cli):
    commands = _readme_textbook_commands()
    assert len(commands) == 6
    for argv in commands:
        r = cli(*argv, "--points", "60")
        assert r.returncode == 0, (argv, r.stdout[:300], r.stderr)
