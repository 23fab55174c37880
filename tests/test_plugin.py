"""The pytest plugin as a maintainer uses it: options, sharding, identical ids."""

import re

import pytest

pytest_plugins = ["pytester"]

MAINTAINER_TEST = '''
from reference.oracle.compare import compare_gradients
from reference.oracle import oracle_backprop
from manual import Network

def test_my_backprop(oracle_case):
    w, b, X, Y = oracle_case.arrays()
    mine = Network(w, b, oracle_case.activations, oracle_case.loss, oracle_case.layout,
                   oracle_case.reduction).backprop(X, Y)
    expected = oracle_backprop(w, b, oracle_case.activations, oracle_case.loss, X, Y,
                               oracle_case.layout, oracle_case.reduction)
    verdict = compare_gradients(mine, expected, oracle_case.dtype)
    assert verdict.ok, verdict.mismatch
'''


def _ids(result) -> list[str]:
    return re.findall(r"test_my_backprop\[([^\]]+)\]", result.stdout.str())


def test_options_choose_the_cases_and_shards_partition_them(pytester):
    pytester.makepyfile(test_maintainer=MAINTAINER_TEST)
    whole = pytester.runpytest("--oracle-cases", "30", "--oracle-seed", "4", "-v", "-p",
                               "no:cacheprovider")
    whole.assert_outcomes(passed=30)
    shards = [pytester.runpytest("--oracle-cases", "30", "--oracle-seed", "4", "-v",
                                 "--oracle-shard", f"{i}/3") for i in (1, 2, 3)]
    parts = [_ids(s) for s in shards]
    assert sorted(sum(parts, [])) == sorted(_ids(whole))
    assert all(len(p) == 10 for p in parts)


def test_same_ids_under_xdist(pytester):
    pytester.makepyfile(test_maintainer=MAINTAINER_TEST)
    result = pytester.runpytest_subprocess("--oracle-cases", "40", "-n", "2", "-q")
    result.assert_outcomes(passed=40)  # xdist fails collection if workers disagree


def test_a_wrong_implementation_fails_its_cases(pytester):
    pytester.makepyfile(test_maintainer=MAINTAINER_TEST.replace(
        "verdict = compare_gradients(mine,",
        "mine.dW[0] = mine.dW[0] + 1\n    verdict = compare_gradients(mine,"))
    result = pytester.runpytest("--oracle-cases", "12")
    result.assert_outcomes(failed=12)
    result.stdout.fnmatch_lines(["*BP4*"])


@pytest.mark.parametrize("shard", ["0/2", "3/2", "x"])
def test_bad_shard_is_a_usage_error(pytester, shard):
    pytester.makepyfile(test_maintainer=MAINTAINER_TEST)
    result = pytester.runpytest("--oracle-shard", shard)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--oracle-shard*"])


def test_negative_seed_is_a_usage_error(pytester):
    """numpy refuses negative seeds: it was a ValueError from inside collection."""
    pytester.makepyfile(test_maintainer=MAINTAINER_TEST)
    result = pytester.runpytest("--oracle-seed", "-1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--oracle-seed must be a non-negative integer*"])


@pytest.mark.parametrize("args, message", [
    # was: collection listed 10**12 cases up front (hours of silence, then memory)
    (["--oracle-cases", str(10**12)], "*--oracle-cases must be between 1 and 100,000*"),
    (["--oracle-cases", "0"], "*--oracle-cases must be between 1 and 100,000*"),
    # was: the second definition silently replaced the first
    (["--oracle-activation", "foo=z:1", "--oracle-activation", "foo=z:2"],
     "*activation 'foo' is defined more than once*"),
    # was: every case of the matrix compared NaN with NaN
    (["--oracle-activation", "foo=log(z):1/z"], "*'foo' is not finite on its domain*"),
    (["--oracle-activation", "foo=k*z:k", "--oracle-param", "k"], "*expected NAME=NUMBER*"),
])
def test_bad_oracle_options_are_usage_errors(pytester, args, message):
    pytester.makepyfile(test_maintainer=MAINTAINER_TEST)
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_filters_choose_the_cases_like_checks(pytester):
    pytester.makepyfile(test_maintainer=MAINTAINER_TEST)
    result = pytester.runpytest("--oracle-cases", "24", "--oracle-layouts", "rows",
                                "--oracle-dtypes", "float64", "--oracle-losses", "bce",
                                "--oracle-activations", "tanh,sigmoid", "-v")
    result.assert_outcomes(passed=24)
    ids = _ids(result)
    assert len(ids) == 24
    assert all("-bce-rows-f64-" in i and i.split("-")[0] in ("tanh", "sigmoid") for i in ids)
    # announced once at the top: what the cases are
    result.stdout.fnmatch_lines(["backprop-oracle: 24 oracle_case(s), seed 0, only activations "
                                 "tanh,sigmoid; losses bce; layouts rows; dtypes float64;*"
                                 "reduction='sum'*"])


@pytest.mark.parametrize("args, message", [
    (["--oracle-activations", "tahn"], "*--oracle-activations: unknown activation 'tahn'*"),
    (["--oracle-layouts", "diagonal"], "*--oracle-layouts: unknown layout 'diagonal'*"),
    (["--oracle-activations", "tanh", "--oracle-losses", "bce"], "*bce needs a sigmoid output*"),
])
def test_bad_filters_are_usage_errors(pytester, args, message):
    pytester.makepyfile(test_maintainer=MAINTAINER_TEST)
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_a_custom_activation_takes_a_domain_and_params(pytester):
    pytester.makepyfile(test_maintainer=MAINTAINER_TEST)
    result = pytester.runpytest("--oracle-cases", "12", "--oracle-activation",
                                "mylog=k*log(z):k/z", "--oracle-domain", "0.05,8",
                                "--oracle-param", "k=1.5", "-v")
    result.assert_outcomes(passed=12)
    assert all(i.startswith("mylog-") for i in _ids(result))


def test_a_run_without_oracle_cases_does_not_import_torch(pytester):
    """The plugin is installed for every pytest run of the environment: its options,
    filters and header must not cost a torch import (seconds) where no test uses it."""
    pytester.makepyfile(test_other='''
import sys

def test_other():
    assert "torch" not in sys.modules
''')
    result = pytester.runpytest_subprocess("--oracle-layouts", "rows", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_custom_activations_are_unregistered_after_the_run(pytester):
    from manual.activations import ACTIVATIONS

    pytester.makepyfile(test_maintainer=MAINTAINER_TEST)
    result = pytester.runpytest("--oracle-cases", "4", "--oracle-activation", "leak=2*z:2")
    result.assert_outcomes(passed=4)
    assert "leak" not in ACTIVATIONS
