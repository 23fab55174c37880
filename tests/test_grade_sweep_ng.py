"""What the sweep of real course 2, 4 and 5 notebooks asked of the grader, each at its
mechanism (the fixtures that reproduce the notebooks are rows of
tests/submissions/real/verdicts.json, run by tests/test_grade_real.py)."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from reference.grade import oldnumpy
from reference.grade.cases import case_rng
from reference.grade.probes.layers import skeleton, skeleton_raised
from reference.grade.styles import get_style


def _run(code: str) -> dict:
    ns: dict = {"np": np}
    oldnumpy.bind(ns)
    exec(compile(oldnumpy.rewrite(ast.parse(code)), "<student>", "exec"), ns)
    return ns


def test_a_one_element_array_stored_in_an_element_as_numpy_1_did():
    """NumPy 1 stored a (1, 1, 1) array in one element (deprecated in 1.25); NumPy 2
    raises ValueError: the student's store runs as it did, and stores its element."""
    with pytest.raises(ValueError):
        np.zeros(2)[0] = np.full((1, 1, 1), 3.0)
    ns = _run("Z = np.zeros((2, 2))\nZ[0, 1] = np.float64(np.ones(1) + np.full((1, 1, 1), 2.))")
    np.testing.assert_array_equal(ns["Z"], [[0.0, 3.0], [0.0, 0.0]])


def test_an_object_array_keeps_the_array_it_is_given():
    """Nielsen's object arrays of layers hold a (1, 1) bias as an array, never a number."""
    ns = _run("B = np.empty(2, dtype=object)\nB[0] = np.ones((1, 1))")
    assert isinstance(ns["B"][0], np.ndarray) and ns["B"][0].shape == (1, 1)


def _raised(fn, *args):
    try:
        fn(*args)
    except Exception as exc:  # noqa: BLE001 - the error under test
        return exc
    raise AssertionError("did not raise")


def test_the_skeleton_is_told_from_a_typo():
    """A TypeError of a placeholder the skeleton unpacks or loops over, and a NameError in
    a body that binds nothing (2021's commented-out body), are the skeleton's; a NameError
    in written code (a typo) is the student's own."""
    ns = _run('''
def unpacks(dZ, cache):
    (A_prev, W) = None
    return A_prev

def loops(x):
    for i in range(None):
        pass

def commented(x):
    # mask = None
    return mask

def typo(x):
    window = x + 1
    return np.max(windw)
''')
    assert "placeholders" in skeleton_raised([ns["unpacks"]], _raised(ns["unpacks"], 1, 2))
    assert "placeholders" in skeleton_raised([ns["loops"]], _raised(ns["loops"], 1))
    assert "commented out" in skeleton_raised([ns["commented"]], _raised(ns["commented"], 1))
    assert skeleton_raised([ns["typo"]], _raised(ns["typo"], 1)) == ""
    assert skeleton(ns["unpacks"]) and not skeleton(ns["typo"])


@pytest.mark.parametrize(("style", "name"), [("ng-c4w1", "pool_backward"),
                                             ("ng-c4w1", "conv_backward"),
                                             ("cs231n-a2", "max_pool_backward_naive"),
                                             ("cs231n-a2", "conv_backward_naive")])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_strided_layer_is_graded_where_the_stride_moves_a_window(style, name, seed):
    """A loop that starts each window at h instead of h·stride is right whenever the
    stride is 1 or one window fits on each axis: every layer's cases hold one where the
    stride (> 1) moves a window (a real pool_backward so passed)."""
    [fn] = [f for f in get_style(style).functions if f.name == name]
    by_layer: dict[str, bool] = {}
    for case in fn.cases(case_rng(seed, fn.name), 4):
        lc = case.expected["case"]
        H, W = lc.arrays[next(iter(lc.arrays))].shape[1:3] if style == "ng-c4w1" else \
            lc.arrays["x"].shape[2:]
        config = lc.config()
        stride = config["stride"]
        f_h = config.get("f") or config.get("pool_height") or lc.arrays.get(
            "W", lc.arrays.get("w")).shape[0 if style == "ng-c4w1" else 2]
        pad = config.get("pad", 0)
        moves = stride > 1 and H + 2 * pad - f_h >= stride
        by_layer[lc.layer] = by_layer.get(lc.layer, False) or moves or "strided" in lc.tags
    assert by_layer and all(by_layer.values()), by_layer


def test_a_placeholder_item_assignment_is_the_skeletons():
    """The 2018 LSTM cell's `concat = None` then `concat[:n_a, :] = None`: TypeError on
    NoneType in a function binding None again and again is the skeleton's; one `= None`
    in written code is not."""
    ns = _run('''
def skeleton_cell(xt, a_prev):
    concat = None
    concat[:2, :] = None
    ft = None
    it = None
    return ft, it

def written(xt, a_prev):
    cache = None
    return cache[0] + xt
''')
    assert "placeholders" in skeleton_raised([ns["skeleton_cell"]],
                                             _raised(ns["skeleton_cell"], 1, 2))
    assert skeleton_raised([ns["written"]], _raised(ns["written"], 1, 2)) == ""
