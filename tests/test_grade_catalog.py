"""The ng catalog: each submission in tests/submissions/ng gets the verdict written here.

Data, not code: FAILS maps a file to {graded function: substring of its diagnosis};
every function not listed must pass (a bug is reported where it is, not in
everything downstream). ERRORS maps a file to a substring of the
submission-level error (zero score). Equivalent variants (ok_*) get full marks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reference.grade.runner import grade_submission

HERE = Path(__file__).parent / "submissions" / "ng"

FAILS = {
    "bug_missing_1_over_m.py": {"linear_backward": "[BP4] dW is m = 3 times too large: the 1/m"},
    "bug_extra_1_over_m.py": {"linear_backward": "[BP2] dA_prev is m = 3 times too small"},
    "bug_transposed.py": {"linear_backward": "[BP4] dW has shape (2, 1), expected (1, 2): the "
                          "matrix is transposed"},
    "bug_wrong_axis.py": {"linear_backward": "[BP3] db has shape (1, 3), expected (1, 1): "
                          "summed over the wrong axis"},
    "bug_no_keepdims.py": {"linear_backward": "[BP3] db has shape (1,), expected (1, 1): a "
                           "rank-1 array"},
    "bug_wrong_sign.py": {"L_model_backward": "[BP1] grads['dW1'] has the wrong sign"},
    "bug_derivative_of_a.py": {"linear_activation_backward": "[BP1] dA_prev: σ'(a) used "
                               "instead of σ'(z)"},
    "bug_cache_as_a.py": {"sigmoid_backward": "σ'(a) used instead of σ'(z)"},
    "bug_mutates_input.py": {"relu_backward": "modified its input `dA` in place"},
    "bug_misnamed_keys.py": {"L_model_backward": "missing the key(s) dW1; found dA0, dA1, dw1"},
    "bug_unstable_sigmoid.py": {"sigmoid": "A contains NaN: numerically unstable"},
    "bug_init_no_scale.py": {"initialize_parameters_deep": "too large; scale np.random.randn"},
    "bug_init_zeros.py": {"initialize_parameters_deep": "no symmetry breaking"},
    "bug_init_shape.py": {"initialize_parameters_deep": "wrong initialization shape"},
    "bug_cost_inf.py": {"compute_cost": "cost contains inf"},
    "bug_cost_no_mean.py": {"compute_cost": "[cost] cost: summed without the mean"},
    "bug_wrong_return.py": {"linear_forward": "should return (Z, cache) (got ndarray)"},
    "bug_forward_no_bias.py": {"linear_forward": "the bias b is missing"},
    "bug_update_plus.py": {"update_parameters": "added the gradient instead of subtracting"},
    "bug_uses_missing_helper.py": {"compute_cost": "the module `dnn_utils` is not available"},
    "hostile_infinite_loop.py": {"linear_forward": "timed out after 2 s"},
    "hostile_ignore_sigterm.py": {"linear_backward": "timed out after 2 s"},
    "hostile_memory_hog.py": {"linear_backward": "MemoryError"},
    "hostile_os_exit.py": {"compute_cost": "exited with code 0 before returning results"},
    "hostile_segfault.py": {"linear_forward": "SIGSEGV"},
    "hostile_monkeypatch_numpy.py": {"linear_forward": "Z is wrong at index",
                                     "compute_cost": "not a numeric array"},
    "hostile_input_zeroing.py": {"linear_backward": "modified its input `dZ` in place"},
    "hostile_frame_forger.py": {"linear_forward": "wrote into the grader's result channel"},
}
ERRORS = {
    "hostile_exit_at_import.py": "called exit() while loading",
    "hostile_syntax_error.py": "syntax error: hostile_syntax_error.py, line 17",
    "hostile_torch_import.py": "line 3: imports `torch`: autograd libraries are not allowed",
    "hostile_torch_dynamic.py": "imports `torch`",
    "hostile_grader_import.py": "imports `manual`, the grader's own package",
    "hostile_load_hang.py": "timed out after 2 s while loading the submission",
}
FULL_MARKS = ["correct.py", "ok_mean_matmul.py", "ok_float32.py", "ok_relu_ge.py",
              "ok_older_keys.py", "ok_exit_toplevel.py", "ok_notebook.ipynb",
              "hostile_huge_output.py", "hostile_orphan.py"]
PROVIDED = {"sigmoid", "relu", "sigmoid_backward", "relu_backward"}
NOT_DEFINED = {"ok_helpers_from_dnn_utils.py": PROVIDED, "ok_messy_course_v2.py": PROVIDED}


def test_every_catalog_file_has_a_verdict():
    files = {p.name for p in HERE.iterdir() if p.suffix in (".py", ".ipynb")}
    listed = set(FAILS) | set(ERRORS) | set(FULL_MARKS) | set(NOT_DEFINED)
    assert files - {"make_variants.py"} == listed


def _grade(name):
    return grade_submission(HERE / name, "ng", seed=0, timeout=2.0, parallel=2)


@pytest.mark.parametrize("name", sorted(FAILS))
def test_buggy_submission_fails_where_the_bug_is(name):
    result = _grade(name)
    assert result.error is None
    failed = {f.name: f for f in result.functions if f.status == "failed"}
    assert set(failed) == set(FAILS[name]), {n: f.finding for n, f in failed.items()}
    for fn, expected in FAILS[name].items():
        f = failed[fn]
        assert expected in f"[{f.finding.equation}] {f.finding.diagnosis}"
        assert f.score == 0
    assert not result.passed


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_refused_or_unloadable_submission_gets_zero(name):
    result = _grade(name)
    assert ERRORS[name] in result.error
    assert result.score == 0 and result.max_score > 0 and not result.passed


@pytest.mark.parametrize("name", FULL_MARKS + sorted(NOT_DEFINED))
def test_equivalent_submission_gets_full_marks(name):
    result = _grade(name)
    assert result.error is None
    bad = {f.name: f.finding for f in result.functions if f.status == "failed"}
    assert not bad
    assert result.score == result.max_score > 0
    undefined = {f.name for f in result.functions if f.status == "not defined"}
    assert undefined == NOT_DEFINED.get(name, set())
