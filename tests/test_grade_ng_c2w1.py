"""Ng's course 2 week 1 (ng-c2w1): what the catalog templates do not pin.

- the oracle (torch autograd of the notebook's net, L2 and dropout) against central
  differences of a cost written here in NumPy;
- any correct initialization passes (another draw order, another generator, a centered
  uniform of the right spread), over many seeds: the statistics raise no false alarm;
- forward dropout is judged on the masks the student's cache holds (any right draw);
- a checker is graded by what it detects: the number it returns or, when it returns
  none, the words it prints;
- the notebooks handed in decide what is graded: a file defining none of the three
  notebooks' functions has every one missing;
- the Gradescope bundle grades one notebook uploaded alone when its functions are named
  (`--functions`); otherwise the notebooks not handed in are missing (the catalog).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from reference.grade import codec
from reference.grade.probes import ng_c2w1 as probes
from reference.grade.styles import get_style
from reference.grade.styles.ng_c2w1_kit import KEYS, oracle_net
from reference.oracle import tolerances
from reference.oracle.kinds import Kind
from tests.grading import grade, run_autograder

HERE = Path(__file__).parent / "submissions" / "ng-c2w1"
STYLE = get_style("ng-c2w1")
# the probes' helpers answered in this process, as the parent answers them
pytestmark = pytest.mark.usefixtures("helpers_answered_here")


def _fn(name):
    return next(f for f in STYLE.functions if f.name == name)


def _judged(name, ns, case):
    """The probe run in-process on `ns`, its answer through the codec as the parent reads
    it, then the style's judge."""
    fn = _fn(name)
    module, probe = fn.probe.split(":")
    got = getattr(probes, probe)(ns, fn.child_inputs(case))
    return fn.judge(codec.decode(codec.encode(got), as_float=True), case)


def _cases(name, seed=0, n=4):
    return _fn(name).cases(np.random.default_rng(seed), n)


# --- the oracle ---------------------------------------------------------------------------
def _numpy_cost(X, Y, p, lambd, masks, kp):
    """The notebook's cost written out here: relu, relu (each dropped and rescaled),
    sigmoid, cross-entropy plus (λ/2m) Σ‖W‖²."""
    a = X
    for l in (1, 2, 3):
        z = p[f"W{l}"] @ a + p[f"b{l}"]
        a = 1 / (1 + np.exp(-z)) if l == 3 else np.maximum(z, 0) * masks[l - 1] / kp
    m = X.shape[1]
    ce = -np.sum(Y * np.log(a) + (1 - Y) * np.log(1 - a)) / m
    return ce + lambd / (2 * m) * sum(np.sum(p[f"W{l}"] ** 2) for l in (1, 2, 3))


def test_the_oracle_agrees_with_central_differences_of_the_cost():
    rng = np.random.default_rng(5)
    sizes, m, lambd, kp = (3, 4, 3, 1), 6, 0.7, 0.8
    p = {f"W{l}": rng.standard_normal((sizes[l], sizes[l - 1])) for l in (1, 2, 3)}
    p.update({f"b{l}": rng.standard_normal((sizes[l], 1)) for l in (1, 2, 3)})
    X, Y = rng.standard_normal((3, m)), (rng.random((1, m)) < 0.5).astype(float)
    masks = [rng.random((sizes[l], m)) < kp for l in (1, 2)]
    got = oracle_net(X, Y, p, lambd, masks, kp)
    assert tolerances.within(got["cost"], _numpy_cost(X, Y, p, lambd, masks, kp),
                             *tolerances.SAME_ARITHMETIC["float64"])
    # a central difference with step h: ‖numeric − autograd‖ ≤ rtol·‖∇C‖ + floor (its
    # truncation ~h² and rounding ~ε·C/h, both far below)
    h = 1e-5
    rtol, floor = tolerances.DIRECTIONAL["float64"]
    for key in KEYS:
        numeric = np.zeros_like(p[key])
        for idx in np.ndindex(p[key].shape):
            plus, minus = ({**p, key: p[key].copy()} for _ in range(2))
            plus[key][idx] += h
            minus[key][idx] -= h
            numeric[idx] = (_numpy_cost(X, Y, plus, lambd, masks, kp)
                            - _numpy_cost(X, Y, minus, lambd, masks, kp)) / (2 * h)
        grad = got["d" + key]
        assert np.linalg.norm(numeric - grad) <= rtol * np.linalg.norm(grad) + floor, key


# --- initialization --------------------------------------------------------------------------
def _he_biases_first(layers_dims):
    """He's draw in another order and from another generator."""
    rng = np.random.default_rng(11)
    params = {}
    for l in range(1, len(layers_dims)):
        params[f"b{l}"] = np.zeros((layers_dims[l], 1))
        params[f"W{l}"] = rng.normal(0.0, np.sqrt(2 / layers_dims[l - 1]),
                                     (layers_dims[l], layers_dims[l - 1]))
    return params


def _he_uniform(layers_dims):
    """A centered uniform of He's spread: a right distribution too."""
    params = {}
    for l in range(1, len(layers_dims)):
        a = np.sqrt(3) * np.sqrt(2 / layers_dims[l - 1])
        params[f"W{l}"] = np.random.uniform(-a, a, (layers_dims[l], layers_dims[l - 1]))
        params[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return params


def _xavier(layers_dims):
    return {k: (v / np.sqrt(2) if k[0] == "W" else v) for k, v in
            _he_uniform(layers_dims).items()}


@pytest.mark.parametrize("seed", range(20))
def test_any_right_initialization_passes_whatever_its_draw(seed):
    for student in (_he_biases_first, _he_uniform):
        ns = {"initialize_parameters_he": student}
        for case in _cases("initialize_parameters_he", seed):
            assert _judged("initialize_parameters_he", ns, case) is None, student.__name__


def test_xavier_for_he_is_named():
    ns = {"initialize_parameters_he": _xavier}
    found = [_judged("initialize_parameters_he", ns, c) for c in
             _cases("initialize_parameters_he")]
    assert any(f and "Xavier's √(1/n_{l-1})" in f.diagnosis for f in found)


# --- dropout ---------------------------------------------------------------------------------
def _dropout(X, parameters, keep_prob, rng_seed=7, hidden_keep=None):
    """A right forward with dropout, its masks from another generator (`hidden_keep`: a
    rate hard-coded instead of keep_prob, or one per layer)."""
    rng = np.random.default_rng(rng_seed)
    p, a, cache = parameters, X, []
    for l in (1, 2):
        z = p[f"W{l}"] @ a + p[f"b{l}"]
        keep = hidden_keep[l - 1] if isinstance(hidden_keep, tuple) else hidden_keep
        d = rng.random(z.shape) < (keep or keep_prob)
        a = np.maximum(z, 0) * d / keep_prob
        cache += [z, d, a, p[f"W{l}"], p[f"b{l}"]]
    z = p["W3"] @ a + p["b3"]
    a3 = 1 / (1 + np.exp(-z))
    return a3, tuple(cache + [z, a3, p["W3"], p["b3"]])


def test_forward_dropout_is_judged_on_the_students_own_masks():
    cases = _cases("forward_propagation_with_dropout")
    ns = {"forward_propagation_with_dropout": _dropout}
    assert all(_judged("forward_propagation_with_dropout", ns, c) is None for c in cases)

    def half(X, parameters, keep_prob):
        return _dropout(X, parameters, keep_prob, hidden_keep=0.5)

    found = [_judged("forward_propagation_with_dropout",
                     {"forward_propagation_with_dropout": half}, c) for c in cases]
    assert any(f and "D1 keeps 0.4" in f.diagnosis or f and "D1 keeps 0.5"
               in f.diagnosis for f in found), found

    def second_inverted(X, parameters, keep_prob):     # a slip on one layer's mask only
        return _dropout(X, parameters, keep_prob, hidden_keep=(keep_prob, 1 - keep_prob))

    found = [_judged("forward_propagation_with_dropout",
                     {"forward_propagation_with_dropout": second_inverted}, c) for c in cases]
    assert any(f and "D2 keeps 0." in f.diagnosis and "1 − keep_prob" in f.diagnosis
               for f in found), found


# --- checkers ----------------------------------------------------------------------------------
NOTEBOOK_WORDS = ("There is a mistake in the backward propagation!",
                  "Your backward propagation works perfectly fine!")


def _says_only(words=NOTEBOOK_WORDS):
    """A checker that prints its verdict (`words`: wrong, right) and returns nothing (a
    student's older habit)."""
    def check(parameters, gradients, X, Y):
        d = _difference_of(parameters, gradients, X, Y)
        print(words[0] if d > 2e-7 else words[1])
    return check


def _difference_of(parameters, gradients, X, Y, epsilon=1e-7):
    """The notebook's relative difference, written out here."""
    theta, _ = probes.dictionary_to_vector(parameters)
    grad = probes.gradients_to_vector(gradients)
    approx = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += epsilon
        minus[i] -= epsilon
        approx[i] = (probes.forward_propagation_n(X, Y, probes.vector_to_dictionary(plus))[0]
                     - probes.forward_propagation_n(X, Y, probes.vector_to_dictionary(minus))[0]
                     ) / (2 * epsilon)
    d = np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))
    return d


def _sum_numerator(parameters, gradients, X, Y, epsilon=1e-7):
    """The numerator summed (differences cancel): misses a move of +d and −d."""
    theta, _ = probes.dictionary_to_vector(parameters)
    grad = probes.gradients_to_vector(gradients)
    approx = np.array([(probes.forward_propagation_n(X, Y, probes.vector_to_dictionary(
        theta + epsilon * e))[0] - probes.forward_propagation_n(
        X, Y, probes.vector_to_dictionary(theta - epsilon * e))[0]) / (2 * epsilon)
        for e in np.eye(theta.shape[0])[:, :, None]]).reshape(-1, 1)
    return abs(np.sum(grad - approx)) / (np.linalg.norm(grad) + np.linalg.norm(approx))


def test_a_checker_is_graded_by_what_it_detects_returned_or_printed():
    cases = _cases("gradient_check_n", n=1)
    # "incorrect" holds "correct": read as the wrong verdict it is
    for words in (NOTEBOOK_WORDS, ("The gradient is incorrect.", "The gradient is correct.")):
        assert all(_judged("gradient_check_n", {"gradient_check_n": _says_only(words)}, c)
                   is None for c in cases), words
    found = [_judged("gradient_check_n", {"gradient_check_n": _sum_numerator}, c)
             for c in cases]
    assert any(f and "Σ grad unchanged" in f.diagnosis
               and "not a sum of the differences" in f.diagnosis for f in found), found


def test_a_1d_checker_ignoring_backward_propagation_misses_the_planted_one():
    def inline(x, theta, epsilon=1e-7):
        grad = x                      # never calls backward_propagation: checks nothing
        approx = ((theta + epsilon) * x - (theta - epsilon) * x) / (2 * epsilon)
        return abs(grad - approx) / (abs(grad) + abs(approx))

    found = [_judged("gradient_check", {"gradient_check": inline}, c)
             for c in _cases("gradient_check", n=1)]
    assert any(f and "did not detect a wrong gradient (returning θ)" in f.diagnosis
               for f in found), found


# --- a checker is blinded: only a real check passes -------------------------------------------
@pytest.mark.parametrize("name", ["gradient_check", "gradient_check_n"])
def test_a_checkers_process_cannot_tell_the_right_gradient_from_a_planted_one(name):
    """Each case holds one gradient; what the student's process gets has the same keys
    whether it is right or planted (the 1-D backward: an opaque token the parent answers),
    and which comes first changes with the seed (a checker saying 'right' on its first
    call and 'wrong' after fails)."""
    firsts, right_at = set(), {}
    for seed in range(6):
        cases = sorted(_cases(name, seed=seed), key=lambda c: c.size)
        kinds = {c.expected["right"] for c in cases}
        assert kinds == {True, False}
        keys = {tuple(sorted(_fn(name).child_inputs(c))) for c in cases}
        assert len(keys) == 1 and not {"wrong", "right", "what"} & set(next(iter(keys)))
        firsts.add(cases[0].expected["right"])
        for c in cases:         # what a case looks like: no point, no m, always right
            look = c.description.split(",")[0] if name == "gradient_check" else \
                c.inputs["X"].shape[1]
            right_at.setdefault(look, []).append(c.expected["right"])
        if name == "gradient_check_n":  # keys, their order, dtypes and shapes alike
            forms = {tuple((k, v.dtype.str, v.shape, v.flags.c_contiguous)
                           for k, v in c.inputs["gradients"].items()) for c in cases}
            assert len(forms) == 1, forms
    assert firsts == {True, False}
    fixed = {k: set(v) for k, v in right_at.items() if len(v) >= 4}   # the seeds' common ones
    assert fixed and all(v == {True, False} for v in fixed.values()), right_at


def test_a_planted_1d_backward_holds_no_label_in_the_students_process():
    """The backward_propagation a 1-D checker is given: no defaults, and its closure holds
    the helper and an opaque token only (a right and a planted one look alike)."""
    seen = []

    def peek(x, theta):
        fn = probes_ns["backward_propagation"]        # what the probe installed
        seen.append((fn.__defaults__, [type(c.cell_contents).__name__
                                       for c in fn.__closure__ or ()]))
        return 0.0

    probes_ns = {"gradient_check": peek}
    cases = _cases("gradient_check")
    for case in cases:
        _judged("gradient_check", probes_ns, case)
    assert len(seen) == len(cases) and len(set(map(repr, seen))) == 1, seen
    assert seen[0][0] is None and set(seen[0][1]) <= {"function", "str"}


# --- the notebooks handed in ---------------------------------------------------------------------
def test_a_file_of_none_of_the_notebooks_has_every_function_missing(tmp_path):
    src = tmp_path / "scratch.py"
    src.write_text("import numpy as np\n\n\ndef model(X, Y):\n    return X\n")
    result = grade(src, "ng-c2w1", seed=0, timeout=2.0)
    assert result.error is None and result.score == 0
    assert {f.status for f in result.functions} == {"missing"}


def test_one_notebook_uploaded_to_gradescope_is_graded_alone(tmp_path):
    from reference.grade.bundle import write_bundle
    from tests.grading import options

    # the Regularization notebook's assignment: its functions named (--functions)
    mine = [f.name for f in STYLE.functions if f.part == 1]
    zpath = write_bundle(tmp_path / "autograder.zip", "ng-c2w1",
                         options(seed=3, only=mine), fixed_seed=True)
    with zipfile.ZipFile(zpath) as zf:
        run = zf.read("run_autograder").decode()
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "Regularization.ipynb").write_text(
        (HERE / "notebook_regularization.ipynb").read_text())
    done, data = run_autograder(run, root)
    assert data["score"] == data["max_score"] == sum(f.points for f in STYLE.functions
                                                     if f.name in mine)
    graded = [t for t in data["tests"] if t["name"] in {f.name for f in STYLE.functions}]
    assert sorted(t["name"] for t in graded) == sorted(mine)
    assert all(t["status"] == "passed" for t in graded)


def test_a_notebook_is_handed_in_by_its_marks_not_by_a_copied_course_name():
    """The 1-D forward_propagation is the Gradient Checking notebook's, but reg_utils has a
    forward_propagation(X, parameters) students copy into the Regularization notebook:
    defining it hands in no notebook; a checker does."""
    fp = _fn("forward_propagation")
    regularization = {"compute_cost_with_regularization", "forward_propagation"}
    assert fp.part_absent(regularization)
    assert not fp.part_absent(regularization | {"gradient_check_n"})
    assert not fp.part_absent({"forward_propagation"})     # no notebook at all: missing
    assert not _fn("initialize_parameters_he").part_absent({"initialize_parameters_zeros"})


def test_a_skeleton_left_as_it_came_is_told_from_a_bug():
    def commented_out(x, theta):
        # dtheta = x
        return dtheta  # noqa: F821 - the skeleton's line is still a comment

    def wrong(x, theta):
        return theta

    case = _cases("backward_propagation", n=1)[0]
    found = _judged("backward_propagation", {"backward_propagation": commented_out}, case)
    assert found.kind is Kind.MISSING and "a line still commented out" in found.diagnosis
    found = _judged("backward_propagation", {"backward_propagation": wrong}, case)
    assert found.kind is Kind.KNOWN_MISTAKE


# --- one notebook per assignment: the instructor names its functions -----------------------------
INIT_NOTEBOOK = ("initialize_parameters_zeros", "initialize_parameters_random",
                 "initialize_parameters_he")
GC_NOTEBOOK = ("forward_propagation", "backward_propagation", "gradient_check",
               "gradient_check_n")


def test_another_notebook_uploaded_earns_nothing_where_the_functions_are_named(capsys):
    """Uploading the Initialization notebook (three one-liners) to the Gradient Checking
    assignment: the notebooks not handed in are missing (never the whole style's maximum);
    with the assignment's functions named (`--functions`), only they are graded: missing,
    and the right notebook there gets their full points."""
    upload = HERE / "partial_initialization.py"
    alone = grade(upload, "ng-c2w1", seed=0, timeout=2.0)
    assert alone.score == sum(_fn(n).points for n in INIT_NOTEBOOK)
    named = grade(upload, "ng-c2w1", seed=0, timeout=2.0, only=GC_NOTEBOOK)
    assert [f.name for f in named.functions] == list(GC_NOTEBOOK)
    assert named.score == 0 and {f.status for f in named.functions} == {"missing"}
    right = grade(HERE / "notebook_gradient_checking.ipynb", "ng-c2w1", seed=0, timeout=2.0,
                  only=GC_NOTEBOOK)
    assert right.score == sum(_fn(n).points for n in GC_NOTEBOOK)

    from reference.cli import main
    from reference.grade.bundle import _options
    from tests.grading import options

    assert main(["grade", str(upload), "--style", "ng-c2w1", "--functions",
                 "gradient_chek"]) == 2
    err = capsys.readouterr().err
    assert "--functions: gradient_chek is not graded" in err
    assert "did you mean 'gradient_check'" in err and len(err.strip().splitlines()) == 1
    assert "--functions gradient_check,gradient_check_n" in _options(
        "ng-c2w1", options(only=("gradient_check", "gradient_check_n")), "visible", False)
