"""The layer styles (cs231n-a3): what the catalog templates do not pin.

- a stub is told from its code alone (the course's skeleton: placeholders, `pass`);
- a backward whose forward raised is blocked by it, not failed as its own error;
- the student's `cs231n/` package uploaded to Gradescope: the bundle picks
  `rnn_layers.py`, the package's own modules resolve (`from cs231n.layers import *`),
  and only the planted bug fails.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from reference.grade.probes.layers import layer_backward, stub_reason
from reference.grade.styles import get_style
from reference.oracle.kinds import Kind

HERE = Path(__file__).parent / "submissions" / "cs231n-a3"


def _skeleton(x, w, b):
    """The course's skeleton of a forward."""
    out = None
    pass
    return out, None


def _placeholders(dout, cache):
    N, T = None          # would raise TypeError: still a placeholder
    return N, T


def _written(x, w, b):
    out = x.dot(w) + b
    return out, (x, w, b)


def test_a_stub_is_told_from_its_code_and_written_code_is_not():
    assert stub_reason(_skeleton) and stub_reason(_placeholders)
    assert stub_reason(_written) == "" and stub_reason(np.dot) == ""
    assert stub_reason(_moves_names) == ""


def _case(name: str):
    fn = next(f for f in get_style("cs231n-a3").functions if f.name == name)
    return fn, fn.cases(np.random.default_rng(0), 1)[0]


def test_a_backward_whose_forward_raises_is_blocked_not_failed():
    fn, case = _case("temporal_affine_backward")

    def temporal_affine_forward(x, w, b):
        raise ValueError("not yet")

    def temporal_affine_backward(dout, cache):     # would be right on a cache
        raise AssertionError("never called: the forward blocks it")

    ns = {"temporal_affine_forward": temporal_affine_forward,
          "temporal_affine_backward": temporal_affine_backward}
    found = fn.judge(layer_backward(ns, case.inputs), case)
    assert found.kind is Kind.FORWARD_RAISED
    assert "blocked by the forward: temporal_affine_forward raised ValueError" in found.diagnosis


def test_the_student_package_graded_from_a_gradescope_upload(tmp_path):
    from reference.grade.bundle import write_bundle
    from tests.grading import options, run_autograder

    zpath = write_bundle(tmp_path / "autograder.zip", "cs231n-a3", options(seed=3),
                         fixed_seed=True)
    with zipfile.ZipFile(zpath) as zf:
        run = zf.read("run_autograder").decode()
    root = tmp_path / "autograder"
    package = root / "submission" / "cs231n"
    (package / "classifiers").mkdir(parents=True)
    source = (HERE / "bug_word_embedding_lost_repeats.py").read_text()
    (package / "rnn_layers.py").write_text(source.replace(
        "import numpy as np\n", "import numpy as np\nfrom cs231n.layers import *\n", 1))
    (package / "layers.py").write_text("import numpy as np\n\n\ndef affine_forward(x, w, b):\n"
                                       "    return x.dot(w) + b, (x, w, b)\n")
    (package / "__init__.py").write_text("")
    (package / "classifiers" / "rnn.py").write_text("from cs231n.rnn_layers import *\n")
    # a scratch file defining fewer graded names is not the one picked
    (root / "submission" / "my_notes.py").write_text("def rnn_step_forward(x):\n    pass\n")
    done, data = run_autograder(run, root)
    assert "cs231n/rnn_layers.py" in data["output"], data["output"]
    assert data["max_score"] == len(get_style("cs231n-a3").functions)
    assert [t["name"] for t in data["tests"] if t["status"] == "failed"] == [
        "word_embedding_backward"]


def _moves_names(dout, cache):
    dx = dout            # wrong (no mask), but written: not a stub
    return dx


def test_a_file_holding_another_assignment_says_so_and_is_graded_alike(tmp_path):
    """Issue 18: a submission holding what another style grades (both assignments'
    layers in one file) gets a note naming that style; the graded function's verdict is
    the same as for the assignment's own file."""
    from reference.grade.styles import also_holds
    from tests.grading import grade

    a2 = (HERE.parent / "cs231n-a2" / "correct.py").read_text()
    both = tmp_path / "layers.py"
    both.write_text((HERE / "correct.py").read_text() + "\n\n" + a2)
    alone = grade(HERE / "correct.py", "cs231n-a3", only=["rnn_step_forward"])
    mixed = grade(both, "cs231n-a3", only=["rnn_step_forward"])
    notes = [w for w in mixed.warnings if "also holds" in w]
    assert len(notes) == 1 and "style cs231n-a2" in notes[0], mixed.warnings
    assert "batchnorm_forward" in notes[0] and "--style cs231n-a2" in notes[0]
    assert not [w for w in alone.warnings if "also holds" in w]
    assert [f.status for f in mixed.functions] == [f.status for f in alone.functions] \
        == ["passed"]
    # a name or two in common is no other assignment: the dense styles' own catalogs
    assert also_holds(get_style("cs231n-a3"), {"affine_forward", "relu_forward"}) == []
