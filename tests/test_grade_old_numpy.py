"""Old code in every style: what NumPy 2 removed run as it ran (`oldnumpy`, the child's
shims: tested here on the wrappers themselves, never installed into this process), and a
crash that is only the code's age reported as such (`oldcode`, the parent's reading of
the error). The catalogs' files (cs231n-a2's variant_old_numpy.py and
old_code_asfarray.py, cs231n-a3's and ng-c4w1's) grade them end to end."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from reference.grade import codec, oldcode, oldnumpy, report
from reference.grade.base import Finding, GradeCase
from reference.grade.interpret import interpret
from reference.grade.options import Limits
from reference.grade.results import SubmissionResult
from reference.grade.sandbox import ChildResult
from reference.grade.styles import get_style
from reference.oracle.kinds import Kind


def _run(src: str) -> dict:
    """`src` compiled as the worker compiles a student's code (oldnumpy.rewrite, bind)."""
    ns = {"np": np}
    oldnumpy.bind(ns)
    exec(compile(oldnumpy.rewrite(ast.parse(src)), "<student>", "exec"), ns)  # noqa: S102
    return ns


def test_itemset_sets_the_item_as_numpy_1_did():
    ns = _run("a = np.zeros((2, 3))\na.itemset((1, 2), 5.0)\na.itemset(0, 7.0)\n"
              "a.itemset(1, 0, 9.0)\nb = np.zeros((1, 1))\nb.itemset(4.0)\n")
    expected = np.zeros((2, 3))
    expected[1, 2], expected[0, 0], expected[1, 0] = 5.0, 7.0, 9.0   # by hand
    np.testing.assert_array_equal(ns["a"], expected)
    assert ns["b"][0, 0] == 4.0
    with pytest.raises(ValueError):              # as NumPy 1: only a one-element array
        _run("c = np.zeros(3)\nc.itemset(1.0)\n")


def test_an_object_of_the_students_own_keeps_its_itemset():
    ns = _run("class Box:\n    def itemset(self, *a):\n        return ('mine', a)\n"
              "r = Box().itemset(1, 2)\n")
    assert ns["r"] == ("mine", (1, 2))


def test_newshape_and_generators_are_taken_as_before_numpy_2():
    reshape = oldnumpy._newshape(np.reshape)
    assert reshape(np.arange(6), newshape=(2, 3)).shape == (2, 3)
    assert reshape(np.arange(6), (3, 2)).shape == (3, 2)
    rows = [np.ones(2), np.zeros(2)]
    for name in oldnumpy.STACKING:
        tolerant = oldnumpy._sequence(getattr(np, name))
        np.testing.assert_array_equal(tolerant(r for r in rows), getattr(np, name)(rows))
    with pytest.raises(TypeError):               # this process's NumPy is untouched
        np.vstack(r for r in rows)


def test_python2_divides_integers_to_their_floor_and_anything_else_truly():
    """Python 2's `/` (classic division), decided when it runs: the sides' types are
    rarely known from the source (`(H + 2 * pad - HH) / stride`, the ints from a dict)."""
    src = ("def size(H, pad, HH, stride):\n    return 1 + (H + 2 * pad - HH) / stride\n"
           "a = size(5, 1, 3, 2)\nb = size(5.0, 1, 3, 2)\nc = np.arange(7) / 2\n"
           "d = np.ones(2) / 4\ne = 1.0 / 4\nf = np.int64(7) / 2\n")
    ns = {"np": np}
    oldnumpy.bind(ns)
    tree = oldnumpy.python2_divisions(oldnumpy.rewrite(ast.parse(src)))
    exec(compile(tree, "<student>", "exec"), ns)  # noqa: S102
    # by hand: 1 + 4 // 2; 1 + 4.0 / 2; [0 0 1 1 2 2 3]; 0.25; 0.25; 3
    assert (ns["a"], ns["b"], ns["e"], ns["f"]) == (3, 3.0, 0.25, 3)
    assert type(ns["a"]) is int
    np.testing.assert_array_equal(ns["c"], [0, 0, 1, 1, 2, 2, 3])
    np.testing.assert_array_equal(ns["d"], [0.25, 0.25])


def test_the_renamed_names_are_numpys_own_objects():
    for old, new in oldnumpy.EQUIVALENTS.items():
        assert hasattr(np, new), (old, new)      # each points at a name NumPy has
    assert oldnumpy._asscalar(np.array([[2.5]])) == 2.5


@pytest.mark.parametrize(("error", "said"), [
    ("AttributeError: module 'numpy' has no attribute 'int'.\n`np.int` was a deprecated",
     "np.int removed in NumPy 1.24"),
    ("AttributeError: `np.asfarray` was removed in the NumPy 2.0 release. Use `np.asarray`",
     "np.asfarray removed in NumPy 2.0 (now np.asarray(a, dtype=float))"),
    ("AttributeError: 'numpy.ndarray' object has no attribute 'itemset'",
     "ndarray.itemset removed in NumPy 2.0"),
    ("TypeError: reshape() got an unexpected keyword argument 'newshape'",
     "newshape= removed in NumPy 2.4"),
    ('TypeError: arrays to stack must be passed as a "sequence" type such as list or tuple.',
     "refused since NumPy 1.25"),
    ("TypeError: only 0-dimensional arrays can be converted to Python scalars",
     "refused since NumPy 2"),
    ("NameError: name 'xrange' is not defined", "xrange is Python 2 (Python 3: range)"),
    ("AttributeError: 'dict' object has no attribute 'iteritems'", "dict.iteritems is Python 2"),
])
def test_an_error_of_the_codes_age_is_named(error, said):
    assert said in oldcode.explain(error)


@pytest.mark.parametrize("error", [
    "AttributeError: module 'numpy' has no attribute 'sigmoid'",     # never NumPy's
    "NameError: name 'dZ' is not defined",
    "ValueError: operands could not be broadcast together with shapes (3,4) (4,3)",
    "TypeError: unsupported operand type(s) for +: 'int' and 'NoneType'"])
def test_a_students_own_error_is_not_old_code(error):
    assert oldcode.explain(error) is None
    found = Finding("runtime", error, kind=Kind.RUNTIME)
    assert oldcode.mark(found).kind is Kind.RUNTIME and found.diagnosis == error


def test_wrong_math_is_never_old_code():
    """Only a crash is read: a wrong value quoting a removed name stays a wrong value."""
    found = Finding("BP4", "dW is wrong; module 'numpy' has no attribute 'int'",
                    kind=Kind.VALUE)
    assert oldcode.mark(found).kind is Kind.VALUE


@pytest.mark.parametrize(("style", "name"), [("cs231n-a2", "relu_forward"),
                                             ("ng", "linear_backward"),
                                             ("saito", "Affine.backward")])
def test_the_verdict_of_every_style_says_old_code(style, name):
    """The parent's reading of a case that raised (`interpret`, shared by dense and layer
    styles): the crash is kind OLD_CODE and its words say what NumPy removed."""
    fn = next(f for f in get_style(style).functions if f.name == name)
    error = "AttributeError: `np.float_` was removed in the NumPy 2.0 release."
    answer = {"status": "ok", "policy": [], "cases": [
        {"ok": False, "error": error, "raised_in": name.split(".")[-1]}]}
    fr, _, _ = interpret(fn, [GradeCase({}, {})], ChildResult(codec.encode(answer)), Limits())
    assert fr.status == "failed" and fr.finding.kind is Kind.OLD_CODE
    assert fr.finding.diagnosis.startswith("old code: np.float_ removed in NumPy 2.0 (now "
                                           "np.float64), not wrong math: ")
    data = report.gradescope(SubmissionResult("s.py", style, 0, [fr]))
    assert data["tests"][0]["extra_data"]["kind"] == "old code"
