"""The oracle in a helper process (reference.oracle.process): the same answers as
autograd in this process, bit for bit; errors and a dead helper handled; and a
user's pytest run with the plugin never imports torch."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from manual.errors import InputError
from reference.oracle import process
from reference.oracle.cases import draw_family, generate

THIRDPARTY = Path(__file__).parent / "thirdparty"


@pytest.fixture(scope="module")
def helper():
    h = process.OracleProcess()
    yield h
    h.close()


def _families(n=6, seed=3, **filters):
    cases = generate(40 * n, seed, family=8, **filters)
    firsts = [c for c in cases if c.member == 0]
    return firsts[:n]


def _same(a, b) -> None:
    for name in ("deltas", "dW", "db"):
        for x, y in zip(getattr(a, name), getattr(b, name), strict=True):
            np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.cost, b.cost)


def _args(case):
    s = draw_family(case)
    return (s.W, s.b, case.activations, case.loss, s.X, s.Y, case.layout, case.reduction)


@pytest.mark.parametrize("filters", [{}, {"activations": ["softmax", "tanh"]},
                                     {"dtypes": ["float32"]}, {"layouts": ["rows"]}])
def test_the_helper_answers_exactly_what_autograd_here_answers(helper, filters, monkeypatch):
    local = process.LOCAL
    monkeypatch.setattr(process, "LOCAL", None)  # a fallback to this process would raise
    for case in _families(**filters):
        _same(helper.stacked(*_args(case), validate=False),
              local.stacked(*_args(case), validate=False))


def test_float32_noise_from_the_helper_equals_the_local_one(helper):
    case = _families(1, dtypes=["float32"])[0]
    W, b, acts, loss, X, Y, layout, reduction = _args(case)
    one = ([w[0] for w in W], [v[0] for v in b], acts, loss, X[0], Y[0], layout, reduction)
    here, there = process.LOCAL.noise(*one), helper.noise(*one)
    for name in ("deltas", "dW", "db"):
        assert [float(x) for x in getattr(here, name)] == [float(x) for x in getattr(there, name)]


def test_an_expression_activation_is_rebuilt_in_the_helper(helper, monkeypatch):
    from manual.activations import unregister_activation
    from reference.oracle.custom import expression_activation

    expression_activation("cubish=z*z*z/3+z:z*z+1", domain=(-2.0, 2.0), params={})
    try:
        case = _families(1, seed=5, activations=["cubish"])[0]
        assert "cubish" in case.activations
        local = process.LOCAL
        monkeypatch.setattr(process, "LOCAL", None)
        _same(helper.stacked(*_args(case), validate=False),
              local.stacked(*_args(case), validate=False))
    finally:
        unregister_activation("cubish")


def test_bad_input_in_the_helper_is_an_input_error_here(helper):
    case = _families(1)[0]
    W, b, acts, loss, X, Y, layout, reduction = _args(case)
    X = X.copy()
    X[0, 0, 0] = np.nan
    with pytest.raises(InputError, match="X contains NaN"):
        helper.stacked(W, b, acts, loss, X, Y, layout, reduction)


def test_an_entry_given_as_a_python_callable_is_answered_here(helper, monkeypatch):
    """A registry entry whose torch side is a Python function cannot travel to the
    helper: it is answered in this process, never by a wrong stand-in."""
    from manual.activations import ACTIVATIONS, register_activation

    base = ACTIVATIONS["tanh"]
    calls = []

    def torch_tanh(z):
        calls.append(1)
        import torch

        return torch.tanh(z)

    register_activation("mytanh", base.forward, base.derivative, torch_tanh)
    try:
        case = _families(1, seed=2, activations=["mytanh"])[0]
        _same(helper.stacked(*_args(case), validate=False),
              process.LOCAL.stacked(*_args(case), validate=False))
        assert calls, "the callable was not used: the answer came from elsewhere"
    finally:
        ACTIVATIONS.pop("mytanh")


def test_a_dead_helper_means_answers_from_here_with_a_warning():
    h = process.OracleProcess()
    case = _families(1)[0]
    h.start()
    h._proc.kill()
    h._proc.wait()
    with pytest.warns(RuntimeWarning, match="helper process stopped answering"):
        got = h.stacked(*_args(case), validate=False)
    _same(got, process.LOCAL.stacked(*_args(case), validate=False))
    assert h.broken
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once: later calls go straight to autograd here
        h.stacked(*_args(case), validate=False)


def test_close_ends_the_helper():
    h = process.OracleProcess()
    h.start()
    proc = h._proc
    h.close()
    assert proc.wait(timeout=10) == 0


USER_RUN = '''import sys

import reference
from tinynet import backprop


def test_backprop(oracle_case):
    reference.assert_backprop(backprop, oracle_case, bias_shape="row")


def test_zz_torch_never_imported_here():
    assert ("torch" in sys.modules) == {in_process}
'''


@pytest.mark.parametrize("in_process", [False, True])
def test_a_users_pytest_run_never_imports_torch(tmp_path, in_process):
    """The point of the helper: the user's pytest process stays NumPy-only (the
    last test runs after every oracle_case); --oracle-in-process keeps the old way."""
    (tmp_path / "tinynet.py").write_text((THIRDPARTY / "tinynet.py").read_text())
    (tmp_path / "test_user.py").write_text(USER_RUN.format(in_process=in_process))
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "-p", "no:randomly", "--oracle-cases", "60", "--oracle-layouts", "rows",
                        "--oracle-activations", "identity,sigmoid,tanh,relu,softmax",
                        "--oracle-losses", "quadratic,bce,cross_entropy",  # tinynet's
                        *(["--oracle-in-process"] if in_process else []), "test_user.py"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:]
    assert "61 passed" in r.stdout


def test_a_forked_child_and_threads_do_not_share_the_pipe_unsafely(helper):
    """A user's test may fork (multiprocessing) or use threads: a forked child answers
    from autograd in its own process, threads take turns on the pipe."""
    import multiprocessing
    from concurrent.futures import ThreadPoolExecutor

    cases = _families(4)
    helper.stacked(*_args(cases[0]), validate=False)  # the helper is up before the fork
    ctx = multiprocessing.get_context("fork")
    results = ctx.SimpleQueue()

    def in_child():  # forked: nothing is pickled, the child has the helper's pipe
        real, used = process.LOCAL, []

        class Spy:
            def stacked(self, *args, **kwargs):
                used.append(1)
                return real.stacked(*args, **kwargs)

        process.LOCAL = Spy()
        results.put((helper.stacked(*_args(cases[1]), validate=False).cost, bool(used)))

    child = ctx.Process(target=in_child)
    child.start()
    there, answered_in_child = results.get()
    child.join(timeout=60)
    assert answered_in_child
    np.testing.assert_array_equal(there, process.LOCAL.stacked(*_args(cases[1]),
                                                              validate=False).cost)
    with ThreadPoolExecutor(4) as ex:
        costs = list(ex.map(lambda c: helper.stacked(*_args(c), validate=False).cost,
                            cases * 3))
    for c, got in zip(cases * 3, costs):
        np.testing.assert_array_equal(got, process.LOCAL.stacked(*_args(c),
                                                                 validate=False).cost)
    assert not helper.broken


def test_the_helper_imports_this_grader_not_a_users_package_of_the_same_name(tmp_path,
                                                                             monkeypatch):
    """A user's project may have its own `reference/` or `manual/` in the working
    directory, which comes first on a `python -m` path."""
    for name in ("reference", "manual"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise ImportError('the user package')\n")
    monkeypatch.chdir(tmp_path)
    h = process.OracleProcess()
    case = _families(1)[0]
    local = process.LOCAL
    monkeypatch.setattr(process, "LOCAL", None)
    try:
        _same(h.stacked(*_args(case), validate=False), local.stacked(*_args(case), validate=False))
    finally:
        h.close()


def test_an_interrupted_exchange_never_answers_the_next_request(monkeypatch):
    """Ctrl-C or a test timeout between a request and its reply leaves the reply in the
    pipe: read by the next request, it would be another family's gradients."""
    h = process.OracleProcess()
    first, second = _families(2)
    real_load = process.pickle.load

    def interrupted(stream):
        monkeypatch.setattr(process.pickle, "load", real_load)
        raise KeyboardInterrupt

    try:
        h.stacked(*_args(first), validate=False)  # the helper is up
        monkeypatch.setattr(process.pickle, "load", interrupted)
        with pytest.raises(KeyboardInterrupt):
            h.stacked(*_args(first), validate=False)
        _same(h.stacked(*_args(second), validate=False),
              process.LOCAL.stacked(*_args(second), validate=False))
        assert h.broken and h._proc is None
    finally:
        h.close()


def test_a_helper_that_fails_says_why_in_the_warning():
    """The warning quotes the last line the helper wrote to stderr (its error), so a
    broken installation is visible, not only slower."""
    h = process.OracleProcess()
    case = _families(1)[0]
    h.start()
    h._proc.stdin.write(b"not a pickle")
    h._proc.stdin.flush()
    h._proc.wait(timeout=60)
    with pytest.warns(RuntimeWarning, match=r"stopped answering \(\w+\): .*Error"):
        got = h.stacked(*_args(case), validate=False)
    _same(got, process.LOCAL.stacked(*_args(case), validate=False))
