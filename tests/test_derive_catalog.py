"""The textbook catalog: every claim gets the verdict the math says it deserves."""

from __future__ import annotations

import pytest

from reference.derive import check_activation, check_loss_gradient, check_output_error
from tests.derive_catalog import CATALOG

CHECKS = {"activation": check_activation, "loss": check_loss_gradient,
          "output": check_output_error}


def test_catalog_is_big_and_balanced():
    kinds = {c.kind for c in CATALOG}
    assert len(CATALOG) >= 30 and kinds == set(CHECKS)
    for kind in kinds:
        verdicts = {c.expected for c in CATALOG if c.kind == kind}
        assert verdicts == {"correct", "incorrect"}, kind
    assert len({c.id for c in CATALOG}) == len(CATALOG)


@pytest.mark.parametrize("claim", CATALOG, ids=[c.id for c in CATALOG])
def test_claim(claim):
    verdict = CHECKS[claim.kind](*claim.args, **claim.options)
    assert verdict.verdict == claim.expected, (claim.why, verdict)
    assert verdict.points > 0
    if claim.expected == "correct":
        assert verdict.counterexample is None
        assert verdict.max_abs_err < 1e-6
    else:
        ce = verdict.counterexample
        assert ce is not None and {"claimed", "autograd"} <= set(ce)
        assert ("z" in ce) == (claim.kind != "loss")
        assert ("y" in ce) == (claim.kind != "activation")
