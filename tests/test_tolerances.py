"""One tolerance module: every part takes its numbers and its allowance from
`reference.oracle.tolerances`, and no other module of the project writes a tolerance."""

import re
from pathlib import Path

import numpy as np
import pytest

from reference.oracle import tolerances
from reference.oracle.tolerances import allowance, relative_error, within

ROOT = Path(__file__).resolve().parent.parent
# a keyword tolerance written as a number (0, exact equality, is not a tolerance), or a
# module-level constant named like one
NUMBER = re.compile(r"\b(rtol|atol|rel|RTOL|ATOL|KINK_RTOL|KINK_ATOL)\s*=\s*\(?\s*(?!0\b)\d"
                    r"|\brtol, (atol|floor) = \(\d|^\w*TOLERANCES?\w*\s*[:=].*\d", re.M)


def test_no_tolerance_numbers_outside_the_tolerance_module():
    """They lived in compare.py, grade/diagnose.py (now oracle/diagnose.py), derive/judge.py,
    properties.py and a test body (an if-chain of two float64/float32 numbers)."""
    offenders = []
    for path in sorted((ROOT / "reference").rglob("*.py")) + sorted((ROOT / "tests").glob("*.py")):
        if path.name == "tolerances.py":
            continue
        for match in NUMBER.finditer(path.read_text()):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []


def test_every_part_uses_the_modules_numbers():
    from reference.derive import judge
    from reference.oracle import compare, diagnose
    from tests import properties

    assert compare.tolerance_for is tolerances.tolerance_for
    assert (diagnose.RTOL, diagnose.ATOL) == tolerances.GRADER == tolerances.TOLERANCES["float32"]
    assert (judge.RTOL, judge.ATOL) == tolerances.DERIVE
    assert (judge.KINK_RTOL, judge.KINK_ATOL) == tolerances.DERIVE_KINK
    assert properties.DIRECTIONAL is tolerances.DIRECTIONAL


def test_the_allowance_scales_atol_by_the_array_and_rtol_by_the_entry():
    e = np.array([0.0, 2.0, -4.0])
    # atol · max(1, max|e|) + rtol · |e| with max|e| = 4
    assert np.allclose(allowance(e, 0.1, 0.01), [0.04, 0.24, 0.44])
    # relative to max(|e|, 1e-3 · scale): the cancelled entry is measured against 4e-3
    assert np.allclose(relative_error(np.array([4e-3, 0.2, 0.4]), e), [1.0, 0.1, 0.1])
    assert within(e + 0.03, e, 0.0, 0.01) and not within(e + 0.05, e, 0.0, 0.01)
    assert not within([np.nan, 2.0, -4.0], e, 1.0, 1.0)


def test_the_grader_and_the_comparison_agree_on_the_same_arrays():
    """diagnose.close and compare_arrays were two copies of the formula."""
    from reference.oracle.compare import compare_arrays
    from reference.oracle.diagnose import close

    rng = np.random.default_rng(0)
    e = rng.standard_normal((4, 5))
    rtol, atol = tolerances.GRADER
    for shift in (0.5, 0.9, 1.1, 2.0):
        got = e + shift * allowance(e, rtol, atol)
        _, mm = compare_arrays(got, e, rtol, atol, "BP4", 0)
        assert close(got, e) == (mm is None) == (shift < 1)


def test_the_allowance_is_written_once():
    """`atol · max(1, max|e|) + rtol · |e|` was written out in four modules."""
    pattern = re.compile(r"\b(atol|ATOL)\s*\*\s*\w*scale|rtol \* np\.abs|1e-3 \* scale")
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}"
             for p in sorted((ROOT / "reference").rglob("*.py")) if p.name != "tolerances.py"
             for m in pattern.finditer(p.read_text())]
    assert found == []


@pytest.fixture
def myexp():
    """exp(z) − 1 registered for one test (the registry restored after it)."""
    from manual.activations import ACTIVATIONS
    from reference.oracle.cases import register_custom

    saved = dict(ACTIVATIONS)
    try:
        yield register_custom(["myexp_cost=exp(z)-1:exp(z)"])[0]
    finally:
        ACTIVATIONS.clear()
        ACTIVATIONS.update(saved)


def test_a_float32_numpy_backprop_through_deep_exponential_stacks_is_no_false_alarm(myexp):
    """A plain float32 NumPy backprop (manual's, in float32) of deep stacks of
    exp(z) − 1: its cost misses torch's float64 one by more than the table's float32
    row on some cases (the forward is badly conditioned), and `verify` accepts it and
    its gradients (the tolerances account for the float32 noise of the case, as a NumPy
    float32 implementation has it). The float64 oracle here is torch's, not the code
    under test."""
    import reference
    from manual.network import Network
    from reference.oracle.spec import bias_shape

    calls = []

    def plain_float32(spec, X, Y):
        b = [np.reshape(v, bias_shape("layout", spec.layout, np.size(v))) for v in spec.biases]
        net = Network(spec.weights, b, spec.activations, spec.loss, spec.layout, spec.reduction)
        g = net.backprop(X, Y)
        calls.append((spec, b, X, Y, g.cost))
        return {"dW": g.dW, "db": g.db, "cost": g.cost}

    summary = reference.verify(plain_float32, cases=1000, seed=0, activations=myexp,
                               losses="quadratic", dtypes="float32")
    assert summary["failures"] == 0, summary["failures_detail"][:2]
    rtol, atol = tolerances.TOLERANCES["float32"]
    beyond_table = 0
    for spec, b, X, Y, cost in calls:
        exact = reference.oracle_backprop([w.astype(np.float64) for w in spec.weights],
                                          [v.astype(np.float64) for v in b], spec.activations,
                                          spec.loss, X.astype(np.float64), Y.astype(np.float64),
                                          spec.layout, spec.reduction).cost
        beyond_table += not abs(cost - exact) <= allowance(np.array(exact), rtol, atol,
                                                           max(1.0, abs(exact)))
    assert beyond_table > 0  # the table alone would have raised false alarms
