"""`check` runs families of cases stacked: one draw, one oracle call and one
vectorized comparison per family. Each stacked step must give what the
one-case step gives for every member."""

import dataclasses

import numpy as np
import pytest

import manual.network
from reference.check.runner import run_family
from reference.oracle import oracle_backprop, oracle_stacked
from reference.oracle.cases import draw_family, families, generate
from reference.oracle.compare import compare_gradients, compare_stacked
from reference.oracle.tolerances import SAME_ARITHMETIC, TOLERANCES

RTOL, ATOL = SAME_ARITHMETIC["float64"]
REL = TOLERANCES["float64"][0]  # one relative error computed two ways

FAMILY_CASES = generate(96, seed=3, family=6)


def _some_families(k=6):
    return families(FAMILY_CASES)[:k]


def test_a_family_draw_gives_each_member_its_own_arrays():
    for group in _some_families():
        stack = draw_family(group[0])
        assert len(stack) == 6 == len(group)
        for case in group:
            for mine, alone in zip(stack.member(case.member)[0], case.arrays()[0]):
                np.testing.assert_array_equal(mine, alone)
        # members differ: the family is K networks, not one network K times
        assert not np.array_equal(stack.X[0], stack.X[1])


def test_stacked_oracle_equals_the_one_network_oracle():
    for group in _some_families(4):
        c = group[0]
        stack = draw_family(c)
        s = oracle_stacked(stack.W, stack.b, c.activations, c.loss, stack.X, stack.Y, c.layout,
                           c.reduction)
        for k in range(len(stack)):
            w, b, X, Y = stack.member(k)
            one = oracle_backprop(w, b, c.activations, c.loss, X, Y, c.layout, c.reduction)
            for field in ("deltas", "dW", "db"):
                for mine, alone in zip(getattr(s, field), getattr(one, field)):
                    np.testing.assert_allclose(mine[k], alone, rtol=RTOL, atol=ATOL)
            assert s.cost[k] == pytest.approx(one.cost, rel=RTOL)


def test_stacked_comparison_equals_the_one_case_comparison():
    c = _some_families(1)[0][0]
    stack = draw_family(c)
    expected = oracle_stacked(stack.W, stack.b, c.activations, c.loss, stack.X, stack.Y,
                              c.layout, c.reduction)
    gots = []
    for k in range(len(stack)):
        w, b, X, Y = stack.member(k)
        gots.append(manual.Network(w, b, c.activations, c.loss, c.layout,
                                   c.reduction).backprop(X, Y))
    gots[2].dW[0] = gots[2].dW[0] + 0.5          # a wrong value in one member
    gots[4].db[-1] = gots[4].db[-1].ravel()[:1]  # a wrong shape in another
    stacked = compare_stacked(gots, expected, c.dtype)
    for k, verdict in enumerate(stacked):
        member = manual.Gradients(*[[x[k] for x in getattr(expected, f)]
                                    for f in ("deltas", "dW", "db")], expected.cost[k])
        alone = compare_gradients(gots[k], member, c.dtype)
        assert verdict.ok == alone.ok == (k not in (2, 4))
        if not verdict.ok:
            assert str(verdict.mismatch) == str(alone.mismatch)
        else:
            assert verdict.max_rel_err == pytest.approx(alone.max_rel_err, rel=REL, abs=1e-300)
    assert stacked[2].mismatch.equation == "BP4" and stacked[2].mismatch.layer == 0
    assert stacked[4].mismatch.equation == "BP3" and "shape" in stacked[4].mismatch.detail


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_an_implementation_that_modifies_its_input_cannot_fool_the_oracle(monkeypatch, dtype):
    """The oracle runs before the implementation, and the float32 noise is measured
    on fresh arrays: zeroing X in place inside backprop must not make the
    expected values agree with the wrong answer."""
    real = manual.network.Network.backprop

    def zeroing(self, X, Y):
        X[...] = 0
        return real(self, X, Y)

    monkeypatch.setattr(manual.network.Network, "backprop", zeroing)
    group = [g for g in families(generate(400, seed=3, family=6))
             if g[0].dtype == dtype and g[0].sizes[0] > 1 and g[0].hidden != "identity"][0]
    results = run_family(group)
    assert not any(r.ok for r in results)


def test_part_of_a_family_is_checked_as_in_the_whole_family():
    group = _some_families(1)[0]
    whole = run_family(group)
    part = run_family([dataclasses.replace(group[3])])
    assert part[0].id == whole[3].id and part[0].ok and whole[3].ok
    assert part[0].max_rel_err == pytest.approx(whole[3].max_rel_err, rel=REL, abs=1e-300)


@pytest.mark.parametrize("n", [0, 5000, 20000])
def test_check_gives_every_combination_a_structure_of_its_own(n):
    """Families make `check` fast, but never at the cost of a combination:
    n cases hold at least one family per combination whenever n allows (0: exactly
    as many cases as combinations)."""
    from reference.check.runner import MAX_FAMILY, family_size
    from reference.oracle.cases import combinations

    combos = combinations()
    n = n or len(combos)
    family = family_size(n, len(combos))
    cases = generate(n, seed=0, family=family)
    seen = {(c.hidden, (c.output, c.loss), c.layout, c.dtype) for c in cases}
    assert seen == set(combos)
    assert 1 <= family <= MAX_FAMILY and (n < 2 * len(combos) or family > 1)


def test_float32_through_a_width_1_bottleneck():
    """Found by the 20,000-case check: 6 layers, gelu_tanh hidden, a width-1 layer
    in the middle. gelu_tanh' written with ½(1 + tanh u) lost most digits in
    float32 where tanh u ≈ −1 (z ≈ −5), 16× worse than torch's own float32, and
    the bottleneck carried that error to every earlier δ (1.1e-5 at layer 1).
    Written with σ(2u) it is as accurate as torch's float32, and the case passes
    on the table's float32 tolerance alone, without any measured-noise allowance."""
    from reference.check.runner import family_size, run_case
    from reference.oracle import float32_noise
    from reference.oracle.cases import combinations
    from reference.oracle.compare import compare_gradients

    n = 20000
    wanted = "gelu_tanh-leaky_relu-quadratic-rows-f32-6x9x6x7x1x9x6-m8-4"
    losses = ["quadratic", "bce", "cross_entropy"]  # the registry's losses at the time
    case = next(c for c in generate(n, 0, family=family_size(n, len(combinations(
        losses=losses))), losses=losses)
                if c.id == wanted)
    w, b, X, Y = case.arrays()
    expected = oracle_backprop(w, b, case.activations, case.loss, X, Y, case.layout,
                               case.reduction)
    got = manual.Network(w, b, case.activations, case.loss, case.layout,
                         case.reduction).backprop(X, Y)
    assert compare_gradients(got, expected, "float32").ok
    noise = float32_noise(w, b, case.activations, case.loss, X, Y, case.layout, case.reduction)
    for mine, expect, torch_gap in zip(got.deltas, expected.deltas, noise.deltas):
        assert np.abs(mine - expect).max() <= 2 * torch_gap + 1e-7
    assert run_case(case).ok


def test_a_float32_case_may_miss_by_what_torchs_own_float32_misses():
    """The measured-noise allowance: an error that the table refuses passes when it
    is within NOISE_FACTOR times torch's own float32 error on the case, and a
    larger one still fails, at the right equation."""
    from reference.oracle.compare import NOISE_FACTOR, TOLERANCES, compare_gradients

    expected = manual.Gradients([np.ones((3, 2))], [np.ones((3, 3))], [np.ones((3, 1))], 0.0)
    rtol, atol = TOLERANCES["float32"]
    tiny = rtol + atol  # the table's allowance at magnitude 1
    got = manual.Gradients([np.ones((3, 2))], [np.ones((3, 3)) + 3 * tiny],
                           [np.ones((3, 1))], 0.0)
    assert not compare_gradients(got, expected, "float32").ok
    noise = manual.Gradients([0.0], [0.5 * tiny], [0.0], 0.0)
    assert compare_gradients(got, expected, "float32", noise=noise).ok
    quiet = manual.Gradients([0.0], [0.1 * tiny], [0.0], 0.0)
    verdict = compare_gradients(got, expected, "float32", noise=quiet)
    assert not verdict.ok and verdict.mismatch.equation == "BP4"
    assert 3 * tiny > NOISE_FACTOR * 0.1 * tiny
