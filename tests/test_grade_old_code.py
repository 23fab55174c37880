"""Code of its time graded as it ran: Python 2 converted with fissix (a `/` between integers
read as the floor division it was, only where Python 2 ran the file), tabs mixed with spaces,
compatibility imports (six, past), and NumPy's ragged object arrays of before 1.24. The real
fixtures of these patterns are rows of tests/submissions/real/verdicts.json
(tests/test_grade_real.py)."""

from __future__ import annotations

import ast

import pytest

from reference.grade.py2 import compat_import, floor_divisions, from_python2, integer_range
from tests.real_patterns import grade, statuses


def test_python2_mixing_tabs_and_spaces_is_converted(tmp_path):
    """Python 2 read a tab as indentation to the next multiple of 8; Python 3 refuses."""
    path = tmp_path / "network.py"
    path.write_text("import numpy as np\n\ndef sigmoid(z):\n    if True:\n"
                    "\treturn 1.0 / (1.0 + np.exp(-z))\n    print 'unreachable'\n")
    result = grade(path, "nielsen", only=["sigmoid"])
    assert result.error is None and statuses(result) == {"sigmoid": "passed"}
    assert any("Python 2" in w for w in result.warnings)


def test_tabs_and_spaces_mixed_without_other_python2_marks_are_read_as_python2(tmp_path):
    """A file that ran under Python 2 (print(...) with parentheses, no other Python 2 sign)
    with a tab-indented line among space-indented ones: Python 3 refuses it (TabError),
    Python 2 read the tab as 8 columns."""
    path = tmp_path / "network.py"
    path.write_text("import numpy as np\n\ndef sigmoid(z):\n    if True:\n"
                    "\treturn 1.0 / (1.0 + np.exp(-z))\n    print('unreachable')\n")
    result = grade(path, "nielsen", only=["sigmoid"])
    assert result.error is None and statuses(result) == {"sigmoid": "passed"}
    assert any("tabs and spaces mixed" in w for w in result.warnings)


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


def test_compatibility_imports_bind_python3s_builtins():
    assert compat_import(ast.parse("from past.builtins import xrange").body[0]) == \
        "xrange = range"
    assert compat_import(ast.parse("from six.moves import range as r, zip").body[0]) == \
        "r = range; zip = zip"
    assert compat_import(ast.parse("from six.moves import cPickle").body[0]) is None
    assert compat_import(ast.parse("from numpy import zeros").body[0]) is None


def test_np_array_is_unchanged_but_for_ragged_lists():
    import numpy as np

    from reference.grade.oldnumpy import _ragged

    array = _ragged(np.array)
    ragged = array([np.zeros((3, 1)), np.zeros((1, 1))])
    assert ragged.dtype == object and ragged.shape == (2,) and ragged[0].shape == (3, 1)
    assert array([[1, 2], [3, 4]]).shape == (2, 2)
    with pytest.raises(ValueError):
        array([np.zeros((3, 1)), np.zeros((1, 1))], dtype=float)   # asked for: refused



def _run_rewritten(src: str) -> dict:
    """`src` compiled as the worker compiles a student's code (oldnumpy.rewrite, bind)."""
    import numpy as np

    from reference.grade.oldnumpy import bind, rewrite

    ns = {"np": np}
    bind(ns)
    exec(compile(rewrite(ast.parse(src)), "<student>", "exec"), ns)  # noqa: S102
    return ns


def test_float_of_a_one_element_array_converts_as_numpy_1_did_in_the_students_code_only():
    import numpy as np

    ns = _run_rewritten("b = np.full((1, 1, 1), 0.5)\nz = 2.0 + float(b)\nn = int(b * 6)\n"
                        "ok = isinstance(z, float) and np.zeros(2, dtype=float).dtype == float\n"
                        "try:\n    float(np.ones(2))\n    two = None\nexcept TypeError:\n"
                        "    two = 'refused'\n")
    # 2 + 0.5 and int(3.0), by hand; the names float/int stay the builtins
    assert (ns["z"], ns["n"], ns["ok"], ns["two"]) == (2.5, 3, True, "refused")
    with pytest.raises(TypeError):        # outside the student's code NumPy 2 is unchanged
        float(np.full((1, 1, 1), 0.5))
    # a module that binds `float` itself keeps its own
    assert _run_rewritten("def float(x):\n    return 'mine'\ny = float(1)\n")["y"] == "mine"
