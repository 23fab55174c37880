"""What a sweep of real CS231n assignment 2 and 3 files taught the layer styles, each
mechanism on its own (the fixtures that show them together: tests/submissions/real/
cs231n_*, run by tests/test_grade_real.py)."""

from __future__ import annotations

import numpy as np
import pytest

from reference.grade.probes.layers import computes_nothing, placeholder_error
from reference.grade.py2 import PYTHON2
from reference.oracle.layers import get_twin


@pytest.mark.parametrize(("line", "python2"), [
    ("  if verbose: print 'dx_flat: ', dx_flat.shape", True),    # the 2016 skeleton
    ("print 'loss', loss", True),
    ("if verbose: print('dx_flat: ', dx_flat.shape)", False),
    ("d = {'a': print_x}", False),
    ("x = a[1:print]", False),
    ("f = lambda: print(1)", False),
])
def test_python2_print_is_seen_after_a_one_line_if(line, python2):
    assert bool(PYTHON2.search(line)) is python2


def _skeleton_dropout_backward(dout, cache):
    dropout_param, mask = cache
    mode = dropout_param['mode']
    dx = None
    if mode == 'train':
        pass
    elif mode == 'test':
        dx = dout
    return dx


def _relu_backward_without_a_call(dout, cache):
    dx = dout
    dx[cache <= 0] = 0
    return dx


def _dropout_backward(dout, cache):
    dropout_param, mask = cache
    return dout * mask if dropout_param['mode'] == 'train' else dout


def test_a_backward_that_computes_nothing_is_the_skeleton():
    """The skeleton with its test branch filled in computes nothing; a backward that
    writes into an array or multiplies does, even without a call."""
    assert computes_nothing(_skeleton_dropout_backward)
    assert not computes_nothing(_relu_backward_without_a_call)
    assert not computes_nothing(_dropout_backward)


def _skeleton_forward(x, dropout_param):
    out = None
    if dropout_param['mode'] == 'train':
        pass
    out = out.astype(x.dtype, copy=False)
    return out, None


def _inner(value):
    return value + 1


def _helper_raises(x):
    return _inner(None) + x         # the TypeError is raised in _inner, not here


def test_a_placeholder_left_at_none_is_named_only_in_the_function_itself():
    with pytest.raises(AttributeError) as raised:
        _skeleton_forward(np.ones(2), {"mode": "train"})
    assert "placeholder left at None" in placeholder_error(_skeleton_forward, raised.value)
    with pytest.raises(TypeError) as deeper:
        _helper_raises(np.ones(2))
    assert placeholder_error(_helper_raises, deeper.value) == ""


def test_dropout_own_gradient_is_dout_times_what_the_forward_multiplied_x_by():
    """out = x ⊙ s unit by unit, so the forward's own dx is dout ⊙ s (hand-computed:
    vanilla dropout's s is the 0/1 mask; a division by 0 gives inf where kept)."""
    own = get_twin("dropout").own
    x = np.array([[1.0, -2.0, 0.5]])
    dout = np.array([[3.0, 1.0, -1.0]])
    got = own({"x": x}, {"p": 0.5, "mode": "train"}, {"out": np.array([[1.0, 0.0, 0.5]])},
              {"dout": dout})
    np.testing.assert_array_equal(got["dx"], [[3.0, 0.0, -1.0]])
    with np.errstate(all="ignore"):
        out = x * np.array([[1.0, 0.0, 1.0]]) / 0.0
    got = own({"x": x}, {"p": 0.5, "mode": "train"}, {"out": out}, {"dout": dout})
    assert np.isposinf(got["dx"][0, 0]) and np.isnan(got["dx"][0, 1])
    assert own({"x": x}, {}, {"out": np.ones((2, 2))}, {"dout": dout}) is None
