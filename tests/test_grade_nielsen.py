"""The nielsen style (network.py, per-example columns): checks of the style itself.

The verdict of every file in tests/submissions/nielsen is checked by the catalog
templates in test_grade_catalog.py (data: tests/grade_catalog.py).
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import numpy as np
import pytest

from reference.grade import codec
from reference.grade.probes import nielsen as probes
from reference.grade.runner import build_cases, grade_submission
from reference.grade.styles.nielsen import STYLE

HERE = Path(__file__).parent / "submissions" / "nielsen"
FUNCTIONS = [f.name for f in STYLE.functions]

def test_python2_file_is_converted_not_refused(tmp_path):
    """Issue 10, pattern 3: Nielsen's own network.py is Python 2 (`print "..."` in SGD);
    it is graded after conversion, with a note (the full grading: test_grade_real.py)."""
    src = tmp_path / "network.py"
    src.write_text("import numpy as np\n\nclass Network(object):\n    def SGD(self, epochs):\n"
                   "        for j in xrange(epochs):\n            print \"Epoch {0}\".format(j)\n")
    result = grade_submission(src, "nielsen", seed=0, only=["Network.cost_derivative"])
    assert result.error is None
    assert any("Python 2" in w and "fissix" in w for w in result.warnings)


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
        value = probe(ns, copy.deepcopy(case.inputs))
        got = codec.decode(codec.encode(value), as_float=True)  # as the parent receives it
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
