"""Issue 10, the third sweep of public student repositories: patterns the grader got wrong
(each fixture in tests/submissions/real, written for this project; its TA verdict is a row
of verdicts.json, graded by tests/test_grade_real.py and benchmarks/bench_real_agreement.py).
"""

from __future__ import annotations

from pathlib import Path

from tests.grading import grade

REAL = Path(__file__).parent / "submissions" / "real"


def _statuses(path, style, folder=None) -> dict[str, str]:
    result = grade(REAL / path, style, seed=0, timeout=5.0,
                              folder=REAL / folder if folder else None)
    assert result.error is None, result.error
    return {f.name: f.status for f in result.functions}


def test_ng_static_methods_with_a_capital_are_graded():
    """Every Ng function a @staticmethod of one class: L_model_forward and L_model_backward
    (capital L) were 'missing' while the lower-case ones were graded as the methods."""
    statuses = _statuses("ng_static_class/model.py", "ng")
    assert statuses["L_model_forward"] == "passed"
    assert statuses["L_model_backward"] == "passed"
    assert set(statuses.values()) == {"passed"}


def test_a_linear_layer_is_graded_as_the_books_affine():
    """A Korean course calls Saito's Affine `LinearLayer` (PyTorch's name): it was 'missing',
    two correct methods lost; now graded as Affine with a note saying so."""
    result = grade(REAL / "saito_linear_name/layers.py", "saito", seed=0,
                              timeout=5.0)
    statuses = {f.name: f.status for f in result.functions}
    assert statuses["Affine.forward"] == statuses["Affine.backward"] == "passed"
    assert any("`LinearLayer`" in w and "`Affine`" in w for w in result.warnings)


def test_a_project_written_in_lower_case_is_graded_as_the_book():
    """Affine(w=..., b=...) storing self.dw, params and grads keyed 'w1'..'b2', layers
    'affine1': Affine.backward 'must store self.dW' and gradient's TypeError on the
    grader's layers (which took no keywords) were false alarms."""
    statuses = _statuses("saito_lowercase/ch05/two_layer_net.py", "saito")
    assert statuses["Affine.backward"] == "passed"
    assert statuses["TwoLayerNet.gradient"] == "passed"


def test_the_lower_case_grads_are_still_checked(tmp_path):
    """The same project with the two layers' gradients swapped in the returned dict
    ('w1' given affine2's dw): the book's keys are read through the student's case, so
    the bug is still caught."""
    src = REAL / "saito_lowercase"
    for rel in ("common/__init__.py", "common/layers.py", "ch05/two_layer_net.py"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        text = (src / rel).read_text()
        if rel.startswith("ch05"):
            text = text.replace('{"w1": self.layers["affine1"].dw',
                                '{"w1": self.layers["affine2"].dw')
            assert '"affine2"].dw, "b1"' in text
        (tmp_path / rel).write_text(text)
    result = grade(tmp_path / "ch05/two_layer_net.py", "saito", seed=0,
                              timeout=5.0)
    statuses = {f.name: f.status for f in result.functions}
    assert statuses["TwoLayerNet.gradient"] == "failed"
    assert statuses["Affine.backward"] == "passed"


def test_total_cost_reading_its_own_feedforward_lists_is_right():
    """feedforward returning (activations, zs) and total_cost reading feedforward(x)[0][-1]:
    total_cost was graded over the grader's feedforward (the output alone), so the student's
    right cost came out wrong. feedforward itself breaks the book's contract and says so."""
    result = grade(REAL / "nielsen2_feedforward_lists/network2.py", "nielsen2",
                              seed=0, timeout=5.0)
    by_name = {f.name: f for f in result.functions}
    assert by_name["Network.total_cost"].status == "passed"
    assert by_name["Network.backprop"].status == "passed"
    feedforward = by_name["Network.feedforward"]
    assert feedforward.status == "failed"
    assert "(activations, zs)" in feedforward.finding.diagnosis


def test_a_numbered_affine_class_per_layer_is_the_books_affine():
    """Affine1 and Affine2, the same layer written once per layer of the net: Affine was
    'missing' ('did you mean Affine2?'); now the first is graded as Affine, with a note."""
    result = grade(REAL / "saito_numbered_affine/layers.py", "saito", seed=0,
                              timeout=5.0)
    statuses = {f.name: f.status for f in result.functions}
    assert statuses["Affine.forward"] == statuses["Affine.backward"] == "passed"
    assert statuses["Sigmoid.backward"] == "failed"
    assert any("`Affine1`" in w for w in result.warnings)


def test_sigmoid_prime_as_a_method_taking_self_is_graded():
    """sigmoid and sigmoid_prime as ordinary methods (self.sigmoid_prime(z) everywhere):
    sigmoid_prime was 'missing' (the call `sigmoid_prime(...)` cannot find it, said the
    grader, though the student never makes it); now graded on an instance, with a note."""
    result = grade(REAL / "nielsen_instance_methods/network.py", "nielsen",
                              seed=0, timeout=5.0)
    statuses = {f.name: f.status for f in result.functions}
    assert statuses["sigmoid_prime"] == statuses["sigmoid"] == "passed"
    assert any("`Network.sigmoid_prime`" in w and "instance" in w for w in result.warnings)


def test_a_wrong_sigmoid_prime_method_still_fails(tmp_path):
    """The same method with the derivative wrong (s * s): graded, and failed."""
    text = (REAL / "nielsen_instance_methods/network.py").read_text()
    bad = text.replace("return self.sigmoid(z) * (1 - self.sigmoid(z))",
                       "return self.sigmoid(z) * self.sigmoid(z)")
    assert bad != text
    (tmp_path / "network.py").write_text(bad)
    result = grade(tmp_path / "network.py", "nielsen", seed=0, timeout=5.0)
    assert {f.name: f.status for f in result.functions}["sigmoid_prime"] == "failed"


def test_one_slip_in_a_class_based_assignment_is_charged_once():
    """The assignment as methods of one class (static, or taking self), linear_backward's db
    without 1/m: linear_activation_backward and L_model_backward, right themselves, failed
    too (they call the method through the class, where the grader's correct helper was
    never put); module-level code is graded over correct helpers, and now a class is too."""
    for name in ("static.py", "instance.py"):
        statuses = _statuses(f"ng_class_one_bug/{name}", "ng")
        assert statuses["linear_backward"] == "failed", name
        assert statuses["linear_activation_backward"] == "passed", name
        assert statuses["L_model_backward"] == "passed", name


def test_a_wrong_sigmoid_prime_method_is_charged_once():
    """sigmoid_prime as a method taking self, wrong: backprop (right, calling
    self.sigmoid_prime) failed with it, while a module-level one is replaced by the correct
    derivative when backprop is graded; now the class's method is replaced too."""
    statuses = _statuses("nielsen_method_slip/network.py", "nielsen")
    assert statuses["sigmoid_prime"] == "failed"
    assert statuses["Network.backprop"] == "passed"


def test_a_layer_bug_is_not_charged_again_in_gradient():
    """TwoLayerNet builds the student's layers through their module (`L.Affine`) under
    their own names (`ReLU`, `SoftMaxWithLoss`): the grader's correct layers replaced only
    the book's names in the namespace, so Affine's extra 1/m failed gradient too."""
    statuses = _statuses("saito_module_alias/ch05/two_layer_net.py", "saito")
    assert statuses["Affine.backward"] == "failed"
    assert statuses["TwoLayerNet.gradient"] == "passed"


def test_layers_in_a_plain_list_built_from_copies_get_the_cases_weights():
    """self.layers a list of Affine(copy of W1...), Relu, Affine(copy of W2...): the case's
    weights reached params but not the layers, so a right gradient came out wrong; an
    OrderedDict of copies was already pointed back at params, now a list is too."""
    assert _statuses("saito_layer_list/two_layer_net.py", "saito")["TwoLayerNet.gradient"] \
        == "passed"
