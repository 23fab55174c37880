"""Bad input gets a clear error naming the problem (InputError; exit 2 on the CLI)."""

import numpy as np
import pytest

from manual import InputError, Network, register_activation


def _net(**kw):
    args = dict(weights=[np.ones((3, 2))], biases=[np.zeros((3, 1))], activations=["tanh"],
                loss="quadratic")
    args.update(kw)
    return Network(**args)


def _ragged():
    return [[1.0, 2.0], [3.0]]


@pytest.mark.parametrize("kwargs, message", [
    (dict(activations=["tanhh"]), "unknown activation 'tanhh'"),
    (dict(loss="mse"), "unknown loss 'mse'"),
    (dict(layout="diagonal"), "layout must be"),
    (dict(reduction="median"), "reduction must be"),
    (dict(weights=[], biases=[], activations=[]), "empty architecture"),
    (dict(biases=[np.zeros((2, 1))]), r"biases\[0\] has shape \(2, 1\), expected \(3, 1\)"),
    (dict(weights=[np.ones((3, 2)), np.ones((1, 4))], biases=[np.zeros((3, 1)), np.zeros((1, 1))],
          activations=["tanh", "sigmoid"]), r"weights\[1\] expects 4 inputs but layer 0 has 3"),
    (dict(activations=["tanh", "tanh"]), "one of each per layer"),
    (dict(weights=[np.ones((3, 2), dtype=np.float16)], biases=[np.zeros((3, 1), np.float16)]),
     "float32 or float64"),
    (dict(weights=[np.full((3, 2), np.nan)]), "NaN or inf"),
    (dict(weights=[np.ones(3)]), "must be a matrix"),
    (dict(weights=None), "weights must be a list with one entry per layer, got None"),
    (dict(biases=5), "biases must be a list"),
    (dict(activations=None), "activations must be a list"),
    (dict(activations="tanh"), "activations must be a list with one entry per layer, got 'tanh'"),
    (dict(weights=[np.ones((0, 2))], biases=[np.zeros((0, 1))]),
     r"weights\[0\] has shape \(0, 2\): every layer needs at least one input and one unit"),
    (dict(weights=[np.ones((3, 0))]), "at least one input and one unit"),
    (dict(weights=[_ragged()]), r"weights\[0\] is not an array"),
    (dict(activations=["relu"], loss="bce"),
     r"loss 'bce' needs an output activation in \(sigmoid\) .*not 'relu'"),
    (dict(activations=["tanh"], loss="cross_entropy"), "needs an output activation in"),
])
def test_bad_network_is_refused_with_the_reason(kwargs, message):
    with pytest.raises(InputError, match=message):
        _net(**kwargs)


@pytest.mark.parametrize("X, Y, message", [
    (np.ones((3, 4)), np.ones((3, 4)), r"X has shape \(3, 4\), expected \(2, m\)"),
    (np.array([[np.nan], [1.0]]), np.ones((3, 1)), "X contains NaN"),
    (np.ones((2, 4)), np.ones((3, 5)), r"Y has shape \(3, 5\), expected \(3, 4\)"),
    (np.ones((2, 1)), np.array([[np.inf], [0], [0]]), "Y contains NaN or inf"),
    (np.ones(2), np.ones(3), "X has shape"),
    (np.array([["a"], ["b"]]), np.ones((3, 1)), "must be numeric"),
    (np.ones((2, 0)), np.ones((3, 0)), r"X has shape \(2, 0\): an empty batch \(m = 0\)"),
    (_ragged(), np.ones((3, 2)), "X is not an array"),
    (np.ones((2, 1)), np.ones((3, 1), complex) + 1j, "Y must be numeric .* complex128"),
    (np.ones((2, 1)), np.full((3, 1), "a"), "Y must be numeric"),
    (np.ones((2, 1)), np.ones((3, 1), "m8[s]"), "Y must be numeric .* timedelta64"),
])
def test_bad_batch_is_refused_with_the_reason(X, Y, message):
    net = _net()
    for call in (net.backprop, net.cost):
        with pytest.raises(InputError, match=message):
            call(X, Y)


def test_registering_a_duplicate_or_derivative_free_activation_is_refused():
    with pytest.raises(InputError, match="already registered"):
        register_activation("tanh", np.tanh, lambda z, a: 1 - a * a, "torch.tanh(z)")
    with pytest.raises(InputError, match="needs a derivative"):
        register_activation("nothing_here", np.tanh, None, "torch.tanh(z)")


@pytest.mark.parametrize("args, message", [
    (["check", "--cases", "0"], "positive integer"),
    (["check", "--seed", "-3"], "non-negative integer"),
    (["check", "--activations", "tanhh"], "unknown activation 'tanhh'"),
    (["check", "--losses", "focal"], "unknown loss 'focal'"),
    (["check", "--format", "xml"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
    ([], "required"),
    # was: 100000 worker processes forked (the run never finished)
    (["check", "--jobs", "100000"], "expected at most 256 processes, got '100000'"),
    # was: an empty list meant "all losses" (--losses '') or a vague "no combination"
    (["check", "--losses", ""], "expected a comma-separated list of loss names, got ''"),
    (["check", "--activations", " , "], "list of activation names, got ' , '"),
    (["check", "--layouts", ""], "list of layout names"),
    (["check", "--dtypes", ""], "list of dtype names"),
    # was: the second definition silently replaced the first
    (["check", "--cases", "3", "--activation", "foo=z:1", "--activation", "foo=z:2"],
     "activation 'foo' is defined more than once"),
    # was: exit 1, "expected nan, got nan" reported as disagreements of manual
    (["check", "--cases", "3", "--activation", "foo=log(z):1/z"],
     "activation 'foo' is not finite on its domain [-8, 8]: at z = -8 the forward is nan"),
    (["check", "--cases", "3", "--activation", "foo=exp(exp(exp(z))):1"],
     "the forward is inf"),
    (["check", "--cases", "3", "--activation", "foo=1/z:-1/z**2"], "at z = 0"),
])
def test_cli_bad_usage_is_one_line_and_exit_2(cli, args, message):
    r = cli(*args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


# ---- holes found by a systematic hunt: each was a traceback, a silent wrong answer,
# ---- a hang or a memory blow-up; each is now an InputError naming the problem

def test_targets_outside_the_losses_domain_are_refused():
    """bce takes y in [0, 1] (soft labels too); cross_entropy takes a distribution per
    example. Labels in {-1, 1} or class indices would make the cost unbounded below."""
    bce = _net(activations=["sigmoid"], loss="bce")
    X = np.ones((2, 2))
    bce.backprop(X, np.array([[0.0, 1.0], [0.25, 1.0], [0.0, 0.5]]))  # soft labels: fine
    with pytest.raises(InputError, match=r"loss 'bce' needs Y in \[0, 1\], got values from -1"):
        bce.backprop(X, np.array([[-1.0, 1.0]] * 3))
    ce = _net(activations=["softmax"], loss="cross_entropy")
    ce.backprop(X, np.array([[0.2, 1], [0.3, 0], [0.5, 0]], np.float32))  # a distribution
    with pytest.raises(InputError, match="negative entry"):
        ce.backprop(X, np.array([[1.5, 1], [-0.5, 0], [0, 0]]))
    with pytest.raises(InputError, match="to sum to 1 .* summing to 2"):
        ce.backprop(X, np.array([[2.0, 1], [0, 0], [0, 0]]))


@pytest.mark.parametrize("kwargs, message", [
    (dict(sizes=None), "sizes must be a list of layer sizes"),
    (dict(sizes=3), "sizes must be a list of layer sizes"),
    (dict(sizes="32"), "sizes must be a list of layer sizes"),
    (dict(sizes=[2, True]), "every layer size must be a positive integer"),
    (dict(dtype="banana"), "dtype must be float32 or float64, not 'banana'"),
    (dict(dtype=np.float16), "dtype must be float32 or float64, not float16"),
    (dict(seed=-1), "seed must be an integer >= 0, got -1"),
    (dict(seed=1.5), "seed must be an integer >= 0, got 1.5"),
    (dict(seed=None), "seed must be an integer >= 0, got None"),
    (dict(sizes=[10**6, 10**6]), r"need 1,000,001,000,000 parameters .* memory available"),
])
def test_bad_init_is_refused_with_the_reason(kwargs, message):
    args = dict(sizes=[2, 1], activations=["sigmoid"], loss="bce")
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        Network.init(**args)


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=float("nan")), "lr must be a finite number, got nan"),
    (dict(lr=float("inf")), "lr must be a finite number, got inf"),
    (dict(lr=0), "lr must be > 0, got 0"),
    (dict(lr="0.1"), "lr must be a finite number"),
    (dict(l2=float("nan")), "l2 must be a finite number"),
    (dict(l2=-1), "l2 must be >= 0, got -1"),
    (dict(epochs=1.5), "epochs must be an integer >= 0, got 1.5"),
    (dict(epochs=True), "epochs must be an integer"),
    (dict(epochs=-1), "epochs must be an integer >= 0, got -1"),
    (dict(batch_size=0), "batch_size must be an integer >= 1, got 0"),
    (dict(batch_size=2.5), "batch_size must be an integer >= 1, got 2.5"),
    (dict(seed=-1), "seed must be an integer >= 0, got -1"),
    (dict(Y=np.ones((1, 5))), r"Y has shape \(1, 5\), expected \(1, 6\)"),
    (dict(X=np.ones(2)), r"X has shape \(2,\), expected \(2, m\)"),
    (dict(X=np.ones((2, 6), complex)), "X must be numeric"),
    (dict(X=np.ones((2, 0)), Y=np.ones((1, 0))), "empty batch"),
])
def test_bad_training_options_are_refused_with_the_reason(kwargs, message):
    net = Network.init([2, 1], ["sigmoid"], loss="bce")
    before = [w.copy() for w in net.weights]
    args = dict(X=np.ones((2, 6)), Y=np.ones((1, 6)), epochs=2)
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        net.fit(args.pop("X"), args.pop("Y"), **args)
    np.testing.assert_array_equal(net.weights[0], before[0])  # refused before any step


def test_many_epochs_stream_instead_of_filling_memory(monkeypatch):
    """fit listed every mini-batch of every epoch before the first step: epochs=10**12
    filled memory. Under a 1 GB headroom the first step now comes (and stops the run)."""
    import resource

    import manual.training

    class FirstStep(Exception):
        pass

    def first_step(*args):
        raise FirstStep

    monkeypatch.setattr(manual.training, "sgd_step", first_step)
    net = Network.init([1, 1], ["identity"])
    X, Y = np.ones((1, 10_000)), np.ones((1, 10_000))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    vm_size = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (vm_size + 2**30, hard))
    try:
        with pytest.raises(FirstStep):
            net.fit(X, Y, epochs=10**12, batch_size=1)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_gradient_check_refuses_bad_options_and_networks_too_big_to_finish():
    from manual import gradient_check

    net = Network.init([2, 3, 1], ["tanh", "sigmoid"], loss="bce")
    X, Y = np.ones((2, 4)), np.ones((1, 4))
    for eps, message in [(0, "eps must be > 0, got 0"), (-1e-6, "eps must be > 0"),
                         (float("nan"), "eps must be a finite number")]:
        with pytest.raises(InputError, match=message):
            gradient_check(net, X, Y, eps=eps)
    with pytest.raises(InputError, match="needs a manual.Network, got str"):
        gradient_check("net", X, Y)
    with pytest.raises(InputError, match="empty batch"):
        gradient_check(net, np.ones((2, 0)), np.ones((1, 0)))
    # two forward passes per parameter: 20,401 parameters would run 40,802 of them
    with pytest.raises(InputError, match=r"20,401 parameters .* max_params=20,000"):
        gradient_check(Network.init([100, 200, 1], ["tanh", "sigmoid"], loss="bce"),
                       np.ones((100, 1)), np.ones((1, 1)))
    with pytest.raises(InputError, match="max_params=10"):
        gradient_check(net, X, Y, max_params=10)
    assert gradient_check(net, X, Y, max_params=None).relative_error < 1e-6


@pytest.mark.parametrize("kwargs, message", [
    (dict(name=3), "activation name 3 must be an identifier"),
    (dict(name=None), "activation name None must be an identifier"),
    (dict(forward=5), "forward of activation 'bad_t' must be callable"),
    (dict(derivative="1 - a*a"), "derivative of activation 'bad_t' must be callable"),
    (dict(torch=5), "torch counterpart of activation 'bad_t' must be a string"),
    (dict(domain=(5, -5)), r"domain of activation 'bad_t' must be two finite numbers lo < hi"),
    (dict(domain=None), "domain of activation 'bad_t' must be two numbers"),
    (dict(kinks="0"), "kinks of activation 'bad_t' must be a list of numbers"),
    (dict(tolerance={"float32": 1e-3}), r"tolerance .* \(rtol, atol\) must be two numbers"),
    (dict(tolerance={"float16": (1, 1)}), "dtype must be float32 or float64"),
    (dict(tolerance=[1]), "tolerance of activation 'bad_t' must map a dtype name"),
])
def test_bad_activation_entries_are_refused_and_not_registered(kwargs, message):
    from manual import ACTIVATIONS

    args = dict(name="bad_t", forward=np.tanh, derivative=lambda z, a: 1 - a * a,
                torch="torch.tanh(z)")
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        register_activation(args.pop("name"), args.pop("forward"), args.pop("derivative"),
                            args.pop("torch"), **args)
    assert "bad_t" not in ACTIVATIONS


@pytest.mark.parametrize("kwargs, message", [
    (dict(name=3), "loss name 3 must be an identifier"),
    (dict(name=""), "loss name '' must be an identifier"),
    (dict(cost=None), "cost of loss 'bad_t' must be callable"),
    (dict(output_activations="tanh"), "must be a list of activation names, got 'tanh'"),
    (dict(output_activations=3), "must be a list of activation names, got 3"),
])
def test_bad_loss_entries_are_refused_and_not_registered(kwargs, message):
    from manual import LOSSES, register_loss

    args = dict(name="bad_t", cost=lambda a, y, axis: (a - y).sum(axis), gradient=lambda a, y: a,
                torch="a - y", output_activations=("identity",))
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        register_loss(args.pop("name"), args.pop("cost"), args.pop("gradient"),
                      args.pop("torch"), **args)
    assert "bad_t" not in LOSSES


def test_any_memory_layout_and_list_inputs_give_the_same_gradients():
    """Fortran order, strided views, read-only arrays and nested lists are all fine."""
    rng = np.random.default_rng(0)
    W = [rng.standard_normal((4, 3)), rng.standard_normal((2, 4))]
    b = [rng.standard_normal((4, 1)), rng.standard_normal((2, 1))]
    X, Y = rng.standard_normal((3, 5)), rng.random((2, 5))
    Y /= Y.sum(axis=0)
    base = Network(W, b, ["tanh", "softmax"], "cross_entropy").backprop(X, Y)

    def frozen(a):
        a = np.asfortranarray(a)
        a.flags.writeable = False
        return a

    strided = lambda a: np.repeat(a, 2, axis=1)[:, ::2]
    variants = [
        ([frozen(w) for w in W], [frozen(v) for v in b], frozen(X), frozen(Y)),
        ([strided(w) for w in W], [strided(v) for v in b], strided(X), strided(Y)),
        ([w.tolist() for w in W], [v.tolist() for v in b], X.tolist(), Y.tolist()),
    ]
    for w, v, x, y in variants:
        net = Network(w, v, ["tanh", "softmax"], "cross_entropy")
        g = net.backprop(x, y)
        for got, want in zip(g.deltas + g.dW + g.db, base.deltas + base.dW + base.db):
            np.testing.assert_array_equal(got, want)
        net.fit(x, y, epochs=2, batch_size=2)  # trains on copies: read-only is fine


@pytest.mark.parametrize("kwargs, message", [
    (dict(activations=["tanh", "tanh"]), "1 weight matrices, 1 bias vectors and 2 activations"),
    (dict(reduction="median"), "reduction must be 'mean' or 'sum', not 'median'"),
    (dict(layout="diag"), "layout must be 'columns' or 'rows', not 'diag'"),
    (dict(X=np.full((2, 4), np.nan)), "X contains NaN or inf"),
    (dict(X=np.ones((3, 4))), r"X has shape \(3, 4\), expected \(2, m\)"),
    (dict(Y=np.ones((2, 4))), r"Y has shape \(2, 4\), expected \(3, 4\)"),
    (dict(X=np.ones((2, 0)), Y=np.ones((3, 0))), "empty batch"),
    (dict(X=np.ones((2, 4), complex)), "X must be numeric"),
    (dict(biases=[np.zeros((2, 1))]), r"biases\[0\] has shape \(2, 1\), expected \(3, 1\)"),
    (dict(precision="banana"), "precision must be 'float64' or 'float32', not 'banana'"),
])
def test_the_oracle_refuses_what_the_network_refuses(kwargs, message):
    """The oracle silently ignored an extra activation, took any reduction but "mean"
    for "sum" and any layout but "columns" for "rows", returned NaN gradients for NaN
    input, and crashed with torch's RuntimeError on a wrong shape."""
    from reference.oracle import oracle_backprop

    args = dict(weights=[np.full((3, 2), 0.1)], biases=[np.zeros((3, 1))],
                activations=["tanh"], loss="quadratic", X=np.ones((2, 4)), Y=np.ones((3, 4)))
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        oracle_backprop(**args)


def test_oracle_fit_refuses_what_fit_refuses():
    from reference.oracle import oracle_fit

    w, b, X, Y = [np.full((3, 2), 0.1)], [np.zeros((3, 1))], np.ones((2, 4)), np.ones((3, 4))
    with pytest.raises(InputError, match="lr must be > 0, got -1"):
        oracle_fit(w, b, ["tanh"], "quadratic", X, Y, lr=-1)
    with pytest.raises(InputError, match="batch_size must be an integer >= 1, got 0"):
        oracle_fit(w, b, ["tanh"], "quadratic", X, Y, batch_size=0)
    with pytest.raises(InputError, match=r"Y has shape \(3, 3\), expected \(3, 4\)"):
        oracle_fit(w, b, ["tanh"], "quadratic", X, np.ones((3, 3)))


def test_compare_gradients_judges_malformed_answers_instead_of_crashing_or_passing():
    """A missing layer was an IndexError, an extra layer or a complex array passed."""
    import dataclasses

    from reference.oracle import oracle_for, oracle_stacked
    from reference.oracle.compare import compare_gradients, compare_stacked, tolerance_for

    net = _net(weights=[np.full((3, 2), 0.1)])
    X, Y = np.ones((2, 4)), np.ones((3, 4))
    g, expected = net.backprop(X, Y), oracle_for(net, X, Y)
    assert compare_gradients(g, expected, "float64").ok
    for dtype in ("float16", "banana", None):
        with pytest.raises(InputError, match="no tolerance for dtype"):
            compare_gradients(g, expected, dtype)
        with pytest.raises(InputError, match="no tolerance for dtype"):
            tolerance_for(dtype)
    with pytest.raises(InputError, match="got must have lists deltas, dW and db"):
        compare_gradients("answer", expected, "float64")
    stacked = oracle_stacked([w[None] for w in net.weights], [v[None] for v in net.biases],
                             ["tanh"], "quadratic", X[None], Y[None])
    wrong = {"0 dW arrays, expected 1": dataclasses.replace(g, dW=[]),
             "2 dW arrays, expected 1": dataclasses.replace(g, dW=g.dW + g.dW),
             "dtype complex128, expected real numbers":
                 dataclasses.replace(g, dW=[g.dW[0] + 1j]),
             "dtype <U1, expected real numbers":
                 dataclasses.replace(g, dW=[np.full((3, 2), "x")])}
    for detail, answer in wrong.items():
        for verdict in (compare_gradients(answer, expected, "float64"),
                        compare_stacked([answer], stacked, "float64")[0]):
            assert not verdict.ok
            assert detail in verdict.mismatch.detail
