"""A convention the grader accepts is said in the report, in the layer styles as in the
dense ones (issue 18): CS231n's 2016-17 dropout (p drops a unit, the forward's docstring
says so) and a layer writing into the upstream gradient it was given (`dout *= mask`),
in the text report and in Gradescope's results.json; Saito's `self.dw` says that the
book's network reads `.dW`."""

from __future__ import annotations

import pytest

from reference.grade import report
from reference.grade.books import BOOKS
from tests.grade_catalog import SUBMISSIONS
from tests.grading import grade


@pytest.fixture(scope="module")
def dropout_2017(tmp_path_factory):
    """The 2017 skeleton's dropout with the in-place relu_backward of variant_in_place:
    one file, three functions graded (one student process each)."""
    folder = SUBMISSIONS / "cs231n-a2"
    source = (folder / "variant_dropout_2017.py").read_text()
    assert "dx = dout * (x > 0)" in source
    path = tmp_path_factory.mktemp("notes") / "layers.py"
    path.write_text(source.replace("dx = dout * (x > 0)", "dout[x <= 0] = 0\n    dx = dout"))
    return grade(path, "cs231n-a2", timeout=5.0,
                 only=["dropout_forward", "dropout_backward", "relu_backward"])


def test_layer_styles_say_the_conventions_they_accept(dropout_2017):
    result = dropout_2017
    assert result.passed
    drop = BOOKS["cs231n-a2"].accommodation("drop probability").note
    in_place = BOOKS["cs231n-a2"].accommodation("in place").note
    assert f"dropout_forward: {drop}" in result.warnings
    assert f"relu_backward: {in_place}" in result.warnings
    assert not any(w.startswith("relu_backward: dropout") for w in result.warnings)
    text = report.text(result)
    assert f"note: dropout_forward: {drop}" in text
    assert f"note: relu_backward: {in_place}" in text
    head = report.gradescope(result)["output"]
    assert f"note: dropout_forward: {drop}" in head and f"note: relu_backward: {in_place}" in head


def test_saitos_dw_note_says_the_books_network_reads_dW():
    note = BOOKS["saito"].accommodation("dw").note
    assert "`self.dw` read as the book's `self.dW`" in note
    assert "TwoLayerNet.gradient reads `.dW`" in note
