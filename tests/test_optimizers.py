"""The optimizer registry: every `manual.optimizers` entry against its torch.optim recipe
(`reference.oracle.optimizers`) over seeded multi-step float64 trajectories, the
rescalings the recipes rely on, and hand-computed first steps."""

from __future__ import annotations

import numpy as np
import pytest

from manual.errors import InputError
from manual.optimizers import OPTIMIZERS, run, step
from reference.oracle.optimizers import torch_run
from reference.oracle.tolerances import OPTIMIZER_STEPS, within

pytest.importorskip("torch")

RTOL, ATOL = OPTIMIZER_STEPS


def _trajectory_case(seed: int, name: str):
    """w, 6 gradients and hyper-parameters drawn away from the defaults (a large and a
    tiny gradient scale: ε matters on the tiny one)."""
    rng = np.random.default_rng(seed)
    shape = tuple(int(v) for v in rng.integers(1, 5, size=int(rng.integers(1, 3))))
    scale = 1e-4 if seed % 2 else 1.0
    w = rng.standard_normal(shape)
    grads = [scale * rng.standard_normal(shape) for _ in range(6)]
    defaults = OPTIMIZERS[name].defaults
    hp = {k: float(v * rng.uniform(0.5, 2.0)) if k in ("learning_rate", "epsilon")
          else float(1 - (1 - v) * rng.uniform(0.5, 2.0)) for k, v in defaults.items()}
    return w, grads, hp


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_entry_matches_torch_optim_step_by_step(name, seed):
    w, grads, hp = _trajectory_case(seed, name)
    ours, theirs = run(name, w, grads, **hp), torch_run(name, w, grads, **hp)
    assert len(ours) == len(theirs) == len(grads)
    for k, ((w1, s1), (w2, s2)) in enumerate(zip(ours, theirs)):
        assert within(w1, w2, RTOL, ATOL), (name, k, w1, w2)
        assert set(s1) == set(s2), (name, s1.keys(), s2.keys())
        for key in s1:
            assert within(s1[key], s2[key], RTOL, ATOL), (name, k, key)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_a_step_leaves_what_it_is_given_alone(name):
    rng = np.random.default_rng(5)
    w, dw = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    _, state = step(name, w, dw)
    w0, dw0 = w.copy(), dw.copy()
    frozen = {k: np.array(v, copy=True) for k, v in state.items()}
    step(name, w, dw, state)
    assert np.array_equal(w, w0) and np.array_equal(dw, dw0)
    assert all(np.array_equal(state[k], frozen[k]) for k in state)


def test_adams_first_step_is_lr_times_the_sign_of_the_gradient():
    """Hand computation: m̂₁ = g and v̂₁ = g², so the first step is lr·g/(|g| + ε)."""
    g = np.array([3.0, -0.5, 2e-3])
    w, state = step("adam", np.zeros(3), g, learning_rate=0.1, epsilon=1e-8)
    assert state["t"] == 1
    assert within(w, -0.1 * g / (np.abs(g) + 1e-8), RTOL, ATOL)


def test_rmsprop_and_momentum_by_hand():
    """Two steps of each, written out: cache = 0.01·g₁² then 0.99·cache + 0.01·g₂²;
    v = −lr·g₁ then μ·v − lr·g₂."""
    g1, g2 = np.array([2.0]), np.array([-1.0])
    (w1, _), (w2, s2) = run("rmsprop", np.array([1.0]), [g1, g2], learning_rate=0.1)
    c1 = 0.01 * 4.0
    c2 = 0.99 * c1 + 0.01 * 1.0
    assert within(w1, [1.0 - 0.1 * 2.0 / (np.sqrt(c1) + 1e-8)], RTOL, ATOL)
    assert within(s2["cache"], [c2], RTOL, ATOL)
    assert within(w2, w1 + 0.1 / (np.sqrt(c2) + 1e-8), RTOL, ATOL)
    (_, _), (w2, s2) = run("sgd_momentum", np.array([1.0]), [g1, g2], learning_rate=0.1)
    assert within(s2["velocity"], [0.9 * -0.2 + 0.1], RTOL, ATOL)
    assert within(w2, [1.0 - 0.2 + (0.9 * -0.2 + 0.1)], RTOL, ATOL)


def test_ngs_momentum_is_cs231ns_with_the_learning_rate_times_one_minus_beta():
    """The exponential average is a convention, equal after rescaling: the same w as
    sgd_momentum with lr·(1 − β), its v = −v′/lr."""
    rng = np.random.default_rng(3)
    w, grads = rng.standard_normal(4), [rng.standard_normal(4) for _ in range(5)]
    ng = run("momentum_ema", w, grads, learning_rate=0.05, beta=0.8)
    cs = run("sgd_momentum", w, grads, learning_rate=0.05 * 0.2, momentum=0.8)
    for (w1, s1), (w2, s2) in zip(ng, cs):
        assert within(w1, w2, RTOL, ATOL)
        assert within(s1["v"], -s2["velocity"] / 0.05, RTOL, ATOL)


def test_ngs_momentum_is_not_torchs_with_dampening_one_minus_beta():
    """What the recipe avoids: dampening 1 − β weighs the gradient by β, and torch's
    undamped first buffer b = g is not Ng's v = (1 − β)·g."""
    import torch
    rng = np.random.default_rng(4)
    w, g = rng.standard_normal(3), rng.standard_normal(3)
    ours = run("momentum_ema", w, [g, g], learning_rate=0.1, beta=0.8)
    for dampening, zero_buffer in ((0.2, True), (0.8, False)):
        p = torch.tensor(w.copy(), requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1, momentum=0.8, dampening=dampening)
        if zero_buffer:
            opt.state[p]["momentum_buffer"] = torch.zeros(3, dtype=torch.float64)
        for _ in range(2):
            p.grad = torch.tensor(g)
            opt.step()
        assert not within(p.detach().numpy(), ours[-1][0], RTOL, ATOL), dampening


def test_saitos_adam_is_adam_with_a_step_dependent_epsilon():
    """adam_lr_t at ε equals adam at ε/√(1 − β₂ᵗ), one step at a time (t = 1, 2, 3)."""
    rng = np.random.default_rng(6)
    w, grads = rng.standard_normal(3), [1e-4 * rng.standard_normal(3) for _ in range(3)]
    state_a = state_b = None
    for t, g in enumerate(grads, start=1):
        wa, state_a = step("adam_lr_t", w, g, state_a, epsilon=1e-7)
        wb, state_b = step("adam", w, g, state_b, epsilon=1e-7 / np.sqrt(1 - 0.999 ** t))
        assert within(wa, wb, RTOL, ATOL)
        w = wa


def test_bad_input_is_an_input_error():
    with pytest.raises(InputError, match="unknown optimizer"):
        step("adamw", np.zeros(2), np.zeros(2))
    with pytest.raises(InputError, match="no hyper-parameter 'beta'"):
        step("adam", np.zeros(2), np.zeros(2), beta=0.9)
    with pytest.raises(InputError, match="dw has shape"):
        step("sgd", np.zeros(2), np.zeros(3))
