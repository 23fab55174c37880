"""The losses a library maintainer needs beyond the textbook three: MAE, hinge (±1
targets) and Huber (its δ a parameter) as registry entries, and expression losses
from the command line (`check --loss`, `--oracle-loss`). Truths: torch autograd of
torch's own functions, closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from manual import Network
from manual.errors import InputError
from manual.losses import LOSSES
from manual.params import using_params
from reference.oracle.cases import KINK_MARGIN, generate
from reference.oracle.tolerances import SAME_ARITHMETIC

pytest_plugins = ["pytester"]
RTOL, ATOL = SAME_ARITHMETIC["float64"]
F = torch.nn.functional

TRUTHS = {
    "mae": (lambda a, y: (a - y).abs(), "real"),
    "hinge": (lambda a, y: torch.clamp(1 - y * a, min=0), "pm1"),
    "huber": (lambda a, y: F.huber_loss(a, y, reduction="none", delta=1.0), "real"),
}


def _targets(kind, rng, shape):
    return rng.normal(size=shape) if kind == "real" else rng.choice([-1.0, 1.0], size=shape)


@pytest.mark.parametrize("name", sorted(TRUTHS))
def test_cost_and_gradient_are_torchs(name):
    truth, kind = TRUTHS[name]
    rng = np.random.default_rng(3)
    a = rng.normal(scale=2, size=(6, 4))
    y = _targets(kind, rng, a.shape)
    a = np.where(np.abs(a - y) < 0.05, a + 0.1, a)  # off the kinks
    ta = torch.from_numpy(a).requires_grad_()
    cost = truth(ta, torch.from_numpy(y))
    (grad,) = torch.autograd.grad(cost.sum(), ta)
    loss = LOSSES[name]
    np.testing.assert_allclose(loss.cost(a, y, 1), cost.sum(1).detach().numpy(), rtol=RTOL,
                               atol=ATOL)
    np.testing.assert_allclose(loss.gradient(a, y), grad.numpy(), rtol=RTOL, atol=ATOL)


def test_huber_delta_is_a_parameter():
    a, y = np.array([[-3.0, -0.2, 0.1, 2.5]]), np.zeros((1, 4))
    with using_params({"huber.delta": 0.5}):
        np.testing.assert_allclose(LOSSES["huber"].gradient(a, y), [[-0.5, -0.2, 0.1, 0.5]])
        # δ(|d| − δ/2) beyond δ, d²/2 inside: 0.5·2.75 + 0.02 + 0.005 + 0.5·2.25
        np.testing.assert_allclose(LOSSES["huber"].cost(a, y, 1), [1.375 + 0.02 + 0.005 + 1.125])
    np.testing.assert_allclose(LOSSES["huber"].gradient(a, y), [[-1.0, -0.2, 0.1, 1.0]])


def test_hinge_takes_pm1_targets_and_a_linear_output():
    w, b = [np.ones((1, 2))], [np.zeros((1, 1))]
    X = np.ones((2, 3))
    net = Network(w, b, ["identity"], "hinge")
    with pytest.raises(InputError, match=r"\{-1, \+1\}"):
        net.backprop(X, np.array([[0.0, 1.0, 1.0]]))
    with pytest.raises(InputError, match="identity"):
        Network(w, b, ["sigmoid"], "hinge")
    g = net.backprop(X, np.array([[1.0, -1.0, 1.0]]))  # a = 2: margins 1 − 2 < 0, 1 + 2
    np.testing.assert_allclose(g.deltas[0], [[0.0, 1.0, 0.0]])


@pytest.mark.parametrize("loss", ["mae", "hinge"])
def test_the_cases_keep_off_the_loss_kink(loss):
    """|a − y| (MAE) and |1 − y·a| (hinge) are at least KINK_MARGIN on every drawn case."""
    for case in generate(120, seed=2, family=4, losses=[loss], dtypes=["float64"]):
        net, X, Y = case.network()
        a = net.forward(X)
        gap = np.abs(a - Y) if loss == "mae" else np.abs(1 - Y * a)
        assert gap.min() >= KINK_MARGIN * 0.99, case.id


def test_check_runs_the_new_losses_and_an_expression_loss(cli):
    r = cli("check", "--losses", "mae,hinge,huber", "--cases", "400", "--jobs", "1")
    assert r.returncode == 0, r.stdout[-600:]
    assert " hinge " in r.stdout and " huber " in r.stdout
    smooth = "sqhinge=maximum(0, 1 - y*a)**2:-2*y*maximum(0, 1 - y*a):pm1"
    r = cli("check", "--loss", smooth, "--cases", "120", "--jobs", "1")
    assert r.returncode == 0, r.stdout[-600:]
    assert "sqhinge" in r.stdout and " mae " not in r.stdout  # only the --loss ones
    r = cli("check", "--loss", "half=k*(a-y)**2:k*(a-y)", "--param", "k=0.7",
            "--losses", "half,quadratic", "--cases", "60", "--jobs", "1")
    assert r.returncode == 1 and "FAIL" in r.stdout and "-half-" in r.stdout  # 2k(a − y)


@pytest.mark.parametrize("argv, words", [
    (["--loss", "nope"], "NAME=COST:GRADIENT"),
    (["--loss", "x=a:1:maybe"], "targets must be one of"),
    (["--loss", "mae=abs(a-y):sign(a-y)"], "built in"),
    (["--loss", "x=a^2:1"], "column 2"),
    (["--losses", "maee"], "did you mean 'mae'"),
])
def test_bad_losses_are_one_line_exit_2(cli, argv, words):
    r = cli("check", *argv, "--cases", "5")
    assert r.returncode == 2 and words in r.stderr and len(r.stderr.splitlines()) == 1


def test_custom_activation_names_are_accepted_by_the_filters(cli):
    """--activations NAME of an --activation entry was refused as unknown."""
    r = cli("check", "--activation", "cube=z**3/3:z**2", "--activations", "cube,tanh",
            "--domain=-2,2", "--cases", "80", "--jobs", "1")
    assert r.returncode == 0, r.stderr + r.stdout[-400:]
    assert "cube" in r.stdout


def test_the_plugin_takes_an_expression_loss(pytester):
    pytester.makepyfile(test_mine='''
from manual import Network
from reference.oracle import oracle_backprop
from reference.oracle.compare import compare_gradients

def test_mine(oracle_case):
    w, b, X, Y = oracle_case.arrays()
    mine = Network(w, b, oracle_case.activations, oracle_case.loss, oracle_case.layout,
                   oracle_case.reduction).backprop(X, Y)
    expected = oracle_backprop(w, b, oracle_case.activations, oracle_case.loss, X, Y,
                               oracle_case.layout, oracle_case.reduction)
    assert compare_gradients(mine, expected, oracle_case.dtype).ok
''')
    result = pytester.runpytest("--oracle-cases", "10", "--oracle-loss",
                                "l4=(a-y)**4/4:(a-y)**3", "--oracle-losses", "l4", "-v",
                                "-p", "no:randomly")
    result.assert_outcomes(passed=10)
    assert "-l4-" in result.stdout.str() and "l4" not in LOSSES
    help_text = pytester.runpytest("--help").stdout.str()
    assert "LOSSS" not in help_text and "--oracle-losses=LOSSES" in help_text


def test_the_readme_gives_register_loss_its_signature():
    from pathlib import Path

    root = Path(__file__).parents[1]  # the README, or the docs it points to
    text = "\n".join(f.read_text() for f in [root / "README.md", *sorted(root.glob("docs/*.md"))])
    assert "register_loss(name, cost, gradient, torch, *, output_activations" in text
    assert "--loss NAME=COST:GRADIENT" in text
