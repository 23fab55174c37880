"""A submission is the student's files, not one file: folder mode, the modules a file
imports from beside it or its parent folder, sys.path entries, packages and relative imports,
`%run` and `exec(open(...))`, the course's own helper modules (stood in for, never graded as
the student's), batch mode and Gradescope's student folder; symbolic links and paths leaving
the folder are never read. Built from hand-written files and copies of the real fixtures
(tests/submissions/real; their TA verdicts: tests/test_grade_real.py)."""

from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path

import pytest

from reference.grade import folder, loader
from reference.grade.folder import Folder
from reference.grade.pick import files_under, pick
from tests.real_patterns import REAL, TIMEOUT, all_required_pass, diagnoses, grade, statuses

NG_FOUR = REAL / "ng_four_files"
SAITO = REAL / "saito_ch05"


def test_folder_mode_finds_functions_no_file_imports(tmp_path):
    """A student with no main at all: forward_propagation.py is graded (pick), the other
    files' functions are found where they are defined."""
    student = tmp_path / "bob"
    shutil.copytree(NG_FOUR, student)
    (student / "main.py").unlink()
    chosen = pick(files_under(student), "ng")
    assert chosen.name == "forward_propagation.py" or chosen.name == "backward_propagation.py"
    result = grade(chosen, "ng", student)
    all_required_pass(result, "ng")
    assert result.ignored == []


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
    result = grade(chosen, "ng", tmp_path)
    all_required_pass(result, "ng")
    assert result.origins["L_model_backward"] == "part2.ipynb cell 2"
    assert result.files == ["part1.py", "part2.ipynb"]


def test_a_file_no_import_can_name_is_still_the_students(tmp_path):
    """Downloaded twice: `backward (1).py` holds the student's backward pass."""
    source = (Path(__file__).parent / "submissions" / "ng" / "correct.py").read_text()
    forward, backward = source.split("def linear_backward", 1)
    (tmp_path / "forward.py").write_text(forward)
    (tmp_path / "backward (1).py").write_text("import numpy as np\nfrom forward import *\n\n"
                                             "def linear_backward" + backward)
    result = grade(tmp_path / "forward.py", "ng", tmp_path)
    all_required_pass(result, "ng")
    assert result.origins["L_model_backward"] == "backward (1).py"


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
    result = grade(main, "saito", only=["Affine.backward", "SoftmaxWithLoss.forward",
                                        "TwoLayerNet.gradient"])
    assert statuses(result) == {"Affine.backward": "passed",
                                "SoftmaxWithLoss.forward": "passed",
                                "TwoLayerNet.gradient": "passed"}, result.warnings
    assert {"mynet/__init__.py", "mynet/layers.py", "mynet/functions.py"} <= set(result.files)


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
    result = grade(layers, "saito", tmp_path, only=["Sigmoid.forward",
                                                    "SoftmaxWithLoss.forward"])
    assert statuses(result) == {"Sigmoid.forward": "passed",
                                "SoftmaxWithLoss.forward": "passed"}, result.warnings
    assert "common/functions.py" in result.files


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
    result = grade(main, "saito", only=["Affine.backward", "SoftmaxWithLoss.forward"])
    assert statuses(result) == {"Affine.backward": "passed",
                                "SoftmaxWithLoss.forward": "passed"}, result.warnings
    assert result.origins["Affine.backward"] == "../common/layers.py"


def test_a_namespace_folder_loses_to_a_module_of_that_name_on_a_later_root(tmp_path):
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "helpers.py").write_text("X = 1\n")
    main = tmp_path / "main.py"          # its folder, holding helpers/, is the first root
    main.write_text("import sys\nsys.path.append('helpers/')\nimport helpers\n")
    layout = Folder(main, tmp_path)
    layout.add_sys_path([ast.parse(main.read_text())])
    assert layout.find("helpers") == ((tmp_path / "helpers" / "helpers.py").resolve(), False)
    (tmp_path / "helpers" / "helpers.py").unlink()
    assert layout.find("helpers") == (None, True)       # nothing else: the folder itself


def test_an_upload_that_lost_its_folders_still_finds_common(tmp_path):
    """Gradescope keeps files only: two_layer_net.py, layers.py and functions.py side by
    side, the code still saying `from common.layers import *`."""
    for path in (SAITO / "common" / "layers.py", SAITO / "common" / "functions.py",
                 SAITO / "ch05" / "two_layer_net.py", SAITO / "common" / "gradient.py"):
        shutil.copy(path, tmp_path / path.name)
    chosen = pick(files_under(tmp_path), "saito")
    assert chosen.name == "layers.py"
    result = grade(chosen, "saito", tmp_path)
    all_required_pass(result, "saito")
    assert statuses(result)["TwoLayerNet.gradient"] == "passed"
    assert any("`common.functions` read from functions.py" in w for w in result.warnings)
    assert set(result.files) == {"layers.py", "functions.py", "two_layer_net.py",
                                 "gradient.py"}


def test_a_student_module_named_like_the_standard_librarys_is_theirs(tmp_path):
    """`from code import *` beside the script imports the student's code.py in Python."""
    (tmp_path / "code.py").write_text(
        "import numpy as np\n\ndef relu(Z):\n    return np.maximum(0, Z), Z\n")
    main = tmp_path / "main.py"
    main.write_text("from code import *\n")
    result = grade(main, "ng", only=["relu"])
    assert statuses(result) == {"relu": "passed"} and result.origins == {"relu": "code.py"}


def test_a_library_submodule_is_never_a_flattened_student_file(tmp_path):
    (tmp_path / "linalg.py").write_text("def norm(x):\n    return 0\n")
    main = tmp_path / "main.py"
    main.write_text("import numpy.linalg\nfrom numpy.linalg import norm\n"
                    "def relu(Z):\n    return Z * (Z > 0), Z\n")
    loaded = loader.load(main, tmp_path, {"relu"})
    assert loaded.modules == [] and loaded.files == ["main.py"]


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
    result = grade(path, "ng", only=["relu", "sigmoid"])
    assert statuses(result) == {"relu": "passed", "sigmoid": "passed"}
    assert result.origins == {"relu": "activations.py", "sigmoid": "hw.ipynb cell 2"}


def test_exec_of_a_helper_file_is_its_star_import(tmp_path):
    (tmp_path / "helpers.py").write_text(
        "import numpy as np\n\ndef relu(Z):\n    return np.maximum(0, Z), Z\n")
    main = tmp_path / "main.py"
    main.write_text("exec(open('helpers.py').read())\n\n"
                    "def sigmoid(Z):\n    return 1 / (1 + np.exp(-Z)), Z\n")
    result = grade(main, "ng", only=["relu", "sigmoid"])
    assert statuses(result) == {"relu": "passed", "sigmoid": "passed"}
    assert result.origins["relu"] == "helpers.py"


def test_a_long_import_chain_is_loaded_without_recursion(tmp_path):
    """m0 imports m1 imports ... m299: the first MAX_MODULES are sent, nothing overflows."""
    for k in range(300):
        (tmp_path / f"m{k}.py").write_text(f"import m{k + 1}\n\ndef f{k}():\n    return {k}\n")
    main = tmp_path / "main.py"
    main.write_text("import m0\n")
    loaded = loader.load(main)
    assert loaded.error is None and len(loaded.modules) == folder.MAX_MODULES
    assert [m.name for m in loaded.modules[:3]] == ["m0", "m1", "m10"]


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
    result = grade(chosen, "saito", student, only=["Affine.backward", "TwoLayerNet.gradient"])
    assert statuses(result) == {"Affine.backward": "failed", "TwoLayerNet.gradient": "passed"}
    assert result.origins["TwoLayerNet.gradient"] == "ch05/two_layer_net.py"


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
    result = grade(main, "ng", tmp_path, only=["linear_forward", "L_model_forward",
                                               "L_model_backward", "sigmoid"])
    assert statuses(result) == {"linear_forward": "missing", "L_model_forward": "missing",
                                "L_model_backward": "missing", "sigmoid": "supplied"}
    assert all("is not defined in the submission" in d for d in diagnoses(result).values())
    assert not any("did you mean" in d for d in diagnoses(result).values())
    assert "linear_forward" not in result.origins
    assert result.files == ["application.py"] and result.ignored == []
    assert any("course's own files" in w and "dnn_app_utils_v3.py" in w
               for w in result.warnings)


def test_a_helper_the_course_does_not_provide_is_not_supplied(tmp_path):
    """`from dnn_utils_v2 import cross_entropy`: dnn_utils has no such function."""
    path = tmp_path / "cost.py"
    path.write_text("from dnn_utils_v2 import *\nfrom dnn_utils_v2 import cross_entropy\n\n"
                    "def compute_cost(AL, Y):\n    return cross_entropy(AL, Y)\n")
    result = grade(path, "ng", only=["compute_cost"])
    failed = diagnoses(result)
    assert "`dnn_utils_v2.cross_entropy`" in failed["compute_cost"]
    assert "cost.py, line 5, in compute_cost" in failed["compute_cost"]


def test_a_decorator_from_a_module_the_grader_lacks_leaves_the_function(tmp_path):
    """`@timer` from the student's dnn_utils (stood in for) and `@profile` from a library
    the grader does not have: the functions are the student's, graded as written. A
    helper called with data still raises its clear error (ng_decorated/step.py, graded
    as written: verdicts.json)."""
    path = tmp_path / "cost.py"
    path.write_text("import numpy as np\nfrom dnn_utils import timer\n\n"
                    "def compute_cost(AL, Y):\n    return timer(AL, Y)\n")
    result = grade(path, "ng", only=["compute_cost"])
    assert "`dnn_utils.timer`" in diagnoses(result)["compute_cost"]


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
    graded = {t["name"]: t["extra_data"]["grade_status"] for t in alice["tests"]}
    assert "passed" not in graded.values() and graded["linear_forward"] == "missing"
    assert alice["extra_data"]["files_graded"] == ["alice.py"]


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

