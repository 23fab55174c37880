"""Bad input gets a clear error naming the problem (InputError; exit 2 on the CLI)."""

import numpy as np
import pytest

from manual import InputError, Network, register_activation


def _net(**kw):
    args = dict(weights=[np.ones((3, 2))], biases=[np.zeros((3, 1))], activations=["tanh"],
                loss="quadratic")
    args.update(kw)
    return Network(**args)


@pytest.mark.parametrize("kwargs, message", [
    (dict(activations=["tanhh"]), "unknown activation 'tanhh'"),
    (dict(loss="mse"), "unknown loss 'mse'"),
    (dict(layout="diagonal"), "layout must be"),
    (dict(reduction="median"), "reduction must be"),
    (dict(weights=[], biases=[], activations=[]), "empty architecture"),
    (dict(biases=[np.zeros((2, 1))]), r"biases\[0\] has shape \(2, 1\), expected \(3, 1\)"),
    (dict(weights=[np.ones((3, 2)), np.ones((1, 4))], biases=[np.zeros((3, 1)), np.zeros((1, 1))],
          activations=["tanh", "sigmoid"]), r"weights\[1\] expects 4 inputs but layer 0 has 3"),
    (dict(activations=["tanh", "tanh"]), "one of each per layer"),
    (dict(weights=[np.ones((3, 2), dtype=np.float16)], biases=[np.zeros((3, 1), np.float16)]),
     "float32 or float64"),
    (dict(weights=[np.full((3, 2), np.nan)]), "NaN or inf"),
    (dict(weights=[np.ones(3)]), "must be a matrix"),
])
def test_bad_network_is_refused_with_the_reason(kwargs, message):
    with pytest.raises(InputError, match=message):
        _net(**kwargs)


@pytest.mark.parametrize("X, Y, message", [
    (np.ones((3, 4)), np.ones((3, 4)), r"X has shape \(3, 4\), expected \(2, m\)"),
    (np.array([[np.nan], [1.0]]), np.ones((3, 1)), "X contains NaN"),
    (np.ones((2, 4)), np.ones((3, 5)), r"Y has shape \(3, 5\), expected \(3, 4\)"),
    (np.ones((2, 1)), np.array([[np.inf], [0], [0]]), "Y contains NaN or inf"),
    (np.ones(2), np.ones(3), "X has shape"),
    (np.array([["a"], ["b"]]), np.ones((3, 1)), "must be numeric"),
])
def test_bad_batch_is_refused_with_the_reason(X, Y, message):
    with pytest.raises(InputError, match=message):
        _net().backprop(X, Y)


def test_registering_a_duplicate_or_derivative_free_activation_is_refused():
    with pytest.raises(InputError, match="already registered"):
        register_activation("tanh", np.tanh, lambda z, a: 1 - a * a, "torch.tanh(z)")
    with pytest.raises(InputError, match="needs a derivative"):
        register_activation("nothing_here", np.tanh, None, "torch.tanh(z)")


@pytest.mark.parametrize("args, message", [
    (["check", "--cases", "0"], "positive integer"),
    (["check", "--seed", "-3"], "non-negative integer"),
    (["check", "--activations", "tanhh"], "unknown activation 'tanhh'"),
    (["check", "--losses", "hinge"], "unknown loss 'hinge'"),
    (["check", "--format", "xml"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
    ([], "required"),
])
def test_cli_bad_usage_is_one_line_and_exit_2(cli, args, message):
    r = cli(*args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr
