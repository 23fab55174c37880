"""Training: k steps of manual SGD (with L2) end where torch.optim.SGD ends."""

import numpy as np
import pytest

from manual import Network
from manual.training import iter_minibatches
from reference.oracle import oracle_fit
from reference.oracle.cases import Case
from reference.oracle.tolerances import TRAINING


@pytest.mark.parametrize("layout", ["columns", "rows"])
@pytest.mark.parametrize("l2", [0.0, 0.7])
@pytest.mark.parametrize("activations, loss", [
    (["tanh", "sigmoid"], "bce"), (["relu", "softmax"], "cross_entropy"),
    (["softplus", "identity"], "quadratic")])
def test_sgd_matches_torch_optim(layout, l2, activations, loss):
    case = Case(activations[0], activations[1], loss, layout, "float64", (4, 5, 3), 10, seed=7)
    w, b, X, Y = case.arrays()
    net = Network(w, b, activations, loss, layout)
    costs = net.fit(X, Y, epochs=3, batch_size=4, lr=0.3, l2=l2, seed=1)
    tw, tb = oracle_fit(w, b, activations, loss, X, Y, layout=layout, epochs=3, batch_size=4,
                        lr=0.3, l2=l2, seed=1)
    for mine, theirs in zip(net.weights + net.biases, tw + tb):
        np.testing.assert_allclose(mine, theirs, rtol=TRAINING[0], atol=TRAINING[1])
    assert len(costs) == 3
    assert not np.allclose(net.weights[0], w[0]), "training did not move the weights"


def test_fit_does_not_modify_the_callers_arrays():
    case = Case("tanh", "sigmoid", "bce", "columns", "float64", (3, 2), 6, seed=3)
    w, b, X, Y = case.arrays()
    before = [x.copy() for x in w + b]
    Network(w, b, ["sigmoid"], "bce").fit(X, Y, epochs=2, lr=0.5)
    for x, y in zip(w + b, before):
        np.testing.assert_array_equal(x, y)


def test_minibatches_cover_every_example_once_per_epoch():
    epochs = list(iter_minibatches(10, 3, 2, seed=0))
    assert len(epochs) == 2
    for epoch in epochs:
        assert [len(b) for b in epoch] == [3, 3, 3, 1]
        assert sorted(np.concatenate(epoch)) == list(range(10))
    assert not np.array_equal(np.concatenate(epochs[0]), np.concatenate(epochs[1]))


def test_cost_decreases_on_a_learnable_problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 64))
    Y = (X[0:1] + X[1:2] > 0).astype(float)
    net = Network.init([2, 8, 1], ["tanh", "sigmoid"], loss="bce", seed=0, init="xavier")
    costs = net.fit(X, Y, epochs=30, batch_size=16, lr=0.5, seed=0)
    assert costs[-1] < 0.5 * costs[0]
