"""What of a submission runs when it loads, and how its text is read: only imports, defs,
classes, constant assignments and the `if`/`try` blocks choosing an import are kept;
notebooks of every nbformat with their IPython lines dropped one by one; files in the
encoding their coding line names, or in UTF-16. Built from hand-written files and the real
fixtures (tests/submissions/real; their TA verdicts: tests/test_grade_real.py)."""

from __future__ import annotations

import json
import shutil

import pytest

from reference.grade import loader
from reference.grade.pick import files_under, pick
from tests.real_patterns import REAL, diagnoses, grade, statuses

SAITO = REAL / "saito_ch05"


def test_an_assignment_that_would_run_student_code_is_still_dropped(tmp_path):
    path = tmp_path / "net.py"
    path.write_text("import numpy as np\n\ndef train(n):\n    raise SystemExit(n)\n\n"
                    "act = np.vectorize(train)\nlater = lambda z: undefined_yet(z)\n"
                    "result = np.array(train(3))\nnet = train\nloop = [train for _ in 'ab']\n")
    kept = [s.source.split(" =")[0] for s in loader.load(path).segments
            if s.kind == "code" and not s.source.startswith("def ")]
    assert kept == ["act", "later", "net"]      # never `result = ...train(3)`, nor the loop


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
    assert {"sigmoid", "sigmoid_prime"} <= set(lam.defines)     # graded: verdicts.json


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
    result = grade(main, "saito", only=["Relu.forward", "Relu.backward"])
    assert statuses(result) == {"Relu.forward": "passed", "Relu.backward": "passed"}
    assert [s.source.split("\n")[0] for s in loader.load(main).segments] == [
        "from common.np import *", "class Relu:"]


def test_the_second_books_cupy_switch_with_its_set_up_lines_gives_numpy():
    """common/np.py: `if GPU: import cupy as np` with the allocator set and a banner
    printed, `else: import numpy as np`. Dropping the whole `if` left every layer using
    np without it (Relu, which needs no np, passed alone)."""
    segments = loader.load(REAL / "saito_cupy_switch" / "common" / "np.py").segments
    assert any(s.source.startswith("if GPU:") and "import numpy as np" in s.source
               for s in segments)   # graded, with np.py among its files: test_grade_real


def test_an_if_running_code_without_choosing_an_import_is_still_dropped(tmp_path):
    path = tmp_path / "net.py"
    path.write_text("import numpy as np\nDEBUG = True\nif DEBUG:\n    train()\n"
                    "if DEBUG:\n    import os\n    train()\n")
    kept = [s.source for s in loader.load(path).segments]
    assert kept == ["import numpy as np", "DEBUG = True"]


def test_a_file_importing_other_modules_but_not_numpy_keeps_its_name_error(tmp_path):
    path = tmp_path / "hw.py"
    path.write_text("import math\n\ndef relu(Z):\n    return np.maximum(0, Z), Z\n")
    result = grade(path, "ng", only=["relu"])
    assert "NameError: name 'np' is not defined (hw.py, line 4, in relu)" in \
        diagnoses(result)["relu"]
    assert not any("import numpy as np" in w for w in result.warnings)


def test_ipython_lines_are_dropped_one_by_one():
    cells = loader.read_cells(REAL / "notebooks" / "shell_assignments.ipynb")
    text = "\n".join(src for _, src in cells)
    assert "!ls" not in text and "%time" not in text and "%who_ls" not in text
    assert "def sigmoid" in text and "def _check" in text
    tree = loader.load(REAL / "notebooks" / "shell_assignments.ipynb")
    assert not any("syntax error" in w for w in tree.warnings)


def test_notebook_lines_left_in_a_py_file_are_dropped_with_a_note(tmp_path):
    """A notebook pasted into a .py file keeps `%matplotlib inline`: not Python, but the
    functions in the file are the student's work."""
    path = tmp_path / "hw.py"
    path.write_text("import numpy as np\n%matplotlib inline\nfiles = !ls\n\n"
                    "def relu(Z):\n    return np.maximum(0, Z), Z\n")
    result = grade(path, "ng", only=["relu"])
    assert result.error is None and statuses(result) == {"relu": "passed"}
    assert any("IPython lines dropped (line 2, 3)" in w for w in result.warnings)
    (tmp_path / "bad.py").write_text("def f(:\n    pass\n")
    assert "syntax error: bad.py, line 1" in loader.load(tmp_path / "bad.py").error


def test_a_python_line_beginning_with_percent_is_kept(tmp_path):
    """String formatting continued on a line starting with `%` is Python, not a magic."""
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
                     "source": "def label(x):\n    return ('value %d'\n            % x)\n"}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "fmt.ipynb"
    path.write_text(json.dumps(nb))
    loaded = loader.load(path)
    assert loaded.error is None and "% x" in loaded.segments[0].source


def test_nbformat3_cells_are_read_in_order():
    cells = loader.read_cells(REAL / "notebooks" / "nbformat3.ipynb")
    assert cells[0][0] == "nbformat3.ipynb cell 1"
    assert cells[0][1].strip() == "import numpy as np"
    assert "def sigmoid" in cells[1][1]       # cell 2 is markdown: numbering keeps it


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


def test_a_file_in_the_encoding_its_coding_line_names_is_read_in_it():
    """Saved as Shift_JIS with `# -*- coding: shift_jis -*-`: 表 ends in the byte 0x5C,
    which read as UTF-8 is a backslash escaping the closing quote (a syntax error)."""
    raw = (REAL / "saito_shift_jis" / "layers.py").read_bytes()
    assert b"coding: shift_jis" in raw and "表\"".encode("shift_jis") in raw
    loaded = loader.load(REAL / "saito_shift_jis" / "layers.py")
    assert loaded.error is None
    assert any('LABEL = "出力表"' in s.source for s in loaded.segments)


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

