"""Issue 10, the second sweep of public repositories: Python 2 code whose `/` between
integers was a floor division (Ng's `L = len(parameters) / 2` then `range(L)`, in week-4
files run on 2.7) graded as Python 2 ran it; cells saved as files given the notebook's
`import copy`; Nielsen's backprop written for a sigmoid_prime that takes the activation;
a folder per step, each appending '../x/' to sys.path itself; `from six.moves import range`;
NumPy's removed aliases (`astype(np.float)`) in code of their time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reference.grade.py2 import floor_divisions, from_python2, integer_range
from tests.grading import grade

FIXTURE = Path(__file__).parent / "submissions" / "real" / "ng_py2_int_division" / "deep_nn.py"


def _statuses(path):
    result = grade(path, "ng", seed=0, timeout=5.0)
    return {f.name: f.status for f in result.functions}, result.warnings


def test_range_over_an_integer_division_is_python2_and_graded_as_it():
    statuses, warnings = _statuses(FIXTURE)
    assert statuses["L_model_forward"] == "passed"
    assert statuses["update_parameters"] == "passed"
    note = next(w for w in warnings if "Python 2" in w)
    assert "floor division `//` on lines 32, 81" in note
    assert "line 43" not in note          # -1.0 / m: a float literal, never a floor division


def test_a_print_statement_file_gets_the_same_floor_division(tmp_path):
    path = tmp_path / "deep_nn.py"
    path.write_text(FIXTURE.read_text().replace('print ("W1 = " + str(params["W1"]))',
                                                'print "W1 =", params["W1"]'))
    statuses, _ = _statuses(path)
    assert statuses["update_parameters"] == "passed"


def test_true_division_asked_for_keeps_the_type_error(tmp_path):
    """`from __future__ import division`: range(L) fails in Python 2 as well."""
    path = tmp_path / "deep_nn.py"
    path.write_text("from __future__ import division\n" + FIXTURE.read_text())
    statuses, warnings = _statuses(path)
    assert statuses["update_parameters"] == "failed"
    assert not any("Python 2" in w for w in warnings)


def test_only_divisions_of_integers_become_floor_divisions():
    src = ("def f(x, m, parameters):\n"
           "    L = len(parameters) / 2\n"
           "    h = x.shape[1] / 2\n"
           "    a = 1 / m\n"
           "    b = x / 2\n"
           "    c = -1.0 / m\n"
           "    return L, h, a, b, c\n")
    new, lines = floor_divisions(src, ast.parse(src))
    assert lines == [2, 3]
    assert "len(parameters) // 2" in new and "x.shape[1] // 2" in new
    assert "1 / m" in new and "x / 2" in new and "-1.0 / m" in new


def test_python3_code_without_the_python2_only_range_is_left_alone():
    src = "def f(p):\n    L = len(p) / 2\n    return [p['W' + str(int(L))]]\n"
    assert not integer_range(ast.parse(src))
    assert from_python2(src, "f.py", parses=True) is None
    assert integer_range(ast.parse("def g(p):\n    for l in range(len(p) / 2):\n        pass\n"))


@pytest.mark.parametrize("marker", [
    "print(f'layer {L}')", "A = W @ A_prev", "def h(x: int) -> int:\n    return x",
    "def h(x, *, y=1):\n    return x", "print(L, end='')"])
def test_range_over_an_integer_division_in_python3_code_is_the_students_bug(marker):
    """`range(len(p) / 2)` in a file with syntax only Python 3 parses was run on Python 3
    (a TypeError there): graded as it is, not as Python 2's floor division."""
    body = "def g(p, W, A_prev):\n    L = len(p) / 2\n    for l in range(L):\n        pass\n"
    src = body + marker.replace("\n", "\n") + "\n"
    assert not integer_range(ast.parse(src))
    assert integer_range(ast.parse(body))
    assert integer_range(ast.parse("from __future__ import print_function\n" + body
                                   + "print(L, end='')\n"))


def test_cells_saved_as_files_get_the_notebooks_import_copy():
    """The newest notebook deep-copies params in update_parameters; `import copy` was in its
    first cell, which a student saving one cell per file did not save."""
    cells = Path(__file__).parent / "submissions" / "real" / "ng_cell_files_v8_copy"
    result = grade(cells / "1-initialize-parameters-deep.py", "ng", seed=0,
                              timeout=5.0, folder=cells)
    statuses = {f.name: f.status for f in result.functions}
    assert statuses["update_parameters"] == "passed", result.warnings
    assert any("`import copy`" in w for w in result.warnings)


NIELSEN_A = Path(__file__).parent / "submissions" / "real" / "nielsen_activation_prime"


def test_backprop_right_with_its_own_activation_form_sigmoid_prime_passes():
    """sigmoid_prime(a) = a(1 − a), called on the activations: the gradients are right, so
    backprop passes (sigmoid_prime itself fails the book's contract, named as such)."""
    result = grade(NIELSEN_A / "network.py", "nielsen", seed=0, timeout=5.0)
    statuses = {f.name: f.status for f in result.functions}
    assert statuses["Network.backprop"] == "passed"
    prime = next(f for f in result.functions if f.name == "sigmoid_prime")
    assert prime.status == "failed" and "activation" in prime.finding.diagnosis


def test_backprop_on_activations_with_a_z_form_sigmoid_prime_still_fails(tmp_path):
    """The same backprop with the book's sigmoid_prime(z): σ'(σ(z)), a real bug."""
    text = (NIELSEN_A / "network.py").read_text()
    old = 'def sigmoid_prime(a):\n    """sigma\'(z) from a = sigma(z)."""\n    return a * (1.0 - a)'
    assert old in text
    path = tmp_path / "network.py"
    path.write_text(text.replace(old, "def sigmoid_prime(z):\n"
                                      "    return sigmoid(z) * (1 - sigmoid(z))"))
    result = grade(path, "nielsen", seed=0, timeout=5.0)
    statuses = {f.name: f.status for f in result.functions}
    assert statuses["Network.backprop"] == "failed"
    assert statuses["sigmoid_prime"] == "passed"


PER_STEP = Path(__file__).parent / "submissions" / "real" / "ng_folder_per_step"


def test_a_folder_per_step_with_relative_sys_path_appends_is_followed():
    """final_model.ipynb appends '../forward_propagation/' and imports from it; that file
    appends '../activation_function/' itself and imports relu: the student's own file (a
    folder of that name without __init__.py is not the module, as in Python)."""
    result = grade(PER_STEP / "final_model" / "final_model.ipynb", "ng", seed=0,
                              timeout=5.0)
    statuses = {f.name: f.status for f in result.functions}
    assert set(statuses.values()) == {"passed"}, statuses
    assert result.origins["relu"] == "../activation_function/activation_function.py"
    assert not any("ImportError" in w for w in result.warnings)


def test_a_namespace_folder_loses_to_a_module_of_that_name_on_a_later_root(tmp_path):
    from reference.grade.folder import Folder

    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "helpers.py").write_text("X = 1\n")
    main = tmp_path / "main.py"          # its folder, holding helpers/, is the first root
    main.write_text("import sys\nsys.path.append('helpers/')\nimport helpers\n")
    layout = Folder(main, tmp_path)
    layout.add_sys_path([ast.parse(main.read_text())])
    assert layout.find("helpers") == ((tmp_path / "helpers" / "helpers.py").resolve(), False)
    (tmp_path / "helpers" / "helpers.py").unlink()
    assert layout.find("helpers") == (None, True)       # nothing else: the folder itself


def test_range_from_six_moves_is_pythons_range_when_six_is_absent():
    """`from six.moves import range` (a port kept runnable on both Pythons): without six
    installed the name was a stub, and backprop's range(2, num_layers) failed."""
    path = Path(__file__).parent / "submissions" / "real" / "nielsen_six_range" / "network.py"
    result = grade(path, "nielsen", seed=0, timeout=5.0)
    assert {f.status for f in result.functions} == {"passed"}
    assert not any("six" in w for w in result.warnings)


def test_compatibility_imports_bind_python3s_builtins():
    from reference.grade.py2 import compat_import

    assert compat_import(ast.parse("from past.builtins import xrange").body[0]) == \
        "xrange = range"
    assert compat_import(ast.parse("from six.moves import range as r, zip").body[0]) == \
        "r = range; zip = zip"
    assert compat_import(ast.parse("from six.moves import cPickle").body[0]) is None
    assert compat_import(ast.parse("from numpy import zeros").body[0]) is None


def test_numpys_removed_aliases_of_pythons_types_work_again():
    """`(x > 0).astype(np.float)` in Relu, `t.astype(np.int)` in the cross-entropy: NumPy
    removed these aliases of float and int in 1.24; code written before ran."""
    path = Path(__file__).parent / "submissions" / "real" / "saito_np_float" / "two_layer_net.py"
    result = grade(path, "saito", seed=0, timeout=5.0)
    assert {f.status for f in result.functions} == {"passed"}, \
        [(f.name, f.finding.diagnosis) for f in result.functions if f.finding]


OBJECT_ARRAYS = Path(__file__).parent / "submissions" / "real" / "nielsen_object_arrays"


def test_layers_kept_in_np_array_of_objects_grade_as_they_ran():
    """`self.biases = np.array([...])` of layers of different shapes (an object array before
    NumPy 1.24, a ValueError since), nabla_b built the same way: every method runs."""
    result = grade(OBJECT_ARRAYS / "network.py", "nielsen", seed=0, timeout=5.0)
    assert {f.status for f in result.functions} == {"passed"}, \
        [(f.name, f.finding.diagnosis) for f in result.functions if f.finding]


def test_an_object_array_backprop_with_a_bug_still_fails(tmp_path):
    text = (OBJECT_ARRAYS / "network.py").read_text()
    old = "delta = np.dot(self.weights[-l + 1].transpose(), delta) * sigmoid_prime(zs[-l])"
    assert old in text
    path = tmp_path / "network.py"
    path.write_text(text.replace(old, "delta = np.dot(self.weights[-l + 1], delta) * "
                                      "sigmoid_prime(zs[-l])"))
    result = grade(path, "nielsen", seed=0, timeout=5.0)
    assert {f.name: f.status for f in result.functions}["Network.backprop"] == "failed"


def test_np_array_is_unchanged_but_for_ragged_lists():
    import numpy as np

    from reference.grade.oldnumpy import _ragged

    array = _ragged(np.array)
    ragged = array([np.zeros((3, 1)), np.zeros((1, 1))])
    assert ragged.dtype == object and ragged.shape == (2,) and ragged[0].shape == (3, 1)
    assert array([[1, 2], [3, 4]]).shape == (2, 2)
    with pytest.raises(ValueError):
        array([np.zeros((3, 1)), np.zeros((1, 1))], dtype=float)   # asked for: refused
