"""The nielsen style (network.py, per-example columns): catalog verdicts and unit checks.

Catalog: every file in tests/submissions/nielsen is graded through the real
sandboxed harness and must get the verdict written here. FAILS maps a file to
{graded function: substring of "[equation] diagnosis"}; every function not
listed must pass (a bug is reported where it is, not downstream).
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import numpy as np
import pytest

from reference.grade.probes import nielsen as probes
from reference.grade.runner import build_cases, grade_submission
from reference.grade.styles.nielsen import STYLE

HERE = Path(__file__).parent / "submissions" / "nielsen"
FUNCTIONS = [f.name for f in STYLE.functions]

FAILS = {
    "bug_bp1_sigma_prime_of_a.py": {"Network.backprop": "[BP1] nabla_b[0] (= δ of layer 0, the "
                                    "output layer): sigmoid_prime applied to the activation"},
    "bug_bp2_sigma_prime_of_a.py": {"Network.backprop": "[BP2] nabla_b[0] (= δ of layer 0): "
                                    "sigmoid_prime applied to the activation instead of z"},
    "bug_bp1_no_sigma_prime.py": {"Network.backprop": "[BP1] nabla_b[0] (= δ of layer 0, the "
                                  "output layer): BP1 is missing σ'(zᴸ)"},
    "bug_bp2_no_transpose.py": {"Network.backprop": "BP2 uses W instead of its transpose"},
    "bug_nabla_w_transposed.py": {"Network.backprop": "[BP4] nabla_w[1] is transposed"},
    "bug_nabla_b_rank1.py": {"Network.backprop": "has shape (1,), expected (1, 1): a rank-1 "
                             "array"},
    "bug_sigmoid_prime_wrong_quantity.py": {"sigmoid_prime": "derivative of the wrong quantity: "
                                            "z(1 − z)"},
    "bug_sigmoid_prime_unstable.py": {"sigmoid_prime": "contains NaN/inf for z = ±800"},
    "bug_sigmoid_unstable.py": {"sigmoid": "sigmoid(z) contains NaN/inf for z = ±800"},
    "bug_cost_derivative_sign.py": {"Network.cost_derivative": "[BP1] cost_derivative("
                                    "output_activations, y) has the wrong sign"},
    "bug_cost_derivative_inplace.py": {"Network.cost_derivative": "modified its input `a` in "
                                       "place"},
    "bug_feedforward_no_bias.py": {"Network.feedforward": "the biases are missing"},
    "bug_update_no_mean.py": {"Network.update_mini_batch": "[update] self.weights[1]: the step "
                              "is not divided by len(mini_batch)"},
    "bug_update_per_example.py": {"Network.update_mini_batch": "updated inside the loop, "
                                  "after every example"},
    "bug_update_sign.py": {"Network.update_mini_batch": "the gradient was added"},
    "bug_update_divided_twice.py": {"Network.update_mini_batch": "[update] self.weights[1]: "
                                    "the step is divided by len(mini_batch) twice"},
    "hostile_backprop_hang.py": {"Network.backprop": "[runtime] timed out after 2 s"},
    "hostile_memory_hog.py": {"Network.feedforward": "[runtime] MemoryError"},
}
# the whole submission gets zero: substring of the reason
ERRORS = {
    "hostile_exit_at_import.py": "called exit() while loading",
    "hostile_autograd_import.py": "line 5: imports `autograd.numpy`: autograd libraries are "
                                  "not allowed",
}
FULL_MARKS = ["correct.py", "variant_equivalent.py", "variant_xrange.py"]


def test_catalog_is_complete():
    on_disk = {p.name for p in HERE.glob("*.py")}
    assert on_disk == set(FAILS) | set(FULL_MARKS) | set(ERRORS)
    for verdicts in FAILS.values():
        assert set(verdicts) <= set(FUNCTIONS)


def _verdicts(result):
    return {f.name: (f.status, f"[{f.finding.equation}] {f.finding.diagnosis}"
                     if f.finding else "") for f in result.functions}


@pytest.mark.parametrize("name", sorted(FAILS))
def test_buggy_submission_gets_its_diagnosis(name):
    result = grade_submission(HERE / name, "nielsen", seed=0, timeout=2)
    assert result.error is None
    got = _verdicts(result)
    for fn in FUNCTIONS:
        status, text = got[fn]
        if fn in FAILS[name]:
            assert status == "failed", fn
            assert FAILS[name][fn] in text, (fn, text)
        else:
            assert status == "passed", (fn, text)
    assert result.score < result.max_score


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_refused_or_unloadable_submission_gets_zero(name):
    result = grade_submission(HERE / name, "nielsen", seed=0, timeout=2)
    assert ERRORS[name] in result.error
    assert result.score == 0 and result.max_score > 0 and not result.passed


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name", FULL_MARKS)
def test_equivalent_code_gets_full_marks(name, seed):
    result = grade_submission(HERE / name, "nielsen", seed=seed, timeout=20)
    assert result.error is None
    assert all(status == "passed" for status, _ in _verdicts(result).values()), \
        _verdicts(result)
    assert result.score == result.max_score > 0


def test_python2_file_is_refused_with_a_reason(tmp_path):
    src = tmp_path / "network.py"
    src.write_text("import numpy as np\n\nclass Network(object):\n    def SGD(self, epochs):\n"
                   "        for j in xrange(epochs):\n            print \"Epoch {0}\".format(j)\n")
    result = grade_submission(src, "nielsen", seed=0)
    assert result.error and "print" in result.error
    assert result.score == 0


# --- unit checks without the sandbox -------------------------------------------------------
def _fn(name):
    return next(f for f in STYLE.functions if f.name == name)


class _ReferenceNetwork:
    """network.py's contract built from the probe module's correct pieces."""

    def __init__(self, sizes):
        self.sizes, self.num_layers = sizes, len(sizes)
        self.weights = [np.zeros((n, p)) for p, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros((n, 1)) for n in sizes[1:]]

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = probes.sigmoid(w @ a + b)
        return a

    def cost_derivative(self, output_activations, y):
        return output_activations - y

    def backprop(self, x, y):
        return probes.backprop(self.weights, self.biases, x, y)

    def update_mini_batch(self, mini_batch, eta):
        grads = [self.backprop(x, y) for x, y in mini_batch]
        step = eta / len(mini_batch)
        self.weights = [w - step * sum(g[1][l] for g in grads)
                        for l, w in enumerate(self.weights)]
        self.biases = [b - step * sum(g[0][l] for g in grads)
                       for l, b in enumerate(self.biases)]


def _as_float(v):
    if isinstance(v, dict):
        return {k: _as_float(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_as_float(x) for x in v]
    if isinstance(v, (np.ndarray, np.generic, float, int)) and not isinstance(v, bool):
        return np.asarray(v, dtype=np.float64)
    return v


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_probe_reference_agrees_with_the_oracle(fn):
    """The probes' correct pieces pass every check: probes, cases and checks agree."""
    f = _fn(fn)
    cases = build_cases(f, 3, 5)
    assert cases
    probe = getattr(probes, f.probe.split(":")[1])
    for case in cases:
        ns = {"Network": _ReferenceNetwork, "sigmoid": probes.sigmoid,
              "sigmoid_prime": probes.sigmoid_prime}
        got = _as_float(probe(ns, copy.deepcopy(case.inputs)))
        assert f.check(got, case) is None, case.description


def test_cases_cover_edge_shapes():
    cases = build_cases(_fn("Network.backprop"), 0, 4)
    sizes = [c.inputs["sizes"] for c in cases]
    assert [1, 1] in sizes                                           # width 1
    assert any(len(s) >= 4 for s in sizes)                           # depth 3
    assert any(w.shape[0] == w.shape[1] > 1 for c in cases for w in c.inputs["weights"][1:])
    assert all(c.inputs["x"].shape == (c.inputs["sizes"][0], 1) for c in cases)
    batches = [len(c.inputs["mini_batch"]) for c in build_cases(_fn(
        "Network.update_mini_batch"), 0, 4)]
    assert 1 in batches and max(batches) > 1                         # batch size 1 and > 1
    zs = build_cases(_fn("sigmoid_prime"), 0, 4)
    assert any(np.abs(c.inputs["z"]).max() >= 800 for c in zs)


def test_backprop_expected_has_no_one_over_m_and_update_has_it():
    c = build_cases(_fn("Network.backprop"), 0, 4)[-1]
    e = c.expected
    np.testing.assert_allclose(e["dW"][-1], e["deltas"][-1] @ e["activations"][-2].T)
    u = next(c for c in build_cases(_fn("Network.update_mini_batch"), 0, 4)
             if len(c.inputs["mini_batch"]) > 1)
    W, eta = u.inputs["weights"], u.inputs["eta"]
    total = sum(probes.backprop(W, u.inputs["biases"], x, y)[1][0]
                for x, y in u.inputs["mini_batch"])
    np.testing.assert_allclose(u.expected["weights"][0],
                               W[0] - eta / len(u.inputs["mini_batch"]) * total)


def test_check_flags_planted_values():
    f = _fn("Network.backprop")
    case = build_cases(f, 0, 4)[-1]
    e = case.expected
    good = [list(e["db"]), list(e["dW"])]
    assert f.check({"return": good}, case) is None
    assert f.check({"return": [good[0], [w.astype(np.float32) for w in good[1]]]}, case) is None
    bad = [list(e["db"]), list(e["dW"])]
    bad[1][0] = -bad[1][0]
    assert "wrong sign" in f.check({"return": bad}, case).diagnosis
    assert "should return (nabla_b, nabla_w)" in f.check({"return": good[0]}, case).diagnosis


def test_probe_module_is_numpy_only():
    tree = ast.parse(Path(probes.__file__).read_text())
    mods = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
            for a in n.names}
    mods |= {n.module.split(".")[0] for n in ast.walk(tree)
             if isinstance(n, ast.ImportFrom) and n.module}
    assert mods <= {"numpy", "__future__"}


def test_cli_json_report(tmp_path):
    """End to end: `backprop-oracle grade FILE --style nielsen --format json`."""
    import json

    from reference.cli import main

    out = tmp_path / "results.json"
    args = ["grade", str(HERE / "bug_bp1_sigma_prime_of_a.py"), "--style", "nielsen"]
    code = main(args + ["--format", "json", "--output", str(out)])
    assert code == 1
    report = json.loads(out.read_text())
    assert [t["name"].split()[0] for t in report["tests"]] == FUNCTIONS
    failed = [t for t in report["tests"] if t["status"] == "failed"]
    assert [t["name"].split()[0] for t in failed] == ["Network.backprop"]
    assert failed[0]["extra_data"]["equation"] == "BP1"
    assert report["score"] == report["max_score"] - 1
