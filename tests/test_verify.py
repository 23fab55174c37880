"""Checking someone else's backprop: `reference.verify`, `reference.assert_backprop`,
`backprop-oracle check --impl` and a five-line pytest file, on `tests/thirdparty/tinynet.py`
(rows layout, (1, n) biases, no δ), correct and with planted bugs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import reference
from manual.errors import InputError
from reference.oracle.cases import Case
from reference.oracle.tolerances import SAME_ARITHMETIC
from tests.thirdparty import tinynet

RTOL, ATOL = SAME_ARITHMETIC["float64"]

TINYNET = Path(tinynet.__file__)
ACTS = "identity,sigmoid,tanh,relu,softmax"  # what tinynet implements
LOSSES = "quadratic,bce,cross_entropy"  # what tinynet implements
FILTERS = dict(activations=ACTS, losses=LOSSES, layouts=["rows"])


@pytest.fixture
def bug(monkeypatch):
    def plant(name):
        monkeypatch.setattr(tinynet, "BUG", name)
    return plant


def _module(tmp_path, name, bug=None):
    """tinynet copied into tmp_path as `name` (a module importable from there)."""
    text = TINYNET.read_text()
    if bug:
        text = text.replace("BUG = None", f"BUG = {bug!r}")
    (tmp_path / f"{name}.py").write_text(text)
    return tmp_path


def test_a_rows_library_with_row_biases_and_no_deltas_is_verified_in_one_call():
    summary = reference.verify(tinynet.backprop, cases=150, seed=2, bias_shape="row", **FILTERS)
    assert summary["cases"] == 150 and summary["failures"] == 0, summary["failures_detail"][:2]
    # δ is not given, so BP1/BP2 are not compared (and not reported as 0)
    assert summary["by_equation"]["BP1"] == {"max_rel_err": None, "compared": False}
    assert summary["by_equation"]["BP4"]["compared"] is True
    # each case counted once in the table
    assert sum(r["cases"] for r in summary["by_activation_loss"]) == 150


def test_verify_returns_what_check_impl_prints_as_json(cli, tmp_path):
    _module(tmp_path, "tinynet_same")
    r = cli("check", "--impl", "tinynet_same:backprop", "--cases", "60", "--seed", "4",
            "--activations", ACTS, "--losses", LOSSES, "--layouts", "rows", "--bias-shape",
            "row", "--format", "json", "--jobs", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    printed = json.loads(r.stdout)
    got = reference.verify(tinynet.backprop, cases=60, seed=4, bias_shape="row", **FILTERS)
    assert set(printed) == set(got)
    for key in ("cases", "failures", "by_equation", "by_dtype", "failures_detail"):
        assert printed[key] == json.loads(json.dumps(got[key])), key


def test_a_missing_1_over_m_is_reported_at_bp4_layer_0_with_its_diagnosis(bug):
    bug("no_mean")
    summary = reference.verify(tinynet.backprop, cases=120, bias_shape="row", **FILTERS)
    assert summary["failures"] > 0
    for f in summary["failures_detail"]:
        assert (f["equation"], f["layer"]) == ("BP4", 0)
        assert "1/m is missing" in f["diagnosis"]
        assert f["meaning"].startswith("the weight from unit ")


def test_assert_backprop_names_equation_layer_activation_index_and_diagnosis(bug):
    case = Case("tanh", "sigmoid", "bce", "rows", "float64", (3, 4, 1), m=5, seed=11)
    reference.assert_backprop(tinynet.backprop, case, bias_shape="row")  # correct: passes
    bug("flip_hidden")
    with pytest.raises(AssertionError) as err:
        reference.assert_backprop(tinynet.backprop, case, bias_shape="row")
    text = str(err.value)
    assert "BP3 disagrees with torch autograd at layer 0 (a hidden layer, activation tanh)" \
        in text
    assert "the bias of unit" in text and "expected" in text and "got" in text
    assert "diagnosis: db[0] has the wrong sign" in text


def test_undeclared_bias_shape_is_a_shape_report_not_nan_against_nan():
    """(1, n) biases checked under the layout's (n,) convention: the report names the
    shapes and the bias_shape to declare, instead of 'expected nan, got nan'."""
    case = Case("tanh", "sigmoid", "bce", "rows", "float64", (3, 4, 1), m=5, seed=11)
    with pytest.raises(AssertionError) as err:
        reference.assert_backprop(tinynet.backprop, case)
    text = str(err.value)
    assert "nan" not in text
    assert "shape (1, 1), expected (1,)" in text and "bias_shape" in text


def test_check_impl_finds_the_planted_bug_and_ends_the_list_with_n_more(cli, tmp_path):
    _module(tmp_path, "tinynet_bug", bug="no_mean")
    r = cli("check", "--impl", "tinynet_bug:backprop", "--cases", "200", "--activations", ACTS,
            "--losses", LOSSES, "--layouts", "rows", "--bias-shape", "row", "--jobs", "1",
            cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    fails = [line for line in r.stdout.splitlines() if line.startswith("FAIL ")]
    assert len(fails) == 20
    assert all("BP4 layer 0" in line and "1/m is missing" in line for line in fails)
    n = int(r.stdout.split(" cases (seed 0), ")[1].split(" ")[0])
    assert f"... and {n - 20:,} more failure(s)" in r.stdout


@pytest.mark.parametrize("target, message", [
    ("tinynet", "--impl expects MODULE:FUNCTION"),
    ("no_such_module_xyz:f", "cannot import 'no_such_module_xyz'"),
    ("tinynet_e:nothing", "has no attribute 'nothing'"),
    ("tinynet_e:BUG", "is not callable"),
])
def test_bad_impl_is_one_line_and_exit_2(cli, tmp_path, target, message):
    _module(tmp_path, "tinynet_e")
    r = cli("check", "--impl", target, "--cases", "5", cwd=tmp_path)
    assert r.returncode == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_a_raising_implementation_fails_its_cases_without_a_traceback():
    def broken(spec, X, Y):
        raise ZeroDivisionError("oops")
    summary = reference.verify(broken, cases=10)
    assert summary["failures"] == 10
    assert "raised ZeroDivisionError: oops" in summary["failures_detail"][0]["detail"]


def test_verify_errors_are_in_api_terms():
    with pytest.raises(InputError, match=r"activations: unknown activation 'tahn'"):
        reference.verify(tinynet.backprop, activations=["tahn"])
    with pytest.raises(InputError, match="bias_shape must be one of"):
        reference.verify(tinynet.backprop, cases=5, bias_shape="(1, n)")
    with pytest.raises(InputError, match="impl must be a callable"):
        reference.verify(42)


FIVE_LINES = '''import reference
from tinynet_py import backprop

def test_backprop(oracle_case):
    reference.assert_backprop(backprop, oracle_case, bias_shape="row")
'''


@pytest.mark.parametrize("planted", [None, "no_mean"])
def test_a_five_line_pytest_file(tmp_path, planted):
    _module(tmp_path, "tinynet_py", bug=planted)
    (tmp_path / "test_mine.py").write_text(FIVE_LINES)
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "--oracle-cases", "120", "--oracle-layouts", "rows",
                        "--oracle-activations", ACTS, "--oracle-losses", LOSSES,
                        "test_mine.py"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    if planted is None:
        assert r.returncode == 0, r.stdout[-2000:]
        assert "120 passed" in r.stdout
        return
    assert r.returncode == 1
    assert "failures by equation, layer and activation" in r.stdout
    table = r.stdout.split("failures by equation, layer and activation")[1]
    rows = [line.split() for line in table.splitlines()[2:] if line.startswith("BP")]
    assert rows and all(row[:2] == ["BP4", "0"] for row in rows)
    assert "diagnosis: dW[0] is m = " in r.stdout


def test_importing_reference_does_not_import_torch():
    code = "import sys, reference; reference.verify; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_compare_gradients_takes_registry_names_for_entries():
    import numpy as np

    from manual import Network
    from reference.oracle.compare import compare_gradients

    net = Network.init([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)
    X, Y = np.ones((2, 4)), np.ones((1, 4))
    g = net.backprop(X, Y)
    verdict = compare_gradients(g, reference.oracle_for(net, X, Y), "float64",
                                entries=["tanh", "sigmoid", "bce"])
    assert verdict.ok
    with pytest.raises(InputError, match="'tahn' is neither an activation"):
        compare_gradients(g, g, "float64", entries=["tahn"])


def test_oracle_for_takes_a_spec_with_its_bias_shape():
    """oracle_for took only a manual.Network: a user had to rebuild one by hand."""
    import numpy as np

    from reference.check.contract import Spec

    rng = np.random.default_rng(0)
    W = [rng.standard_normal((3, 4)), rng.standard_normal((4, 2))]
    b = [rng.standard_normal((1, 4)), rng.standard_normal((1, 2))]
    X, Y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    spec = Spec(W, b, ["tanh", "identity"], "quadratic", "rows", "mean", "float64", "row")
    expected = reference.oracle_for(spec, X, Y)
    assert [d.shape for d in expected.db] == [(1, 4), (1, 2)]
    mine = tinynet.backprop(spec, X, Y)
    for got, want in zip(mine["dW"] + mine["db"], expected.dW + expected.db):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    with pytest.raises(InputError, match="oracle_for takes a manual.Network or a"):
        reference.oracle_for("net", X, Y)


def test_the_documented_example_runs_and_catches_a_planted_bug():
    """The documented rows-layout example (docs/check.md, linked from the README) is real
    code: it passes as written, and with its 1/m dropped it fails at BP4/BP3 with the 1/m
    diagnosis."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "check.md").read_text()
    section = text.split("## Checking your own implementation", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(compile(code, "docs/check.md", "exec"), namespace)  # asserts no failures
    buggy = code.replace("m = X.shape[0] if", "m = 1 if").replace(
        'assert summary["failures"] == 0, summary["failures_detail"][:1]', "")
    exec(compile(buggy, "docs/check.md", "exec"), namespace)
    details = namespace["summary"]["failures_detail"]
    assert details and all(f["equation"] in ("BP3", "BP4") for f in details)
    assert all("the 1/m is missing" in f["diagnosis"] for f in details)


def test_a_wrong_cost_is_reported_when_given(monkeypatch):
    real = tinynet.backprop

    def off_by_a_bit(spec, X, Y):
        out = real(spec, X, Y)
        out["cost"] += 0.01
        return out

    summary = reference.verify(off_by_a_bit, cases=20, bias_shape="row", **FILTERS)
    assert summary["failures"] == 20
    assert {f["equation"] for f in summary["failures_detail"]} == {"cost"}


def test_check_impl_over_processes_gives_the_same_summary():
    """--jobs > 1 forks workers that inherit the implementation under test."""
    kwargs = dict(cases=600, seed=1, bias_shape="row", **FILTERS)
    one, two = reference.verify(tinynet.backprop, jobs=1, **kwargs), \
        reference.verify(tinynet.backprop, jobs=2, **kwargs)
    for key in ("cases", "failures", "by_equation", "by_activation_loss"):
        assert one[key] == two[key], key


def test_the_family_cache_follows_a_re_registered_activation():
    """The oracle's answers are cached per family; an activation registered again under
    the same name must not be judged against the old definition's answers."""
    from manual.activations import ACTIVATIONS
    from reference.check.runner import run_case
    from reference.oracle.cases import register_custom

    try:
        register_custom(["twice=2*z:2"])
        case = Case("twice", "identity", "quadratic", "columns", "float64", (2, 3, 1), m=3,
                    seed=5)
        assert run_case(case).ok
        register_custom(["twice=3*z:3"])
        assert run_case(case).ok
    finally:
        ACTIVATIONS.pop("twice", None)


def test_assert_backprop_lets_the_implementations_own_error_through():
    def broken(spec, X, Y):
        raise ZeroDivisionError("in my code")
    case = Case("tanh", "sigmoid", "bce", "rows", "float64", (3, 4, 1), m=5, seed=11)
    with pytest.raises(ZeroDivisionError, match="in my code"):
        reference.assert_backprop(broken, case)


def test_the_summary_is_strict_json_even_for_shape_failures():
    summary = reference.verify(tinynet.backprop, cases=10, **FILTERS)  # (1, n) vs (n,)
    assert summary["failures"] == 10
    text = json.dumps(summary, allow_nan=False)
    assert '"expected": "nan"' in text


def test_deltas_are_compared_when_given(monkeypatch, bug):
    monkeypatch.setattr(tinynet, "DELTAS", True)
    summary = reference.verify(tinynet.backprop, cases=80, bias_shape="row", **FILTERS)
    assert summary["failures"] == 0
    assert all(v["compared"] for v in summary["by_equation"].values())
    bug("deltas_with_mean")
    summary = reference.verify(tinynet.backprop, cases=80, bias_shape="row", **FILTERS)
    assert summary["failures"] > 0
    for f in summary["failures_detail"]:
        assert f["equation"] == "BP1" and "an extra 1/m" in f["diagnosis"]
        assert f["meaning"].startswith("unit ") and ", example " in f["meaning"]


def test_verify_takes_module_function_and_its_errors_name_the_argument(tmp_path, monkeypatch):
    _module(tmp_path, "tinynet_str")
    monkeypatch.chdir(tmp_path)
    summary = reference.verify("tinynet_str:backprop", cases=20, bias_shape="row", **FILTERS)
    assert summary["failures"] == 0
    with pytest.raises(InputError) as err:
        reference.verify("tinynet_str", cases=5)
    assert str(err.value).startswith("impl expects MODULE:FUNCTION") and "--" not in str(err.value)


def test_check_impl_from_a_fresh_process_in_the_users_directory(cli_process, tmp_path):
    """The console script, run where the user's module is (not importable otherwise)."""
    _module(tmp_path, "tinynet_proc")
    r = cli_process("check", "--impl", "tinynet_proc:backprop", "--cases", "300",
                    "--activations", ACTS, "--losses", LOSSES, "--layouts", "rows",
                    "--bias-shape", "row", script=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "300 cases (seed 0), 0 disagreement(s)" in r.stdout
    assert "tinynet_proc:backprop vs torch autograd" in r.stdout


def test_check_workers_inherit_torch_from_the_parent(tmp_path):
    """torch became a lazy import: each forked worker of `check` imported it again (1.3 s
    of CPU each; and cases/s, timed after the parent's import, fell from 16,000 to 9,000)."""
    script = f'''
import sys, os
import reference.check.runner as runner
init = runner._init_worker
def spy():
    open(os.path.join({str(tmp_path)!r}, str(os.getpid())), "w").write(str("torch" in sys.modules))
    init()
runner._init_worker = spy
assert "torch" not in sys.modules
runner.run_check(600, jobs=2, chunk=256)
'''
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)
    seen = [p.read_text() for p in tmp_path.iterdir()]
    assert seen and all(s == "True" for s in seen), seen
