"""Initializers: the shapes of each layout, the scale of each method, symmetry breaking."""

import numpy as np
import pytest

from manual import InputError, Network, initialize

SPREAD = 0.05  # a sample standard deviation of 60,000 draws: 5% is ~12 standard errors


@pytest.mark.parametrize("layout, w_shape, b_shape", [
    ("columns", (300, 200), (300, 1)), ("rows", (200, 300), (300,))])
@pytest.mark.parametrize("method, std", [
    ("ng", 0.01), ("he", np.sqrt(2 / 200)), ("xavier", np.sqrt(1 / 200))])
def test_shapes_and_scale(layout, w_shape, b_shape, method, std):
    (w, w2), (b, b2) = initialize([200, 300, 4], layout=layout, seed=1, method=method)
    assert w.shape == w_shape and b.shape == b_shape
    assert w.std() == pytest.approx(std, rel=SPREAD)
    assert not b.any() and not b2.any()
    assert len(np.unique(w)) == w.size, "no symmetry breaking"


def test_seed_and_dtype():
    a, _ = initialize([3, 4], seed=7, dtype=np.float32)
    b, _ = initialize([3, 4], seed=7, dtype=np.float32)
    c, _ = initialize([3, 4], seed=8, dtype=np.float32)
    assert a[0].dtype == np.float32
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("sizes, message", [
    ([4], "describe no layer"), ([4, 0, 1], "positive integer"), ([4, 2.5], "positive integer")])
def test_bad_sizes(sizes, message):
    with pytest.raises(InputError, match=message):
        initialize(sizes)


def test_unknown_method():
    with pytest.raises(InputError, match="unknown initializer 'glorot'"):
        Network.init([2, 1], ["sigmoid"], init="glorot")
