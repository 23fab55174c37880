"""Textbook claims for `backprop-oracle derive`, each with the verdict that the
math (worked out by hand, in `why`) says it deserves.

kind "activation": (forward, derivative)            σ'(z)
kind "loss":       (loss, gradient)                 ∂Cₓ/∂a, per example
kind "output":     (loss, activation, delta)        δᴸₓ = ∂Cₓ/∂zᴸ, per example
`options` go to the check function (target, domain).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Claim:
    id: str
    kind: str
    args: tuple[str, ...]
    expected: str  # "correct" | "incorrect"
    why: str
    options: dict = field(default_factory=dict)


R, W = "correct", "incorrect"

SIG = "sigmoid(z)"
SWISH = "z*sigmoid(z)"
ELU = "where(z > 0, z, exp(z) - 1)"
SOFTSIGN = "z/(1 + abs(z))"
BCE = "-(y*log(a) + (1 - y)*log(1 - a))"

CATALOG: list[Claim] = [
    # ---- activations: σ'(z) ----
    Claim("sigmoid-s(1-s)", "activation", (SIG, "sigmoid(z)*(1 - sigmoid(z))"), R,
          "σ = (1+e⁻ᶻ)⁻¹ so σ' = e⁻ᶻ/(1+e⁻ᶻ)² = σ·(1−σ)"),
    Claim("sigmoid-exp-form", "activation", (SIG, "exp(-z)/(1 + exp(-z))**2"), R,
          "the chain rule on (1+e⁻ᶻ)⁻¹ gives exactly e⁻ᶻ/(1+e⁻ᶻ)²"),
    Claim("sigmoid-a(1-a)", "activation", (SIG, "a*(1 - a)"), R, "a = σ(z), so σ(1−σ) = a(1−a)"),
    Claim("sigmoid-sign-error", "activation", (SIG, "sigmoid(z)*(1 + sigmoid(z))"), W,
          "σ(1+σ) > σ(1−σ) whenever σ > 0"),
    Claim("sigmoid-z-instead-of-a", "activation", (SIG, "z*(1 - z)"), W,
          "z(1−z) is negative for z > 1 while σ' > 0 everywhere"),
    Claim("sigmoid-missing-factor", "activation", (SIG, "sigmoid(z)"), W,
          "drops the factor (1−σ); σ(2) ≈ 0.88 but σ'(2) ≈ 0.10"),
    Claim("tanh-1-t2", "activation", ("tanh(z)", "1 - tanh(z)**2"), R, "tanh' = 1 − tanh²"),
    Claim("tanh-sech2", "activation", ("tanh(z)", "1/cosh(z)**2"), R,
          "1 − tanh² = (cosh² − sinh²)/cosh² = sech²"),
    Claim("tanh-1-a2", "activation", ("tanh", "1 - a**2"), R, "a = tanh(z)"),
    Claim("tanh-z-instead-of-a", "activation", ("tanh(z)", "1 - z**2"), W,
          "1 − z² is negative for |z| > 1; tanh' is positive"),
    Claim("tanh-sign-error", "activation", ("tanh(z)", "1 + tanh(z)**2"), W,
          "1 + tanh² ≥ 1 > tanh' away from 0"),
    Claim("relu-step", "activation", ("relu(z)", "z > 0"), R, "slope 0 left of 0, 1 right of 0"),
    Claim("relu-step-ge", "activation", ("maximum(z, 0)", "where(z >= 0, 1, 0)"), R,
          "differs from z > 0 only at the kink z = 0, where 1 is the right derivative"),
    Claim("relu-forward-as-derivative", "activation", ("relu(z)", "relu(z)"), W,
          "relu(3) = 3 but the slope there is 1"),
    Claim("relu-flipped-step", "activation", ("relu(z)", "z < 0"), W,
          "the step on the wrong side: 1 for z < 0 where the slope is 0"),
    Claim("softplus-sigmoid", "activation", ("log(1 + exp(z))", "sigmoid(z)"), R,
          "d/dz log(1+eᶻ) = eᶻ/(1+eᶻ) = σ(z)"),
    Claim("softplus-exp-form", "activation", ("softplus(z)", "exp(z)/(1 + exp(z))"), R,
          "eᶻ/(1+eᶻ) = σ(z)"),
    Claim("softplus-sign-error", "activation", ("softplus(z)", "1/(1 + exp(z))"), W,
          "1/(1+eᶻ) = σ(−z) = 1 − σ(z), not σ(z)"),
    Claim("swish-product-rule", "activation",
          (SWISH, "sigmoid(z) + z*sigmoid(z)*(1 - sigmoid(z))"), R,
          "(zσ)' = σ + zσ' = σ + zσ(1−σ)"),
    Claim("swish-missing-term", "activation", (SWISH, "sigmoid(z)"), W,
          "drops zσ', nonzero for z ≠ 0"),
    Claim("swish-only-sigma-prime", "activation", (SWISH, "sigmoid(z)*(1 - sigmoid(z))"), W,
          "drops σ itself from the product rule"),
    Claim("elu-exp-branch", "activation", (ELU, "where(z > 0, 1, exp(z))"), R,
          "d/dz (eᶻ − 1) = eᶻ for z ≤ 0, slope 1 for z > 0"),
    Claim("elu-a-plus-1", "activation", ("elu", "where(z > 0, 1, a + 1)"), R,
          "for z ≤ 0, a + 1 = eᶻ"),
    Claim("elu-forward-in-branch", "activation", (ELU, "where(z > 0, 1, exp(z) - 1)"), W,
          "eᶻ − 1 is the forward, not its slope eᶻ (off by exactly 1)"),
    Claim("softsign", "activation", (SOFTSIGN, "1/(1 + abs(z))**2"), R,
          "z/(1+|z|): quotient rule gives ((1+|z|) − |z|)/(1+|z|)² = 1/(1+|z|)²"),
    Claim("softsign-drops-abs", "activation", (SOFTSIGN, "1/(1 + z)**2"), W,
          "equals the truth only for z ≥ 0; blows up at z = −1"),
    Claim("softsign-sign-error", "activation", (SOFTSIGN, "-1/(1 + abs(z))**2"), W,
          "softsign is increasing, its slope is positive"),
    # ---- losses: ∂Cₓ/∂a ----
    Claim("quadratic-a-y", "loss", ("0.5*(a - y)**2", "a - y"), R, "d/da ½(a−y)² = a − y"),
    Claim("quadratic-name-sign", "loss", ("quadratic", "y - a"), W, "the sign is flipped"),
    Claim("quadratic-spurious-2", "loss", ("0.5*(a - y)**2", "2*(a - y)"), W,
          "the ½ cancels the 2 from the square"),
    Claim("square-without-half", "loss", ("(a - y)**2", "2*(a - y)"), R,
          "without the ½ the 2 stays"),
    Claim("bce-name", "loss", ("bce", "(a - y)/(a*(1 - a))"), R,
          "−y/a + (1−y)/(1−a) = (a − y)/(a(1−a))"),
    Claim("bce-expanded", "loss", (BCE, "-(y/a - (1 - y)/(1 - a))"), R,
          "term by term: d/da y log a = y/a, d/da (1−y) log(1−a) = −(1−y)/(1−a)",
          {"target": "binary"}),
    Claim("bce-delta-not-gradient", "loss", ("bce", "a - y"), W,
          "a − y is δ for a sigmoid output; ∂C/∂a has the 1/(a(1−a))"),
    Claim("bce-denominator-sign", "loss", ("bce", "(a - y)/(a*(1 + a))"), W,
          "a(1+a) ≠ a(1−a) for a ≠ 0"),
    Claim("bce-inner-sign", "loss", (BCE, "-(y/a + (1 - y)/(1 - a))"), W,
          "the (1−y) log(1−a) term contributes +(1−y)/(1−a)", {"target": "binary"}),
    Claim("cross-entropy-name", "loss", ("cross_entropy", "-y/a"), R,
          "d/daⱼ (−Σₖ yₖ log aₖ) = −yⱼ/aⱼ"),
    Claim("cross-entropy-expr", "loss", ("-y*log(a)", "-y/a"), R, "the same, elementwise",
          {"target": "onehot"}),
    Claim("cross-entropy-sign", "loss", ("cross_entropy", "y/a"), W, "the sign is flipped"),
    Claim("cross-entropy-cost-not-gradient", "loss", ("cross_entropy", "-log(a)"), W,
          "−log a is the cost of the true class, and nonzero where yⱼ = 0"),
    Claim("cross-entropy-delta-not-gradient", "loss", ("cross_entropy", "a - y"), W,
          "a − y is the softmax δ, not ∂C/∂a"),
    # ---- output errors: δᴸ = ∂Cₓ/∂zᴸ ----
    Claim("quadratic-sigmoid", "output", ("quadratic", "sigmoid", "(a - y)*a*(1 - a)"), R,
          "BP1: (a − y) ⊙ σ'(z) with σ' = a(1−a)"),
    Claim("quadratic-sigmoid-z-form", "output",
          ("0.5*(a - y)**2", SIG, "(a - y)*sigmoid(z)*(1 - sigmoid(z))"), R,
          "the same with σ' written in z"),
    Claim("nielsen-quadratic-with-ce-delta", "output", ("quadratic", "sigmoid", "a - y"), W,
          "the quadratic cost keeps the σ'(z) factor; only cross-entropy cancels it "
          "(Nielsen ch. 3)"),
    Claim("quadratic-sigmoid-z-instead-of-a", "output",
          ("quadratic", "sigmoid", "(a - y)*z*(1 - z)"), W, "σ' evaluated as z(1−z)"),
    Claim("quadratic-sigmoid-sign", "output", ("quadratic", "sigmoid", "(y - a)*a*(1 - a)"), W,
          "the sign is flipped"),
    Claim("bce-sigmoid", "output", ("bce", "sigmoid", "a - y"), R,
          "(a−y)/(a(1−a)) · a(1−a) = a − y"),
    Claim("bce-sigmoid-expr", "output", (BCE, SIG, "a - y"), R, "the same from expressions",
          {"target": "binary"}),
    Claim("bce-sigmoid-extra-factor", "output", ("bce", "sigmoid", "(a - y)*a*(1 - a)"), W,
          "σ' already cancelled; multiplying by it again is wrong"),
    Claim("bce-sigmoid-sign", "output", ("bce", "sigmoid", "y - a"), W, "the sign is flipped"),
    Claim("cross-entropy-softmax", "output", ("cross_entropy", "softmax", "a - y"), R,
          "Jᵀ(−y/a) = a ⊙ (−y/a − Σₖ aₖ(−yₖ/aₖ)) = −y + a Σy = a − y for one-hot y"),
    Claim("cross-entropy-softmax-gradient-not-delta", "output",
          ("cross_entropy", "softmax", "-y/a"), W,
          "that is ∂C/∂a; the softmax Jacobian is missing"),
    Claim("cross-entropy-softmax-elementwise-jacobian", "output",
          ("cross_entropy", "softmax", "(-y/a)*a*(1 - a)"), W,
          "uses only the diagonal of the softmax Jacobian: gives y(a−1), 0 off the true class"),
    Claim("cross-entropy-softmax-sign", "output", ("cross_entropy", "softmax", "y - a"), W,
          "the sign is flipped"),
    Claim("quadratic-identity", "output", ("quadratic", "identity", "a - y"), R,
          "σ' = 1, so δ = a − y"),
    Claim("quadratic-identity-z", "output", ("quadratic", "z", "z - y"), R, "a = z"),
    Claim("quadratic-identity-spurious-factor", "output", ("quadratic", "identity", "(a - y)*a"),
          W, "there is no σ' factor other than 1"),
    Claim("quadratic-tanh", "output", ("0.5*(a - y)**2", "tanh(z)", "(a - y)*(1 - a**2)"), R,
          "tanh' = 1 − a²"),
    Claim("quadratic-tanh-z-instead-of-a", "output",
          ("0.5*(a - y)**2", "tanh(z)", "(a - y)*(1 - z**2)"), W, "1 − z² is not tanh'"),
    Claim("quadratic-relu", "output", ("quadratic", "relu", "(a - y)*(z > 0)"), R,
          "relu' is the step"),
    Claim("quadratic-relu-missing-step", "output", ("quadratic", "relu", "a - y"), W,
          "for z < 0 the output is flat: δ = 0 there, but a − y = −y ≠ 0"),
    # ---- right formulas that overflow float64 at the ends of a wide domain ----
    Claim("sigmoid-exp-form-wide", "activation", (SIG, "exp(-z)/(1 + exp(-z))**2"), R,
          "the same identity as sigmoid-exp-form; exp(800) overflows float64 (inf/inf is "
          "NaN) but the formula is right there", {"domain": (-800, 800)}),
    Claim("softplus-exp-form-wide", "activation", ("softplus(z)", "exp(z)/(1 + exp(z))"), R,
          "eᶻ/(1+eᶻ) = σ(z) for every z, also where eᶻ overflows", {"domain": (-800, 800)}),
    Claim("sigmoid-exp-form-wide-missing-square", "activation",
          (SIG, "exp(-z)/(1 + exp(-z))"), W,
          "without the square it is e⁻ᶻ/(1+e⁻ᶻ) = 1 − σ(z), not σ'(z)", {"domain": (-800, 800)}),
    Claim("bce-sigmoid-wide", "output", ("bce", "sigmoid", "a - y"), R,
          "a − y for every z; where float64 rounds σ(z) to 0 or 1 nothing can be tested",
          {"domain": (-40, 40)}),
]
