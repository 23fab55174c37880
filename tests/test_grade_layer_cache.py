"""The layer styles' backward of a wrong forward, CS231n's keepdims record, in place.

- a backward whose forward's output is wrong runs on a cache in that forward's layout
  with the correct intermediates (`probes.layer_cache`): right on correct inputs, it
  passes; wrong, it keeps its own diagnosis; a layout that cannot be read blocks it;
- the course record's "keepdims" lets dgamma, dbeta and the running averages come back
  (1, D) in cs231n-a2, and nowhere else (`check --layer` keeps failing them);
- the probes pass copies: a function writing into its input or its dout is graded on what
  it returns, with the record's "in place" note.

In-process (the probes called directly, as the worker does) except the last two, which
read the report's notes through the sandbox.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from manual.layers import get_layer
from reference.grade.probes import remote
from reference.grade.probes.layer_cache import rebuild
from reference.grade.probes.layers import layer_backward, layer_forward
from reference.grade.styles import get_style
from reference.grade.styles.layer_cache import cache_pool
from reference.oracle.kinds import Kind
from reference.oracle.layer_run import run_layer_case, singleton_only
from reference.oracle.layers import make_case
from reference.oracle.tolerances import SAME_ARITHMETIC
from tests.grading import grade

A2 = Path(__file__).parent / "submissions" / "cs231n-a2"
C4 = Path(__file__).parent / "submissions" / "ng-c4w1"
# the rebuilt entries are the parent's NumPy values of the formulas written here again
SAME = dict(zip(("rtol", "atol"), SAME_ARITHMETIC["float64"]))


def _namespace(path: Path, *changes: tuple[str, str]) -> dict:
    """The functions of a catalog file (with `changes` made), as the worker's namespace."""
    source = path.read_text()
    for old, new in changes:
        assert old in source, old
        source = source.replace(old, new, 1)
    ns: dict = {}
    exec(compile(source, str(path), "exec"), ns)  # noqa: S102 - the project's own fixtures
    return ns


def _judged(style: str, name: str, ns: dict, n: int = 6) -> list[tuple[dict, object]]:
    """(the probe's answer, the judge's finding) of each case of `name`."""
    fn = next(f for f in get_style(style).functions if f.name == name)
    probe = layer_backward if "backward" in name else layer_forward
    remote.take_notes()
    out = []
    for case in fn.cases(np.random.default_rng(0), n):
        got = probe(ns, case.inputs)
        out.append((got, fn.judge(got, case)))
    return out


def _bn_case(mode: str = "train"):
    return next(c for c in (make_case("batchnorm", s, "float64") for s in range(60))
                if c.hyper["mode"] == mode and c.arrays["x"].shape[0] > 3)


# --- the rebuild itself, on the pool of a real case -------------------------------------

def test_a_cache_of_right_entries_is_kept_and_a_forgotten_eps_is_replaced():
    case = _bn_case()
    pool = cache_pool(case)
    x, eps = case.arrays["x"], case.hyper.get("eps", 1e-5)
    mean, var = x.mean(axis=0), x.var(axis=0)
    right = (x, (x - mean) / np.sqrt(var + eps), mean, np.sqrt(var + eps))
    cache, why, swapped = rebuild(right, pool)
    assert why == "" and swapped == []
    assert all(np.array_equal(a, b) for a, b in zip(cache, right))
    wrong = (x, (x - mean) / np.sqrt(var), mean, np.sqrt(var))      # eps forgotten
    cache, why, swapped = rebuild(wrong, pool)
    assert why == "" and [s.split()[0] for s in swapped] == ["cache[1]", "cache[3]"]
    np.testing.assert_allclose(cache[3], np.sqrt(var + eps), **SAME)
    np.testing.assert_allclose(cache[1], right[1], **SAME)


def test_a_dict_entry_is_told_by_its_key_and_an_unreadable_one_blocks():
    case = _bn_case()
    pool = cache_pool(case)
    x = case.arrays["x"]
    var = x.var(axis=0)
    # 'std' far from any value (doubled): its key names it
    cache, why, _ = rebuild({"x": x, "std": 2 * np.sqrt(var), "mode": "train"}, pool)
    eps = case.hyper.get("eps", 1e-5)
    assert why == "" and cache["mode"] == "train"
    np.testing.assert_allclose(cache["std"], np.sqrt(var + eps), **SAME)
    # the config cached with the running averages the forward wrote (BN3): kept as it is
    m = case.hyper.get("momentum", 0.9)
    updated = m * case.hyper.get("running_mean", np.zeros(x.shape[1])) + (1 - m) * x.mean(0)
    cache, why, swapped = rebuild({"x": x, "bn_param": {"momentum": m,
                                                        "running_mean": updated}}, pool)
    assert why == "" and swapped == [] and cache["bn_param"]["running_mean"] is updated
    # the same entry under a key that names nothing: no intermediate can be told
    _, why, _ = rebuild({"x": x, "s": 2 * np.sqrt(var)}, pool)
    assert "cache['s'] of shape" in why and "matches none of the correct" in why


def test_a_list_of_per_step_caches_is_read_step_by_step():
    case = next(c for c in (make_case("rnn", s, "float64") for s in range(60))
                if c.arrays["x"].shape[1] >= 3)
    a = case.arrays
    pool = cache_pool(case)
    h, steps = a["h0"], []
    for t in range(a["x"].shape[1]):
        nxt = np.tanh(a["x"][:, t] @ a["Wx"] + h @ a["Wh"] + a["b"])
        steps.append((a["x"][:, t], h, nxt))
        h = nxt
    broken = [(x, 3.0 * prev if t == 1 else prev, nxt) for t, (x, prev, nxt) in enumerate(steps)]
    cache, why, swapped = rebuild(broken, pool)
    # only step 1's previous h is replaced: the same place in the other steps tells it
    assert why == "" and [w.split()[0] for w in swapped] == ["cache[1][1]"]
    np.testing.assert_allclose(cache[1][1], steps[1][1], **SAME)


# --- the judges, on the catalog's batch norm ---------------------------------------------

BETA_SUBTRACTED = ("out = gamma * x_hat + beta\n        cache",
                   "out = gamma * x_hat - beta\n        cache")


@pytest.mark.parametrize("change", [
    BETA_SUBTRACTED,                                                     # the cache is right
    ("std = np.sqrt(sample_var + eps)", "std = np.sqrt(sample_var)"),    # it holds a wrong std
], ids=["output-only", "std-without-eps"])
def test_a_right_backward_of_a_wrong_forward_passes_on_the_rebuilt_cache(change):
    ns = _namespace(A2 / "correct.py", change)
    assert any(f is not None for _, f in _judged("cs231n-a2", "batchnorm_forward", ns))
    for name in ("batchnorm_backward", "batchnorm_backward_alt"):
        judged = _judged("cs231n-a2", name, ns)
        assert [f for _, f in judged] == [None] * len(judged), name
        assert any(got.get("cache") == "rebuilt" for got, _ in judged)


def test_the_rebuilt_cache_is_named_in_the_notes():
    ns = _namespace(A2 / "correct.py", BETA_SUBTRACTED)
    _judged("cs231n-a2", "batchnorm_backward", ns)
    assert remote.take_notes() == ["rebuilt cache"]
    # a right forward: its own cache, no note
    _judged("cs231n-a2", "batchnorm_backward", _namespace(A2 / "correct.py"))
    assert remote.take_notes() == []


def test_a_wrong_backward_of_a_wrong_forward_keeps_its_own_diagnosis():
    ns = _namespace(A2 / "correct.py", BETA_SUBTRACTED, (
        "dx = (gamma / (N * std)) * (N * dout - dbeta - x_hat * dgamma)",
        "dx = dout * gamma / std"))
    found = [f for _, f in _judged("cs231n-a2", "batchnorm_backward_alt", ns) if f]
    assert found and found[0].kind is Kind.KNOWN_MISTAKE
    assert "dx without the terms through the batch mean" in found[0].diagnosis
    assert "the backward ran on a cache in its layout with the correct values" in (
        found[0].diagnosis)


def test_a_wrong_forward_whose_cache_cannot_be_read_blocks_its_backward():
    # the cache holds x_hat scaled by 3 (far from every intermediate, under no name)
    ns = _namespace(A2 / "correct.py", BETA_SUBTRACTED,
                    ("cache = (x, x_hat, sample_mean, std, gamma)",
                     "cache = (x, 3 * x_hat, sample_mean, std, gamma)"))
    found = [f for _, f in _judged("cs231n-a2", "batchnorm_backward", ns) if f]
    assert found and all(f.kind is Kind.FORWARD_RAISED for f in found)
    assert ("blocked by the forward: batchnorm_forward's output is wrong and its cache cannot "
            "be rebuilt") in found[0].diagnosis
    assert "not graded as its own error" in found[0].diagnosis


def test_ng_conv_backward_of_a_wrong_conv_forward_passes():
    ns = _namespace(C4 / "correct.py", ("    cache = (A_prev, W, b, hparameters)\n    return Z",
                                        "    cache = (A_prev, W, b, hparameters)\n    return -Z"))
    assert any(f for _, f in _judged("ng-c4w1", "conv_forward", ns))
    judged = _judged("ng-c4w1", "conv_backward", ns)
    assert [f for _, f in judged] == [None] * len(judged)
    assert all(got.get("cache") == "rebuilt" for got, _ in judged)


def test_a_random_layer_has_no_pool_and_a_loss_none():
    assert cache_pool(make_case("dropout", 0, "float64")) is None
    assert cache_pool(make_case("softmax_loss", 0, "float64")) is None
    assert cache_pool(make_case("conv", 0, "float64"))["reference"]["pool"]["candidates"]


# --- keepdims: the record's, never check's -------------------------------------------------

def test_singleton_only_tells_extra_axes_of_length_one():
    assert singleton_only((1, 5), (5,)) and singleton_only((1, 3, 1, 1), (3,))
    assert singleton_only((5, 1), (5,))
    assert not singleton_only((5,), (5,)) and not singleton_only((2, 5), (5,))
    assert not singleton_only((5, 2), (10,))


def _keepdims_backward(case):
    entry = get_layer("batchnorm")

    def backward(dout, cache):
        dx, dgamma, dbeta = entry.backward(dout, cache)
        return dx, dgamma[None, :], dbeta[None, :]
    return backward


def test_the_engine_accepts_keepdims_only_for_the_arrays_named():
    case = _bn_case()
    entry = get_layer("batchnorm")
    accepted = run_layer_case(case, entry.forward, _keepdims_backward(case),
                              singleton=("dgamma", "dbeta"))
    assert accepted.ok, accepted.problems
    strict = run_layer_case(case, entry.forward, _keepdims_backward(case))
    assert [p["name"] for p in strict.problems] == ["dgamma", "dbeta"]
    assert "shape (1," in strict.problems[0]["detail"]

    def wrong(dout, cache):         # the accommodation is the shape, never the value
        dx, dgamma, dbeta = entry.backward(dout, cache)
        return dx, 2 * dgamma[None, :], dbeta[None, :]
    failed = run_layer_case(case, entry.forward, wrong, singleton=("dgamma", "dbeta"))
    assert [p["name"] for p in failed.problems] == ["dgamma"]


def test_cs231n_a2_accepts_keepdims_and_notes_it():
    ns = _namespace(A2 / "variant_keepdims_2019.py")
    for name in ("batchnorm_forward", "batchnorm_backward", "layernorm_backward"):
        assert [f for _, f in _judged("cs231n-a2", name, ns)] == [None] * 6, name
        assert remote.take_notes() == ["keepdims"], name


# --- in place -----------------------------------------------------------------------------

def test_a_forward_writing_into_x_is_graded_on_what_it_returns_and_noted():
    ns = _namespace(A2 / "variant_forward_in_place.py")
    fn = next(f for f in get_style("cs231n-a2").functions if f.name == "relu_forward")
    remote.take_notes()
    for case in fn.cases(np.random.default_rng(0), 6):
        before = [np.array(a, copy=True) for a in case.inputs["args"]]
        got = layer_forward(ns, case.inputs)
        assert fn.judge(got, case) is None
        assert all(np.array_equal(a, b) for a, b in zip(before, case.inputs["args"]))
    assert remote.take_notes() == ["in place"]


def test_the_reports_say_in_place_and_keepdims_in_the_records_words():
    from reference.grade.books.cs231n import BOOK_A2
    mutated = grade(A2 / "variant_forward_in_place.py", "cs231n-a2", only=["relu_forward",
                                                                             "relu_backward"])
    kept = grade(A2 / "variant_keepdims_2019.py", "cs231n-a2", only=["batchnorm_backward"])
    rebuilt = grade(A2 / "bug_batchnorm_std_without_eps.py", "cs231n-a2",
                    only=["batchnorm_backward"])
    for result, name, fn in ((mutated, "in place", "relu_forward"),
                             (kept, "keepdims", "batchnorm_backward"),
                             (rebuilt, "rebuilt cache", "batchnorm_backward")):
        assert all(f.status == "passed" for f in result.functions), name
        assert f"{fn}: {BOOK_A2.accommodation(name).note}" in result.warnings, name


def _layout(layer: str, pick):
    return next(c for c in (make_case(layer, s, "float64") for s in range(60)) if pick(c))


def _kratzert(case):
    """(xhat, gamma, xmu, ivar, sqrtvar, var, eps): the staged graph's cache."""
    x, eps = case.arrays["x"], case.hyper.get("eps", 1e-5)
    xmu = x - x.mean(axis=0)
    var = (xmu ** 2).mean(axis=0)
    sqrtvar = np.sqrt(var + eps)
    return (xmu / sqrtvar, case.arrays["gamma"], xmu, 1 / sqrtvar, sqrtvar, var, eps)


def _transposed(case):
    """Layer norm as batch norm of xᵀ, its intermediates kept transposed."""
    xt, eps = case.arrays["x"].T, (case.hyper or {}).get("eps", 1e-5)
    std = np.sqrt(xt.var(axis=0) + eps)
    return ((xt - xt.mean(axis=0)) / std, case.arrays["gamma"], xt - xt.mean(axis=0), std, eps)


def _h_all(case):
    """An RNN's cache with every h stacked after h0: (N, T + 1, H)."""
    a, hs = case.arrays, [case.arrays["h0"]]
    for t in range(a["x"].shape[1]):
        hs.append(np.tanh(a["x"][:, t] @ a["Wx"] + hs[-1] @ a["Wh"] + a["b"]))
    return (a["x"], np.stack(hs, axis=1), a["Wx"], a["Wh"], a["b"])


def _padded(case):
    pad = case.hyper["pad"]
    x = np.pad(case.arrays["x"], ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    return (x, case.arrays["w"], case.arrays["b"], dict(case.hyper))


@pytest.mark.parametrize(("layer", "pick", "build"), [
    ("batchnorm", lambda c: c.hyper["mode"] == "train", _kratzert),
    ("layernorm", lambda c: True, _transposed),
    ("rnn", lambda c: c.arrays["x"].shape[1] > 2, _h_all),
    ("conv", lambda c: c.hyper["pad"] > 0, _padded),
], ids=["batchnorm-staged", "layernorm-transposed", "rnn-h-with-h0", "conv-padded-x"])
def test_the_layouts_students_write_are_read_entry_by_entry(layer, pick, build):
    case = _layout(layer, pick)
    cache = build(case)
    rebuilt, why, swapped = rebuild(cache, cache_pool(case))
    assert why == "" and swapped == []
    assert type(rebuilt) is tuple and len(rebuilt) == len(cache)


def test_a_cache_that_cannot_be_read_where_no_backward_is_due_blocks_nothing():
    # test mode normalizes with the batch's statistics (wrong) and caches a scaled x_hat:
    # the backward of batch norm's test mode is not part of the contract (the engine's
    # forward_only), so the train-mode cases alone grade it, and it passes
    ns = _namespace(A2 / "correct.py", (
        "        x_hat = (x - running_mean) / np.sqrt(running_var + eps)\n"
        "        out = gamma * x_hat + beta\n",
        "        x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)\n"
        "        out = gamma * x_hat + beta\n        cache = (x, 3 * x_hat)\n"))
    judged = _judged("cs231n-a2", "batchnorm_backward", ns, n=8)
    assert any(got.get("rebuild_failed") for got, _ in judged)
    assert [f for _, f in judged] == [None] * len(judged)


def test_a_backward_writing_into_dout_is_graded_on_what_it_returns_and_noted():
    ns = _namespace(A2 / "variant_in_place.py")        # relu's `dout[x <= 0] = 0; dx = dout`
    judged = _judged("cs231n-a2", "relu_backward", ns)
    assert [f for _, f in judged] == [None] * len(judged)
    assert remote.take_notes() == ["in place"]
    _judged("cs231n-a2", "affine_backward", ns)         # written without writing into dout
    assert remote.take_notes() == []
