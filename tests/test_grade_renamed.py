"""Issue 10: a graded class the student named otherwise (`TwoLayerNetwork`, `NeuralNetwork`,
`Net`, `NN`) is graded as the book's class when exactly one class has its shape; two
candidates are named and neither is graded; a misspelling keeps its "did you mean"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reference.grade.report import function_line
from tests.grading import grade

REAL = Path(__file__).parent / "submissions" / "real"
SAITO = REAL / "saito_renamed_net" / "two_layer_net.py"
NIELSEN = REAL / "nielsen_renamed_py3" / "neural_network.py"
NIELSEN_NET = ["Network.feedforward", "Network.cost_derivative", "Network.backprop",
               "Network.update_mini_batch"]


def _grade(path, style):
    return grade(path, style, seed=0, timeout=5.0)


def _statuses(result) -> dict[str, str]:
    return {f.name: f.status for f in result.functions}


def _rename(tmp_path, source: Path, old: str, new: str, name: str | None = None) -> Path:
    path = tmp_path / (name or source.name)
    path.write_text(re.sub(rf"\b{old}\b", new, source.read_text()))
    return path


def test_saitos_two_layer_net_renamed_is_graded_with_a_note():
    result = _grade(SAITO, "saito")
    assert _statuses(result)["TwoLayerNet.gradient"] == "passed"
    assert any("`TwoLayerNetwork`" in w and "`TwoLayerNet`" in w for w in result.warnings)
    assert result.origins["TwoLayerNet.gradient"] == "two_layer_net.py"


@pytest.mark.parametrize("name", ["NeuralNetwork", "Net", "NN"])
def test_nielsens_network_renamed_is_graded_with_a_note(tmp_path, name):
    path = _rename(tmp_path, NIELSEN, "NeuralNetwork", name)
    result = _grade(path, "nielsen")
    statuses = _statuses(result)
    assert all(statuses[f] == "passed" for f in NIELSEN_NET), statuses
    assert any(f"`{name}`" in w and "`Network`" in w for w in result.warnings)


def test_a_renamed_class_with_a_bug_fails(tmp_path):
    """Graded, not waved through: a dropped sigmoid_prime in BP2 fails backprop."""
    path = tmp_path / "net.py"
    text = NIELSEN.read_text()
    old = "delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])"
    assert old in text
    path.write_text(text.replace(old, "delta = self.weights[-l + 1].T @ delta"))
    assert _statuses(_grade(path, "nielsen"))["Network.backprop"] == "failed"


def test_two_classes_of_the_shape_are_ambiguous_and_neither_is_graded(tmp_path):
    text = NIELSEN.read_text()
    body = text[text.index("class NeuralNetwork"):text.index("def sigmoid(z)")]
    path = tmp_path / "nets.py"
    path.write_text(text + "\n\n" + body.replace("class NeuralNetwork", "class Net"))
    result = _grade(path, "nielsen")
    assert all(_statuses(result)[f] == "missing" for f in NIELSEN_NET)
    note = next(w for w in result.warnings if "several classes" in w)
    assert "`Net`" in note and "`NeuralNetwork`" in note


def test_a_misspelled_class_keeps_its_did_you_mean(tmp_path):
    path = _rename(tmp_path, NIELSEN, "NeuralNetwork", "Netwrok")
    result = _grade(path, "nielsen")
    backprop = next(f for f in result.functions if f.name == "Network.backprop")
    assert backprop.status == "missing"
    assert "did you mean `Netwrok" in backprop.finding.diagnosis


def test_a_constructor_of_another_shape_is_not_the_books(tmp_path):
    """`Net(n_in, n_hidden, n_out)` has a backprop, but Network(sizes) cannot build it."""
    text = NIELSEN.read_text().replace("def __init__(self, layer_sizes):",
                                       "def __init__(self, n_in, n_hidden, n_out):\n"
                                       "        layer_sizes = [n_in, n_hidden, n_out]")
    path = tmp_path / "net.py"
    path.write_text(text)
    result = _grade(path, "nielsen")
    assert _statuses(result)["Network.backprop"] == "missing"
    assert not any("graded as the book's" in w for w in result.warnings)


def test_the_canonical_name_wins_over_a_second_class_of_the_shape(tmp_path):
    text = NIELSEN.read_text()
    body = text[text.index("class NeuralNetwork"):text.index("def sigmoid(z)")]
    path = tmp_path / "nets.py"
    path.write_text(text + "\n\n" + body.replace("class NeuralNetwork", "class Network"))
    result = _grade(path, "nielsen")
    assert _statuses(result)["Network.backprop"] == "passed"
    assert not any("graded as the book's" in w or "several" in w for w in result.warnings)


def test_a_renamed_chapter3_network_is_recognized_by_its_constructor(tmp_path):
    """network2.py split in two: the cost classes (and sigmoid) in costs.py, `class Net(sizes,
    cost=CrossEntropyCost)` in net.py. Chapter 3 is recognized from Net's constructor, so the
    L2 update (lmbda, n) is graded as chapter 3's and passes."""
    text = (REAL / "nielsen2_py2" / "network2.py").read_text()
    head = "import numpy as np\n\n\n"
    costs = text[text.index("class QuadraticCost"):text.index("class Network")]
    helpers = text[text.index("def sigmoid(z)"):]
    (tmp_path / "costs.py").write_text(head + costs + helpers)
    net = text[:text.index("class QuadraticCost")] + "from costs import *\n\n\n" + \
        text[text.index("class Network"):text.index("def sigmoid(z)")]
    path = tmp_path / "net.py"
    path.write_text(re.sub(r"\bNetwork\b", "Net", net))
    result = _grade(path, "nielsen")
    statuses = _statuses(result)
    assert result.style == "nielsen2", result.warnings
    assert statuses["Network.update_mini_batch"] == "passed", statuses
    assert statuses["Network.backprop"] == "passed"


def test_a_renamed_class_in_another_file_of_the_folder_is_found():
    """Folder mode: layers.py is graded (it defines the most), `class Net` with gradient()
    lives in net.py, which no graded name leads to: its methods do."""
    folder = REAL / "saito_renamed_folder"
    result = grade(folder / "layers.py", "saito", seed=0, timeout=5.0, folder=folder)
    assert _statuses(result)["TwoLayerNet.gradient"] == "passed"
    assert result.origins["TwoLayerNet.gradient"] == "net.py"
    assert "net.py" in result.files and result.ignored == []


@pytest.mark.parametrize("name", ["TwoLayerNN", "SimpleNet"])
def test_a_saito_net_named_its_own_way_is_graded(tmp_path, name):
    """`TwoLayerNN` is an abbreviation, not a typo of TwoLayerNet (two edits away)."""
    path = _rename(tmp_path, SAITO, "TwoLayerNetwork", name)
    assert _statuses(_grade(path, "saito"))["TwoLayerNet.gradient"] == "passed"


def test_one_typo_is_a_misspelling_for_saito_too(tmp_path):
    """Not graded as the book's class (Saito's TwoLayerNet is optional: 'supplied')."""
    path = _rename(tmp_path, SAITO, "TwoLayerNetwork", "TwoLayersNet")
    result = _grade(path, "saito")
    assert _statuses(result)["TwoLayerNet.gradient"] == "supplied"
    assert not any("graded as the book's" in w for w in result.warnings)
    # full credit (the course provides it), but the student hears of the typo: the code
    # under the misspelled name was not graded
    (fr,) = [f for f in result.functions if f.name == "TwoLayerNet.gradient"]
    line = function_line(fr)
    assert line.startswith("supplied: not defined in the submission (did you mean "
                           "`TwoLayersNet")
    assert line.endswith("; the course provides it (full credit)")


def test_a_class_without_a_constructor_of_its_own_takes_no_sizes(tmp_path):
    """`class Net(object):` with backprop but no __init__: Network(sizes) cannot build it."""
    text = NIELSEN.read_text()
    start = text.index("    def __init__(self, layer_sizes):")
    end = text.index("    def feedforward")
    path = tmp_path / "net.py"
    body = text[:start] + text[end:]
    assert "class NeuralNetwork:" in body
    path.write_text(body.replace("class NeuralNetwork:", "class NeuralNetwork(object):"))
    result = _grade(path, "nielsen")
    assert _statuses(result)["Network.backprop"] == "missing"
    assert not any("graded as the book's" in w for w in result.warnings)
