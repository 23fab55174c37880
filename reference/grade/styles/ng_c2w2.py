"""Ng's course 2 week 2, "Optimization methods": mini-batches, momentum, Adam and
learning-rate decay on the course's parameters dict (W1, b1, ..., columns layout), each
against its closed form or the optimizer registry (`manual.optimizers`, checked against
torch.optim):

    update_parameters_with_gd         W ← W − α·dW for every W{l}, b{l}
    random_mini_batches               a partition of the shuffled columns: X and Y shuffled
                                      alike, every example once, batches of
                                      mini_batch_size and a smaller last one
    initialize_velocity               v['dW{l}'], v['db{l}'] zeros of the parameters' shapes
    update_parameters_with_momentum   v ← βv + (1 − β)dW; W ← W − α·v   (momentum_ema)
    initialize_adam                   (v, s), both zeros
    update_parameters_with_adam       v, s the moving averages; v_corrected, s_corrected
                                      by (1 − βᵗ) with the t given; W ← W − α·v̂/(√ŝ + ε);
                                      three return values (older) or five (newer)
    update_lr, schedule_lr_decay      α₀/(1 + decay·epoch), α₀/(1 + decay·⌊epoch/interval⌋)
                                      (newer notebooks only: optional)

The update rules run over a few steps, each given what the student's function returned,
as the notebook's model loop does; each step is judged from that state. The partition is
accepted whatever the permutation (a TA accepts any shuffle; the notebook's own test
compares values, and a note says so when the student's is not the notebook's).
"""

from __future__ import annotations

import math

import numpy as np

from ...oracle.diagnose import Finding, Kind, as_array, diagnose_array, diagnose_keys, first
from ..base import GradeCase, GradedFunction, Style
from .ng import judge_update_parameters
from .ng_c2w2_batches import judge_mini_batches, mini_batch_cases
from .optim_judge import diagnose_scaled

__all__ = ["STYLE"]

PROBES = "reference.grade.probes.ng_c2w2"
DIMS = ([2, 1], [3, 2, 1], [4, 3, 3, 2], [1, 1])


def _params(rng, dims, scale=1.0):
    """parameters W{l} (n_l, n_{l−1}), b{l} (n_l, 1) and grads dW{l}, db{l} like them."""
    params, grads = {}, {}
    for l in range(1, len(dims)):
        for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1))):
            params[key] = rng.standard_normal(shape)
            grads["d" + key] = scale * rng.standard_normal(shape)
    return params, grads


def _dims(rng, n):
    return [list(d) for d in DIMS] + [[int(v) for v in rng.integers(1, 5, int(rng.integers(2, 4)))]
                                      for _ in range(max(0, n - len(DIMS)))]


def gd_cases(rng, n):
    out = []
    for dims in _dims(rng, n):
        params, grads = _params(rng, dims)
        lr = float(rng.choice([0.01, 0.1, 1.2]))
        new = {k: p - lr * grads["d" + k] for k, p in params.items()}
        out.append(GradeCase({"function": "update_parameters_with_gd",
                              "args": [params, grads, lr], "parameters": params,
                              "grads": grads, "learning_rate": lr}, {"params": new},
                             (len(dims), sum(dims)), f"layer dims {dims}, learning rate {lr}"))
    return out


def judge_gd(got, case):
    """W ← W − α·dW (ng's update_parameters judge)."""
    return judge_update_parameters(got, case)


def init_cases(function: str):
    def make(rng, n):
        out = []
        for dims in _dims(rng, n):
            params, _ = _params(rng, dims)
            out.append(GradeCase({"function": function, "args": [params]}, {},
                                 (len(dims), sum(dims)), f"layer dims {dims}"))
        return out
    return make


def _judge_zeros(value, params, name: str) -> Finding | None:
    keys = ["d" + k for k in params]
    found = diagnose_keys(value, keys, equation="init", name=name)
    for key in keys if found is None else ():
        found = diagnose_array(value[key], np.zeros_like(params[key[1:]]), equation="init",
                               name=f"{name}['{key}']")
        if found:
            break
    return found


def judge_velocity(got, case):
    """v['dW{l}'], v['db{l}']: zeros of W{l}'s and b{l}'s shapes."""
    return _judge_zeros(got.get("return"), case.inputs["args"][0], "v")


def judge_init_adam(got, case):
    """(v, s): both zeros of the parameters' shapes."""
    out = got.get("return")
    if not isinstance(out, list) or len(out) != 2:
        return Finding("init", "initialize_adam should return (v, s)", kind=Kind.API)
    params = case.inputs["args"][0]
    return first([_judge_zeros(out[0], params, "v"), _judge_zeros(out[1], params, "s")])


# --- the update rules over a few steps ---------------------------------------------------
def _trajectory_cases(function: str, own: dict, n_state: int):
    def make(rng, n):
        out = []
        for k, dims in enumerate(_dims(rng, n)):
            scale = 1e-3 if k == 2 else 1.0
            hp = own if k % 2 else DEFAULTS[function]
            params, grads = _params(rng, dims, scale)
            steps = [grads] + [_params(rng, dims, scale)[1] for _ in range(2)]
            state = [{"d" + key: np.zeros_like(p) for key, p in params.items()}
                     for _ in range(n_state)]
            extra = [EXTRA[function](hp, t) for t in range(1, len(steps) + 1)]
            out.append(GradeCase({"function": function, "parameters": params, "grads": steps,
                                  "state": state, "extra": extra, "hp": hp},
                                 {}, (len(dims), sum(dims)),
                                 f"layer dims {dims}, {len(steps)} steps, {hp}"
                                 + (f", gradients of {scale:g}" if scale != 1.0 else "")))
        return out
    return make


DEFAULTS = {"update_parameters_with_momentum": {"beta": 0.9, "learning_rate": 0.01},
            "update_parameters_with_adam": {"learning_rate": 0.01, "beta1": 0.9,
                                            "beta2": 0.999, "epsilon": 1e-8}}
OWN = {"update_parameters_with_momentum": {"beta": 0.7, "learning_rate": 0.05},
       "update_parameters_with_adam": {"learning_rate": 0.05, "beta1": 0.8, "beta2": 0.95,
                                       "epsilon": 1e-6}}
EXTRA = {"update_parameters_with_momentum": lambda hp, t: [hp["beta"], hp["learning_rate"]],
         "update_parameters_with_adam": lambda hp, t: [t, hp["learning_rate"], hp["beta1"],
                                                       hp["beta2"], hp["epsilon"]]}


def _momentum_expect(P, G, state, hp, t):
    """v ← βv + (1 − β)dW; W ← W − α·v, per key; and the known mistakes' W."""
    beta, lr = hp["beta"], hp["learning_rate"]
    (V,) = state
    exp_p, exp_v, wrong = {}, {}, {}
    for key, p in P.items():
        g, v = G["d" + key], V["d" + key]
        exp_v["d" + key] = beta * v + (1 - beta) * g
        exp_p[key] = p - lr * exp_v["d" + key]
        wrong[key] = [("the velocity is v = βv − α·dW (CS231n's form): the course's v is an "
                       "exponential average, v = βv + (1 − β)dW, and W ← W − α·v",
                       p + beta * v - lr * g),
                      ("v = βv + dW, without the (1 − β)", p - lr * (beta * v + g)),
                      ("the velocity is not used: a plain gradient step", p - lr * g)]
    return exp_p, [exp_v], {}, wrong


def _adam_expect(P, G, state, hp, t):
    """v, s the moving averages; v̂ = v/(1 − β₁ᵗ), ŝ = s/(1 − β₂ᵗ); W ← W − α·v̂/(√ŝ + ε)."""
    b1, b2, eps, lr = hp["beta1"], hp["beta2"], hp["epsilon"], hp["learning_rate"]
    V, S = state
    exp_p, ev, es, vc, sc, wrong = {}, {}, {}, {}, {}, {}
    for key, p in P.items():
        l = int(key[1:])
        g, d = G["d" + key], "d" + key
        ev[d], es[d] = b1 * V[d] + (1 - b1) * g, b2 * S[d] + (1 - b2) * g * g
        vc[d], sc[d] = ev[d] / (1 - b1 ** t), es[d] / (1 - b2 ** t)
        exp_p[key] = p - lr * vc[d] / (np.sqrt(sc[d]) + eps)
        wrong[key] = [("no bias correction (v/(√s + ε)): v_corrected and s_corrected are "
                       "missing", p - lr * ev[d] / (np.sqrt(es[d]) + eps)),
                      ("ε inside the square root (√(ŝ + ε)): the course's is √ŝ + ε",
                       p - lr * vc[d] / np.sqrt(sc[d] + eps)),
                      ("the square root of s_corrected is missing (v̂/(ŝ + ε))",
                       p - lr * vc[d] / (sc[d] + eps)),
                      ("the bias correction ignores t (1 − β, as at t = 1" + (
                          "; or the layer number l = 1 used for t)" if l == 1 else ")"),
                       p - lr * (ev[d] / (1 - b1)) / (np.sqrt(es[d] / (1 - b2)) + eps)),
                      ("the bias correction uses the layer number l for t (1 − β^l)",
                       p - lr * (ev[d] / (1 - b1 ** l)) / (np.sqrt(es[d] / (1 - b2 ** l)) + eps))]
    return exp_p, [ev, es], {"v_corrected": vc, "s_corrected": sc}, wrong


EXPECT = {"update_parameters_with_momentum": _momentum_expect,
          "update_parameters_with_adam": _adam_expect}
STATE = {"update_parameters_with_momentum": ("v",), "update_parameters_with_adam": ("v", "s")}


def _is_stub(items) -> bool:
    """The notebook's placeholders left: parameters (or everything) still None."""
    params = items[0] if items else None
    return params is None or (isinstance(params, dict) and bool(params)
                              and all(v is None for v in params.values()))


def _judge_dict(value, expected: dict, name: str, before: dict | None = None,
                mistakes: dict | None = None) -> Finding | None:
    """Each key of `expected` in `value`; with `before`, the step value − before is judged
    (a mistake in a small step is not hidden by the size of W)."""
    found = diagnose_keys(value, list(expected), equation="update", name=name)
    for key, exp in expected.items() if found is None else ():
        got, label = value[key], f"{name}['{key}']"
        g = as_array(got)
        if before is None or g is None or g.dtype == object or g.shape != np.shape(exp):
            found = diagnose_scaled(got, exp, label, (mistakes or {}).get(key, ()))
        else:
            wrong = [(d, m - before[key]) for d, m in (mistakes or {}).get(key, ())]
            found = diagnose_scaled(g - before[key], exp - before[key], f"the step of {label}",
                                    wrong)
        if found:
            return found
    return found


def _judge_step(function, raw, P, G, state, hp, t):
    """(finding, the parameters and state the next step starts from)."""
    names = STATE[function]
    items = raw.get("return") if isinstance(raw, dict) else None
    if not isinstance(items, list) or _is_stub(items):
        return Finding("api", f"{function} is a stub (not implemented yet: the placeholders "
                       "are still None)", kind=Kind.MISSING), None, None
    if raw.get("count") not in ((3, 5) if len(names) == 2 else (2,)):
        what = "(parameters, v, s) or (parameters, v, s, v_corrected, s_corrected)" \
            if len(names) == 2 else "(parameters, v)"
        return Finding("api", f"{function} should return {what}", kind=Kind.API), None, None
    exp_p, exp_state, corrected, wrong = EXPECT[function](P, G, state, hp, t)
    found = _judge_dict(items[0], exp_p, "parameters", P, wrong)
    for i, name in enumerate(names):
        unchanged = {k: [(f"the new {name} is not stored in {name} (returned unchanged)",
                          old)] for k, old in state[i].items()}
        found = found or _judge_dict(items[1 + i], exp_state[i], name, mistakes=unchanged)
    if raw.get("count") == 5:
        for i, name in enumerate(("v_corrected", "s_corrected")):
            found = found or _judge_dict(items[3 + i], corrected[name], name)
    if found:
        return found, None, None
    return None, {k: as_array(items[0][k]) for k in exp_p}, [
        {k: as_array(items[1 + i][k]) for k in exp_state[i]} for i in range(len(names))]


def _judge_trajectory(function: str):
    def judge(got, case):
        steps = got.get("steps")
        if not isinstance(steps, list) or not steps:
            return Finding("api", f"{function} returned nothing to check", kind=Kind.API)
        P, state, hp = case.inputs["parameters"], case.inputs["state"], case.inputs["hp"]
        for k, G in enumerate(case.inputs["grads"]):
            if k >= len(steps):
                return Finding("api", f"{function} stopped after step {k}", kind=Kind.API)
            found, P, state = _judge_step(function, steps[k], P, G, state, hp, k + 1)
            if found:
                if found.kind is not Kind.MISSING:
                    found.diagnosis = f"step {k + 1} (t = {k + 1}): {found.diagnosis}"
                return found
        return None
    judge.__doc__ = f"{function}: step by step from the state the student's code returned."
    return judge


# --- learning-rate decay (newer notebooks) -----------------------------------------------
def decay_cases(function: str):
    def make(rng, n):
        out = []
        for k in range(max(n, 4)):
            lr0, rate = float(rng.choice([0.5, 0.1, 0.01])), float(rng.choice([1.0, 0.3, 2.0]))
            epoch = int(rng.integers(0, 5000)) if function == "schedule_lr_decay" \
                else int(rng.integers(0, 20))
            args = [lr0, epoch, rate] + ([int(rng.choice([1000, 100, 7]))]
                                         if function == "schedule_lr_decay" else [])
            interval = args[3] if len(args) > 3 else 1
            exp = lr0 / (1 + rate * math.floor(epoch / interval))
            out.append(GradeCase({"function": function, "args": args}, {"return": exp},
                                 (k,), f"learning_rate0 {lr0}, epoch_num {epoch}, decay_rate "
                                 f"{rate}" + (f", time_interval {interval}" if len(args) > 3
                                              else "")))
        return out
    return make


def judge_decay(got, case):
    """α = α₀ / (1 + decay_rate·epoch) (schedule_lr_decay: ⌊epoch / time_interval⌋)."""
    exp = case.expected["return"]
    lr0, epoch, rate = case.inputs["args"][:3]
    interval = case.inputs["args"][3] if len(case.inputs["args"]) > 3 else 1
    return diagnose_array(got.get("return"), exp, equation="update", name="learning_rate",
                          mistakes=[("the decay is α₀·decay_rate^epoch (exponential), the "
                                     "course's is α₀ / (1 + decay_rate·epoch)",
                                     lr0 * rate ** (epoch // interval)),
                                    ("epoch_num / time_interval not floored",
                                     lr0 / (1 + rate * epoch / interval))])


def _fn(name, probe, cases, judge, **kw):
    return GradedFunction(name, f"{PROBES}:{probe}", cases, judge, **kw)


STYLE = Style("ng-c2w2", "columns", [
    _fn("update_parameters_with_gd", "call", gd_cases, judge_gd, inputs=("function", "args")),
    _fn("random_mini_batches", "mini_batches", mini_batch_cases, judge_mini_batches,
        inputs=("X", "Y", "mini_batch_size", "seed")),
    _fn("initialize_velocity", "call", init_cases("initialize_velocity"), judge_velocity,
        points=0.5),
    _fn("update_parameters_with_momentum", "trajectory",
        _trajectory_cases("update_parameters_with_momentum",
                          OWN["update_parameters_with_momentum"], 1),
        _judge_trajectory("update_parameters_with_momentum"),
        inputs=("function", "parameters", "grads", "state", "extra")),
    _fn("initialize_adam", "call", init_cases("initialize_adam"), judge_init_adam,
        points=0.5),
    _fn("update_parameters_with_adam", "trajectory",
        _trajectory_cases("update_parameters_with_adam", OWN["update_parameters_with_adam"], 2),
        _judge_trajectory("update_parameters_with_adam"),
        inputs=("function", "parameters", "grads", "state", "extra")),
    _fn("update_lr", "call", decay_cases("update_lr"), judge_decay, optional=True,
        points=0.5),
    _fn("schedule_lr_decay", "call", decay_cases("schedule_lr_decay"), judge_decay,
        optional=True, points=0.5),
])
