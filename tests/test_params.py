"""Registry parameters (leaky_relu.slope, elu.alpha, quadratic.scale): a library that
uses other constants says so with params= / --param / --oracle-param, and `manual`
and the oracle both follow. The truths are torch's own functions with the same
constants and a NumPy library written here with its constants fixed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import reference
from manual import Network
from manual.activations import ACTIVATIONS
from manual.errors import InputError
from manual.losses import LOSSES
from manual.params import defaults, using_params, validate_params
from reference.oracle.tolerances import SAME_ARITHMETIC
from reference.oracle.torchexpr import torch_activation, torch_loss

pytest_plugins = ["pytester"]
RTOL, ATOL = SAME_ARITHMETIC["float64"]
Z = np.linspace(-3, 3, 13) + 0.05


def test_every_parameter_has_its_documented_default():
    assert defaults() == {"elu.alpha": 1.0, "leaky_relu.slope": 0.01, "quadratic.scale": 0.5} | {
        k: v for k, v in defaults().items() if k.startswith("huber.")}


@pytest.mark.parametrize("params, name, truth", [
    ({"leaky_relu.slope": 0.3}, "leaky_relu",
     lambda z: torch.nn.functional.leaky_relu(z, negative_slope=0.3)),
    ({"elu.alpha": 0.2}, "elu", lambda z: torch.nn.functional.elu(z, alpha=0.2)),
    ({"elu.alpha": 1.7}, "elu", lambda z: torch.nn.functional.elu(z, alpha=1.7)),
])
def test_an_activation_parameter_sets_manual_and_the_oracle(params, name, truth):
    before = ACTIVATIONS[name]
    with using_params(params):
        entry = ACTIVATIONS[name]
        tz = torch.from_numpy(Z).requires_grad_()
        expected = truth(tz)
        (slope,) = torch.autograd.grad(expected.sum(), tz)
        a = entry.forward(Z)
        np.testing.assert_allclose(a, expected.detach().numpy(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(entry.derivative(Z, a), slope.numpy(), rtol=RTOL, atol=ATOL)
        got = torch_activation(entry)(torch.from_numpy(Z), 1).numpy()
        np.testing.assert_allclose(got, expected.detach().numpy(), rtol=RTOL, atol=ATOL)
        assert entry.params == {k.split(".")[1]: v for k, v in params.items()}
    assert ACTIVATIONS[name] is before  # restored


def test_quadratic_scale_sets_cost_and_gradient():
    rng = np.random.default_rng(0)
    a, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    with using_params({"quadratic.scale": 1.0}):
        loss = LOSSES["quadratic"]
        np.testing.assert_allclose(loss.cost(a, y, 1), ((a - y) ** 2).sum(1))
        np.testing.assert_allclose(loss.gradient(a, y), 2 * (a - y))
        got = torch_loss(loss)(torch.from_numpy(a), torch.from_numpy(y)).numpy()
        np.testing.assert_allclose(got, (a - y) ** 2, rtol=RTOL, atol=ATOL)
    assert LOSSES["quadratic"].gradient(a, y) == pytest.approx(a - y)


@pytest.mark.parametrize("params, words", [
    ({"leaky_relu.slop": 0.3}, "unknown parameter 'leaky_relu.slop'"),
    ({"elu.alpha": -1}, "positive"),
    ({"elu.alpha": float("nan")}, "positive"),
    ({"quadratic.scale": "x"}, "positive"),
    (["leaky_relu.slope"], "must be a dict"),
])
def test_bad_parameters_are_input_errors(params, words):
    with pytest.raises(InputError, match=words):
        validate_params(params)


def _library(slope: float, alpha: float):
    """A NumPy library (rows, vector biases, quadratic ½‖a − y‖²) with its own constants."""
    forward = {"identity": (lambda z: z, lambda z: np.ones_like(z)),
               "leaky_relu": (lambda z: np.where(z > 0, z, slope * z),
                              lambda z: np.where(z > 0, 1.0, slope)),
               "elu": (lambda z: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))),
                       lambda z: np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0))))}

    def backprop(spec, X, Y):
        acts, zs = [X], []
        for W, b, name in zip(spec.weights, spec.biases, spec.activations):
            zs.append(acts[-1] @ W + b)
            acts.append(forward[name][0](zs[-1]))
        m = X.shape[0] if spec.reduction == "mean" else 1
        delta = (acts[-1] - Y) * forward[spec.activations[-1]][1](zs[-1])
        dW, db = [None] * len(zs), [None] * len(zs)
        for layer in range(len(zs) - 1, -1, -1):
            dW[layer] = (acts[layer].T @ delta / m).astype(X.dtype)
            db[layer] = (delta.sum(axis=0) / m).astype(X.dtype)
            if layer:
                delta = (delta @ spec.weights[layer].T) \
                    * forward[spec.activations[layer - 1]][1](zs[layer - 1])
        return {"dW": dW, "db": db}
    return backprop


FILTERS = dict(activations=["identity", "leaky_relu", "elu"], losses=["quadratic"],
               layouts=["rows"], dtypes=["float64"], bias_shape="vector", cases=60, seed=4)


def test_a_library_with_other_constants_passes_once_it_says_so():
    lib = _library(slope=0.3, alpha=0.2)
    assert reference.verify(lib, **FILTERS)["failures"] > 0  # the defaults: 0.01 and 1
    said = reference.verify(lib, params={"leaky_relu.slope": 0.3, "elu.alpha": 0.2}, **FILTERS)
    assert said["failures"] == 0, said["failures_detail"][:1]
    assert said["drawn"]["params"] == ["elu.alpha=0.2", "leaky_relu.slope=0.3"]
    assert ACTIVATIONS["leaky_relu"].params == {"slope": 0.01}  # restored after the call


def test_manual_follows_the_parameters():
    """manual's gradients under a parameter agree with the library written here."""
    rng = np.random.default_rng(1)
    net = Network.init([3, 4, 2], ["leaky_relu", "elu"], "quadratic", layout="rows", seed=2)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    spec = type("Spec", (), dict(weights=net.weights, biases=[b.ravel() for b in net.biases],
                                 activations=["leaky_relu", "elu"], reduction="mean"))
    expected = _library(0.3, 0.2)(spec, X, Y)
    with using_params({"leaky_relu.slope": 0.3, "elu.alpha": 0.2}):
        got = Network(net.weights, net.biases, ["leaky_relu", "elu"], "quadratic",
                      layout="rows").backprop(X, Y)
    for want, have in zip(expected["dW"], got.dW):
        np.testing.assert_allclose(have, want, rtol=RTOL, atol=ATOL)


def test_check_and_the_plugin_take_the_parameter(cli, tmp_path):
    (tmp_path / "lib03.py").write_text(
        "from tests.test_params import _library\nbackprop = _library(0.3, 0.2)\n")
    common = ("check", "--impl", "lib03:backprop", "--activations", "identity,leaky_relu,elu",
              "--losses", "quadratic", "--layouts", "rows", "--dtypes", "float64",
              "--bias-shape", "vector", "--cases", "40", "--jobs", "1")
    import sys
    sys.path.insert(0, str(tmp_path))
    try:
        assert cli(*common, cwd=tmp_path).returncode == 1
        r = cli(*common, "--param", "leaky_relu.slope=0.3", "--param", "elu.alpha=0.2",
                cwd=tmp_path)
        assert r.returncode == 0, r.stdout[-800:] + r.stderr
        bad = cli(*common, "--param", "leaky_relu.slop=0.3", cwd=tmp_path)
        assert bad.returncode == 2 and "unknown parameter" in bad.stderr
    finally:
        sys.path.remove(str(tmp_path))


LIBRARY_TEST = '''
import reference
from tests.test_params import _library

def test_lib(oracle_case):
    reference.assert_backprop(_library(0.3, 0.2), oracle_case, bias_shape="vector")
'''


def test_the_plugin_takes_registry_parameters(pytester):
    pytester.makepyfile(test_lib=LIBRARY_TEST)
    filters = ("--oracle-cases", "16", "--oracle-activations", "identity,leaky_relu,elu",
               "--oracle-losses", "quadratic", "--oracle-layouts", "rows", "--oracle-dtypes",
               "float64", "-p", "no:randomly", "-q")
    without = pytester.runpytest(*filters)
    assert without.ret == 1
    said = pytester.runpytest(*filters, "--oracle-param", "leaky_relu.slope=0.3",
                              "--oracle-param", "elu.alpha=0.2")
    said.assert_outcomes(passed=16)
    assert ACTIVATIONS["leaky_relu"].params == {"slope": 0.01}  # put back after the run
    bad = pytester.runpytest(*filters, "--oracle-param", "elu.alpha=-2")
    assert bad.ret == 4 and "positive" in bad.stderr.str()


def test_the_readme_lists_every_entry_and_parameter():
    from pathlib import Path

    from manual.activations import BUILTIN_ACTIVATIONS
    from manual.losses import BUILTIN_LOSSES

    root = Path(__file__).parents[1]  # the README, or the docs it points to
    text = "\n".join(f.read_text() for f in [root / "README.md", *sorted(root.glob("docs/*.md"))])
    for name in (*BUILTIN_ACTIVATIONS, *BUILTIN_LOSSES):
        assert f"| `{name}`" in text, name
    for key, value in defaults().items():
        assert f"`{key}` = {value:g}" in text, key
