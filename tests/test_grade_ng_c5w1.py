"""ng-c5w1 (Ng's course 5 week 1, RNN and LSTM step by step): the columns layers against
closed forms worked by hand, the samplers' cases beyond the notebook, the course's call
read by the probe (the parameters dict, the gradients' dict, keepdims), the style's
second runs, and the Gradescope bundle run as Gradescope runs it. The catalog
(tests/submissions/ng-c5w1, tests/grade_catalog.py) holds the bugs and the variants."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from manual.layers import get_layer
from reference.grade.books.ng_c5 import BOOK
from reference.grade.probes import ng_c5, remote
from reference.grade.styles import get_style
from reference.grade.styles import ng_c5w1_kit as kit
from reference.oracle.layers import make_case, oracle_layer
from reference.oracle.tolerances import tolerance_for, within
from tests.grading import run_autograder

HERE = Path(__file__).parent / "submissions" / "ng-c5w1"
RTOL, ATOL = tolerance_for("float64")


def _sig(z: float) -> float:
    return 1 / (1 + np.exp(-z))


def test_the_rnn_cell_of_one_unit_is_its_closed_form():
    """n_x = n_a = n_y = m = 1: a = tanh(wax x + waa a_prev + ba), yt_pred = 1 (a softmax of
    one class), and with da_next = g every gradient is g (1 − a²) times its factor."""
    x, a_prev, wax, waa, ba, g = 0.7, -0.4, 0.9, 0.5, 0.1, 1.3
    a = np.tanh(wax * x + waa * a_prev + ba)
    d = g * (1 - a**2)
    hand = {"dxt": wax * d, "da_prev": waa * d, "dWax": d * x, "dWaa": d * a_prev, "dba": d}
    one = lambda v: np.array([[v]])  # noqa: E731
    parameters = {"Wax": one(wax), "Waa": one(waa), "Wya": one(2.0), "ba": one(ba),
                  "by": one(0.3)}
    arrays = {"xt": one(x), "a_prev": one(a_prev), **parameters}
    outputs, grads = oracle_layer("rnn_cell_columns", arrays, None,
                                  {"da_next": one(g), "dyt_pred": one(5.0)})
    a_next, yt_pred, cache = kit.rnn_cell_forward(one(x), one(a_prev), parameters)
    mine = kit.rnn_cell_backward(one(g), cache)
    assert within(outputs["a_next"], one(a), RTOL, ATOL) and within(a_next, one(a), RTOL, ATOL)
    assert within(outputs["yt_pred"], one(1.0), RTOL, ATOL) and within(yt_pred, one(1.0),
                                                                        RTOL, ATOL)
    for name, value in hand.items():   # dyt_pred is not the cell's: the course's contract
        assert within(grads[name], one(value), RTOL, ATOL), name
        assert within(mine[name], one(value), RTOL, ATOL), name


def test_the_lstm_cell_with_constant_gates_is_its_closed_form():
    """Every W zero: the gates are σ(b) and c̃ = tanh(bc), so c_next = σ(bf) c_prev +
    σ(bi) tanh(bc), a_next = σ(bo) tanh(c_next); with da_next = 1 and dc_next = 0,
    dc_prev = σ(bo) (1 − tanh²(c_next)) σ(bf) (the forget gate: the bug students make)."""
    bf, bi, bc, bo, c_prev = 0.3, -0.2, 0.5, 0.8, 0.6
    c_next = _sig(bf) * c_prev + _sig(bi) * np.tanh(bc)
    a_next = _sig(bo) * np.tanh(c_next)
    dc_prev = _sig(bo) * (1 - np.tanh(c_next) ** 2) * _sig(bf)
    one = lambda v: np.array([[v]])  # noqa: E731
    parameters = {**{f"W{k}": np.zeros((1, 3)) for k in "fico"}, "bf": one(bf),
                  "bi": one(bi), "bc": one(bc), "bo": one(bo), "Wy": one(1.0), "by": one(0.0)}
    xt, a_prev = np.array([[0.5, -1.0]]).T, one(0.2)   # n_x = 2, so n_a ≠ n_x
    arrays = {"xt": xt, "a_prev": a_prev, "c_prev": one(c_prev), **parameters}
    outputs, grads = oracle_layer("lstm_cell_columns", arrays, None, {
        "da_next": one(1.0), "dc_next": one(0.0), "dyt_pred": one(1.0)})
    *_, cache = kit.lstm_cell_forward(xt, a_prev, one(c_prev), parameters)
    mine = kit.lstm_cell_backward(one(1.0), one(0.0), cache)
    assert within(outputs["c_next"], one(c_next), RTOL, ATOL)
    assert within(outputs["a_next"], one(a_next), RTOL, ATOL)
    assert within(grads["dc_prev"], one(dc_prev), RTOL, ATOL)
    assert within(mine["dc_prev"], one(dc_prev), RTOL, ATOL)
    assert within(mine["dxt"], np.zeros((2, 1)), RTOL, ATOL)      # every W is zero


@pytest.mark.parametrize("layer", ["rnn_cell_columns", "rnn_columns", "lstm_cell_columns",
                                   "lstm_columns"])
def test_the_cases_go_beyond_the_notebook_in_the_columns_layout(layer):
    cases = [make_case(layer, seed) for seed in range(40)]
    tags = {t for c in cases for t in c.tags}
    wanted = {"m=1", "n_a!=n_x", "n_y!=n_x"} | ({"T_x=1"} if "cell" not in layer else set())
    assert wanted <= tags
    for case in cases:
        x = case.arrays["xt" if "cell" in layer else "x"]
        a = case.arrays["a_prev" if "cell" in layer else "a0"]
        assert x.shape[1] == a.shape[1]                       # examples are columns
        bias = case.arrays["ba" if "rnn" in layer else "bf"]
        assert bias.shape == (a.shape[0], 1)
        if "m=1" in case.tags:
            assert x.shape[1] == 1


def test_a_gate_weight_index_names_its_gate_and_its_row_of_the_concat():
    entry = get_layer("lstm_cell_columns")
    assert entry.describe("dWf", (1, 3), (2, 5)) == "gate f, hidden unit 1, xt row 1"
    assert entry.describe("dWo", (0, 1), (2, 5)) == "gate o, hidden unit 0, a_prev row 1"
    assert entry.describe("dxt", (2, 0)) == "feature 2, example 0"


def test_the_course_gradients_dict_is_read_in_the_registrys_order():
    remote.take_notes()
    names = ["dxt", "da_prev", "dba"]
    got = ng_c5._read({"dba": np.ones(3), "dxt": np.zeros((2, 4)), "extra": 1}, names)
    assert got[0].shape == (2, 4) and got[1] is None          # a key left out: None
    assert got[2].shape == (3, 1)                             # (n_a,) read as (n_a, 1)
    assert remote.take_notes() == ["keepdims"]
    assert ng_c5._read(None, names) is None                   # a stub: as it is


def test_each_function_is_graded_again_with_what_it_calls_replaced_never_itself():
    style = get_style("ng-c5w1")
    assert [f.name for f in style.functions] == [
        f"{k}_{d}" for k in ("rnn_cell", "rnn", "lstm_cell", "lstm")
        for d in ("forward", "backward")]
    for fn in style.functions:
        assert fn.helpers == tuple(f"ng_c5.{c}" for c in BOOK.calls_of(fn.name))
        assert f"ng_c5.{fn.name}" not in fn.helpers
        assert set(c.rsplit(".")[-1] for c in fn.helpers) <= set(kit.HELPERS)
    case = style.functions[3].cases(np.random.default_rng(0), 1)[0]     # rnn_backward
    assert case.inputs["course"]["given"] == 1 and case.inputs["course"]["positional"] == 2
    assert case.inputs["calls"] == ["ng_c5.rnn_forward", "ng_c5.rnn_cell_backward"]


def test_gradescope_bundle_grades_a_course_5_notebook(cli, tmp_path):
    zpath = tmp_path / "autograder.zip"
    r = cli("gradescope-bundle", "--style", "ng-c5w1", "--seed", "3", "--output", str(zpath))
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(zpath) as zf:
        run = zf.read("run_autograder").decode()
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copy(HERE / "bug_rnn_backward_no_carry.py", root / "submission" / "rnn.py")
    done, data = run_autograder(run, root)
    failed = [t["name"] for t in data["tests"] if t.get("status") == "failed"]
    assert failed == ["rnn_backward"], data["tests"]


def test_an_lstm_backward_that_never_updates_its_carried_gradients_is_named():
    """The commented-out `da_prevt, dc_prevt = gradients[...]` of real submissions: every
    step handed da[:, :, t] and a zero dc_next (the right cell backward, step by step)."""
    import reference
    from manual.layers.recurrent.columns import lstm_cell_columns_backward, lstm_columns_forward

    def backward(da, dy, dc, cache):
        caches, x = cache
        steps = [lstm_cell_columns_backward(da[:, :, t], 0 * da[:, :, t], None, caches[t])
                 for t in range(x.shape[2])]
        dx = np.stack([s[0] for s in steps], axis=2)
        return (dx, steps[0][1], *(sum(s[k] for s in steps) for k in range(3, 11)))

    summary = reference.verify_layer("lstm_columns", lstm_columns_forward, backward, cases=8,
                                     seed=2)
    diagnoses = [f["diagnosis"] for f in summary["failures_detail"]]
    assert summary["failures"] > 0
    assert any("never updated from the cell's gradients" in d for d in diagnoses), diagnoses


def test_the_course_skeleton_is_told_from_code_that_raises_for_another_reason():
    """`n_x, m, T_x = None` and `dWax += None` only appear in the course's skeleton."""
    def skeleton_forward(x, a0, parameters):
        n_x, m, T_x = None
        for _t in range(T_x):
            pass
        return None, None, None

    def skeleton_backward(da, caches):
        dWax = None
        for _t in range(3):
            dWax += None
        return {"dWax": dWax}

    def written(x, a0, parameters):
        n_x, m, T_x = x.shape
        return np.zeros(n_x, m)     # a real bug (TypeError: m read as a dtype), no placeholder

    assert ng_c5.skeleton(skeleton_forward) and ng_c5.skeleton(skeleton_backward)
    assert not ng_c5.skeleton(written)
    raised = {"raised": {"type": "TypeError", "error": "cannot unpack"}}
    assert "placeholders" in ng_c5._still_skeleton({"f": skeleton_forward}, "f", raised)["stub"]
    assert ng_c5._still_skeleton({"f": written}, "f", raised) == raised


def test_a_bias_gradient_summed_over_the_wrong_axis_is_named():
    import reference
    from manual.layers.recurrent.columns import rnn_cell_columns_backward, rnn_cell_columns_forward

    def backward(da_next, dyt_pred, cache):
        *grads, _ = rnn_cell_columns_backward(da_next, None, cache)
        dtanh = da_next * (1 - cache[0] ** 2)
        return (*grads, dtanh.sum(axis=0, keepdims=True))

    summary = reference.verify_layer("rnn_cell_columns", rnn_cell_columns_forward, backward,
                                     cases=8, seed=4)
    wrong = [f for f in summary["failures_detail"] if "dba" in f["message"]]
    assert wrong and all("summed over the hidden units (axis 0)" in f["diagnosis"]
                         for f in wrong), summary["failures_detail"][:2]
