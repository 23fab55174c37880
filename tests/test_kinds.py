"""Findings have a kind: one vocabulary for the oracle's Mismatch, the grader's Finding
and check's explanation; code reads the kind, the words stay for the reader.

Every wrong answer below is made by hand from the right one (its negative, its
transpose, m times it...), so the kind expected is known without the code's output.
"""

from __future__ import annotations

import numpy as np
import pytest

from reference.check.contract import diagnose
from reference.grade import codec
from reference.grade.base import GradeCase
from reference.grade.interpret import interpret, is_forward
from reference.grade.options import Limits
from reference.grade.sandbox import ChildResult
from reference.grade.styles import get_style
from reference.oracle.compare import compare_arrays
from reference.oracle.diagnose import diagnose_array, diagnose_keys, diagnose_mutation
from reference.oracle.kinds import Kind
from reference.oracle.tolerances import GRADER

RTOL, ATOL = GRADER
M = 4
EXP = np.arange(1.0, 10.0).reshape(3, 3) / 7.0          # square: a transpose is possible
WRONG = {
    Kind.MISSING: None,
    Kind.NOT_NUMERIC: {"a": 1},
    Kind.SHAPE: EXP[:, :2],
    Kind.NON_FINITE: np.where(EXP > 1.0, np.nan, EXP),
    Kind.KNOWN_MISTAKE: EXP + 0.5,
    Kind.SIGN: -EXP,
    Kind.TRANSPOSE: EXP.T,
    Kind.SCALE_M_LARGE: EXP * M,
    Kind.SCALE_M_SMALL: EXP / M,
    Kind.VALUE: EXP + np.eye(3),
}


@pytest.mark.parametrize("kind", list(WRONG), ids=str)
def test_each_general_mistake_has_its_kind(kind):
    found = diagnose_array(WRONG[kind], EXP, equation="BP4", name="dW", scale_m=M,
                           mistakes=[("added a half", EXP + 0.5)])
    assert found is not None and found.kind is kind
    assert found.equation == "BP4" and found.diagnosis.startswith("dW")


def test_an_answer_that_agrees_has_no_finding():
    assert diagnose_array(EXP * (1 + RTOL / 10), EXP, equation="BP4", name="dW") is None


def test_keys_and_mutation_have_their_kinds():
    assert diagnose_keys({"dw1": 0}, ["dW1"], equation="BP4", name="grads").kind is Kind.KEYS
    moved = diagnose_mutation({"dA": np.zeros(2)}, {"dA": np.ones(2)}, equation="api",
                              name="relu_backward")
    assert moved.kind is Kind.MUTATION


def test_the_oracles_mismatch_carries_the_kind():
    _, shape = compare_arrays(np.zeros((2, 3)), np.zeros((3, 2)), RTOL, ATOL, "BP4", 0)
    _, value = compare_arrays(np.ones(3), np.zeros(3), RTOL, ATOL, "BP4", 0)
    _, dtype = compare_arrays(np.array(["x"]), np.zeros(1), RTOL, ATOL, "BP4", 0)
    assert (shape.kind, value.kind, dtype.kind) == (Kind.SHAPE, Kind.VALUE, Kind.NOT_NUMERIC)


def test_check_explains_every_kind_but_a_plain_value():
    """check adds the grader's diagnosis unless it only says 'wrong at index'."""
    assert "1/m is missing" in diagnose(EXP * M, EXP, "BP4", "dW[0]", M)
    assert diagnose(EXP + np.eye(3), EXP, "BP4", "dW[0]", M) == ""


def test_a_backward_that_failed_in_its_forward_says_so_by_the_function_named():
    """The worker names the student's function an error was raised in (`raised_in`);
    the parent reads that, not the traceback's text."""
    style = get_style("saito")
    fn = next(f for f in style.functions if f.name == "Affine.backward")
    case = GradeCase({}, {})
    error = "ValueError: shapes (2,3) and (4,5) not aligned (layers.py, line 9, in forward)"

    def verdict(raised_in):
        answer = {"status": "ok", "policy": [], "cases": [
            {"ok": False, "error": error, "raised_in": raised_in}]}
        fr, _, _ = interpret(fn, [case], ChildResult(codec.encode(answer)), Limits())
        return fr.finding

    found = verdict("forward")
    assert found.kind is Kind.FORWARD_RAISED
    assert found.diagnosis == ("the forward pass (Affine.forward) raised, and "
                               f"Affine.backward needs it: {error}")
    assert verdict("backward").kind is Kind.RUNTIME
    assert verdict(["not", "a", "name"]).kind is Kind.RUNTIME
    assert verdict("forward; rm -rf").kind is Kind.RUNTIME      # not a function's name
    assert is_forward("predict") and is_forward("_forward2") and not is_forward("cost")
