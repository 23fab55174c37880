"""CS231n assignment 2, `cs231n/optim.py`: the update rules, each graded over a few steps
as the course's Solver runs them (the returned config fed back), against the optimizer
registry (`manual.optimizers`, checked against torch.optim):

    sgd_momentum   v = μ·v − lr·dw; next_w = w + v          config['velocity']
    rmsprop        cache = ρ·cache + (1 − ρ)·dw²; next_w = w − lr·dw / (√cache + ε)
    adam           t += 1 (before use); m, v the moving averages; bias-corrected m̂, v̂;
                   next_w = w − lr·m̂ / (√v̂ + ε)              config['m'], ['v'], ['t']

The defaults are the skeleton's `config.setdefault` (learning_rate 1e-2, or 1e-3 for
Adam; momentum 0.9, decay_rate 0.99, epsilon 1e-8, beta1 0.9, beta2 0.999, t 0): one case
gives an empty config, the others their own hyper-parameters; one has gradients of
1e-3, where ε inside or outside the square root matters. Students write into w and
config in place: the probe passes copies and judges what is returned.

Conventions equal after rescaling are accepted, with a note (`books/optim.py`):
torch's momentum buffer (v ← μv + dw; w ← w − lr·v) or −v stored as the velocity; Adam
in the paper's lr_t form; the 2016 skeleton's `config.setdefault('t', 1)` (public
submissions of that year count from 1, incrementing before use or after: both are
graded from the file's own start; the notebook's check gives t and was always met by
incrementing before use, so a file using t before incrementing it from 0 divides by
zero, and is told so).
"""

from __future__ import annotations

import numpy as np

from manual.optimizers import get_optimizer

from ...oracle.diagnose import Finding, Kind
from ..base import GradeCase, GradedFunction
from .optim_judge import Convention, Step, judge_steps, registry_step

__all__ = ["FUNCTIONS"]

PROBE = "reference.grade.probes.cs231n_optim:trajectory"

# the student's names: the registry entry, the state stored in config, its own hyper-parameters
RULES = {"sgd_momentum": ("sgd_momentum", ("velocity",), {"learning_rate": 0.05,
                                                          "momentum": 0.7}),
         "rmsprop": ("rmsprop", ("cache",), {"learning_rate": 0.02, "decay_rate": 0.9,
                                             "epsilon": 1e-6}),
         "adam": ("adam", ("m", "v", "t"), {"learning_rate": 0.02, "beta1": 0.8,
                                            "beta2": 0.95, "epsilon": 1e-6})}


def _cases(function: str):
    entry, _, own = RULES[function]

    def make(rng, n: int) -> list[GradeCase]:
        out = []
        settings = [({}, (2, 3), 1.0, 3), (own, (4,), 1.0, 4), ({}, (3, 2), 1e-3, 3),
                    (own, (2, 3, 2, 2), 1.0, 3)]
        settings += [(own if k % 2 else {}, (int(rng.integers(1, 5)), int(rng.integers(1, 5))),
                      1.0, 3) for k in range(max(0, n - len(settings)))]
        for config, shape, scale, steps in settings:
            w = rng.standard_normal(shape)
            grads = [scale * rng.standard_normal(shape) for _ in range(steps)]
            desc = (f"w {shape}, {steps} steps, " + (f"config {config}" if config else
                                                     "config {} (the defaults)")
                    + (f", gradients of {scale:g}" if scale != 1.0 else ""))
            out.append(GradeCase({"function": function, "w": w, "grads": grads,
                                  "config": dict(config)}, {"entry": entry},
                                 (steps, w.size), desc))
        return out
    return make


def _zeros_like(w, keys):
    return {k: np.zeros_like(w) for k in keys}


def _scaled_velocity(scale):
    """CS231n's velocity stored times `scale(lr)` (1, −1/lr: torch's buffer, −1)."""
    def predict(w, dw, stored, hp):
        c = scale(hp["learning_rate"])
        v = np.zeros_like(w) if stored is None else np.asarray(stored["velocity"]) / c
        nxt, st = registry_step("sgd_momentum", w, dw, {"velocity": v}, **hp)
        return nxt, {"velocity": st["velocity"] * c}
    return predict


def _rmsprop(w, dw, stored, hp):
    cache = np.zeros_like(w) if stored is None else np.asarray(stored["cache"])
    return registry_step("rmsprop", w, dw, {"cache": cache}, **hp)


def _adam(form: str, start: int, shift: int):
    """Adam (`form`: adam or adam_lr_t) whose fresh t is `start` and whose stored t is the
    course's + `shift` (1: t stored as the next step's number, used before incrementing)."""
    def predict(w, dw, stored, hp):
        if stored is None:
            state = {**_zeros_like(w, ("m", "v")), "t": start}
        else:
            state = {"m": np.asarray(stored["m"]), "v": np.asarray(stored["v"]),
                     "t": int(np.asarray(stored["t"]).item()) - shift}
        nxt, st = registry_step(form, w, dw, state, **hp)
        return nxt, {"m": st["m"], "v": st["v"], "t": st["t"] + shift}
    return predict


CONVENTIONS = {
    "sgd_momentum": [Convention(_scaled_velocity(lambda lr: 1.0)),
                     Convention(_scaled_velocity(lambda lr: -1.0 / lr), "torch momentum"),
                     Convention(_scaled_velocity(lambda lr: -1.0), "negated velocity")],
    "rmsprop": [Convention(_rmsprop)],
    "adam": [Convention(_adam(form, start, shift), label)
             for form in ("adam", "adam_lr_t")
             for start, shift, label in ((0, 0, ""), (1, 0, "adam t from 1"),
                                         (0, 1, "adam t from 1"))],
}


def _momentum_mistakes(w, dw, stored, hp):
    lr, mu = hp["learning_rate"], hp["momentum"]
    v = np.zeros_like(w) if stored is None else np.asarray(stored["velocity"])
    return [("the velocity is an exponential average (v = μv + (1 − μ)dw; w − lr·v): its "
             "steps are (1 − μ) times the course's v = μv − lr·dw", w - lr * (mu * v + (1 - mu)
                                                                             * dw)),
            ("w moved by the previous velocity (w + v before v is updated)", w + v),
            ("the velocity is not used: a plain SGD step", w - lr * dw),
            ("the gradient added instead of subtracted (v = μv + lr·dw)", w + mu * v + lr * dw)]


def _rmsprop_mistakes(w, dw, stored, hp):
    lr, rho, eps = hp["learning_rate"], hp["decay_rate"], hp["epsilon"]
    c = np.zeros_like(w) if stored is None else np.asarray(stored["cache"])
    new = rho * c + (1 - rho) * dw * dw
    with np.errstate(divide="ignore", invalid="ignore"):
        return [("ε inside the square root (√(cache + ε)): the course's is √cache + ε",
                 w - lr * dw / np.sqrt(new + eps)),
                ("the cache is ρ·cache + dw², without the (1 − ρ)",
                 w - lr * dw / (np.sqrt(rho * c + dw * dw) + eps)),
                ("the cache is never decayed (AdaGrad's sum of dw²)",
                 w - lr * dw / (np.sqrt(c + dw * dw) + eps)),
                ("the step divides by the previous cache (updated after the step)",
                 w - lr * dw / (np.sqrt(c) + eps))]


def _adam_mistakes(w, dw, stored, hp):
    lr, b1, b2, eps = hp["learning_rate"], hp["beta1"], hp["beta2"], hp["epsilon"]
    s = {**_zeros_like(w, ("m", "v")), "t": 0} if stored is None else stored
    t = int(np.asarray(s["t"]).item())
    m = b1 * np.asarray(s["m"]) + (1 - b1) * dw
    v = b2 * np.asarray(s["v"]) + (1 - b2) * dw * dw
    m_hat, v_hat = m / (1 - b1 ** (t + 1)), v / (1 - b2 ** (t + 1))
    out = [("no bias correction (m / (√v + ε)): m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ) "
            "are missing", w - lr * m / (np.sqrt(v) + eps)),
           ("ε inside the square root (√(v̂ + ε)): the course's is √v̂ + ε",
            w - lr * m_hat / np.sqrt(v_hat + eps)),
           ("the square root of v̂ is missing (m̂ / (v̂ + ε))", w - lr * m_hat / (v_hat + eps))]
    if t > 0:
        out.append(("t used before it is incremented (the bias correction one step behind)",
                    w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)))
    return out


MISTAKES = {"sgd_momentum": _momentum_mistakes, "rmsprop": _rmsprop_mistakes,
            "adam": _adam_mistakes}


def _form(steps, n: int, function: str) -> Finding | None:
    """A step that did not return (next_w, config), or the skeleton's next_w = None."""
    if not isinstance(steps, list) or not steps:
        return Finding("api", f"{function} returned nothing to check", kind=Kind.API)
    for k, got in enumerate(steps[:n]):
        if not isinstance(got, dict):
            return Finding("api", f"{function} returned nothing to check", kind=Kind.API)
        if got.get("count") != 2:
            return Finding("api", f"step {k + 1}: {function} should return (next_w, config)",
                           kind=Kind.API)
        if got.get("next_w") is None:
            return Finding("api", f"{function} is a stub (not implemented yet: next_w is "
                           "None)", kind=Kind.MISSING)
        if not isinstance(got.get("config"), dict):
            return Finding("api", f"step {k + 1}: the config returned is not a dict",
                           kind=Kind.API)
    if len(steps) < n:
        return Finding("api", f"{function} stopped after step {len(steps)}", kind=Kind.API)
    return None


def _judge(function: str):
    entry, keys, _ = RULES[function]

    def judge(got, case):
        grads = case.inputs["grads"]
        steps = got.get("steps")
        found = _form(steps, len(grads), function)
        if found:
            return found
        hp = {**get_optimizer(entry).defaults, **case.inputs["config"]}
        found = judge_steps([Step(s["next_w"], s["config"]) for s in steps], case.inputs["w"],
                            grads, hp, CONVENTIONS[function], keys, MISTAKES[function])
        if found is not None and found.kind is Kind.NON_FINITE and function == "adam":
            where = found.diagnosis.split(":")[0]
            found.diagnosis = (f"{where}: next_w contains NaN or inf: at t = 0, 1 − β₁ᵗ is 0 "
                               "(increment t before the bias correction)")
        return found
    judge.__doc__ = f"{function}: the registry's {entry} step by step from the stored state."
    return judge


FUNCTIONS = [GradedFunction(name, PROBE, _cases(name), _judge(name),
                            inputs=("function", "w", "grads", "config"))
             for name in RULES]
