"""The optimizer judges in-process, on many written-out update rules: the probe runs the
rule (as the sandbox would, its answer through the codec), the judge gives the verdict.
Right rules in every convention a TA accepts pass (with their notes); each known mistake
is named. The sandboxed harness runs the same on the catalogs (tests/grade_catalog.py)."""

from __future__ import annotations

import numpy as np
import pytest

from reference.grade import codec
from reference.grade.probes import cs231n_optim as cs_probe
from reference.grade.probes import ng_c2w2 as ng_probe
from reference.grade.probes.remote import take_notes
from reference.grade.styles import cs231n_optim, ng_c2w2
from reference.oracle.kinds import Kind

# the planted rules divide by zero on purpose (Adam's t used at 0)
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

CS = {f.name: f for f in cs231n_optim.FUNCTIONS}
NG = {f.name: f for f in ng_c2w2.STYLE.functions}


def _verdict(fn, ns, seed=0):
    """(first finding or None, notes) over every case of `fn` for the rules in `ns`."""
    take_notes()
    for case in fn.cases(np.random.default_rng(seed), 4):
        probe = getattr({"cs231n_optim": cs_probe, "ng_c2w2": ng_probe}[
            fn.probe.split(":")[0].rsplit(".", 1)[-1]], fn.probe.split(":")[1])
        got = codec.decode(codec.encode(probe(dict(ns), fn.child_inputs(case))), as_float=True)
        found = fn.judge(got, case)
        if found:
            return found, take_notes()
    return None, take_notes()


# --- CS231n's optim.py ----------------------------------------------------------------------
def momentum(mu_v, step):
    def sgd_momentum(w, dw, config=None):
        config = {} if config is None else config
        config.setdefault("learning_rate", 1e-2)
        config.setdefault("momentum", 0.9)
        v = config.get("velocity", np.zeros_like(w))
        v, next_w = mu_v(config, v, dw), None
        next_w = step(config, w, v, dw)
        config["velocity"] = v
        return next_w, config
    return sgd_momentum


MOMENTUM = {
    "course": (lambda c, v, dw: c["momentum"] * v - c["learning_rate"] * dw,
               lambda c, w, v, dw: w + v, None, ""),
    "torch buffer": (lambda c, v, dw: c["momentum"] * v + dw,
                     lambda c, w, v, dw: w - c["learning_rate"] * v, None,
                     "torch momentum"),
    "negated": (lambda c, v, dw: c["momentum"] * v + c["learning_rate"] * dw,
                lambda c, w, v, dw: w - v, None, "negated velocity"),
    "exponential average": (lambda c, v, dw: c["momentum"] * v + (1 - c["momentum"]) * dw,
                            lambda c, w, v, dw: w - c["learning_rate"] * v,
                            "exponential average", None),
    "sign": (lambda c, v, dw: c["momentum"] * v + c["learning_rate"] * dw,
             lambda c, w, v, dw: w + v, "the step next_w − w", None),
}


@pytest.mark.parametrize("name", MOMENTUM)
def test_sgd_momentum_conventions_and_mistakes(name):
    mu_v, step, wrong, note = MOMENTUM[name]
    found, notes = _verdict(CS["sgd_momentum"], {"sgd_momentum": momentum(mu_v, step)})
    if wrong is None:
        assert found is None, found
        assert notes == ([note] if note else []), notes
    else:
        assert found is not None and wrong in found.diagnosis, found


def adam(start=0, before=True, lr_t=False, bias=True, eps_inside=False):
    """An adam written the ways students wrote it."""
    def rule(w, dw, config=None):
        config = {} if config is None else config
        for k, d in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999),
                     ("epsilon", 1e-8), ("t", start)):
            config.setdefault(k, d)
        config.setdefault("m", np.zeros_like(w))
        config.setdefault("v", np.zeros_like(w))
        b1, b2, eps, lr = config["beta1"], config["beta2"], config["epsilon"], \
            config["learning_rate"]
        t = config["t"] + 1 if before else config["t"]
        m = b1 * config["m"] + (1 - b1) * dw
        v = b2 * config["v"] + (1 - b2) * dw ** 2
        if lr_t:
            w = w - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        else:
            mh, vh = (m / (1 - b1 ** t), v / (1 - b2 ** t)) if bias else (m, v)
            w = w - lr * mh / (np.sqrt(vh + eps) if eps_inside else np.sqrt(vh) + eps)
        config.update(m=m, v=v, t=config["t"] + 1)
        return w, config
    return rule


@pytest.mark.parametrize(("kw", "wrong", "note"), [
    ({}, None, None),
    ({"lr_t": True}, None, "adam lr_t"),
    ({"start": 1}, None, "adam t from 1"),
    ({"start": 1, "before": False}, None, "adam t from 1"),
    ({"start": 1, "lr_t": True}, None, "adam lr_t"),
    ({"before": False}, "increment t before the bias correction", None),
    ({"bias": False}, "no bias correction", None),
    ({"eps_inside": True}, "ε inside the square root", None),
], ids=["course", "lr_t", "2016-first", "2016-after", "2016-lr_t", "t-after-use",
        "no-bias", "eps-inside"])
def test_adam_conventions_and_mistakes(kw, wrong, note):
    found, notes = _verdict(CS["adam"], {"adam": adam(**kw)})
    if wrong is None:
        assert found is None, found
        assert note is None or note in notes, notes
    else:
        assert found is not None and wrong in found.diagnosis, found


def test_a_stub_is_missing_and_a_wrong_return_is_an_api_error():
    def stub(w, dw, config=None):
        next_w = None
        return next_w, config

    found, _ = _verdict(CS["rmsprop"], {"rmsprop": stub})
    assert found.kind is Kind.MISSING and "is a stub" in found.diagnosis
    found, _ = _verdict(CS["rmsprop"], {"rmsprop": lambda w, dw, config=None: w})
    assert found.kind is Kind.API and "(next_w, config)" in found.diagnosis


# --- Ng's course 2 week 2 ------------------------------------------------------------------
def mini_batches(kind):
    def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
        m = X.shape[1]
        perm = np.random.RandomState(seed).permutation(m)
        if kind == "unshuffled":
            perm = np.arange(m)
        elif kind == "choice":
            perm = np.random.RandomState(seed).choice(m, m)
        elif kind == "reversed":            # every example once, out of order, no seed
            perm = np.arange(m)[::-1]
        elif kind == "seed_ignored":        # np.random.seed(0) whatever the seed
            perm = np.random.RandomState(0).permutation(m)
        elif kind == "unseeded":            # the global generator, never seeded: random too
            perm = np.random.permutation(m)
        X_s, Y_s = X[:, perm], Y[:, perm]
        if kind == "different":
            Y_s = Y[:, np.random.RandomState(seed + 1).permutation(m)]
        stop = m if kind != "dropped" else m - m % mini_batch_size
        out = [(X_s[:, k:k + mini_batch_size], Y_s[:, k:k + mini_batch_size])
               for k in range(0, stop, mini_batch_size)]
        if kind == "empty" or (kind == "empty_if_even" and m % mini_batch_size == 0):
            out.append((X_s[:, m:], Y_s[:, m:]))
        return out
    return random_mini_batches


@pytest.mark.parametrize(("kind", "wrong"), [
    ("notebook", None), ("unshuffled", "not shuffled"),
    ("choice", "not every example once"), ("different", "different permutations"),
    ("dropped", "the last, smaller mini-batch"), ("empty_if_even", "an empty mini-batch"),
    ("reversed", "the shuffle ignores its seed"), ("seed_ignored", "the shuffle ignores its seed"),
])
def test_random_mini_batches(kind, wrong):
    found, notes = _verdict(NG["random_mini_batches"], {"random_mini_batches":
                                                        mini_batches(kind)})
    if wrong is None:
        assert found is None and notes == [], (found, notes)
    else:
        assert found is not None and wrong in found.diagnosis, found


def test_an_unseeded_shuffle_is_random_too():
    found, _ = _verdict(NG["random_mini_batches"], {"random_mini_batches":
                                                    mini_batches("unseeded")})
    assert found is None, found


def test_another_shuffle_passes_with_a_note():
    def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
        perm = np.random.default_rng(seed).permutation(X.shape[1])
        return [(X[:, perm][:, k:k + mini_batch_size], Y[:, perm][:, k:k + mini_batch_size])
                for k in range(0, X.shape[1], mini_batch_size)]

    found, notes = _verdict(NG["random_mini_batches"], {"random_mini_batches":
                                                        random_mini_batches})
    assert found is None and notes == ["shuffled otherwise"], (found, notes)


def ng_adam(returns=5, sqrt=True, t_of=lambda t, l: t):
    def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                    beta1=0.9, beta2=0.999, epsilon=1e-8):
        vc, sc = {}, {}
        for l in range(1, len(parameters) // 2 + 1):
            for p in ("W", "b"):
                k, tt = f"d{p}{l}", t_of(t, l)
                v[k] = beta1 * v[k] + (1 - beta1) * grads[k]
                s[k] = beta2 * s[k] + (1 - beta2) * grads[k] ** 2
                vc[k], sc[k] = v[k] / (1 - beta1 ** tt), s[k] / (1 - beta2 ** tt)
                denom = np.sqrt(sc[k]) + epsilon if sqrt else sc[k] + epsilon
                parameters[f"{p}{l}"] = parameters[f"{p}{l}"] - learning_rate * vc[k] / denom
        return (parameters, v, s, vc, sc)[:returns]
    return update_parameters_with_adam


@pytest.mark.parametrize(("kw", "wrong"), [
    ({}, None), ({"returns": 3}, None),
    ({"sqrt": False}, "the square root of s_corrected is missing"),
    ({"t_of": lambda t, l: l}, "the layer number l = 1 used for t"),
    ({"t_of": lambda t, l: 1}, "ignores t"),
    ({"returns": 2}, "should return (parameters, v, s)"),
])
def test_ng_adam(kw, wrong):
    found, notes = _verdict(NG["update_parameters_with_adam"],
                            {"update_parameters_with_adam": ng_adam(**kw)})
    if wrong is None:
        assert found is None, found
        assert notes == (["adam three values"] if kw.get("returns") == 3 else []), notes
    else:
        assert found is not None and wrong in found.diagnosis, found


def test_ng_momentum_in_cs231ns_form_is_named():
    def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
        for k in parameters:
            v["d" + k] = beta * v["d" + k] - learning_rate * grads["d" + k]
            parameters[k] = parameters[k] + v["d" + k]
        return parameters, v

    found, _ = _verdict(NG["update_parameters_with_momentum"],
                        {"update_parameters_with_momentum": update_parameters_with_momentum})
    assert found is not None and "CS231n's form" in found.diagnosis, found


def test_learning_rate_decay_closed_forms():
    def update_lr(learning_rate0, epoch_num, decay_rate):
        return learning_rate0 / (1 + decay_rate * epoch_num)

    def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
        return learning_rate0 / (1 + decay_rate * epoch_num / time_interval)

    assert _verdict(NG["update_lr"], {"update_lr": update_lr})[0] is None
    found, _ = _verdict(NG["schedule_lr_decay"], {"schedule_lr_decay": schedule_lr_decay})
    assert found is not None and "not floored" in found.diagnosis, found
