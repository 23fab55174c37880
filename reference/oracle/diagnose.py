"""Known-mistake detectors: the grader's judges and `check`'s explanations (NumPy only).

Each detector takes what was returned (already rebuilt as float64 ndarrays, or None
when missing) and what the oracle expected, and returns a `Finding` naming the
equation, the kind of disagreement (`reference.oracle.kinds.Kind`: what code branches
on) and the likely mistake in words (what a student reads), or None when the values
agree within tolerance.

Order matters: the most specific explanation wins. For a value array:
missing -> wrong type -> NaN/inf -> shape (rank-1 / transposed / wrong-axis
sum) -> agree? -> style-supplied known mistakes (e.g. σ'(a) instead of σ'(z))
-> wrong sign -> transposed (square) -> missing / extra 1/m -> plain mismatch.

The known mistakes of network libraries (`check --impl`, `reference.verify`; called by
`reference.check.explain` at the layer where the error starts, before the general ones):
a softmax differentiated elementwise (`diagnose_softmax_diagonal`), a clip to 1 − 1e-15
that is 1.0 in float32 (`diagnose_clip_rounding`), a loss averaged over the outputs
(`diagnose_output_scale`), each with its `Kind`.

Tolerance: `reference.oracle.tolerances.GRADER` (the float32 row of the table), so
float32 arithmetic inside the student's code passes, while every real mistake
(an O(1) relative error) fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .kinds import Kind
from .tolerances import GRADER, allowance

__all__ = [
    "Finding", "Kind", "as_array", "close", "diagnose_shape", "diagnose_array", "diagnose_keys",
    "diagnose_mutation", "diagnose_spread", "diagnose_init", "first",
    "diagnose_softmax_diagonal", "diagnose_clip_rounding", "diagnose_output_scale",
    "softmax_diagonal",
]

RTOL, ATOL = GRADER


@dataclass
class Finding:
    """Why a case failed: which equation, what kind of disagreement, and what the student
    likely did (one sentence a student can act on)."""

    equation: str                  # "BP1".."BP4", or "forward", "cost", "init", "update", "api"
    diagnosis: str                 # the words; code reads `kind`, never these
    detail: dict[str, Any] = field(default_factory=dict)  # expected/got/index/abs_err...
    kind: Kind = Kind.VALUE


def as_array(value: Any) -> np.ndarray | None:
    """float64 ndarray of a plain value, or None when it is not numeric."""
    if value is None:
        return None
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr


def close(got, expected, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """|got − exp| ≤ atol·max(1, max|exp|) + rtol·|exp| everywhere, same shape."""
    g, e = as_array(got), as_array(expected)
    if g is None or e is None or g.shape != e.shape:
        return False
    if not np.all(np.isfinite(g)) and np.all(np.isfinite(e)):
        return False
    return bool(np.all(np.abs(g - e) <= allowance(e, rtol, atol)))


def _where(g: np.ndarray, e: np.ndarray) -> dict:
    """Largest disagreement: index, expected, got, abs_err."""
    err = np.abs(g - e)
    err = np.where(np.isnan(err), np.inf, err)
    idx = np.unravel_index(int(np.argmax(err)), e.shape) if e.size else ()
    idx = tuple(int(i) for i in idx)
    return {"index": list(idx), "expected": float(e[idx]) if e.size else None,
            "got": float(g[idx]) if e.size else None, "abs_err": float(err[idx]) if e.size else 0}


def diagnose_shape(got: np.ndarray, exp: np.ndarray, *, equation: str, name: str
                   ) -> Finding | None:
    """Explain a shape mismatch (kind SHAPE): keepdims, transpose, wrong-axis sum, or just
    wrong."""
    if got.shape == exp.shape:
        return None
    detail = {"expected_shape": list(exp.shape), "got_shape": list(got.shape)}
    what = f"{name} has shape {got.shape}, expected {exp.shape}"
    if got.ndim == 1 and exp.ndim == 2 and 1 in exp.shape and got.size == exp.size:
        why = ": a rank-1 array where a column/row is expected; sum with keepdims=True or " \
              "reshape to (n, 1)"
    elif exp.ndim == 2 and got.shape == exp.shape[::-1]:
        why = ": the matrix is transposed (check the order of the product and the .T)"
    elif (exp.ndim == 2 and exp.shape[1] == 1 and got.ndim == 2
          and got.shape[0] == exp.shape[0] and exp.shape[0] > 1):
        why = ": not summed over the examples; use np.sum(..., axis=1, keepdims=True)"
    elif exp.ndim == 2 and 1 in exp.shape and got.ndim in (0, 1, 2) and got.size != exp.size:
        why = (": summed over all axes; sum over the examples axis only (axis=1, "
               "keepdims=True)" if got.ndim == 0 or got.size == 1 else
               ": summed over the wrong axis (sum over the examples axis, axis=1 in the "
               "columns layout)")
    elif exp.ndim == 0 and got.size == 1:
        return None
    else:
        why = ""
    return Finding(equation, what + why, detail, Kind.SHAPE)


def _form(got: Any, exp: np.ndarray, equation: str, name: str
          ) -> tuple[np.ndarray | None, Finding | None]:
    """(got as a float64 array, None), or (None, why its form is wrong): missing, not
    numeric, an array for a number, a shape."""
    if got is None:
        return None, Finding(equation, f"{name} is missing (nothing was returned for it)",
                             kind=Kind.MISSING)
    g = as_array(got)
    if g is None or g.dtype == object:
        return None, Finding(equation, f"{name} is not a numeric array (got "
                             f"{type(got).__name__})", kind=Kind.NOT_NUMERIC)
    if exp.ndim == 0 and g.size == 1:
        g = g.reshape(())
    if exp.ndim == 0 and g.shape != ():
        return None, Finding(equation, f"{name} should be a single number, got an array of "
                             f"shape {g.shape} (use np.squeeze or float())",
                             {"got_shape": list(g.shape)}, Kind.SHAPE)
    shape = diagnose_shape(g, exp, equation=equation, name=name)
    return (None, shape) if shape is not None else (g, None)


def diagnose_array(got: Any, expected: Any, *, equation: str, name: str = "result",
                   scale_m: int | None = None,
                   mistakes: Iterable[tuple[str, Any]] = (),
                   rtol: float = RTOL, atol: float = ATOL) -> Finding | None:
    """None when `got` matches `expected`; otherwise the most specific Finding.

    scale_m: the batch size when the quantity carries a 1/m (∂C/∂W, ∂C/∂b, cost),
    enabling the missing/extra 1/m diagnoses. mistakes: (diagnosis, array)
    pairs the style computed from a known wrong formula; the first one that
    matches `got` is reported (e.g. "σ'(a) used instead of σ'(z)").
    """
    exp = as_array(expected)
    g, wrong_form = _form(got, exp, equation, name)
    if g is None:
        return _known_shaped(got, mistakes, wrong_form, name, rtol, atol) or wrong_form
    if close(g, exp, rtol, atol):
        return None
    detail = _where(g, exp)
    if np.isfinite(exp).all() and not np.isfinite(g).all():
        which = "NaN" if np.isnan(g).any() else "inf"
        return Finding(equation, f"{name} contains {which}: numerically unstable "
                       "(e.g. np.exp overflowing on a large |z|, or log(0))", detail,
                       Kind.NON_FINITE)
    for diagnosis, wrong in mistakes:
        if wrong is not None and close(g, wrong, rtol, atol):
            return Finding(equation, f"{name}: {diagnosis}", detail, Kind.KNOWN_MISTAKE)
    for kind, other, why in _alternatives(exp, scale_m, name):
        if close(g, other, rtol, atol):
            return Finding(equation, why, detail, kind)
    return Finding(equation, f"{name} is wrong at index {tuple(detail['index'])}: expected "
                   f"{detail['expected']:.6g}, got {detail['got']:.6g}", detail, Kind.VALUE)


def _known_shaped(got: Any, mistakes: Iterable[tuple[str, Any]], wrong_form: Finding,
                  name: str, rtol: float, atol: float) -> Finding | None:
    """A wrong shape that is a known mistake's (db computed as Wᵀ·dZ/m has dA_prev's
    shape): that mistake (kind KNOWN_MISTAKE), with the shapes, rather than a guess from
    the shapes alone."""
    g = as_array(got)
    if wrong_form.kind is not Kind.SHAPE or g is None:
        return None
    for diagnosis, wrong in mistakes:
        w = as_array(wrong)
        if w is not None and w.shape == g.shape and close(g, w, rtol, atol):
            return Finding(wrong_form.equation, f"{name}: {diagnosis}", wrong_form.detail,
                           Kind.KNOWN_MISTAKE)
    return None


def _alternatives(exp: np.ndarray, scale_m: int | None, name: str):
    """(kind, the wrong answer, the words) of the general mistakes, in the order tried:
    the sign, a transpose (square), a missing or extra 1/m."""
    yield Kind.SIGN, -exp, f"{name} has the wrong sign"
    if exp.ndim == 2 and exp.shape[0] == exp.shape[1]:
        yield (Kind.TRANSPOSE, exp.T,
               f"{name} is transposed (check the order of the product and the .T)")
    if scale_m and scale_m > 1:
        yield (Kind.SCALE_M_LARGE, exp * scale_m,
               f"{name} is m = {scale_m} times too large: the 1/m is missing")
        yield (Kind.SCALE_M_SMALL, exp / scale_m,
               f"{name} is m = {scale_m} times too small: an extra 1/m")


# --- the known mistakes of network libraries (check --impl, reference.verify) ---
# Each takes what the oracle knows of the layer where the error starts (the outermost
# disagreeing one, so what flows into it from above is right) and says whether `got` is
# what the mistake computes.


def softmax_diagonal(upstream: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The δ of a softmax differentiated elementwise: ∂C/∂a ⊙ a(1 − a), the diagonal of
    its Jacobian diag(a) − a aᵀ only (the right δ is a ⊙ (∂C/∂a − ⟨∂C/∂a, a⟩))."""
    return upstream * a * (1.0 - a)


def diagnose_softmax_diagonal(got: Any, upstream: np.ndarray, a: np.ndarray,
                              to_field=lambda delta: delta, *, equation: str, name: str
                              ) -> Finding | None:
    """Kind SOFTMAX_DIAGONAL: `got` is what a softmax layer differentiated elementwise
    gives. upstream: the right ∂Cₓ/∂a of the layer's output, per example; a: its
    output; to_field: δ to the array compared (BP3's sum, BP4's product; δ itself)."""
    g = as_array(got)
    wrong = as_array(to_field(softmax_diagonal(upstream, a)))
    if g is None or wrong is None or g.size != wrong.size:
        return None
    if not close(g, wrong.reshape(g.shape)):
        return None
    return Finding(equation, f"{name}: the softmax is differentiated elementwise, "
                   "σ'(z) = p(1 − p), which is only the diagonal of its Jacobian "
                   "diag(p) − p pᵀ; δ = p ⊙ (g − Σⱼ gⱼ pⱼ) with g = ∂C/∂a (or fuse softmax "
                   "with cross-entropy: δ = p − y)", _where(g, wrong.reshape(g.shape)),
                   Kind.SOFTMAX_DIAGONAL)


def diagnose_clip_rounding(got: Any, a_out: np.ndarray, dtype: str, *, equation: str,
                           name: str) -> Finding | None:
    """Kind CLIP_ROUNDS: NaN or inf in a float32 answer whose network output rounds to
    exactly 1 in float32, where the right answer is finite: a clip to 1 − ε with ε below
    float32's resolution (1 − 1e-15 is 1.0 in float32) leaves 1 − a = 0 in the loss's
    gradient."""
    g = as_array(got)
    if dtype != "float32" or g is None or np.isfinite(g).all():
        return None
    if not (np.asarray(a_out, dtype=np.float64).astype(np.float32) == 1.0).any():
        return None
    eps = float(np.finfo(np.float32).eps)
    return Finding(equation, f"{name} contains {'NaN' if np.isnan(g).any() else 'inf'} "
                   "where the network's output rounds to 1 in float32: a clip to 1 − ε "
                   f"with ε below float32's resolution ({eps:.2g}; 1 − 1e-15 is 1.0) leaves "
                   "1 − a = 0 in the loss's gradient; clip with np.finfo(a.dtype).eps",
                   {}, Kind.CLIP_ROUNDS)


def diagnose_output_scale(got: Any, expected: Any, n_out: int, *, equation: str, name: str
                          ) -> Finding | None:
    """Kind OUTPUT_SCALE: `got` is the right answer divided (or multiplied) by the number
    of outputs: a loss averaged over the classes as well as the batch (np.mean over
    every entry of (a − y)²), where the cost sums over the classes."""
    g, e = as_array(got), as_array(expected)
    if g is None or e is None or n_out < 2 or g.size != e.size:
        return None
    e = e.reshape(g.shape)
    for wrong, how in ((e / n_out, "divided"), (e * n_out, "multiplied")):
        if close(g, wrong):
            return Finding(equation, f"{name} is {how} by the number of outputs n = {n_out}: "
                           "the loss is averaged over the classes too (np.mean over every "
                           "entry), while the cost sums over the classes and averages over "
                           "the batch only", _where(g, e), Kind.OUTPUT_SCALE)
    return None


def diagnose_keys(got: Any, expected_keys: Sequence[str], *, equation: str, name: str,
                  aliases: Mapping[str, str] = ()) -> Finding | None:
    """Missing or misnamed dictionary keys (aliases: accepted alternative -> canonical)."""
    if not isinstance(got, dict):
        return Finding(equation, f"{name} should be a dict, got {type(got).__name__}",
                       kind=Kind.KEYS)
    have = set(got) | {aliases[k] for k in got if k in dict(aliases)}
    missing = [k for k in expected_keys if k not in have]
    if not missing:
        return None
    extra = sorted(k for k in got if k not in expected_keys and k not in dict(aliases))
    hint = f"; found {', '.join(map(str, extra[:6]))}" if extra else ""
    return Finding(equation, f"{name} is missing the key(s) {', '.join(missing[:6])}{hint} "
                   "(keys are case-sensitive and numbered as in the assignment)",
                   {"missing": missing, "extra": extra}, Kind.KEYS)


def diagnose_mutation(before: Mapping[str, Any], after: Mapping[str, Any], *,
                      equation: str, name: str) -> Finding | None:
    """An input array the student's function modified in place (compared exactly)."""
    for key, original in before.items():
        if key not in after:
            continue
        a, b = as_array(original), as_array(after[key])
        if a is None or b is None:
            continue
        if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
            return Finding(equation, f"{name} modified its input `{key}` in place; work on "
                           "a copy (e.g. dZ = np.array(dA, copy=True)) instead",
                           {"input": key}, Kind.MUTATION)
    return None


# the statistics of an initialization are judged on layers with at least this many weights
# (Ng's 64x32 case has 2048, the 32x16 one 512): the sample std is then within ±25 % of the
# true one (8 standard errors at 512 draws), the sample mean within MEAN_Z standard errors
MIN_DRAWS = 500
MEAN_Z = 6.0            # |mean| / (std/√N) above this: not centered (a false alarm ~1e-9)
# the spread passes between LOW x the smallest accepted scale and HIGH x the largest (so
# Glorot's √(2/(n+n_prev)) and a centered uniform draw pass too): it catches an unscaled
# np.random.randn (std 1) and a vanishing one, without judging which course version
SCALE_RANGE = (0.5, 1.35)


def init_scales(n_prev: int) -> dict[str, float]:
    """The spreads the course versions ask for: std 0.01 (step by step),
    1/√n_prev (the application notebook, Xavier), √(2/n_prev) (He)."""
    return {"0.01": 0.01, "1/sqrt(n_prev)": 1.0 / np.sqrt(n_prev),
            "sqrt(2/n_prev)": np.sqrt(2.0 / n_prev)}


def diagnose_spread(W: np.ndarray, scales: Mapping[str, float], *, name: str,
                    hint: str = "draw it as np.random.randn(n, n_prev) * scale"
                    ) -> Finding | None:
    """A weight matrix drawn centered (mean 0) with a spread in the range of the accepted
    ones (SCALE_RANGE).

    Judged only on MIN_DRAWS or more entries (None below): a uniform draw on [0, 1)
    (np.random.rand, scaled or not) has every entry positive and a mean of ~1.7 std
    per entry, hundreds of standard errors away from 0 at 500 draws."""
    W = np.asarray(W, dtype=np.float64)
    if W.size < MIN_DRAWS:
        return None
    mean, std = float(W.mean()), float(W.std())
    accepted = " or ".join(k if k == f"{v:g}" else f"{k} = {v:.3g}" for k, v in scales.items())
    detail = {"mean": mean, "std": std, "accepted_std": dict(scales), "draws": int(W.size)}
    if std == 0.0:
        return None           # constant: the symmetry-breaking check speaks for it
    if abs(mean) > MEAN_Z * std / np.sqrt(W.size):
        what = ("every weight is ≥ 0: np.random.rand draws uniformly from [0, 1), not "
                "centered at 0" if W.min() >= 0 else
                f"the weights are not centered at 0 (mean {mean:.3g}, std {std:.3g})")
        return Finding("init", f"{name}: {what}; use np.random.randn (a normal centered at "
                       f"0) times a scale: std {accepted}", detail, Kind.INIT)
    low, high = SCALE_RANGE
    if min(scales.values()) * low <= std <= max(scales.values()) * high:
        return None
    size = "too large" if std > max(scales.values()) * high else "too small"
    return Finding("init", f"{name} has standard deviation {std:.3g}: {size}; {hint} "
                   f"(std {accepted})", detail, Kind.INIT)


def diagnose_init(params: Any, layer_dims: Sequence[int], *, name: str = "parameters"
                  ) -> Finding | None:
    """initialize_parameters_deep: shapes W{l}:(n_l, n_{l-1}), b{l}:(n_l, 1), a random
    draw that breaks symmetry (no zeros, no identical rows), centered at 0 with a spread
    the course asks for (`init_scales`, judged on the large layers), zero or small
    biases."""
    keys = [f"{p}{l}" for l in range(1, len(layer_dims)) for p in ("W", "b")]
    missing = diagnose_keys(params, keys, equation="init", name=name)
    if missing:
        return missing
    for l in range(1, len(layer_dims)):
        n, n_prev = layer_dims[l], layer_dims[l - 1]
        for key, shape in ((f"W{l}", (n, n_prev)), (f"b{l}", (n, 1))):
            arr = as_array(params[key])
            if arr is None:
                return Finding("init", f"{name}['{key}'] is not a numeric array", kind=Kind.INIT)
            found = diagnose_shape(arr, np.zeros(shape), equation="init",
                                   name=f"{name}['{key}']")
            if found:
                return Finding("init", f"wrong initialization shape: {found.diagnosis}",
                               found.detail, Kind.INIT)
            if not np.isfinite(arr).all():
                return Finding("init", f"{name}['{key}'] contains NaN/inf", kind=Kind.INIT)
        W, b = as_array(params[f"W{l}"]), as_array(params[f"b{l}"])
        if n > 1 and np.allclose(W, W[:1], atol=0):
            return Finding("init", f"{name}['W{l}'] has identical rows: no symmetry breaking "
                           "(draw W from np.random.randn, not zeros or a constant)",
                           kind=Kind.INIT)
        found = diagnose_spread(W, init_scales(n_prev), name=f"{name}['W{l}']",
                                hint="scale np.random.randn by 0.01 or by 1/sqrt(n_prev)")
        if found:
            return found
        std = float(W.std())
        if W.size >= 16 and std > 3.0 / np.sqrt(n_prev) and std > 0.1:
            return Finding("init", f"{name}['W{l}'] has standard deviation {std:.3g}: too "
                           "large; scale np.random.randn by 0.01 or by 1/sqrt(n_prev)",
                           {"std": std}, Kind.INIT)
        if np.abs(b).max(initial=0.0) > 1.0:
            return Finding("init", f"{name}['b{l}'] should start at zeros", kind=Kind.INIT)
    return None


def first(findings: Iterable[Finding | None]) -> Finding | None:
    """The first non-None finding."""
    for f in findings:
        if f is not None:
            return f
    return None
