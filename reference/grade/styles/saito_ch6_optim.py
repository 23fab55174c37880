"""Saito's "Deep Learning from Scratch", ch. 6, `common/optimizer.py`: the optimizer
classes, each graded by its `update(params, grads)` over a few steps on one params dict
(changed in place, as the book's networks need), against the optimizer registry
(`manual.optimizers`, checked against torch.optim):

    SGD(lr=0.01)                          W ← W − lr·g
    Momentum(lr=0.01, momentum=0.9)       v ← μv − lr·g; W ← W + v
    Nesterov(lr=0.01, momentum=0.9)       v ← μv − lr·g; W ← W + μ²v − (1 + μ)·lr·g
    AdaGrad(lr=0.01)                      h ← h + g²; W ← W − lr·g/(√h + 1e-7)
    RMSprop(lr=0.01, decay_rate=0.99)     h ← ρh + (1 − ρ)g²; W ← W − lr·g/(√h + 1e-7)
    Adam(lr=0.001, beta1=0.9, beta2=0.999)  the book's lr_t = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ), W ← W −
                                          lr_t·m/(√v + 1e-7); the textbook's bias-corrected
                                          form accepted too (ε placed otherwise: a note)

Saito's ε is 1e-7. One case builds the object with no arguments (the book's defaults),
the others with their own, positionally; one has gradients of 1e-3, where ε's place
matters. The state lives in the student's object (v, h, m, iter): the params after each
step are judged against the registry's trajectory, the first wrong step reported.

`FUNCTIONS` is for the saito-ch6 style (wired in by its owner).
"""

from __future__ import annotations

import numpy as np

from manual.optimizers import hyperparameters

from ...oracle.diagnose import Finding, Kind, diagnose_keys
from ..base import GradeCase, GradedFunction
from .optim_judge import close_scaled, diagnose_scaled, registry_step

__all__ = ["FUNCTIONS", "CLASSES"]

PROBE = "reference.grade.probes.saito_optim:update_trajectory"
EPS = {"epsilon": 1e-7}       # Saito's ε, written into his AdaGrad, RMSprop and Adam

# class -> (registry entries accepted, the constructor's arguments in order with the
# book's defaults, the registry's names for them, fixed hyper-parameters)
CLASSES = {
    "SGD": (("sgd",), (("lr", 0.01),), {}),
    "Momentum": (("sgd_momentum",), (("lr", 0.01), ("momentum", 0.9)), {}),
    "Nesterov": (("nesterov",), (("lr", 0.01), ("momentum", 0.9)), {}),
    "AdaGrad": (("adagrad",), (("lr", 0.01),), EPS),
    "RMSprop": (("rmsprop",), (("lr", 0.01), ("decay_rate", 0.99)), EPS),
    "Adam": (("adam_lr_t", "adam"), (("lr", 0.001), ("beta1", 0.9), ("beta2", 0.999)), EPS),
}
OWN = {"lr": 0.05, "momentum": 0.7, "decay_rate": 0.9, "beta1": 0.8, "beta2": 0.95}
SHAPES = ({"W1": (3, 2), "b1": (2,)}, {"W1": (4,)}, {"W1": (2, 3), "b1": (3,), "W2": (3, 1)},
          {"W1": (2, 2, 3), "b1": (3,)})


def _cases(cls: str):
    _, ctor, _ = CLASSES[cls]

    def make(rng, n):
        out = []
        for k in range(max(n, len(SHAPES))):
            shapes = SHAPES[k % len(SHAPES)]
            scale = 1e-3 if k == 2 else 1.0
            args = [] if k % 2 == 0 else [OWN[name] for name, _ in ctor]
            params = {key: rng.standard_normal(s) for key, s in shapes.items()}
            grads = [{key: scale * rng.standard_normal(s) for key, s in shapes.items()}
                     for _ in range(3)]
            call = f"{cls}({', '.join(map(str, args))})"
            out.append(GradeCase({"class": cls, "args": args, "params": params,
                                  "grads": grads}, {}, (len(shapes), k),
                                 f"{call}, params {dict(shapes)}, 3 steps"
                                 + (f", gradients of {scale:g}" if scale != 1.0 else "")))
        return out
    return make


def _hp(cls: str, entry: str, args) -> dict:
    _, ctor, fixed = CLASSES[cls]
    given = {name: (args[i] if i < len(args) else default)
             for i, (name, default) in enumerate(ctor)}
    hp = {("learning_rate" if k == "lr" else k): v for k, v in given.items()}
    return hyperparameters(entry, **hp, **fixed)


def _trajectory(cls: str, entry: str, case) -> list[dict]:
    """The registry's params after each step, every key on its own state."""
    hp = _hp(cls, entry, case.inputs["args"])
    params, states, out = dict(case.inputs["params"]), {}, []
    for grads in case.inputs["grads"]:
        for key in params:
            params[key], states[key] = registry_step(entry, params[key], grads[key],
                                                     states.get(key), **hp)
        out.append(dict(params))
    return out


def _judge(cls: str):
    entries = CLASSES[cls][0]

    def judge(got, case):
        steps = got.get("steps")
        if not isinstance(steps, list) or len(steps) != len(case.inputs["grads"]):
            return Finding("api", f"{cls}.update returned nothing to check", kind=Kind.API)
        expected = {e: _trajectory(cls, e, case) for e in entries}
        alive, before = list(entries), dict(case.inputs["params"])
        for k, step in enumerate(steps):
            params = step.get("params") if isinstance(step, dict) else None
            found = diagnose_keys(params, list(before), equation="update", name="params")
            if found:
                return found
            now = [e for e in alive if all(close_scaled(params[key], expected[e][k][key])
                                           for key in before)]
            if not now:
                return _explain(cls, step, params, before, expected[alive[0]][k], k)
            alive, before = now, {key: np.asarray(params[key]) for key in before}
        return None
    judge.__doc__ = f"{cls}.update: the registry's {' or '.join(entries)}, step by step."
    return judge


def _explain(cls, step, params, before, expected, k) -> Finding:
    if all(close_scaled(params[key], before[key]) for key in before):
        why = (" and returned a new dict: update must change params in place (the book's "
               "network reads its params after it)" if step.get("returned") else "")
        return Finding("update", f"step {k + 1}: {cls}.update left params unchanged{why}",
                       kind=Kind.VALUE)
    for key in before:
        found = diagnose_scaled(np.asarray(params[key]) - before[key],
                                expected[key] - before[key],
                                f"the step of params['{key}']")
        if found:
            found.diagnosis = f"step {k + 1}: {found.diagnosis}"
            return found
    return Finding("update", f"step {k + 1}: {cls}.update is wrong", kind=Kind.VALUE)


FUNCTIONS = [GradedFunction(f"{cls}.update", PROBE, _cases(cls), _judge(cls),
                            inputs=("class", "args", "params", "grads"))
             for cls in CLASSES]
