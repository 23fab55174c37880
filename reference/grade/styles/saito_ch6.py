"""Saito's "Deep Learning from Scratch", chapter 6 (`saito-ch6`): the `BatchNormalization`
and `Dropout` layer objects of `common/layers.py` (and the optimizers of
`common/optimizer.py`, graded by `saito_ch6_optim`).

    BatchNormalization(gamma, beta, momentum=0.9, running_mean=None, running_var=None)
        forward(x, train_flg=True): per feature over the batch, the biased variance, the
        running averages momentum·running + (1 − momentum)·batch statistic, test mode
        with them; a 4-D x normalized as (N, C·H·W) (the book's reshape);
        backward(dout): dx returned, self.dgamma, self.dbeta. The registry's batchnorm
        twin through the layer engine, with the ε read from the student's code (the
        book's 10e-7 = 1e-6, or 1e-7: any ε a student wrote between 1e-12 and 1e-2).
    Dropout(dropout_ratio=0.5), the book's (not inverted): train out = x ⊙ mask (the
        mask read from self.mask: any random mask passes), test out = x·(1 − ratio);
        backward dout ⊙ mask. Inverted dropout (train x ⊙ mask/(1 − r), test x) is the
        book's rescaled by 1/(1 − r) in train and test alike: accepted with a note
        (mixed conventions, inverted in one mode only, are not).

A backward runs on its own forward's state and on the book's (a missing or wrong forward
never fails it).
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from ...oracle.diagnose import Kind, diagnose_array
from ...oracle.layers import make_case
from ...oracle.tolerances import DROPOUT_MASK_P_VALUE
from ..base import Finding, GradeCase, GradedFunction, Style
from ..books.saito_ch67 import BOOK_CH6 as RECORD
from . import saito_ch6_optim
from .layer_style import LayerFunction, _grade_case
from .saito_ch6_kit import BOOK_EPS
from .saito_layer_style import PROBES, saito_layer
from .saito_layer_style import with_extra as _with_extra

__all__ = ["STYLE", "FUNCTIONS"]

BN = LayerFunction("batchnorm", "BatchNormalization.forward", "BatchNormalization.backward")
OTHER_EPS = 1e-7            # the ε the book's text names (its code's 10e-7 is 1e-6)


# --- BatchNormalization ------------------------------------------------------------------------
# what the cases must hold (the samplers draw test mode and one feature often): the
# book's use, train mode on a batch of several features, at least this often
TRAIN_CASES = 3


def _picked(rng, n: int) -> list[GradeCase]:
    """max(n, 6) batch norm cases of the twin's sampler: TRAIN_CASES in train mode with
    N, D ≥ 2, then the edge cases (batch 1, one feature, test mode, running averages
    given or not, momentum ≠ 0.9) as the layer styles pick them."""
    drawn = [make_case("batchnorm", int(s)) for s in rng.integers(0, 2**31 - 1, 12 * max(n, 6))]
    full = [c for c in drawn if c.hyper["mode"] == "train" and min(c.arrays["x"].shape) > 1]
    chosen = full[:TRAIN_CASES]
    seen = {t for c in chosen for t in c.tags}
    rest = [c for c in drawn if c not in chosen]
    while rest and len(chosen) < max(n, 6):
        best = max(rest, key=lambda c: (len(set(c.tags) - seen), -c.arrays["x"].size))
        rest.remove(best)
        chosen.append(best)
        seen |= set(best.tags)
    return [_grade_case(BN, c) for c in chosen]


def _as4d(cases):
    """The cases without the sampler's ε (the student's own is used: `_any_eps`), and
    every other one handed to the student as a 4-D x, (N, D/4, 2, 2) or (N, D, 1, 1): the
    book's forward reshapes it to (N, −1) and its backward reshapes dx back."""
    def built(rng, n):
        out = cases(rng, n)
        for i, c in enumerate(out):
            layer = c.expected["case"]
            hyper = {k: v for k, v in (layer.hyper or {}).items() if k != "eps"}
            c.expected["case"] = dataclasses.replace(
                layer, hyper=hyper, tags=tuple(t for t in layer.tags if t != "eps"))
            c.description = re.sub(r", 'eps': [^,}]*|'eps': [^,}]*, |\beps, |, eps\b", "",
                                   c.description)
            N, D = layer.arrays["x"].shape
            if i % 2:
                c.inputs["as4d"] = [N, D // 4, 2, 2] if D % 4 == 0 else [N, D, 1, 1]
                c.description += f" (x given as {tuple(c.inputs['as4d'])})"
            c.inputs["config"] = {k: v for k, v in c.inputs["config"].items() if k != "eps"}
        return out
    return built


def _with_eps(case: GradeCase, eps: float) -> GradeCase:
    layer = case.expected["case"]
    hyper = {**(layer.hyper or {}), "eps": eps}
    return GradeCase(case.inputs, {**case.expected, "case": dataclasses.replace(
        layer, hyper=hyper)}, case.size, case.description)


def _any_eps(judge):
    """The judge with the student's ε (read from its code), else the book's: right with
    any of them is right; the finding is the student's ε's (the book's when none read)."""
    def judged(got, case):
        read = [float(e) for e in got.get("eps") or () if isinstance(e, (int, float))]
        findings = []
        for eps in dict.fromkeys(read + [BOOK_EPS, OTHER_EPS]):
            found = judge(got, _with_eps(case, eps))
            if found is None:
                return None
            findings.append(found)
        return findings[0]
    judged.__doc__ = judge.__doc__
    return judged


def _or_flat(judge):
    """A 4-D case passes when the layer is right on the 4-D x or on its (N, D) form
    (`flat`): chapter 6 uses batch norm after affine layers only."""
    def judged(got, case):
        found = judge(got, case)
        flat = got.get("flat")
        if found is None or not isinstance(flat, dict):
            return found
        return None if judge(flat, case) is None else found
    judged.__doc__ = judge.__doc__
    return judged


def _bn_functions() -> list[GradedFunction]:
    out = []
    for fn in saito_layer(RECORD, BN):
        probe = "batchnorm_backward" if fn.name == BN.backward else "batchnorm_forward"
        cases = _with_extra(_picked, prefix=RECORD.helper_prefix)
        out.append(dataclasses.replace(fn, probe=f"{PROBES}:{probe}", cases=_as4d(cases),
                                       judge=_any_eps(_or_flat(fn.judge))))
    return out


# --- Dropout -----------------------------------------------------------------------------------
RATIOS = (0.5, 0.3, 0.8, 0.25, 0.6)


def dropout_cases(rng, n):
    cases = []
    for i in range(max(n, 5)):
        # 72 units or more: a mask keeping the wrong fraction shows (DROPOUT_MASK_P_VALUE)
        N, D = (1, 4) if i == 1 else (int(rng.integers(6, 10)), int(rng.integers(12, 18)))
        ratio = RATIOS[i] if i < len(RATIOS) else round(float(rng.uniform(0.1, 0.9)), 3)
        x = rng.standard_normal((N, D))
        x = np.where(np.abs(x) < 1e-3, 0.5, x)         # 0 would hide the mask
        dout = rng.standard_normal((N, D))
        cases.append(GradeCase({"x": x, "dout": dout, "ratio": ratio,
                                "prefix": RECORD.helper_prefix},
                               {}, (N * D,), f"x {(N, D)}, dropout_ratio {ratio}"))
    return cases


def _mask(got, x) -> tuple[np.ndarray | None, Finding | None]:
    mask = got.get("mask")
    if not isinstance(mask, np.ndarray) or mask.shape != x.shape:
        return None, Finding("forward", "self.mask must hold the units kept in train mode "
                             f"(an array of x's shape {x.shape}), got "
                             f"{type(mask).__name__}" + (f" of shape {mask.shape}"
                                                         if hasattr(mask, "shape") else ""))
    if not np.all((mask == 0) | (mask == 1)):
        return None, Finding("forward", "self.mask must be boolean (True where a unit is "
                             "kept): the book's np.random.rand(*x.shape) > dropout_ratio")
    return mask.astype(float), None


def _kept_fraction(mask, r) -> Finding | None:
    """Any random mask passes, but one keeping a unit with probability r instead of
    1 − r (`< dropout_ratio`) is told apart where it shows: its kept count's exact
    two-sided binomial p-value below `tolerances.DROPOUT_MASK_P_VALUE`."""
    # here: scipy.stats costs ~0.3 s (-X importtime, 2026-12-04), only for dropout's cases
    from scipy.stats import binom

    n, k = mask.size, int(np.sum(mask))
    if not 0 < r < 1:
        return None
    p_value = 2 * min(binom.cdf(k, n, 1 - r), binom.sf(k - 1, n, 1 - r))
    if p_value >= DROPOUT_MASK_P_VALUE:
        return None
    reversed_ = 2 * min(binom.cdf(k, n, r), binom.sf(k - 1, n, r)) >= DROPOUT_MASK_P_VALUE
    return Finding("forward", f"self.mask keeps {k / n:.0%} of the {n} units, expected about "
                   f"1 − dropout_ratio = {1 - r:.0%}: a unit is dropped with probability "
                   "dropout_ratio (mask = np.random.rand(*x.shape) > dropout_ratio)"
                   + (" (the comparison is reversed: it keeps with probability "
                      "dropout_ratio)" if reversed_ else ""))


def _stub(name: str, why) -> Finding:
    return Finding("api", f"{name} is a stub (not implemented yet: {why})", kind=Kind.MISSING)


def _inverted(got, x, mask, r) -> bool:
    """Is the train output inverted dropout's x ⊙ mask/(1 − r) and not the book's?"""
    train = got.get("train")
    return (r < 1 and _close(train, x * mask / (1 - r)) and not _close(train, x * mask))


def _close(got, expected) -> bool:
    return diagnose_array(got, expected, equation="forward") is None


def judge_dropout_forward(got, case):
    """train: out = x ⊙ mask (the student's self.mask); test: out = x·(1 − dropout_ratio);
    or inverted dropout in both modes (x ⊙ mask/(1 − r), x), equal after rescaling."""
    if got.get("stub"):
        return _stub("Dropout.forward", got["stub"])
    x, r = case.inputs["x"], case.inputs["ratio"]
    mask, bad = _mask(got, x)
    if bad:
        return bad
    train, test = got.get("train"), got.get("test")
    if _close(train, x * mask / (1 - r)) and _close(test, x):
        return _kept_fraction(mask, r)                  # inverted in both modes
    if _inverted(got, x, mask, r):
        return diagnose_array(test, x, equation="forward", name="test-mode out",
                              mistakes=[("inverted dropout in train mode (x ⊙ mask/(1 − r)) "
                                         "but the book's test mode (x·(1 − r)): one "
                                         "convention for both, the book's is x ⊙ mask and "
                                         "x·(1 − r)", x * (1 - r))])
    return diagnose_array(train, x * mask, equation="forward", name="train-mode out",
                          mistakes=[("the mask ignored in train mode (out = x)", x)]) or \
        _kept_fraction(mask, r) or \
        diagnose_array(test, x * (1 - r), equation="forward", name="test-mode out",
                       mistakes=[("test mode returns x unscaled: the book's (non-inverted) "
                                  "dropout scales by (1 − dropout_ratio) at test time", x),
                                 ("test mode scaled by dropout_ratio: it is the fraction "
                                  "dropped, the kept fraction is 1 − dropout_ratio", x * r)])


def judge_dropout_backward(got, case):
    """dx = dout ⊙ mask (the mask of the forward before it); inverted: dout ⊙ mask/(1 − r)."""
    if got.get("stub"):
        return _stub("Dropout.backward", got["stub"])
    x, dout, r = case.inputs["x"], case.inputs["dout"], case.inputs["ratio"]
    mask, bad = _mask(got, x)
    if bad:
        bad.kind = Kind.FORWARD_RAISED
        bad.diagnosis = f"blocked by the forward: {bad.diagnosis}"
        return bad
    scale = 1 / (1 - r) if _inverted(got, x, mask, r) else 1.0
    return diagnose_array(got.get("dx"), dout * mask * scale, equation="backward", name="dx",
                          mistakes=[("dx = dout: the gradient of a dropped unit is 0 (dx = "
                                     "dout * self.mask)", dout),
                                    ("dx scaled by 1/(1 − r) where the forward is the "
                                     "book's x ⊙ mask", dout * mask / (1 - r))])


def _dropout(name, probe, judge):
    return GradedFunction(name, f"{PROBES}:{probe}", dropout_cases, judge,
                          helpers=RECORD.helpers_of(name))


FUNCTIONS = [
    *_bn_functions(),
    _dropout("Dropout.forward", "dropout_forward", judge_dropout_forward),
    _dropout("Dropout.backward", "dropout_backward", judge_dropout_backward),
]

# two files a reader hands in apart or together: common/layers.py's two layers and
# common/optimizer.py's classes (SGD ... Adam `update`, graded from the optimizer registry,
# `saito_ch6_optim`); a file holding only one of them has the other's functions supplied
PARTS = (("BatchNormalization", "Dropout"),
         tuple(f.name.split(".")[0] for f in saito_ch6_optim.FUNCTIONS))
STYLE = Style("saito-ch6", "rows", [
    dataclasses.replace(f, parts=PARTS, part=part)
    for part, group in enumerate((FUNCTIONS, saito_ch6_optim.FUNCTIONS)) for f in group])
