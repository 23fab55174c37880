"""The matrix: every case of the seeded stream, manual (BP1..BP4) vs torch autograd.

Cases come from `reference.cases.generate` through the `oracle_case`
parametrization of the pytest plugin (options --oracle-seed, --oracle-cases,
--oracle-shard).
"""

from reference.check import run_case


def test_manual_matches_autograd(oracle_case):
    result = run_case(oracle_case)
    assert result.ok, f"{oracle_case.id}: {result.mismatch}"
