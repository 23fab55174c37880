"""The case generator: deterministic, covering, and driven by the registries."""

import numpy as np
import pytest

from manual import ACTIVATIONS, LOSSES, register_activation, unregister_activation
from reference.oracle.cases import combinations, generate
from reference.pytest_plugin import DEFAULT_MATRIX_CASES


def test_same_seed_same_cases_and_arrays():
    a, b = generate(60, seed=5), generate(60, seed=5)
    assert [c.id for c in a] == [c.id for c in b]
    for x, y in zip(a[::7], b[::7]):
        for p, q in zip(x.arrays()[0], y.arrays()[0]):
            np.testing.assert_array_equal(p, q)
    assert [c.id for c in generate(60, seed=6)] != [c.id for c in a]


def test_any_slice_is_the_same_as_in_the_whole_stream():
    whole = generate(40, seed=2)
    assert [c.sizes for c in generate(40, seed=2, start=25)] == [c.sizes for c in whole[25:]]


def test_default_matrix_covers_every_combination_and_the_edge_shapes():
    cases = generate(DEFAULT_MATRIX_CASES, seed=0)
    assert len(cases) >= 2000
    assert len({c.id for c in cases}) == len(cases), "ids must be unique"
    seen = {(c.hidden, c.output, c.loss, c.layout, c.dtype) for c in cases}
    expected = {(h, o, lo, lay, dt) for h, (o, lo), lay, dt in combinations()}
    assert seen == expected
    assert {c.hidden for c in cases} == set(ACTIVATIONS)
    assert {c.loss for c in cases} == set(LOSSES)
    assert any(c.m == 1 for c in cases) and any(1 in c.sizes for c in cases)
    assert {len(c.sizes) - 1 for c in cases} == {1, 2, 3, 4, 5, 6}
    assert max(max(c.sizes) for c in cases) == 12
    assert any(c.reduction == "sum" for c in cases)


def test_ids_carry_structure():
    c = generate(1, seed=0)[0]
    parts = c.id.split("-")
    assert parts[:3] == [c.hidden, c.output, c.loss]
    assert f"-{'x'.join(map(str, c.sizes))}-m{c.m}" in c.id


def test_arrays_follow_the_layout():
    for c in generate(40, seed=1):
        w, b, X, Y = c.arrays()
        n0, nL = c.sizes[0], c.sizes[-1]
        if c.layout == "columns":
            assert X.shape == (n0, c.m) and Y.shape == (nL, c.m) and b[0].shape == (c.sizes[1], 1)
        else:
            assert X.shape == (c.m, n0) and Y.shape == (c.m, nL) and b[0].shape == (c.sizes[1],)
        assert X.dtype == np.dtype(c.dtype) == w[0].dtype


def test_relu_cases_keep_z_off_the_kink():
    for c in generate(520, seed=0):
        if c.hidden == "relu" and c.dtype == "float64":
            net, X, _ = c.network()
            net.forward(X)
            for z in net.zs[:-1]:
                assert np.abs(z).min() >= 1e-3


@pytest.fixture
def cube():
    register_activation("cube_test", lambda z: z**3, lambda z, a: 3 * z * z, "z * z * z",
                        domain=(-2, 2))
    yield "cube_test"
    unregister_activation("cube_test")


def test_a_new_registry_entry_is_picked_up_by_the_matrix(cube):
    hidden = {h for h, *_ in combinations()}
    assert cube in hidden
    assert any(c.hidden == cube for c in generate(len(combinations()), seed=0))
