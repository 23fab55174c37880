"""The nielsen style (network.py, per-example columns): checks of the style itself.

The verdict of every file in tests/submissions/nielsen is checked by the catalog
templates in test_grade_catalog.py (data: tests/grade_catalog.py).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pytest

from reference.grade import codec, kit
from reference.grade.cases import build_cases
from reference.grade.probes import nielsen as probes
from reference.grade.styles import nielsen_kit
from reference.grade.styles.nielsen import STYLE
from reference.grade.styles.nielsen2 import STYLE as STYLE2
from reference.oracle import tolerances
from tests.grading import grade

HERE = Path(__file__).parent / "submissions" / "nielsen"
FUNCTIONS = [f.name for f in STYLE.functions]
# the probes' helpers answered in this process, as the parent answers them
pytestmark = pytest.mark.usefixtures("helpers_answered_here")

def test_python2_file_is_converted_not_refused(tmp_path):
    """Issue 10, pattern 3: Nielsen's own network.py is Python 2 (`print "..."` in SGD);
    it is graded after conversion, with a note (the full grading: test_grade_real.py)."""
    src = tmp_path / "network.py"
    src.write_text("import numpy as np\n\nclass Network(object):\n    def SGD(self, epochs):\n"
                   "        for j in xrange(epochs):\n            print \"Epoch {0}\".format(j)\n")
    result = grade(src, "nielsen", seed=0, only=["Network.cost_derivative"])
    assert result.error is None
    assert any("Python 2" in w and "fissix" in w for w in result.warnings)


# --- unit checks without the sandbox -------------------------------------------------------
def _fn(name):
    return next(f for f in STYLE.functions if f.name == name)


class _ReferenceNetwork:
    """network.py's contract built from the grader's correct pieces (kit)."""

    def __init__(self, sizes):
        self.sizes, self.num_layers = sizes, len(sizes)
        self.weights = [np.zeros((n, p)) for p, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros((n, 1)) for n in sizes[1:]]

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = kit.sigmoid(w @ a + b)
        return a

    def cost_derivative(self, output_activations, y):
        return output_activations - y

    def backprop(self, x, y):
        return nielsen_kit.backprop(self.weights, self.biases, x, y)

    def update_mini_batch(self, mini_batch, eta):
        grads = [self.backprop(x, y) for x, y in mini_batch]
        step = eta / len(mini_batch)
        self.weights = [w - step * sum(g[1][l] for g in grads)
                        for l, w in enumerate(self.weights)]
        self.biases = [b - step * sum(g[0][l] for g in grads)
                       for l, b in enumerate(self.biases)]


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_probe_reference_agrees_with_the_oracle(fn):
    """The probes' correct pieces pass every check: probes, cases and judges agree."""
    f = _fn(fn)
    cases = build_cases(f, 3, 5)
    assert cases
    probe = getattr(probes, f.probe.split(":")[1])
    for case in cases:
        ns = {"Network": _ReferenceNetwork, "sigmoid": kit.sigmoid,
              "sigmoid_prime": kit.sigmoid_prime}
        value = probe(ns, copy.deepcopy(case.inputs))
        got = codec.decode(codec.encode(value), as_float=True)  # as the parent receives it
        assert f.judge(got, case) is None, case.description


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
    total = sum(nielsen_kit.backprop(W, u.inputs["biases"], x, y)[1][0]
                for x, y in u.inputs["mini_batch"])
    np.testing.assert_allclose(u.expected["weights"][0],
                               W[0] - eta / len(u.inputs["mini_batch"]) * total)


def test_check_flags_planted_values():
    f = _fn("Network.backprop")
    case = build_cases(f, 0, 4)[-1]
    e = case.expected
    good = [list(e["db"]), list(e["dW"])]
    assert f.judge({"return": good}, case) is None
    assert f.judge({"return": [good[0], [w.astype(np.float32) for w in good[1]]]}, case) is None
    bad = [list(e["db"]), list(e["dW"])]
    bad[1][0] = -bad[1][0]
    assert "wrong sign" in f.judge({"return": bad}, case).diagnosis
    assert "should return (nabla_b, nabla_w)" in f.judge({"return": good[0]}, case).diagnosis


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


# --- chapter 3 (network2.py, style nielsen2) -------------------------------------------------
def test_chapter_1_files_stay_chapter_1_and_chapter_3_files_are_recognized():
    from reference.grade import loader
    from reference.grade.styles import nielsen2

    for path in sorted(HERE.glob("*.py")):
        if path.name != "make_variants.py" and not path.name.startswith("hostile"):
            assert nielsen2.recognize(loader.load(path)) is None, path.name
    ch3 = HERE.parent / "nielsen2"
    for path in sorted(ch3.glob("*.py")):
        if path.name != "make_variants.py":
            assert nielsen2.recognize(loader.load(path)), path.name


@pytest.mark.parametrize("source, why", [
    ("class Network:\n    def __init__(self, sizes, cost=None):\n        pass\n", "cost="),
    ("class Network:\n    def update_mini_batch(self, mini_batch, eta, lmbda, n):\n"
     "        pass\n", "regularization"),
    ("class Network:\n    def backprop(self, x, y):\n        return self.cost.delta(x, x, y)\n",
     "self.cost"),
    ("class CrossEntropyCost:\n    def fn(a, y):\n        pass\n    def delta(z, a, y):\n"
     "        pass\n", "cost classes CrossEntropyCost"),
])
def test_each_chapter_3_marker_is_enough(tmp_path, source, why):
    from reference.grade import loader
    from reference.grade.styles import nielsen2

    path = tmp_path / "network2.py"
    path.write_text(source)
    assert why in nielsen2.recognize(loader.load(path))


def test_nielsen_hands_a_chapter_3_file_to_nielsen2_with_a_note():
    result = grade(HERE.parent / "nielsen2" / "bug_decay_on_biases.py", "nielsen",
                              seed=0, only=["Network.update_mini_batch"])
    assert result.style == "nielsen2"
    assert any("chapter 3" in w and "cost=" in w for w in result.warnings)
    (fr,) = result.functions
    assert fr.status == "failed" and "applied to the biases" in fr.finding.diagnosis


def test_batch_columns_cover_both_chapters():
    from reference.grade.styles import function_names, get_style

    names = function_names("nielsen")
    assert names[:len(FUNCTIONS)] == FUNCTIONS
    assert set(names) == set(FUNCTIONS) | {f.name for f in get_style("nielsen2").functions}


class _ReferenceNetwork2(_ReferenceNetwork):
    """network2.py's contract built from the grader's correct pieces (kit)."""

    def __init__(self, sizes, cost=nielsen_kit.CrossEntropyCost):
        super().__init__(sizes)
        self.cost = cost

    def default_weight_initializer(self):
        self.weights = [np.random.randn(n, p) / np.sqrt(p)
                        for p, n in zip(self.sizes[:-1], self.sizes[1:])]
        self.biases = [np.random.randn(n, 1) for n in self.sizes[1:]]

    def backprop(self, x, y):
        return nielsen_kit.backprop(self.weights, self.biases, x, y, self.cost)

    def total_cost(self, data, lmbda):
        cost = sum(self.cost.fn(self.feedforward(x), y) for x, y in data) / len(data)
        return cost + 0.5 * (lmbda / len(data)) * sum(float(np.sum(w ** 2))
                                                       for w in self.weights)


def _reference_update(net, mini_batch, eta, lmbda, n):
    """w ← (1 − ηλ/n) w − (η/m) Σ nabla_w, b ← b − (η/m) Σ nabla_b, written out."""
    grads = [net.backprop(x, y) for x, y in mini_batch]
    m = len(mini_batch)
    net.weights = [(1 - eta * lmbda / n) * w - eta / m * sum(g[1][l] for g in grads)
                   for l, w in enumerate(net.weights)]
    net.biases = [b - eta / m * sum(g[0][l] for g in grads) for l, b in enumerate(net.biases)]


_ReferenceNetwork2.update_mini_batch = _reference_update   # network2's signature


@pytest.mark.parametrize("fn", [f.name for f in STYLE2.functions])
def test_chapter_3_probe_reference_agrees_with_the_oracle(fn):
    """The probes' correct cost classes and backprop pass every nielsen2 check."""
    f = next(g for g in STYLE2.functions if g.name == fn)
    probe = getattr(probes, f.probe.split(":")[1])
    for case in build_cases(f, 3, 5):
        ns = {"Network": _ReferenceNetwork2, "sigmoid": kit.sigmoid,
              "sigmoid_prime": kit.sigmoid_prime, "QuadraticCost": nielsen_kit.QuadraticCost,
              "CrossEntropyCost": nielsen_kit.CrossEntropyCost}
        value = probe(ns, copy.deepcopy(case.inputs))
        got = codec.decode(codec.encode(value), as_float=True)
        assert f.judge(got, case) is None, (fn, case.description)


def test_chapter_3_expected_values_follow_the_book():
    """Independent of the oracle: δᴸ = a − y for cross-entropy, the update decays w only."""
    f = next(g for g in STYLE2.functions if g.name == "CrossEntropyCost.delta")
    for case in build_cases(f, 0, 4):
        rtol, atol = tolerances.SAME_ARITHMETIC["float64"]    # the same formula, float64
        np.testing.assert_allclose(case.expected["delta"], case.inputs["a"] - case.inputs["y"],
                                   rtol=rtol, atol=atol)
        a, y = case.inputs["a"], case.inputs["y"]
        np.testing.assert_allclose(case.expected["fn"],
                                   -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))
    u = next(g for g in STYLE2.functions if g.name == "Network.update_mini_batch")
    for case in build_cases(u, 0, 4):
        i = case.inputs
        net = _ReferenceNetwork2(i["sizes"])
        net.weights, net.biases = list(i["weights"]), list(i["biases"])
        _reference_update(net, i["mini_batch"], i["eta"], i["lmbda"], i["n"])
        rtol, atol = tolerances.TRAINING            # one SGD step, float64, another order
        for l in range(len(net.weights)):
            np.testing.assert_allclose(case.expected["weights"][l], net.weights[l],
                                       rtol=rtol, atol=atol)
            np.testing.assert_allclose(case.expected["biases"][l], net.biases[l],
                                       rtol=rtol, atol=atol)
        assert i["n"] != len(i["mini_batch"]) and i["lmbda"] > 0


def test_initializer_check_refuses_unscaled_and_accepts_the_book():
    f = next(g for g in STYLE2.functions if g.name == "Network.default_weight_initializer")
    rng = np.random.default_rng(0)
    for case in build_cases(f, 0, 4):
        sizes = case.inputs["sizes"]
        book = {"weights": [rng.standard_normal((n, p)) / np.sqrt(p)
                            for p, n in zip(sizes[:-1], sizes[1:])],
                "biases": [rng.standard_normal((n, 1)) for n in sizes[1:]]}
        assert f.judge(book, case) is None
        large = dict(book, weights=[w * np.sqrt(p) for w, p in zip(book["weights"], sizes)])
        if max(sizes[:-1]) * max(sizes[1:]) >= 1000:
            assert "too large" in f.judge(large, case).diagnosis


def test_pytest_plugin_grades_a_chapter_3_file_handed_in_as_nielsen(tmp_path):
    import subprocess

    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--oracle-submission",
         str(HERE.parent / "nielsen2" / "bug_no_weight_decay.py"), "--oracle-style", "nielsen"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "::Network.update_mini_batch" in r.stdout and "1 failed, 10 passed" in r.stdout
    assert "the L2 weight decay is missing" in r.stdout


@pytest.mark.parametrize("signature, order", [
    ("def delta(z, a, y): pass", ("z", "a", "y")),
    ("def delta(aL, y, zL): pass", ("a", "y", "z")),
    ("def delta(self, output_activations, y, z): pass", ("a", "y", "z")),
    ("def delta(p, q, r): pass", ("z", "a", "y")),          # names say nothing: the book's
    ("def delta(a, a2, y): pass", ("z", "a", "y")),
])
def test_cost_argument_order_follows_the_students_names(signature, order):
    ns = {}
    exec(signature, ns)  # noqa: S102 - a one-line signature written here
    assert probes._order(ns["delta"], ("z", "a", "y")) == order


def test_batch_of_both_chapters_has_one_row_each_with_its_own_maximum(cli, tmp_path):
    import csv
    import shutil

    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(HERE / "correct.py", subs / "ch1.py")
    shutil.copy(HERE.parent / "nielsen2" / "bug_decay_without_n.py", subs / "ch3.py")
    r = cli("grade", str(subs), "--style", "nielsen")
    assert r.returncode == 1, r.stderr
    rows = {row["submission"].rsplit("/", 1)[-1]: row
            for row in csv.DictReader((tmp_path / "subs-grades" / "summary.csv").open())}
    ch1, ch3 = rows["ch1.py"], rows["ch3.py"]
    assert ch1["score"] == ch1["max_score"] == "5.5" and ch1["status"] == "passed"
    assert ch1["Network.cost_derivative status"] == "passed"
    assert ch1["CrossEntropyCost.delta"] == ch1["CrossEntropyCost.delta status"] == ""
    assert ch3["max_score"] == "8.5" and ch3["score"] == "7.5"
    assert ch3["Network.update_mini_batch status"] == "failed"
    assert ch3["Network.cost_derivative status"] == ""
    assert "graded as Nielsen's chapter 3" in (tmp_path / "subs-grades" / "ch3.py.txt").read_text()
