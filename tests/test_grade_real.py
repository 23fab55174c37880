"""Issue 10, the loading side: submissions as students hand them in (tests/submissions/real).

Each fixture reproduces a pattern seen in real submissions (written for this project):
a four-file Ng student, Saito's book layout with `common/` and `sys.path.append(os.pardir)`,
a star import of a course helper giving `np`, Nielsen's Python 2 network.py, a sigmoid
indented into the class, a `ReLU` class, a misspelled function, an error raised inside
NumPy, a forward that raises under a correct backward, notebooks with shell assignments
and in nbformat 3. Every verdict below is what a TA reading the files would give.

Then the patterns found in public student repositories (verdicts.json, the TA's table,
is a test here and benchmarks/bench_real_agreement.py): Nielsen's np.vectorize'd and
lambda sigmoids, static-method and module-level helpers, matrix-based mini-batches,
(nabla_w, nabla_b) returned, Python 2 that parses as Python 3, tabs mixed with spaces;
Saito's one-hot-only SoftmaxWithLoss (the book's text), `Layer`-suffixed classes, the
cupy switch of common/np.py, Shift_JIS and UTF-16 files; Ng's notebook cells saved one
per file, helpers extended with lambd, own activations returning A alone, decorators
from modules the grader lacks. The second sweep (tests/test_grade_renamed.py,
tests/test_grade_real_sweep2.py): renamed TwoLayerNet and Network classes, a v2 notebook
(dA{l+1} keys), a v4 nbconvert export (always-true tuple asserts, deepcopy), Python 2's
`len(parameters) / 2`, cells saved as files using `copy`, scipy's expit, a sigmoid_prime
taking the activation, a folder per step with relative sys.path entries, six.moves.
The third (tests/test_grade_real_sweep3.py): Ng's assignment as static or self methods of
one class, Saito's layers in lower case (w, dw, 'w1' keys), `LinearLayer` and `Affine1`
for Affine, layers reached as `L.Affine`, Nielsen's sigmoid as methods, a feedforward
returning (activations, zs), whole application notebooks exported with module-level runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest

from reference.grade import folder, loader
from reference.grade.pick import files_under, pick
from reference.grade.styles import get_style
from tests.grading import grade

REAL = Path(__file__).parent / "submissions" / "real"
TIMEOUT = 5.0
NG_OPTIONAL = {"sigmoid", "relu", "sigmoid_backward", "relu_backward"}


def _grade(path, style, folder=None, **kw):
    return grade(path, style, seed=0, timeout=TIMEOUT, folder=folder, **kw)


def _statuses(result) -> dict[str, str]:
    return {f.name: f.status for f in result.functions}


def _diagnoses(result) -> dict[str, str]:
    """What was said of each function that did not pass (failed, or missing)."""
    return {f.name: f.finding.diagnosis for f in result.functions
            if f.status in ("failed", "missing")}


def _all_required_pass(result, style):
    """Every graded function the style requires passed (optional ones may be absent)."""
    assert result.error is None, result.error
    for f in get_style(style).functions:
        status = _statuses(result)[f.name]
        assert status == "passed" or (f.optional and status == "supplied"), (f.name, status,
                                                                                 result.warnings)


# --- pattern 1: a folder, not a file -------------------------------------------------------
NG_FOUR = REAL / "ng_four_files"


@pytest.mark.parametrize("folder", [None, NG_FOUR], ids=["single-file", "folder"])
def test_four_file_ng_student_grades_from_every_file(folder):
    result = _grade(NG_FOUR / "main.py", "ng", folder)
    _all_required_pass(result, "ng")
    assert set(result.files) == {"main.py", "initialization.py", "forward_propagation.py",
                                 "cost_function.py", "backward_propagation.py"}
    assert result.origins["linear_backward"] == "backward_propagation.py"
    assert result.origins["L_model_forward"] == "forward_propagation.py"
    assert result.origins["compute_cost"] == "cost_function.py"
    assert result.origins["initialize_parameters_deep"] == "initialization.py"


def test_a_bug_in_a_sibling_file_is_reported_where_it_is(tmp_path):
    """dW without 1/m in backward_propagation.py: linear_backward fails, and only it (its
    callers in the same file get a correct linear_backward, as in a one-file submission)."""
    student = tmp_path / "alice"
    shutil.copytree(NG_FOUR, student)
    path = student / "backward_propagation.py"
    text = path.read_text()
    assert "dW = 1. / m * np.dot(dZ, A_prev.T)" in text
    path.write_text(text.replace("dW = 1. / m * np.dot(dZ, A_prev.T)", "dW = np.dot(dZ, A_prev.T)"))
    result = _grade(student / "main.py", "ng", student)
    failed = _diagnoses(result)
    assert set(failed) == {"linear_backward"}
    assert "1/m is missing" in failed["linear_backward"]


def test_folder_mode_finds_functions_no_file_imports(tmp_path):
    """A student with no main at all: forward_propagation.py is graded (pick), the other
    files' functions are found where they are defined."""
    student = tmp_path / "bob"
    shutil.copytree(NG_FOUR, student)
    (student / "main.py").unlink()
    chosen = pick(files_under(student), "ng")
    assert chosen.name == "forward_propagation.py" or chosen.name == "backward_propagation.py"
    result = _grade(chosen, "ng", student)
    _all_required_pass(result, "ng")
    assert result.ignored == []


SAITO = REAL / "saito_ch05"


def test_saito_chapter_folder_resolves_os_pardir_and_common():
    """ch05/two_layer_net.py does sys.path.append(os.pardir) then from common.layers import *."""
    result = _grade(SAITO / "ch05" / "two_layer_net.py", "saito")
    _all_required_pass(result, "saito")
    assert _statuses(result)["TwoLayerNet.gradient"] == "passed"
    assert result.origins["Affine.backward"] == "../common/layers.py"
    assert "../common/functions.py" in result.files
    assert not any("dataset" in f for f in result.files)      # never imported by it


def test_saito_folder_mode_lists_files_graded_and_ignored():
    chosen = pick(files_under(SAITO), "saito")
    result = _grade(chosen, "saito", SAITO)
    _all_required_pass(result, "saito")
    assert _statuses(result)["TwoLayerNet.gradient"] == "passed"
    assert {"common/layers.py", "common/functions.py", "ch05/two_layer_net.py"} <= set(
        result.files)
    # the training script and the MNIST downloader define nothing graded
    assert {"ch05/train_neuralnet.py", "dataset/mnist.py"} <= set(result.ignored)
    assert result.origins["TwoLayerNet.gradient"] == "ch05/two_layer_net.py"


def test_a_bug_in_the_books_common_folder_is_found(tmp_path):
    student = tmp_path / "carol"
    shutil.copytree(SAITO, student)
    layers = student / "common" / "layers.py"
    text = layers.read_text()
    assert "self.dW = np.dot(self.x.T, dout)" in text
    layers.write_text(text.replace("self.dW = np.dot(self.x.T, dout)",
                                   "self.dW = np.dot(dout.T, self.x)"))
    result = _grade(student / "ch05" / "two_layer_net.py", "saito")
    assert "Affine.backward" in _diagnoses(result)
    assert "transposed" in _diagnoses(result)["Affine.backward"]
    assert _statuses(result)["Relu.backward"] == "passed"


def test_relative_imports_inside_a_package(tmp_path):
    (tmp_path / "mynet").mkdir()
    (tmp_path / "mynet" / "__init__.py").write_text("from .layers import *\n")
    layers = (REAL / "saito_relu_case" / "layers.py").read_text()
    layers = layers.replace("class ReLU", "class Relu")
    (tmp_path / "mynet" / "layers.py").write_text(
        "from .functions import softmax, cross_entropy_error, sigmoid\n"
        + layers.replace("ReLU()", "Relu()"))
    (tmp_path / "mynet" / "functions.py").write_text(
        (SAITO / "common" / "functions.py").read_text())
    main = tmp_path / "main.py"
    main.write_text("from mynet import *\nfrom mynet.layers import TwoLayerNet\n")
    result = _grade(main, "saito", only=["Affine.backward", "SoftmaxWithLoss.forward",
                                         "TwoLayerNet.gradient"])
    assert _statuses(result) == {"Affine.backward": "passed",
                                 "SoftmaxWithLoss.forward": "passed",
                                 "TwoLayerNet.gradient": "passed"}, result.warnings
    assert {"mynet/__init__.py", "mynet/layers.py", "mynet/functions.py"} <= set(result.files)


def test_symlinks_and_paths_outside_the_folder_are_never_read(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("def linear_backward(dZ, cache):\n    return 1\n")
    student = tmp_path / "student"
    student.mkdir()
    (student / "secret.py").symlink_to(outside / "secret.py")
    (student / "linked").symlink_to(outside, target_is_directory=True)
    main = student / "main.py"
    main.write_text("import numpy as np\nfrom secret import *\nfrom linked.secret import *\n"
                    "def linear_forward(A, W, b):\n    return np.dot(W, A) + b, (A, W, b)\n")
    assert [p.name for p in files_under(student)] == ["main.py"]
    loaded = loader.load(main, student, {"linear_backward", "linear_forward"})
    assert loaded.modules == [] and "linear_backward" not in loaded.origins
    assert loaded.files == ["main.py"]


# --- pattern 2 and 5: stand-ins only for course-provided code -------------------------------
def test_star_import_of_a_course_helper_gives_np():
    """`from testCases_v2 import *` gives np in the real course: correct functions pass."""
    result = _grade(REAL / "ng_star_standin" / "step_by_step.py", "ng")
    _all_required_pass(result, "ng")
    # the activations came from the course's dnn_utils_v2: not graded as the student's
    assert {n for n, s in _statuses(result).items() if s == "supplied"} == NG_OPTIONAL
    assert any("dnn_utils_v2" in w and "testCases_v2" in w for w in result.warnings)


def test_a_helper_the_course_does_not_provide_is_not_supplied(tmp_path):
    """`from dnn_utils_v2 import cross_entropy`: dnn_utils has no such function."""
    path = tmp_path / "cost.py"
    path.write_text("from dnn_utils_v2 import *\nfrom dnn_utils_v2 import cross_entropy\n\n"
                    "def compute_cost(AL, Y):\n    return cross_entropy(AL, Y)\n")
    result = _grade(path, "ng", only=["compute_cost"])
    failed = _diagnoses(result)
    assert "`dnn_utils_v2.cross_entropy`" in failed["compute_cost"]
    assert "cost.py, line 5, in compute_cost" in failed["compute_cost"]


def test_sigmoid_inside_the_class_is_the_students_name_error():
    """Issue 10, pattern 5: `def sigmoid(z)` indented into Network cannot be called as
    `sigmoid(...)`: feedforward and backprop raise NameError at the student's lines."""
    result = _grade(REAL / "nielsen_class_sigmoid" / "network.py", "nielsen")
    failed = _diagnoses(result)
    assert set(failed) == {"Network.feedforward", "Network.backprop"}
    assert "NameError: name 'sigmoid' is not defined (network.py, line 20, in feedforward)" \
        in failed["Network.feedforward"]
    assert "(network.py, line 42, in backprop)" in failed["Network.backprop"]
    assert _statuses(result)["Network.cost_derivative"] == "passed"
    assert _statuses(result)["sigmoid_prime"] == "passed"


# --- pattern 3: Python 2 ---------------------------------------------------------------------
def test_python2_network_is_converted_and_graded():
    result = _grade(REAL / "nielsen_py2" / "network.py", "nielsen")
    _all_required_pass(result, "nielsen")
    (note,) = [w for w in result.warnings if "Python 2" in w]
    assert "fissix" in note
    # eta/len(mini_batch) on lines 49 and 51; 1.0/(1.0+...) on line 93 is a float division
    assert "lines 49, 51:" in note and "93" not in note


def test_python2_with_a_bug_still_fails_where_the_bug_is(tmp_path):
    text = (REAL / "nielsen_py2" / "network.py").read_text()
    assert "self.weights[-l+1].transpose()" in text
    path = tmp_path / "network.py"
    path.write_text(text.replace("self.weights[-l+1].transpose()", "self.weights[-l+1]"))
    result = _grade(path, "nielsen")
    assert set(_diagnoses(result)) == {"Network.backprop"}


# --- pattern 6: names -----------------------------------------------------------------------
def test_relu_class_spelled_ReLU_is_graded_with_a_note():
    result = _grade(REAL / "saito_relu_case" / "layers.py", "saito")
    _all_required_pass(result, "saito")
    assert _statuses(result)["Relu.backward"] == "passed"
    assert any("`ReLU`" in w and "`Relu`" in w for w in result.warnings)


def test_misspelled_function_fails_with_did_you_mean():
    result = _grade(REAL / "ng_names" / "misspelled.py", "ng")
    failed = _diagnoses(result)
    assert set(failed) == {"update_parameters"}
    assert "did you mean `update_parameter`?" in failed["update_parameters"]
    assert "pandas" not in failed["update_parameters"] and "may come from" not in \
        failed["update_parameters"]


# --- pattern 7: where the error is --------------------------------------------------------
def test_an_error_raised_inside_numpy_is_located_at_the_students_line():
    result = _grade(REAL / "ng_names" / "maximumum.py", "ng", only=["relu"])
    message = _diagnoses(result)["relu"]
    assert message.endswith("(maximumum.py, line 18, in relu)")
    assert "__init__" not in message and "site-packages" not in message


def test_a_backward_whose_forward_raises_says_so():
    result = _grade(REAL / "saito_forward_raises" / "layers.py", "saito",
                    only=["Affine.forward", "Affine.backward"])
    failed = _diagnoses(result)
    assert "(layers.py, line 69, in forward)" in failed["Affine.forward"]
    assert failed["Affine.backward"].startswith("the forward pass (Affine.forward) raised")


# --- pattern 9: notebooks --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["shell_assignments.ipynb", "nbformat3.ipynb"])
def test_notebooks_grade_in_full(name):
    result = _grade(REAL / "notebooks" / name, "ng")
    assert result.error is None
    assert set(_statuses(result).values()) == {"passed"}, _diagnoses(result)


def test_ipython_lines_are_dropped_one_by_one():
    cells = loader.read_cells(REAL / "notebooks" / "shell_assignments.ipynb")
    text = "\n".join(src for _, src in cells)
    assert "!ls" not in text and "%time" not in text and "%who_ls" not in text
    assert "def sigmoid" in text and "def _check" in text
    tree = loader.load(REAL / "notebooks" / "shell_assignments.ipynb")
    assert not any("syntax error" in w for w in tree.warnings)


def test_nbformat3_cells_are_read_in_order():
    cells = loader.read_cells(REAL / "notebooks" / "nbformat3.ipynb")
    assert cells[0][0] == "nbformat3.ipynb cell 1"
    assert cells[0][1].strip() == "import numpy as np"
    assert "def sigmoid" in cells[1][1]       # cell 2 is markdown: numbering keeps it


# --- pattern 10 (files part) and batch mode ---------------------------------------------------
def test_batch_lists_each_students_files(cli, tmp_path):
    batch = tmp_path / "batch"
    shutil.copytree(NG_FOUR, batch / "alice")
    (batch / "alice" / "notes.ipynb").write_text(json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    outside = tmp_path / "elsewhere"
    shutil.copytree(NG_FOUR, outside)
    os.symlink(outside, batch / "mallory")           # a student folder that is a link
    out = tmp_path / "grades"
    r = cli("grade", str(batch), "--style", "ng", "--format", "json", "--output", str(out),
            "--timeout", str(TIMEOUT))
    assert r.returncode == 0, r.stdout + r.stderr
    # the graded file: the one defining the most graded functions (4 in backward_propagation)
    assert sorted(p.name for p in out.glob("*.json") if p.name != "run.json") == [
        "alice__backward_propagation.py.json"]
    data = json.loads((out / "alice__backward_propagation.py.json").read_text())
    extra = data["extra_data"]
    assert extra["files_graded"][0] == "backward_propagation.py"
    assert set(extra["files_graded"]) == {"initialization.py", "forward_propagation.py",
                                          "cost_function.py", "backward_propagation.py"}
    # main.py only trains (defines nothing graded), the notebook is empty
    assert extra["files_ignored"] == ["main.py", "notes.ipynb"]
    tests = {t["name"]: t for t in data["tests"]}
    assert tests["linear_backward"]["extra_data"]["file"] == "backward_propagation.py"
    assert "files graded:" in data["output"]


def test_student_folder_option_for_gradescope(cli, tmp_path):
    out = tmp_path / "results.json"
    r = cli("grade", str(NG_FOUR / "forward_propagation.py"), "--style", "ng", "--format",
            "json", "--output", str(out), "--student-folder", str(NG_FOUR),
            "--timeout", str(TIMEOUT))
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads(out.read_text())
    assert data["score"] == data["max_score"]
    assert "backward_propagation.py" in data["extra_data"]["files_graded"]
    bad = cli("grade", str(NG_FOUR / "main.py"), "--style", "ng", "--student-folder",
              str(tmp_path))
    assert bad.returncode == 2 and "--student-folder" in bad.stderr


def test_a_python_line_beginning_with_percent_is_kept(tmp_path):
    """String formatting continued on a line starting with `%` is Python, not a magic."""
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
                     "source": "def label(x):\n    return ('value %d'\n            % x)\n"}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "fmt.ipynb"
    path.write_text(json.dumps(nb))
    loaded = loader.load(path)
    assert loaded.error is None and "% x" in loaded.segments[0].source


def test_notebook_lines_left_in_a_py_file_are_dropped_with_a_note(tmp_path):
    """A notebook pasted into a .py file keeps `%matplotlib inline`: not Python, but the
    functions in the file are the student's work."""
    path = tmp_path / "hw.py"
    path.write_text("import numpy as np\n%matplotlib inline\nfiles = !ls\n\n"
                    "def relu(Z):\n    return np.maximum(0, Z), Z\n")
    result = _grade(path, "ng", only=["relu"])
    assert result.error is None and _statuses(result) == {"relu": "passed"}
    assert any("IPython lines dropped (line 2, 3)" in w for w in result.warnings)
    (tmp_path / "bad.py").write_text("def f(:\n    pass\n")
    assert "syntax error: bad.py, line 1" in loader.load(tmp_path / "bad.py").error


def test_a_long_import_chain_is_loaded_without_recursion(tmp_path):
    """m0 imports m1 imports ... m299: the first MAX_MODULES are sent, nothing overflows."""
    for k in range(300):
        (tmp_path / f"m{k}.py").write_text(f"import m{k + 1}\n\ndef f{k}():\n    return {k}\n")
    main = tmp_path / "main.py"
    main.write_text("import m0\n")
    loaded = loader.load(main)
    assert loaded.error is None and len(loaded.modules) == folder.MAX_MODULES
    assert [m.name for m in loaded.modules[:3]] == ["m0", "m1", "m10"]


def test_the_courses_own_file_in_the_folder_is_not_graded_as_the_students(tmp_path):
    """The application notebook imports everything from the course's dnn_app_utils_v3.py,
    which has the course's own L_model_forward: none of it is the student's work."""
    (tmp_path / "dnn_app_utils_v3.py").write_text(
        "import numpy as np\n\n"
        "def sigmoid(Z):\n    return 1 / (1 + np.exp(-Z)), Z\n\n"
        "def linear_forward(A, W, b):\n    return W.dot(A) + b, (A, W, b)\n\n"
        "def L_model_forward(X, parameters):\n    return X, []\n")
    main = tmp_path / "application.py"
    main.write_text("from dnn_app_utils_v3 import *\n\n"
                    "def two_layer_model(X, Y, layers_dims):\n    return sigmoid(X)\n")
    result = _grade(main, "ng", tmp_path, only=["linear_forward", "L_model_forward",
                                                "L_model_backward", "sigmoid"])
    assert _statuses(result) == {"linear_forward": "missing", "L_model_forward": "missing",
                                 "L_model_backward": "missing", "sigmoid": "supplied"}
    assert all("is not defined in the submission" in d for d in _diagnoses(result).values())
    assert not any("did you mean" in d for d in _diagnoses(result).values())
    assert "linear_forward" not in result.origins
    assert result.files == ["application.py"] and result.ignored == []
    assert any("course's own files" in w and "dnn_app_utils_v3.py" in w
               for w in result.warnings)


def test_a_helper_indented_into_the_class_is_named(tmp_path):
    text = (REAL / "nielsen_class_sigmoid" / "network.py").read_text()
    module_level = ("def sigmoid_prime(z):\n    s = 1.0 / (1.0 + np.exp(-z))\n"
                    "    return s * (1 - s)\n")
    assert text.endswith(module_level)
    path = tmp_path / "network.py"
    path.write_text(text.replace(module_level, "\n".join(
        "    " + line if line else line for line in module_level.split("\n"))))
    result = _grade(path, "nielsen", only=["sigmoid_prime"])
    message = _diagnoses(result)["sigmoid_prime"]
    assert "`Network.sigmoid_prime` is defined inside the class" in message


def test_python2_mixing_tabs_and_spaces_is_converted(tmp_path):
    """Python 2 read a tab as indentation to the next multiple of 8; Python 3 refuses."""
    path = tmp_path / "network.py"
    path.write_text("import numpy as np\n\ndef sigmoid(z):\n    if True:\n"
                    "\treturn 1.0 / (1.0 + np.exp(-z))\n    print 'unreachable'\n")
    result = _grade(path, "nielsen", only=["sigmoid"])
    assert result.error is None and _statuses(result) == {"sigmoid": "passed"}
    assert any("Python 2" in w for w in result.warnings)


@pytest.mark.parametrize("expr", ["'../common'", "os.path.join(os.pardir, 'common')",
                                  "os.pardir + '/common'"])
def test_a_folder_put_on_sys_path_is_searched(tmp_path, expr):
    """`sys.path.append('../common')` then `from layers import *` (layers.py in common/)."""
    shutil.copytree(SAITO / "common", tmp_path / "common")
    (tmp_path / "common" / "layers.py").write_text(
        (SAITO / "common" / "layers.py").read_text().replace(
            "from common.functions import *", "from functions import *"))
    (tmp_path / "ch05").mkdir()
    main = tmp_path / "ch05" / "net.py"
    main.write_text(f"import sys, os\nsys.path.append({expr})\nfrom layers import *\n")
    result = _grade(main, "saito", only=["Affine.backward", "SoftmaxWithLoss.forward"])
    assert _statuses(result) == {"Affine.backward": "passed",
                                 "SoftmaxWithLoss.forward": "passed"}, result.warnings
    assert result.origins["Affine.backward"] == "../common/layers.py"


def test_percent_run_of_a_helper_file_becomes_its_import(tmp_path):
    """`%run activations.py` in a notebook: the file's names are the notebook's."""
    (tmp_path / "activations.py").write_text(
        "import numpy as np\n\ndef relu(Z):\n    return np.maximum(0, Z), Z\n")
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
                     "source": "%run activations.py\n%matplotlib inline\n"},
                    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 2,
                     "source": "def sigmoid(Z):\n    return 1 / (1 + np.exp(-Z)), Z\n"}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(nb))
    result = _grade(path, "ng", only=["relu", "sigmoid"])
    assert _statuses(result) == {"relu": "passed", "sigmoid": "passed"}
    assert result.origins == {"relu": "activations.py", "sigmoid": "hw.ipynb cell 2"}


def test_a_graded_file_inside_a_package_keeps_its_relative_imports(tmp_path):
    """Folder mode picks common/layers.py, which does `from .functions import *`."""
    shutil.copytree(SAITO / "common", tmp_path / "common")
    layers = tmp_path / "common" / "layers.py"
    text = layers.read_text().replace("from common.functions import *",
                                      "from .functions import *\n"
                                      "from .functions import softmax as _softmax")
    # a name the grader never supplies: only the relative import can give it
    layers.write_text(text.replace("self.y = softmax(x)", "self.y = _softmax(x)"))
    assert pick(files_under(tmp_path), "saito") == layers
    result = _grade(layers, "saito", tmp_path, only=["Sigmoid.forward",
                                                     "SoftmaxWithLoss.forward"])
    assert _statuses(result) == {"Sigmoid.forward": "passed",
                                 "SoftmaxWithLoss.forward": "passed"}, result.warnings
    assert "common/functions.py" in result.files


@pytest.mark.parametrize(("notebook", "expected"), [
    # nbformat 3 stripped of its outputs (nbstripout): still the student's code
    ({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
      "worksheets": [{"cells": [{"cell_type": "code", "input": "def f():\n    return 1\n"}]}]},
     None),
    ({"nbformat": 99, "nbformat_minor": 0, "cells": []}, "not a notebook nbformat can read"),
    ({"nbformat": 3, "worksheets": 5}, "not a notebook nbformat can read"),
])
def test_odd_notebooks_are_read_or_refused_with_a_reason(tmp_path, notebook, expected):
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(notebook))
    loaded = loader.load(path)
    if expected is None:
        assert loaded.error is None and loaded.segments[0].source.startswith("def f")
    else:
        assert expected in loaded.error


def test_a_loose_file_of_a_batch_never_imports_another_students(cli, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(REAL / "ng_names" / "maximumum.py", batch / "bob.py")
    (batch / "alice.py").write_text("from bob import *\n")    # bob's work is not alice's
    out = tmp_path / "grades"
    r = cli("grade", str(batch), "--style", "ng", "--format", "json", "--output", str(out),
            "--timeout", str(TIMEOUT))
    assert r.returncode == 1
    alice = json.loads((out / "alice.py.json").read_text())
    # nothing of bob's is alice's: only the course-provided helpers count (as supplied)
    statuses = {t["name"]: t["extra_data"]["grade_status"] for t in alice["tests"]}
    assert "passed" not in statuses.values() and statuses["linear_forward"] == "missing"
    assert alice["extra_data"]["files_graded"] == ["alice.py"]


def test_a_layer_bug_is_not_blamed_on_two_layer_net_from_another_file(tmp_path):
    """Folder mode grades common/layers.py; TwoLayerNet lives in ch05/two_layer_net.py and
    gets correct layers, so Affine's bug is reported at Affine only."""
    student = tmp_path / "dave"
    shutil.copytree(SAITO, student)
    layers = student / "common" / "layers.py"
    layers.write_text(layers.read_text().replace("self.db = np.sum(dout, axis=0)",
                                                 "self.db = np.sum(dout, axis=1)"))
    chosen = pick(files_under(student), "saito")
    assert chosen == layers
    result = _grade(chosen, "saito", student, only=["Affine.backward", "TwoLayerNet.gradient"])
    assert _statuses(result) == {"Affine.backward": "failed", "TwoLayerNet.gradient": "passed"}
    assert result.origins["TwoLayerNet.gradient"] == "ch05/two_layer_net.py"


def test_functions_in_a_sibling_notebook_are_graded(tmp_path):
    """Part 1 in a .py file, the backward pass in the student's notebook beside it."""
    source = (Path(__file__).parent / "submissions" / "ng" / "correct.py").read_text()
    forward, backward = source.split("def linear_backward", 1)
    (tmp_path / "part1.py").write_text(forward)
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
                     "source": "import numpy as np\nfrom part1 import *\n"},
                    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 2,
                     "source": "def linear_backward" + backward.split("if __name__")[0]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "part2.ipynb").write_text(json.dumps(nb))
    chosen = pick(files_under(tmp_path), "ng")
    assert chosen.name == "part1.py"
    result = _grade(chosen, "ng", tmp_path)
    _all_required_pass(result, "ng")
    assert result.origins["L_model_backward"] == "part2.ipynb cell 2"
    assert result.files == ["part1.py", "part2.ipynb"]


def test_a_student_module_named_like_the_standard_librarys_is_theirs(tmp_path):
    """`from code import *` beside the script imports the student's code.py in Python."""
    (tmp_path / "code.py").write_text(
        "import numpy as np\n\ndef relu(Z):\n    return np.maximum(0, Z), Z\n")
    main = tmp_path / "main.py"
    main.write_text("from code import *\n")
    result = _grade(main, "ng", only=["relu"])
    assert _statuses(result) == {"relu": "passed"} and result.origins == {"relu": "code.py"}


def test_an_upload_that_lost_its_folders_still_finds_common(tmp_path):
    """Gradescope keeps files only: two_layer_net.py, layers.py and functions.py side by
    side, the code still saying `from common.layers import *`."""
    for path in (SAITO / "common" / "layers.py", SAITO / "common" / "functions.py",
                 SAITO / "ch05" / "two_layer_net.py", SAITO / "common" / "gradient.py"):
        shutil.copy(path, tmp_path / path.name)
    chosen = pick(files_under(tmp_path), "saito")
    assert chosen.name == "layers.py"
    result = _grade(chosen, "saito", tmp_path)
    _all_required_pass(result, "saito")
    assert _statuses(result)["TwoLayerNet.gradient"] == "passed"
    assert any("`common.functions` read from functions.py" in w for w in result.warnings)
    assert set(result.files) == {"layers.py", "functions.py", "two_layer_net.py",
                                 "gradient.py"}


def test_a_library_submodule_is_never_a_flattened_student_file(tmp_path):
    (tmp_path / "linalg.py").write_text("def norm(x):\n    return 0\n")
    main = tmp_path / "main.py"
    main.write_text("import numpy.linalg\nfrom numpy.linalg import norm\n"
                    "def relu(Z):\n    return Z * (Z > 0), Z\n")
    loaded = loader.load(main, tmp_path, {"relu"})
    assert loaded.modules == [] and loaded.files == ["main.py"]


def test_an_if_choosing_an_import_is_kept(tmp_path):
    """Saito's common/np.py: `if GPU: import cupy as np` / `else: import numpy as np`."""
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "config.py").write_text("GPU = False\n")
    (tmp_path / "common" / "np.py").write_text(
        "from common.config import GPU\nif GPU:\n    import cupy as np\nelse:\n"
        "    import numpy as np\n")
    main = tmp_path / "layers.py"
    main.write_text("from common.np import *\n\nclass Relu:\n    def forward(self, x):\n"
                    "        self.mask = x <= 0\n        return np.where(self.mask, 0, x)\n\n"
                    "    def backward(self, dout):\n        return np.where(self.mask, 0, dout)\n"
                    "\nif __name__ == '__main__':\n    print(Relu().forward(np.ones(3)))\n")
    result = _grade(main, "saito", only=["Relu.forward", "Relu.backward"])
    assert _statuses(result) == {"Relu.forward": "passed", "Relu.backward": "passed"}
    assert [s.source.split("\n")[0] for s in loader.load(main).segments] == [
        "from common.np import *", "class Relu:"]


def test_a_file_no_import_can_name_is_still_the_students(tmp_path):
    """Downloaded twice: `backward (1).py` holds the student's backward pass."""
    source = (Path(__file__).parent / "submissions" / "ng" / "correct.py").read_text()
    forward, backward = source.split("def linear_backward", 1)
    (tmp_path / "forward.py").write_text(forward)
    (tmp_path / "backward (1).py").write_text("import numpy as np\nfrom forward import *\n\n"
                                             "def linear_backward" + backward)
    result = _grade(tmp_path / "forward.py", "ng", tmp_path)
    _all_required_pass(result, "ng")
    assert result.origins["L_model_backward"] == "backward (1).py"


def test_exec_of_a_helper_file_is_its_star_import(tmp_path):
    (tmp_path / "helpers.py").write_text(
        "import numpy as np\n\ndef relu(Z):\n    return np.maximum(0, Z), Z\n")
    main = tmp_path / "main.py"
    main.write_text("exec(open('helpers.py').read())\n\n"
                    "def sigmoid(Z):\n    return 1 / (1 + np.exp(-Z)), Z\n")
    result = _grade(main, "ng", only=["relu", "sigmoid"])
    assert _statuses(result) == {"relu": "passed", "sigmoid": "passed"}
    assert result.origins["relu"] == "helpers.py"


# --- patterns found in public student repositories (issue 10, the agreement benchmark) -----
VERDICTS = json.loads((REAL / "verdicts.json").read_text())["submissions"]


def _agreement():
    """benchmarks/bench_real_agreement.py: its rule for what agrees with the TA's table
    is the one this test holds the grader to."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_real_agreement.py"
    spec = importlib.util.spec_from_file_location("_bench_real_agreement", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


AGREEMENT = _agreement()


@pytest.mark.parametrize("entry", VERDICTS, ids=lambda e: e["path"] + (" (folder)" if e.get(
    "folder") else ""))
def test_every_real_fixture_agrees_with_the_ta(entry):
    """The TA's verdict table (benchmarks/bench_real_agreement.py prints the same): each
    graded function right (passed), wrong (failed or missing) or absent (missing or
    supplied), no false alarm and no missed bug."""
    folder = REAL / entry["folder"] if entry.get("folder") else None
    result = _grade(REAL / entry["path"], entry["style"], folder)
    disagree = {name: (verdict, status, kind, _diagnoses(result).get(name))
                for name, verdict, status, kind in AGREEMENT.compare(entry, _statuses(result))
                if kind != "agree"}
    assert disagree == {}, (disagree, result.error, result.warnings)


def test_nielsens_vectorized_and_lambda_sigmoids_are_kept():
    """The book's first network.py: `sigmoid_vec = np.vectorize(sigmoid)` used by
    feedforward and backprop; a port writing `sigmoid = lambda z: ...`. Both define
    without running anything, so they are kept; a training run at the top is not."""
    loaded = loader.load(REAL / "nielsen_vectorize" / "network.py")
    kept = "\n".join(s.source for s in loaded.segments)
    assert "sigmoid_vec = np.vectorize(sigmoid)" in kept
    assert "sigmoid_prime_vec = np.vectorize(sigmoid_prime)" in kept
    assert "Network([784, 30, 10])" not in kept and "load_data_wrapper" not in kept
    lam = loader.load(REAL / "nielsen_lambda" / "network.py")
    assert {"sigmoid", "sigmoid_prime"} <= set(lam.defines)
    result = _grade(REAL / "nielsen_lambda" / "network.py", "nielsen")
    assert set(_statuses(result).values()) == {"passed"}, _diagnoses(result)


def test_an_assignment_that_would_run_student_code_is_still_dropped(tmp_path):
    path = tmp_path / "net.py"
    path.write_text("import numpy as np\n\ndef train(n):\n    raise SystemExit(n)\n\n"
                    "act = np.vectorize(train)\nlater = lambda z: undefined_yet(z)\n"
                    "result = np.array(train(3))\nnet = train\nloop = [train for _ in 'ab']\n")
    kept = [s.source.split(" =")[0] for s in loader.load(path).segments
            if s.kind == "code" and not s.source.startswith("def ")]
    assert kept == ["act", "later", "net"]      # never `result = ...train(3)`, nor the loop


def test_a_matrix_based_update_gets_gradients_summed_over_the_batch(tmp_path):
    """Chapter 2's exercise: update_mini_batch stacks the mini-batch into X and calls
    backprop(X, Y) once; the grader's backprop then returns Σₓ nabla_b as an (n, 1)
    column. A real mistake in that update is still found."""
    result = _grade(REAL / "nielsen_matrix" / "network.py", "nielsen",
                    only=["Network.update_mini_batch", "Network.backprop"])
    assert _statuses(result) == {"Network.update_mini_batch": "passed",
                                 "Network.backprop": "passed"}, _diagnoses(result)
    text = (REAL / "nielsen_matrix" / "network.py").read_text()
    assert "step = eta / len(mini_batch)" in text
    path = tmp_path / "network.py"
    path.write_text(text.replace("step = eta / len(mini_batch)", "step = eta"))
    result = _grade(path, "nielsen", only=["Network.update_mini_batch"])
    assert "not divided by len(mini_batch)" in _diagnoses(result)["Network.update_mini_batch"]


def test_the_books_one_hot_softmax_with_loss_passes_and_a_real_bug_does_not(tmp_path):
    """Saito's ch. 5 text: `dx = (self.y - self.t) / batch_size`, t one-hot (ch05 trains
    with one_hot_label=True): right. Without the batch size it is wrong, on one-hot
    targets too."""
    result = _grade(REAL / "saito_book_text" / "layers.py", "saito",
                    only=["SoftmaxWithLoss.forward", "SoftmaxWithLoss.backward"])
    assert set(_statuses(result).values()) == {"passed"}, _diagnoses(result)
    shutil.copytree(REAL / "saito_book_text", tmp_path / "s")
    layers = tmp_path / "s" / "layers.py"
    text = layers.read_text()
    assert "dx = (self.y - self.t) / batch_size" in text
    layers.write_text(text.replace("dx = (self.y - self.t) / batch_size", "dx = self.y - self.t"))
    result = _grade(layers, "saito", only=["SoftmaxWithLoss.backward"])
    assert "not divided by the batch size" in _diagnoses(result)["SoftmaxWithLoss.backward"]


def test_notebook_cells_saved_one_per_file_grade_as_one_notebook():
    cells = REAL / "ng_cell_files"
    chosen = pick(files_under(cells), "ng")
    result = _grade(chosen, "ng", cells)
    _all_required_pass(result, "ng")
    assert len(result.files) == 9 and result.ignored == []
    assert result.origins["linear_backward"] == "6-linear-backward.py"
    assert any("import numpy as np" in w for w in result.warnings)


def test_a_file_importing_other_modules_but_not_numpy_keeps_its_name_error(tmp_path):
    path = tmp_path / "hw.py"
    path.write_text("import math\n\ndef relu(Z):\n    return np.maximum(0, Z), Z\n")
    result = _grade(path, "ng", only=["relu"])
    assert "NameError: name 'np' is not defined (hw.py, line 4, in relu)" in \
        _diagnoses(result)["relu"]
    assert not any("import numpy as np" in w for w in result.warnings)


def test_layer_classes_with_a_layer_suffix_are_the_books_and_a_function_never_is():
    """`AffineLayer`, `ReLULayer`, `Softmax_With_Loss_Layer` are the book's classes; the
    function `sigmoid` of function.py is not the class `Sigmoid` (SigmoidLayer is)."""
    result = _grade(REAL / "saito_layer_suffix" / "two_layer_net.py", "saito")
    assert set(_statuses(result).values()) == {"passed"}, _diagnoses(result)
    assert result.origins["Sigmoid.forward"] == "layer.py"
    assert any("`ReLULayer`" in w and "`Relu`" in w for w in result.warnings)
    assert not any("class `sigmoid`" in w for w in result.warnings)


def test_two_layer_net_with_one_hot_only_layers_passes_on_label_cases(tmp_path):
    """The student's own one-hot-only layers inside TwoLayerNet (not replaced: other
    names) take the label-index cases one-hot, as ch05 trains; a wrong gradient still
    fails."""
    result = _grade(REAL / "saito_layer_suffix" / "two_layer_net.py", "saito",
                    only=["TwoLayerNet.gradient"])
    assert _statuses(result) == {"TwoLayerNet.gradient": "passed"}, _diagnoses(result)
    shutil.copytree(REAL / "saito_layer_suffix", tmp_path / "s")
    net = tmp_path / "s" / "two_layer_net.py"
    text = net.read_text()
    assert '"W2": self.layers["Affine2"].dW' in text
    net.write_text(text.replace('"W2": self.layers["Affine2"].dW',
                                '"W2": -self.layers["Affine2"].dW'))
    result = _grade(net, "saito", only=["TwoLayerNet.gradient"])
    assert "grads['W2'] has the wrong sign" in _diagnoses(result)["TwoLayerNet.gradient"]


def test_helpers_extended_with_a_neutral_lambd_still_get_the_graders_helpers(tmp_path):
    """linear_activation_backward(dA, cache, activation, lambd=0.0) passes lambd on to
    linear_backward: the grader's course helper takes no lambd, and 0 changes nothing.
    A lambd that is not neutral is not dropped (the call still fails)."""
    path = REAL / "ng_regularized_helpers" / "backward.py"
    result = _grade(path, "ng", only=["linear_activation_backward", "L_model_backward"])
    assert set(_statuses(result).values()) == {"passed"}, _diagnoses(result)
    text = path.read_text()
    assert 'linear_activation_backward(dAL, caches[L - 1], "sigmoid", lambd)' in text
    bad = tmp_path / "backward.py"
    bad.write_text(text.replace('linear_activation_backward(dAL, caches[L - 1], "sigmoid", lambd)',
                                'linear_activation_backward(dAL, caches[L - 1], "sigmoid", 0.7)'))
    result = _grade(bad, "ng", only=["L_model_backward"])
    assert "TypeError" in _diagnoses(result)["L_model_backward"]


def test_a_file_in_the_encoding_its_coding_line_names_is_read_in_it():
    """Saved as Shift_JIS with `# -*- coding: shift_jis -*-`: 表 ends in the byte 0x5C,
    which read as UTF-8 is a backslash escaping the closing quote (a syntax error)."""
    raw = (REAL / "saito_shift_jis" / "layers.py").read_bytes()
    assert b"coding: shift_jis" in raw and "表\"".encode("shift_jis") in raw
    loaded = loader.load(REAL / "saito_shift_jis" / "layers.py")
    assert loaded.error is None
    assert any('LABEL = "出力表"' in s.source for s in loaded.segments)


def test_helpers_written_as_static_methods_are_graded_as_the_books(tmp_path):
    """@staticmethod sigmoid_prime inside Network, called as Network.sigmoid(z): it runs,
    so it is the student's sigmoid_prime (a wrong one fails); a plain function indented
    into the class is still the student's NameError (nielsen_class_sigmoid)."""
    path = REAL / "nielsen_staticmethods" / "network.py"
    result = _grade(path, "nielsen", only=["sigmoid", "sigmoid_prime"])
    assert _statuses(result) == {"sigmoid": "passed", "sigmoid_prime": "passed"}
    assert result.origins["sigmoid_prime"] == "network.py"
    text = path.read_text()
    wrong = "return Network.sigmoid(z) * (1 - Network.sigmoid(z))"
    assert wrong in text
    bad = tmp_path / "network.py"
    bad.write_text(text.replace(wrong, "return z * (1 - z)"))
    result = _grade(bad, "nielsen", only=["sigmoid_prime"])
    assert "z(1 − z)" in _diagnoses(result)["sigmoid_prime"]


def test_backprop_returning_nabla_w_first_is_consistent_and_right(tmp_path):
    """`return (nabla_w, nabla_b)` with `dnw, dnb = self.backprop(x, y)` in the update:
    both right. With the update unpacking the book's way, the backprop breaks the
    contract the file itself relies on: the backprop is wrong, the update right."""
    path = REAL / "nielsen_w_first" / "network.py"
    result = _grade(path, "nielsen", only=["Network.backprop", "Network.update_mini_batch"])
    assert set(_statuses(result).values()) == {"passed"}, _diagnoses(result)
    text = path.read_text()
    bad = tmp_path / "network.py"
    bad.write_text(text.replace("dnw, dnb = self.backprop(x, y)", "dnb, dnw = self.backprop(x, y)"))
    result = _grade(bad, "nielsen", only=["Network.backprop", "Network.update_mini_batch"])
    assert _statuses(result) == {"Network.backprop": "failed",
                                 "Network.update_mini_batch": "passed"}


def test_tabs_and_spaces_mixed_without_other_python2_marks_are_read_as_python2(tmp_path):
    """A file that ran under Python 2 (print(...) with parentheses, no other Python 2 sign)
    with a tab-indented line among space-indented ones: Python 3 refuses it (TabError),
    Python 2 read the tab as 8 columns."""
    path = tmp_path / "network.py"
    path.write_text("import numpy as np\n\ndef sigmoid(z):\n    if True:\n"
                    "\treturn 1.0 / (1.0 + np.exp(-z))\n    print('unreachable')\n")
    result = _grade(path, "nielsen", only=["sigmoid"])
    assert result.error is None and _statuses(result) == {"sigmoid": "passed"}
    assert any("tabs and spaces mixed" in w for w in result.warnings)


def test_the_second_books_cupy_switch_with_its_set_up_lines_gives_numpy():
    """common/np.py: `if GPU: import cupy as np` with the allocator set and a banner
    printed, `else: import numpy as np`. Dropping the whole `if` left every layer using
    np without it (Relu, which needs no np, passed alone)."""
    segments = loader.load(REAL / "saito_cupy_switch" / "common" / "np.py").segments
    assert any(s.source.startswith("if GPU:") and "import numpy as np" in s.source
               for s in segments)
    result = _grade(REAL / "saito_cupy_switch" / "ch05" / "two_layer_net.py", "saito")
    assert set(_statuses(result).values()) == {"passed"}, _diagnoses(result)
    assert "../common/np.py" in result.files


def test_an_if_running_code_without_choosing_an_import_is_still_dropped(tmp_path):
    path = tmp_path / "net.py"
    path.write_text("import numpy as np\nDEBUG = True\nif DEBUG:\n    train()\n"
                    "if DEBUG:\n    import os\n    train()\n")
    kept = [s.source for s in loader.load(path).segments]
    assert kept == ["import numpy as np", "DEBUG = True"]


def test_python2_that_parses_as_python3_is_converted_for_its_names():
    """print(...) with parentheses, but `from itertools import izip`, xrange and cPickle:
    the file ran under Python 2 and parses as Python 3, where izip is an ImportError and
    update_mini_batch failed on it."""
    result = _grade(REAL / "nielsen_py2_parenthesized" / "network.py", "nielsen")
    assert set(_statuses(result).values()) == {"passed"}, _diagnoses(result)
    assert any("Python 2" in w and "fissix" in w for w in result.warnings)
    assert not any("izip" in w for w in result.warnings)


def test_own_activations_returning_a_alone_are_followed(tmp_path):
    """The student's sigmoid/relu return A alone and linear_activation_forward keeps Z as
    the activation cache: consistent, right. The grader's helpers answer the same way; a
    wrong activation is still found."""
    path = REAL / "ng_bare_activations" / "step_by_step.py"
    result = _grade(path, "ng", only=["sigmoid", "relu", "linear_activation_forward"])
    assert set(_statuses(result).values()) == {"passed"}, _diagnoses(result)
    text = path.read_text()
    assert "    return np.maximum(0, Z)\n" in text
    bad = tmp_path / "step.py"
    bad.write_text(text.replace("    return np.maximum(0, Z)\n", "    return np.minimum(0, Z)\n"))
    result = _grade(bad, "ng", only=["relu", "linear_activation_forward"])
    assert _statuses(result) == {"relu": "failed", "linear_activation_forward": "passed"}


def test_a_utf16_file_is_read_and_picked(tmp_path):
    """PowerShell's `>` writes UTF-16 with a BOM: every other byte is NUL, which Python's
    parser refuses ("cannot contain null bytes")."""
    path = REAL / "nielsen_utf16" / "network.py"
    assert path.read_bytes().startswith(b"\xff\xfe")
    loaded = loader.load(path)
    assert loaded.error is None and "Network" in loaded.defines
    shutil.copy(path, tmp_path / "network.py")
    (tmp_path / "notes.py").write_text("# my notes\nimport numpy as np\n")
    assert pick(files_under(tmp_path), "nielsen").name == "network.py"


def test_cost_derivative_written_at_module_level_is_graded_as_the_method(tmp_path):
    path = REAL / "nielsen_module_cost_derivative" / "network.py"
    result = _grade(path, "nielsen", only=["Network.cost_derivative", "Network.backprop"])
    assert set(_statuses(result).values()) == {"passed"}, _diagnoses(result)
    assert any("module-level `cost_derivative`" in w for w in result.warnings)
    text = path.read_text()
    assert "\treturn output_activations - y\n" in text
    bad = tmp_path / "network.py"
    bad.write_text(text.replace("\treturn output_activations - y\n",
                                "\treturn y - output_activations\n"))
    result = _grade(bad, "nielsen", only=["Network.cost_derivative"])
    assert "wrong sign" in _diagnoses(result)["Network.cost_derivative"]


def test_a_decorator_from_a_module_the_grader_lacks_leaves_the_function(tmp_path):
    """`@timer` from the student's dnn_utils (stood in for) and `@profile` from a library
    the grader does not have: the functions are the student's, graded as written. A
    helper called with data still raises its clear error."""
    result = _grade(REAL / "ng_decorated" / "step.py", "ng",
                    only=["linear_forward", "compute_cost"])
    assert set(_statuses(result).values()) == {"passed"}, (_diagnoses(result), result.warnings)
    path = tmp_path / "cost.py"
    path.write_text("import numpy as np\nfrom dnn_utils import timer\n\n"
                    "def compute_cost(AL, Y):\n    return timer(AL, Y)\n")
    result = _grade(path, "ng", only=["compute_cost"])
    assert "`dnn_utils.timer`" in _diagnoses(result)["compute_cost"]
