"""Every tolerance of the project, in one place: a table per dtype, the named
overrides of the registries, the allowance and the relative error.

An entry x of an answer passes against the expected e when

    |x − e| ≤ atol · max(1, max|e|) + rtol · |e|        (`allowance`)

The atol term is scaled by the array's own magnitude because a float32 sum of
many terms carries an absolute error proportional to its largest terms, not
to each (possibly cancelled) entry. The relative error reported is measured
against the same scale, so a cancelled entry cannot dominate it
(`relative_error`).

Why these numbers (the pattern of JAX's `_default_tolerance`, one table merged
with per-entry overrides in one function, `tolerance_for`):

- float64 (1e-9, 1e-11): two float64 computations of one gradient by
  different operation orders (BP1..BP4 against autograd) agree to ~1e-13
  relative on the drawn cases; 1e-9 leaves four digits of room for deep
  stacks, while a real bug misses by O(1).
- float32 (1e-4, 1e-5): float32's ε is 1.2e-7; a few hundred roundings through
  six layers stay under 1e-4. Where float32 loses more (width-1 bottlenecks,
  cancelling sums), `NOISE_FACTOR` times torch's own float32 error on the same
  case is allowed too (see `reference.oracle.compare`). torch's error is measured
  with both its float32 product kernels, batched (baddbmm) and unbatched (addmm),
  the larger kept (`float32_noise`): on deep stacks of exp(z) − 1 the batched one
  ends 10 to 40 times closer to float64 than the unbatched one, which lands where a
  right NumPy float32 forward does, and measured from it alone the allowance
  falsely failed manual (5, 3 and 1 in 1,496 float32 cases of `check --activation
  'myexp=exp(z)-1:exp(z)' --hidden-activations myexp`, seeds 1..3; 0 since).
- float32, a right forward's rounding: torch's two float32 runs are two samples of a
  random rounding pattern, and a deep stack amplifies which pattern it was (a stack of
  exp(z) − 1 multiplies the relative error of z by about |z| per layer; σ′ formed from a
  rounded a, 1 − a² or softmax's a(1 − a), loses all its digits where a rounds to ±1):
  manual's right float32 answers were seen 10 to 200 times farther from float64 than
  torch's larger sample (49 false alarms in 100,064 float32 cases of `check --activation
  'myexp=exp(z)-1:exp(z)' --seed 7 --cases 200000`, deep myexp stacks under every
  output). So `float32_noise` also keeps ROUNDED_FORWARDS float64 autograd runs through a
  forward moved, with a seeded random sign per entry, by float32's rounding bounds: each
  zˡ by n·u₃₂·(|Wˡ||aˡ⁻¹| + |bˡ|) (the dot product's |fl(Σ) − Σ| ≤ γₙ Σ|terms|), and by
  the z-interval over which aˡ moves by one rounding u₃₂|aˡ| (the smallest of a geometric
  grid of ULP_GRID moves; at most 1 + |z|), so the backward forms σ′ where a rounded a
  would put it. Those 49 cases then missed by at most 4.9 times the noise (NOISE_FACTOR
  10), and a derivative 1% off still fails (tests/test_rounding_noise.py). Float32
  false alarms before → after: 49 → 0 (seed 7), 98 → 0 (seed 7, --dtypes float32,
  200,000 cases), 32, 20, 31 → 0 (seeds 1, 2, 3, 100,000 cases).
- float64 has no noise measure, on purpose: the 41 float64 disagreements of the same run
  (1e-11 to 5e-10 on a scale of 1, next to a saturated gelu_tanh output) were the
  oracle's error, not manual's: a longdouble backprop agreed with manual to 1e-15..1e-24
  and with autograd only to 5e-10. torch's ½z(1 + tanh u) has a derivative that cancels
  where tanh u ≈ −1 (−5.0e-15 for −2.5e-15 at z = −7.2, ~20 ulps of its terms), which
  the stack amplified. The twin is now z·σ(2u), the same function without the
  cancellation (41 → 0 float64 false alarms at seed 7; 47, 2, 23 → 0 at seeds 1, 2,
  3, every one next to a gelu_tanh output). A measure made of torch runs could not
  have seen it: torch's float32 run rounds σ′ to the same 0 (its gap, scaled by
  u₆₄/u₃₂, was 10⁸ times too small), and a looser row would hide a 1e-9 relative bug.
- An implementation under test (`check --impl`, `verify`) gets the same allowance as
  `manual`. It used to get the larger of that and a NumPy float32 backprop's error
  (manual's, run on the case), since torch's two float32 runs alone raised false
  alarms on right float32 NumPy answers (12 in 20,000 float32 cases of an independent
  right NumPy backprop on deep myexp stacks, seed 1); with the rounded forwards it
  raises none there, so that extra backprop per disagreement was dropped.
- The float32 cost C (an implementation's, when it gives one) is judged with the same
  row and then, where it misses, against NOISE_FACTOR times |C₃₂ − C₆₄| of a float32
  forward on the same case (`float32_noise`'s cost: torch's two runs and the rounded
  forwards, the largest), as the gradients are: a
  forward's relative rounding error grows with its conditioning (a deep stack of
  exp(z) − 1 multiplies it by about Πₗ |zˡ| per layer), so a plain float32 NumPy
  forward of such a stack was seen 1.5e-4 to 1.2e-3 off the float64 cost, over the
  row's 1e-4, on cases whose gradients passed; a wrong cost (a missing ½ or 1/m, a
  loss averaged over the outputs) misses by O(1).
- GRADER: the float32 row, so a student's float32 arithmetic passes and every
  real mistake (an O(1) relative error) fails.
- DERIVE: a claimed derivative evaluated in float64 against autograd's at the
  same point: the same arithmetic up to a few operations (1e-7 allows a
  formula written in a cancelling but correct form); at a kink either
  one-sided difference quotient, which carries its step's error (1e-4).
- DIRECTIONAL: a central difference of the cost (step 1e-5) has a truncation
  error ~1e-10 and a rounding error ε·C/1e-5, relative to ‖∇C‖‖V‖.
- SAME_ARITHMETIC: two implementations of the same formula in the same dtype
  (NumPy against torch, elementwise): a few ulps (float32: ~16 ulps).
- TRAINING: manual's SGD against torch.optim.SGD over a few epochs in float64:
  rounding differences compound through the updates (~1e-13 seen).
- OPTIMIZER_STEPS: an optimizer entry of `manual.optimizers` against its torch.optim
  recipe over a few float64 steps: the same formulas in another order (torch divides by
  √(1 − β₂ᵗ) where NumPy divides v first; ~1e-15 seen over 8 steps), a division by
  √h + ε near ε magnifying one rounding, so a relative 1e-10 with a floor.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from manual.errors import InputError

__all__ = ["TOLERANCES", "NOISE_FACTOR", "ROUNDED_FORWARDS", "ULP_GRID", "GRADER", "DERIVE",
           "DERIVE_KINK", "DIRECTIONAL", "DIFFERENCE_FLOOR", "SAME_ARITHMETIC", "TRAINING",
           "OPTIMIZER_STEPS", "tolerance_for", "allowance", "relative_error", "within",
           "LAYER_NETWORK", "NETWORK_CENTRAL_DIFFERENCE", "INIT_MIN_DRAWS", "INIT_STD_REL",
           "INIT_MEAN_Z", "DROPOUT_RATE_Z", "GRADIENT_CHECK", "DROPOUT_MASK_MIN_DRAWS",
           "KINK_GAP_GRADCHECK", "GRADIENT_CHECK_PLANTED", "CACHE_NEAR", "DROPOUT_MASK_P_VALUE",
           "LOG_GUARD"]

TOLERANCES: dict[str, tuple[float, float]] = {
    # dtype: (rtol, atol)
    "float64": (1e-9, 1e-11),
    "float32": (1e-4, 1e-5),
}
NOISE_FACTOR = 10.0
ROUNDED_FORWARDS = 2  # float64 forwards moved by float32's rounding bounds, per measurement
ULP_GRID = (1e-12, 64)  # one rounding of a: moves from 1e-12·(1 + |z|) to 1 + |z|, 64 steps
GRADER: tuple[float, float] = TOLERANCES["float32"]
DERIVE: tuple[float, float] = (1e-7, 1e-10)
DERIVE_KINK: tuple[float, float] = (1e-4, 1e-6)
DIRECTIONAL: dict[str, tuple[float, float]] = {
    # dtype: (rtol relative to ‖∇C‖‖V‖, floor relative to ‖V‖)
    "float64": (1e-6, 1e-10),
    "float32": (1e-3, 1e-6),
}
DIFFERENCE_FLOOR = 1e-10  # the central difference's rounding, relative to max(1, |C|)
SAME_ARITHMETIC: dict[str, tuple[float, float]] = {
    "float64": (1e-12, 1e-14),
    "float32": (2e-6, 2e-6),
}
TRAINING: tuple[float, float] = (1e-10, 1e-12)
OPTIMIZER_STEPS: tuple[float, float] = (1e-10, 1e-12)


def tolerance_for(dtype, entries: Iterable = ()) -> tuple[float, float]:
    """(rtol, atol) for a dtype, loosened by any registry entry's override (the
    loosest of the network's activations and loss wins)."""
    try:
        name = dtype if dtype in TOLERANCES else (
            np.dtype(dtype).name if dtype is not None else None)
    except TypeError:
        name = None
    if name not in TOLERANCES:
        raise InputError(f"no tolerance for dtype {dtype!r} (known: {', '.join(TOLERANCES)})")
    rtol, atol = TOLERANCES[name]
    for entry in entries:
        over = entry.tolerance.get(name)
        if over:
            rtol, atol = max(rtol, over[0]), max(atol, over[1])
    return rtol, atol


def allowance(expected, rtol: float, atol: float, scale=None):
    """atol · max(1, max|e|) + rtol · |e|, elementwise (`scale` = max(1, max|e|) when
    the caller has it already, e.g. per array of a stacked comparison)."""
    mag = np.abs(expected)
    if scale is None:
        scale = max(1.0, float(np.max(mag, initial=0.0)))
    return atol * scale + rtol * mag


def relative_error(err, expected, scale=None):
    """|x − e| / max(|e|, 1e-3 · scale): relative to the array's scale, so a cancelled
    entry (|e| ≈ 0 next to large ones) cannot dominate."""
    mag = np.abs(expected)
    if scale is None:
        scale = max(1.0, float(np.max(mag, initial=0.0)))
    return err / np.maximum(mag, 1e-3 * scale)


def within(got, expected, rtol: float, atol: float) -> bool:
    """The allowance holds everywhere (same shape; NaN fails)."""
    g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return False
    return bool(np.all(np.abs(g - e) <= allowance(e, rtol, atol)))


# --- the conv family (conv, conv_channels_last, max_pool, avg_pool) ---
# No constant of its own: the float32 row holds. A float32 convolution accumulates
# C·HH·WW products per output and N·H'·W' per dw entry, but BLAS sums them in blocks,
# so the error stays a few ε of the array's scale: at C·HH·WW = 6272 and N·H'·W' = 65536
# manual's float32 answers were ≤ 7e-7 of the scale off the float64 oracle, against the
# row's atol 1e-5 (tests/test_layers_conv.py keeps a 64-channel 5×5 case on the row).
# Pooling selects or averages a few values: a few ulps.


# --- the network of layers block (reference.oracle.network_compare) ---
# A network's arrays (each layer's output, the loss, every boundary and parameter
# gradient) against the oracle's float64 composition of the layers' twins. float64
# (1e-9, 1e-9): the table's rtol; atol 1e-9 because a gradient that vanishes in exact
# arithmetic (a conv's db before a batch norm in train mode: Σ δ = 0) is a cancelled sum
# of N·H·W terms amplified by 1/σ, whose float64 rounding was seen at 1.3e-11 on a scale
# of 1 (over the table's 1e-11), the oracle's as much as manual's; a bug misses by O(1).
# float32 (1e-3, 1e-4): the layers' float32 roundings compound through up to ~12
# layers (a conv's C·kh·kw products, batch norm's 1/σ amplifying the error of x − μ, a
# softmax over the scores, BPTT over T steps): a right conv dw after a spatial batch
# norm was seen 1.3e-5 off on a scale of 1 (over the table's atol 1e-5), while every
# planted mistake misses by O(1) relative. Beyond this, NOISE_FACTOR × torch's own
# float32 error on the same network is allowed too (cancelling sums).
LAYER_NETWORK: dict[str, tuple[float, float]] = {
    "float64": (1e-9, 1e-9),
    "float32": (1e-3, 1e-4),
}
# A network's ∂L/∂x against central differences of its loss in float64 (step 1e-6):
# truncation ~h²·|L'| ~ 1e-12 and rounding ~ε·|L|/h ~ 1e-10 per entry, for a loss of O(1).
NETWORK_CENTRAL_DIFFERENCE: tuple[float, float] = (1e-6, 1e-8)


# --- Ng's course 2 week 1 (ng-c2w1): statistics of random draws, a checker's verdict ---
# An initialization or a dropout mask is any correct draw (a TA accepts any right
# distribution, in any draw order): judged by its statistics on large arrays only.
# - INIT_MIN_DRAWS: a weight matrix's spread is judged on at least 1,000 entries (the
#   cases' large layers hold 1,200 to 3,000). The sample standard deviation of N normal
#   draws has a relative standard error 1/√(2N): 2.2 % at 1,000.
# - INIT_STD_REL: the std passes within ±15 % of the asked one (He's √(2/n_prev), the
#   Initialization notebook's ×10): about 7 standard errors at 1,000 draws (a false alarm
#   ~1e-12; a centered uniform draw of the right std passes too, its std's error is
#   smaller), while the known wrong scales miss by 29 % or more (Xavier's √(1/n_prev) is
#   0.71 of He's; the cases' layers make √(2/n_l) 1.7 or 0.5 of it; ×1 or ×0.01 for ×10).
# - INIT_MEAN_Z: |mean| above 6 standard errors (std/√N) is not centered (np.random.rand):
#   a false alarm ~2e-9 per matrix, a uniform [0, 1) draw is at ~50 standard errors.
# - DROPOUT_RATE_Z: the share of kept units passes within 6 binomial standard errors
#   √(p(1−p)/N) of keep_prob, pooled over D1 and D2 of a case with N ≥ INIT_MIN_DRAWS
#   (±0.058 at p = 0.7, N = 2,300): a mask kept with 1 − keep_prob (rand > keep_prob)
#   misses by |1 − 2p| = 0.4 at p = 0.7; keep_prob ≠ 0.5 in every case.
# - DROPOUT_MASK_MIN_DRAWS: each mask is also judged alone (same DROPOUT_RATE_Z) from this
#   many draws: a slip on one layer's mask (D2 kept with 1 − keep_prob, 300 draws beside
#   D1's 2,000) moves the pooled share by only ~0.05 (5 standard errors), but D2's own share
#   by 0.4 = 15 of its standard errors (±0.16 at p = 0.7, N = 200; normal approximation
#   good at N·p(1−p) ≥ 40).
# - GRADIENT_CHECK: the notebook's own threshold on the relative difference
#   ‖grad − gradapprox‖ / (‖grad‖ + ‖gradapprox‖): a checker must report below it on a right
#   gradient (a central difference with ε = 1e-7 in float64 lands near 1e-9 on the cases,
#   which keep every ReLU input 1e-3 away from its kink) and above it on a planted wrong one
#   (those miss by 0.1 or more).
# - GRADIENT_CHECK_PLANTED: each planted wrong gradient differs from the right one by at
#   least this relative difference (the cases are drawn again otherwise: with m = 1, dead
#   ReLUs can leave the notebook's ×2 on dW2 and ×4 on db1 changing nothing), 5·10⁴ times
#   GRADIENT_CHECK, so a right checker's own error (~1e-9) cannot hide it.
INIT_MIN_DRAWS = 1000
INIT_STD_REL = 0.15
INIT_MEAN_Z = 6.0
DROPOUT_RATE_Z = 6.0
DROPOUT_MASK_MIN_DRAWS = 200
GRADIENT_CHECK = 2e-7
KINK_GAP_GRADCHECK = 1e-3
GRADIENT_CHECK_PLANTED = 1e-2

# A wrong forward's cache rebuilt for its backward (`reference.grade.probes.layer_cache`):
# an entry that is none of the correct intermediates within the layer's row is taken for
# the one it is nearest to when its relative distance (‖a − c‖ / max(‖a‖, ‖c‖)) is under
# the first number and every other candidate of its shape and another value is at least
# the second number times farther. A forgotten eps (1e-5 to 1e-3 against a variance near
# 1) or a bug downstream of it lands 1e-6 to 1e-3 away. Two different intermediates can be
# as near each other (seeded cases of the samplers, 150 per layer: tanh(a) and a 5e-4
# apart in an RNN with small activations, var and var + eps ~1e-6, relu's out and x 8e-3),
# so the margin, not the distance, keeps a near entry from being taken for its neighbour:
# an entry near two is not identified, and the backward is blocked, never fed a guess.
CACHE_NEAR: tuple[float, float] = (0.05, 10.0)

# A softmax loss written -mean(log(p_y + ε)): students guard the log against log 0 with
# ε from 1e-8 to 1e-5 (1e-5 in a real 2017 CS231n layers.py, where its loss was 2e-4 off
# while its dx was exact). Any loss between the exact one and the one with this guard
# (10× the largest seen) is right; the known wrong losses (no 1/N, a sum) lie far outside.
LOG_GUARD = 1e-4

# Saito's dropout (saito-ch6): any random mask passes, but its kept fraction must be
# 1 − dropout_ratio: a mask is refused when the exact two-sided binomial p-value of its
# kept count is below this, so a right mask is refused at most once in a million cases
# (skewed ratios too, where a normal approximation's 4σ was seen refusing 1 in 1,150),
# while a reversed comparison (keeping with probability r) at r = 0.8 on 72 units or
# more is caught with probability above 0.9999.
DROPOUT_MASK_P_VALUE = 1e-6
