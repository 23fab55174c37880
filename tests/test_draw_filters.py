"""What a maintainer says their library supports: one-hot or soft targets, mean or sum
reductions, which activations may end a network and which may stand inside it; the
cases depend on the seed and the set of filters, never their order, and `verify` and
`check` with the same options draw the same cases."""

from __future__ import annotations

import json

import numpy as np
import pytest

import reference
from manual import Network
from manual.errors import InputError
from reference.oracle.cases import generate

pytest_plugins = ["pytester"]


def _ids(**filters):
    return [c.id for c in generate(60, seed=3, family=2, **filters)]


@pytest.mark.parametrize("one, other", [
    (dict(activations=["tanh", "relu", "sigmoid"]), dict(activations=["sigmoid", "tanh", "relu"])),
    (dict(losses=["bce", "quadratic"]), dict(losses=["quadratic", "bce"])),
    (dict(layouts=["rows", "columns"], dtypes=["float32", "float64"]),
     dict(layouts=["columns", "rows"], dtypes=["float64", "float32"])),
    (dict(outputs=["softmax", "identity"]), dict(outputs=["identity", "softmax"])),
])
def test_the_stream_depends_on_the_set_of_filters_not_their_order(one, other):
    assert _ids(**one) == _ids(**other)


def test_naming_every_entry_draws_the_default_stream():
    from manual.activations import ACTIVATIONS
    from manual.losses import LOSSES

    assert _ids() == _ids(activations=sorted(ACTIVATIONS, reverse=True),
                          losses=sorted(LOSSES, reverse=True))


def _is_onehot(y, axis):
    return bool(np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=axis) == 1))


@pytest.mark.parametrize("targets, onehot", [(["onehot"], True), (["soft"], False)])
def test_targets_choose_onehot_or_soft_labels(targets, onehot):
    cases = generate(80, seed=1, family=4, losses=["cross_entropy"], targets=targets)
    for case in cases:
        _, _, _, Y = case.arrays()
        axis = 0 if case.layout == "columns" else 1
        if case.sizes[-1] > 1:  # one class: a distribution is the one-hot [1]
            assert _is_onehot(Y, axis) == onehot, case.id
    mixed = generate(200, seed=1, family=4, losses=["cross_entropy"])
    kinds = {_is_onehot(c.arrays()[3], 0 if c.layout == "columns" else 1) for c in mixed
             if c.sizes[-1] > 1}
    assert kinds == {True, False}  # the default draws both


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_reductions_choose_the_batch_reduction(reduction):
    assert {c.reduction for c in generate(100, seed=2, reductions=[reduction])} == {reduction}


def test_output_and_hidden_activations_say_where_an_activation_may_stand():
    from reference.oracle.cases import activation_filters

    filters = activation_filters(None, ["softmax", "sigmoid"], ["relu", "tanh"])
    cases = generate(120, seed=0, **filters)
    assert {c.output for c in cases} == {"softmax", "sigmoid"}
    assert {c.hidden for c in cases} == {"relu", "tanh"}
    both = activation_filters(["relu", "tanh"], ["sigmoid", "softmax"], None)
    assert both == {"activations": ["relu", "tanh"], "outputs": ["sigmoid", "softmax"]}
    assert activation_filters(["relu", "tanh"]) == {"activations": ["relu", "tanh"],
                                                    "outputs": ["relu", "tanh"]}


def onehot_only(spec, X, Y):
    """A library that takes one-hot labels only (numpy-ml asserts it), else manual's."""
    axis = 0 if spec.layout == "columns" else 1
    if spec.loss == "cross_entropy":
        assert np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=axis) == 1), \
            "Matrix must be binary"
    g = Network(spec.weights, spec.biases, spec.activations, spec.loss, spec.layout,
                spec.reduction).backprop(X, Y)
    return {"dW": g.dW, "db": g.db, "deltas": g.deltas}


def zeros(spec, X, Y):
    """Wrong everywhere: every case fails, so the failures list every case drawn."""
    return {"dW": [np.zeros_like(w) for w in spec.weights],
            "db": [np.zeros_like(b) for b in spec.biases]}


OPTIONS = dict(losses=["cross_entropy", "bce"], output_activations=["sigmoid", "softmax"],
               hidden_activations=["tanh", "relu"], cases=60, seed=5)


def test_a_onehot_only_library_passes_with_onehot_targets():
    common = dict(OPTIONS, dtypes=["float64"])
    assert reference.verify(onehot_only, **common)["failures"] > 0
    said = reference.verify(onehot_only, targets=["onehot"], **common)
    assert said["failures"] == 0, said["failures_detail"][:1]
    assert said["drawn"]["targets"] == ["onehot"]


def test_verify_and_check_draw_the_same_cases(cli, tmp_path, monkeypatch):
    (tmp_path / "zeros_lib.py").write_text(
        "from tests.test_draw_filters import zeros as backprop\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    got = reference.verify(zeros, targets=["soft", "onehot"], reductions=["sum", "mean"],
                           **OPTIONS)
    r = cli("check", "--impl", "zeros_lib:backprop", "--cases", "60", "--seed", "5",
            "--losses", "bce,cross_entropy", "--output-activations", "softmax,sigmoid",
            "--hidden-activations", "relu,tanh", "--format", "json", "--jobs", "1")
    assert r.returncode == 1, r.stderr
    printed = json.loads(r.stdout)
    assert [f["case"] for f in printed["failures_detail"]] == \
        [f["case"] for f in got["failures_detail"]]
    assert len(got["failures_detail"]) == 60
    assert printed["drawn"] == json.loads(json.dumps(got["drawn"]))


def test_a_custom_output_under_registry_hidden_layers(cli):
    """--activation cube with --hidden-activations relu: relu inside, cube at the output."""
    r = cli("check", "--activation", "cube=z**3/3:z**2", "--domain=-2,2",
            "--hidden-activations", "relu", "--output-activations", "cube", "--cases", "30",
            "--jobs", "1")
    assert r.returncode == 0, r.stderr + r.stdout[-400:]
    rows = [line.split() for line in r.stdout.splitlines()[3:] if line.startswith("cube ")]
    assert rows and {row[2] for row in rows} <= {"relu", "-"}
    assert sum(int(row[3]) for row in rows) == 30


def test_check_header_says_what_was_drawn_and_custom_entries_stand_anywhere(cli):
    r = cli("check", "--activation", "cube=z**3/3:z**2", "--domain=-2,2",
            "--hidden-activations", "cube", "--output-activations", "cube,identity",
            "--reductions", "sum", "--cases", "40", "--jobs", "1")
    assert r.returncode == 0, r.stderr + r.stdout[-400:]
    header = r.stdout.splitlines()[1]
    assert header.startswith("drawn from: hidden cube; outputs identity,cube")
    assert "reductions sum" in header
    rows = [line.split() for line in r.stdout.splitlines()[3:] if line.split()[0] in
            ("cube", "identity")]
    assert rows and {row[2] for row in rows} <= {"cube", "-"}


@pytest.mark.parametrize("kwargs, words", [
    (dict(targets=["hard"]), "unknown target 'hard'"),
    (dict(reductions=[]), "reductions is empty"),
    (dict(output_activations=["sigmod"]), "did you mean 'sigmoid'"),
])
def test_bad_draw_options_are_input_errors(kwargs, words):
    with pytest.raises(InputError, match=words):
        reference.verify(zeros, cases=5, **kwargs)


def test_the_plugin_takes_the_draw_options(pytester):
    pytester.makepyfile(test_lib='''
import reference
from tests.test_draw_filters import onehot_only

def test_lib(oracle_case):
    reference.assert_backprop(onehot_only, oracle_case)
''')
    args = ("--oracle-cases", "24", "--oracle-losses", "cross_entropy", "--oracle-targets",
            "onehot", "--oracle-output-activations", "softmax", "--oracle-hidden-activations",
            "relu", "--oracle-reductions", "sum", "-v", "-p", "no:randomly")
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=24)
    out = result.stdout.str()
    assert "drawn from: hidden relu; outputs softmax" in out and "targets onehot" in out
    assert all(line.split("[")[1].startswith("relu-softmax-cross_entropy-")
               and "-sum" in line for line in out.splitlines() if "test_lib[" in line)


def test_the_plugin_knows_custom_activations_in_its_filters(pytester):
    """--oracle-activations NAME of an --oracle-activation entry was refused as unknown."""
    pytester.makepyfile(test_lib='''
import reference
from tests.test_draw_filters import onehot_only

def test_lib(oracle_case):
    reference.assert_backprop(onehot_only, oracle_case)
''')
    result = pytester.runpytest("--oracle-cases", "12", "--oracle-activation",
                                "cube=z**3/3:z**2", "--oracle-domain=-2,2",
                                "--oracle-hidden-activations", "cube",
                                "--oracle-output-activations", "cube", "-v", "-p", "no:randomly")
    result.assert_outcomes(passed=12)
    ids = [line.split("[")[1] for line in result.stdout.str().splitlines() if "test_lib[" in line]
    assert ids and all(i.startswith("cube-cube-quadratic-") for i in ids)
