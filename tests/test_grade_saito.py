"""The saito style (Saito's layer classes, rows layout): checks of the style itself.

The verdict of every file in tests/submissions/saito is checked by the catalog
templates in test_grade_catalog.py (data: tests/grade_catalog.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reference.grade import codec
from reference.grade.cases import build_cases
from reference.grade.probes import remote
from reference.grade.probes import saito as probes
from reference.grade.styles.saito import STYLE

HERE = Path(__file__).parent / "submissions" / "saito"
FUNCTIONS = [f.name for f in STYLE.functions]
# the probes' helpers answered in this process, as the parent answers them
pytestmark = pytest.mark.usefixtures("helpers_answered_here")

# --- unit checks without the sandbox -------------------------------------------------------
def _fn(name):
    return next(f for f in STYLE.functions if f.name == name)


def _reference_ns():
    """A namespace holding the probe module's own correct classes (no student code)."""
    ns = dict(probes.LAYERS)        # proxies of the grader's layers
    ns["TwoLayerNet"] = _ReferenceNet
    return ns


class _ReferenceNet:
    def __init__(self, n, h, k):
        self.params = {"W1": np.zeros((n, h)), "b1": np.zeros(h), "W2": np.zeros((h, k)),
                       "b2": np.zeros(k)}

    def gradient(self, x, t):
        p = self.params
        layers = probes.LAYERS          # the proxies, answered by the grader's kit
        a1, a2 = layers["Affine"](p["W1"], p["b1"]), layers["Affine"](p["W2"], p["b2"])
        relu, last = layers["Relu"](), layers["SoftmaxWithLoss"]()
        last.forward(a2.forward(relu.forward(a1.forward(x))), t)
        a1.backward(relu.backward(a2.backward(last.backward())))
        return {"W1": a1.dW, "b1": a1.db, "W2": a2.dW, "b2": a2.db}


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_probe_reference_agrees_with_the_oracle(fn):
    """The probes' correct classes pass every check: probes, cases and judges agree."""
    f = _fn(fn)
    cases = build_cases(f, 3, 5)
    assert cases
    for case in cases:
        got = f.judge(probes_value(f, case), case)
        assert got is None, (case.description, got)


def probes_value(f, case):
    import copy

    probe = getattr(probes, f.probe.split(":")[1])
    value = probe(_reference_ns(), copy.deepcopy(case.inputs))
    return codec.decode(codec.encode(value), as_float=True)  # as the parent receives it


def test_cases_cover_edge_shapes_and_both_target_kinds():
    affine = build_cases(_fn("Affine.backward"), 0, 4)
    shapes = [(c.inputs["x"].shape[0], *c.inputs["W"].shape) for c in affine]
    assert any(m == 1 for m, _, _ in shapes)                        # batch size 1
    assert any(n_out == 1 for _, _, n_out in shapes)                # width 1
    assert any(n_in == n_out > 1 and m > 1 for m, n_in, n_out in shapes)  # square W
    soft = build_cases(_fn("SoftmaxWithLoss.forward"), 0, 4)
    kinds = {c.inputs["t"].ndim for c in soft}
    assert kinds == {1, 2}                                          # labels and one-hot
    assert any(c.inputs["x"].min() > 500 for c in soft)             # large logits
    assert all(c.inputs["t"].dtype.kind == "i" for c in soft if c.inputs["t"].ndim == 1)
    relu = build_cases(_fn("Relu.forward"), 0, 4)
    assert all(np.abs(c.inputs["x"]).min() >= 0.1 for c in relu)   # off the kink
    sig = build_cases(_fn("Sigmoid.forward"), 0, 4)
    assert any(np.abs(c.inputs["x"]).max() >= 800 for c in sig)


def test_cases_are_reproducible_from_the_seed():
    f = _fn("TwoLayerNet.gradient")
    a, b, c = build_cases(f, 5, 4), build_cases(f, 5, 4), build_cases(f, 6, 4)
    assert all(np.array_equal(x.inputs["W1"], y.inputs["W1"]) for x, y in zip(a, b))
    assert not all(np.array_equal(x.inputs["W1"], y.inputs["W1"]) for x, y in zip(a, c))


def test_saito_one_over_m_convention():
    """Affine.dW has no 1/m; SoftmaxWithLoss.backward carries it (docs/DESIGN.md)."""
    case = next(c for c in build_cases(_fn("Affine.backward"), 0, 4) if c.expected["m"] > 1)
    x, dout = case.inputs["x"], case.inputs["dout"]
    np.testing.assert_allclose(case.expected["dW"], x.T @ dout)
    soft = next(c for c in build_cases(_fn("SoftmaxWithLoss.backward"), 0, 4)
                if c.expected["m"] > 1)
    e = soft.expected
    np.testing.assert_allclose(e["dx"], (e["y"] - e["onehot"]) / e["m"])


def test_check_flags_planted_values():
    """check() on hand-made wrong answers: the diagnoses without any student file."""
    f = _fn("Affine.backward")
    case = next(c for c in build_cases(f, 0, 4) if c.expected["m"] > 1)
    e = case.expected
    good = {"dx": e["dx"], "dW": e["dW"], "db": e["db"], "has_dW": True, "has_db": True}
    assert f.judge(good, case) is None
    assert "times too large" in f.judge({**good, "dW": e["dW"] * e["m"]}, case).diagnosis
    assert "wrong sign" in f.judge({**good, "db": -e["db"]}, case).diagnosis
    assert f.judge({**good, "dW": e["dW"].astype(np.float32).astype(float)}, case) is None
    soft = _fn("SoftmaxWithLoss.forward")
    sc = build_cases(soft, 0, 4)[0]
    assert soft.judge({"loss": sc.expected["loss"]}, sc) is None
    assert soft.judge({"loss": sc.expected["loss_delta"]}, sc) is None     # Saito's +1e-7
    assert soft.judge({"loss": sc.expected["loss"] + 0.5}, sc) is not None


def test_backward_may_consume_dout_but_forward_keeps_x():
    """Saito's own Relu.backward modifies dout in place (correct.py does too and passes)."""
    for name in ("Relu.backward", "Sigmoid.backward", "Affine.backward"):
        assert _fn(name).allow_mutation == ("dout",)
    for name in ("Relu.forward", "Sigmoid.forward", "Affine.forward",
                 "SoftmaxWithLoss.forward", "SoftmaxWithLoss.backward"):
        assert _fn(name).allow_mutation == ()
    assert "dout[self.mask] = 0" in (HERE / "correct.py").read_text()


def test_relu_cases_describe_their_shape_and_hold_the_oracle_answer():
    """Each case says what it is (the report's 'smallest failing case') and carries the
    oracle's forward: max(0, x) of its own input."""
    for c in build_cases(_fn("Relu.forward"), 0, 2):
        x = c.inputs["x"]
        assert str(x.shape) in c.description
        np.testing.assert_array_equal(c.expected["out"], np.maximum(x, 0))


def test_cli_json_report(tmp_path):
    """End to end: `backprop-oracle grade FILE --style saito --format json` (Gradescope schema)."""
    import json

    from reference.cli import main

    out = tmp_path / "results.json"
    args = ["grade", str(HERE / "bug_affine_extra_m.py"), "--style", "saito"]
    code = main(args + ["--format", "json", "--output", str(out)])
    assert code == 1
    report = json.loads(out.read_text())
    assert [t["name"].split()[0] for t in report["tests"]] == FUNCTIONS
    failed = [t for t in report["tests"] if t["status"] == "failed"]
    assert [t["name"].split()[0] for t in failed] == ["Affine.backward"]
    assert failed[0]["extra_data"]["equation"] == "BP4"
    assert "divided by the batch size" in failed[0]["output"]
    assert report["score"] == report["max_score"] - 1


def test_a_backward_whose_forward_is_missing_is_graded_on_the_books_state_or_blocked():
    """Issue 18: `fowrad` for forward. The backward runs on the state the book's forward
    sets (Sigmoid's `out`); one reading other state is blocked by its missing forward
    (kind FORWARD_RAISED), never failed as its own error."""
    from reference.oracle.kinds import Kind

    def sigmoid_class(state):
        class Sigmoid:
            def fowrad(self, x):
                setattr(self, state, 1 / (1 + np.exp(-x)))
                return getattr(self, state)

            def backward(self, dout):
                s = getattr(self, state)
                return dout * (1.0 - s) * s
        return Sigmoid

    fn = _fn("Sigmoid.backward")
    assert "saito.Sigmoid.forward" in fn.helpers
    remote.take_notes()
    for state, kind in (("out", None), ("y", Kind.FORWARD_RAISED)):
        for case in build_cases(fn, 0, 3):
            got = probes.sigmoid_backward({"Sigmoid": sigmoid_class(state)}, case.inputs)
            finding = fn.judge(got, case)
            assert (finding and finding.kind) == kind, (state, finding)
        assert remote.take_notes() == ["forward missing"]
    assert "Sigmoid.forward is missing" in finding.diagnosis
