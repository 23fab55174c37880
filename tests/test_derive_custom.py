"""Expression-defined activations in whole networks (BP1..BP4 through deep stacks)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import manual
from manual.activations import ACTIVATIONS, register_activation, unregister_activation
from manual.errors import InputError
from reference.derive import expression_activation, find_kinks, parse_spec
from reference.oracle import oracle_for
from reference.oracle.cases import generate
from reference.oracle.compare import compare_gradients
from reference.oracle.tolerances import SAME_ARITHMETIC

RTOL, ATOL = SAME_ARITHMETIC["float32"]

pytest_plugins = ["pytester"]

SWISH = "z*sigmoid(z)"
SWISH_PRIME = "sigmoid(z)*(1 + z*(1 - sigmoid(z)))"


@pytest.fixture
def names():
    """Names this test registers; removed afterwards (tests run in any order, in parallel)."""
    made: list[str] = []
    yield made
    for name in made:
        unregister_activation(name)


def run_cases(name: str, n: int = 30):
    """(case, verdict, uses the activation, oracle gradients all zero) for n cases."""
    out = []
    for case in generate(n, 1, activations=[name]):
        net, X, Y = case.network()
        expected = oracle_for(net, X, Y)
        entries = [manual.get_activation(a) for a in case.activations]
        verdict = compare_gradients(net.backprop(X, Y), expected, case.dtype, entries)
        flat = all(np.allclose(d, 0) for d in expected.deltas)
        out.append((case, verdict, name in case.activations, flat))
    return out


def test_parse_spec():
    assert parse_spec("sw=z*sigmoid(z):sigmoid(z)") == ("sw", "z*sigmoid(z)", "sigmoid(z)")
    assert parse_spec(" sq = z**2 : 2*z") == ("sq", " z**2 ", " 2*z")
    for bad in ("z**2:2*z", "sq=z**2", "2x=z:1", "a b=z:1"):
        with pytest.raises(InputError):
            parse_spec(bad)


def test_registers_numpy_and_torch_forms(names):
    entry = expression_activation(f"swish_t1={SWISH}:{SWISH_PRIME}")
    names.append(entry.name)
    assert ACTIVATIONS["swish_t1"] is entry and entry.elementwise
    z = np.linspace(-4, 4, 9).astype(np.float32)
    a = entry.forward(z)
    assert a.dtype == np.float32 and a.shape == z.shape
    np.testing.assert_allclose(a, z / (1 + np.exp(-z)), rtol=RTOL, atol=ATOL)
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(entry.derivative(z, a), s * (1 + z * (1 - s)), rtol=RTOL, atol=ATOL)
    t = torch.from_numpy(z.astype(np.float64))
    np.testing.assert_allclose(entry.torch(t).numpy(), z / (1 + np.exp(-z)), rtol=RTOL, atol=ATOL)


def test_re_registering_the_same_name_replaces_it(names):
    names.append("swish_t2")
    first = expression_activation(f"swish_t2={SWISH}:{SWISH_PRIME}")
    again = expression_activation(f"swish_t2={SWISH}:{SWISH_PRIME}")
    assert ACTIVATIONS["swish_t2"] is again and again is not first
    wrong = expression_activation(f"swish_t2={SWISH}:sigmoid(z)")
    assert ACTIVATIONS["swish_t2"] is wrong


def test_builtin_names_and_bad_expressions_are_refused(names):
    with pytest.raises(InputError, match="built in"):
        expression_activation("sigmoid=z:1")
    with pytest.raises(InputError, match="attribute access"):
        expression_activation("evil_t=z.__class__:1")
    assert "evil_t" not in ACTIVATIONS
    assert ACTIVATIONS["sigmoid"].torch == "torch.sigmoid(z)"


def test_kinks_are_located():
    assert find_kinks(lambda z: np.maximum(z, 0), (-8, 8)) == (0.0,)
    kinks = find_kinks(lambda z: np.abs(z - 1.37) + np.where(z > -2.5, 0.3 * z, 0), (-8, 8))
    assert len(kinks) == 2 and abs(kinks[0] + 2.5) < 1e-6 and abs(kinks[1] - 1.37) < 1e-6
    assert find_kinks(np.tanh, (-8, 8)) == ()


def test_kinks_recorded_for_non_smooth_forwards(names):
    names += ["lrelu_t", "soft_t"]
    assert expression_activation("lrelu_t=where(z > 0, z, 0.1*z):where(z > 0, 1, 0.1)"
                                 ).kinks == (0.0,)
    assert expression_activation(f"soft_t={SWISH}:{SWISH_PRIME}").kinks == ()


@pytest.mark.parametrize("spec", [f"swish_ok={SWISH}:{SWISH_PRIME}",
                                  "lrelu_ok=where(z > 0, z, 0.1*z):where(z > 0, 1, 0.1)",
                                  "cube_ok=z**3/3 + z:a*0 + z**2 + 1"])
def test_right_derivative_agrees_in_whole_networks(names, spec):
    name = expression_activation(spec).name
    names.append(name)
    results = run_cases(name)
    assert sum(uses for _, _, uses, _ in results) >= 20
    failures = [(c.id, str(v.mismatch)) for c, v, _, _ in results if not v.ok]
    assert not failures


@pytest.mark.parametrize("spec", [f"swish_bad={SWISH}:sigmoid(z)",
                                  "lrelu_bad=where(z > 0, z, 0.1*z):where(z > 0, 1, 0.01)"])
def test_wrong_derivative_fails_as_bp1_or_bp2(names, spec):
    name = expression_activation(spec).name
    names.append(name)
    results = run_cases(name)
    equations = set()
    for case, verdict, uses, flat in results:
        if not uses or flat:  # no layer uses it, or every gradient is 0 (1-class softmax)
            continue
        assert not verdict.ok, case.id
        equations.add(verdict.mismatch.equation)
        # BP1 can only fail when the output layer uses it (it may still pass there
        # when every output z lies where the wrong derivative happens to be right)
        allowed = {"BP1", "BP2"} if case.activations[-1] == name else {"BP2"}
        assert verdict.mismatch.equation in allowed, case.id
    assert equations == {"BP1", "BP2"}


def test_register_activation_with_plain_numpy_callables(names):
    names.append("softsign_t")
    register_activation("softsign_t", lambda z: z / (1 + np.abs(z)),
                        lambda z, a: 1 / (1 + np.abs(z)) ** 2,
                        lambda z: z / (1 + torch.abs(z)))
    results = run_cases("softsign_t", 20)
    assert all(v.ok for _, v, _, _ in results)
    register_activation("softsign_t", lambda z: z / (1 + np.abs(z)),
                        lambda z, a: 1 / (1 + z) ** 2,  # drops the abs
                        lambda z: z / (1 + torch.abs(z)), replace=True)
    results = run_cases("softsign_t", 20)
    assert any(not v.ok and v.mismatch.equation in ("BP1", "BP2") for _, v, _, _ in results)


ORACLE_TEST = '''
from reference.check.runner import run_case

def test_case(oracle_case):
    result = run_case(oracle_case)
    assert result.ok, f"{oracle_case.id}: {result.mismatch}"
'''


def test_pytest_oracle_activation(pytester):
    """`pytest --oracle-activation NAME=FORWARD:DERIVATIVE` puts the activation in
    every case; a wrong derivative fails in BP1 or BP2, in cases named after it."""
    pytester.makepyfile(test_custom=ORACLE_TEST)
    right = pytester.runpytest_subprocess(
        "--oracle-cases", "16", "-v", "--oracle-activation", f"swish_pt={SWISH}:{SWISH_PRIME}")
    ids = re.findall(r"test_case\[([^\]]+)\]", right.stdout.str())
    assert len(set(ids)) == 16 and all(i.startswith("swish_pt-") for i in ids)
    right.assert_outcomes(passed=16)
    wrong = pytester.runpytest_subprocess(
        "--oracle-cases", "16", "--oracle-activation", f"swish_pt={SWISH}:sigmoid(z)")
    # (a one-layer case does not use the hidden activation, so it may pass)
    assert wrong.parseoutcomes()["failed"] >= 8
    equations = re.findall(r"'equation': '(BP\d)'", wrong.stdout.str())
    assert equations and set(equations) <= {"BP1", "BP2"}
    failed = re.findall(r"FAILED test_custom.py::test_case\[([^\]]+)\]", wrong.stdout.str())
    assert failed and all("swish_pt" in i for i in failed)


def test_pytest_oracle_activation_refuses_bad_specs(pytester):
    pytester.makepyfile(test_custom=ORACLE_TEST)
    before = dict(ACTIVATIONS)
    for spec in ("sigmoid=z:1", "evil=__import__('os'):1", "no_colon=z"):
        result = pytester.runpytest("--oracle-activation", spec)   # in this process
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["*--oracle-activation*"])
    assert ACTIVATIONS == before    # a refused spec registers nothing, not even in part
