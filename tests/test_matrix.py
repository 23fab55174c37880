"""The matrix: every case of the seeded stream checked three ways.

1. manual (BP1..BP4) against torch autograd, equation by equation;
2. the batch against each example alone (where the 1/m lives);
3. ⟨∇C, V⟩ against a central difference of the cost along a random V.

Cases come from `reference.oracle.cases.generate` through the `oracle_case`
parametrization of the pytest plugin (--oracle-seed, --oracle-cases,
--oracle-shard).
"""

from reference.check.runner import run_case
from tests.properties import directional, per_example


def test_manual_matches_autograd(oracle_case):
    result = run_case(oracle_case)
    assert result.ok, f"{oracle_case.id}: {result.mismatch}"
    net, X, Y = oracle_case.network()
    got = net.backprop(X, Y)
    mismatch = per_example(net, X, Y, got)
    assert mismatch is None, f"{oracle_case.id}: {mismatch}"
    mismatch = directional(net, X, Y, got, seed=oracle_case.seed)
    assert mismatch is None, f"{oracle_case.id}: {mismatch}"
