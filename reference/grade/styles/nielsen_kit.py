"""The correct pieces of Nielsen's network.py and network2.py, on the parent's side only
(answered to the student's process through `kit.answer`, never sent to it)."""

from __future__ import annotations

import numpy as np

from ..kit import sigmoid, sigmoid_prime

__all__ = ["QuadraticCost", "CrossEntropyCost", "COSTS", "backprop", "HELPERS"]


class QuadraticCost:
    """C = ½‖a − y‖², δᴸ = (a − y) ⊙ σ'(zᴸ) (BP1)."""

    @staticmethod
    def fn(a, y):
        return 0.5 * float(np.sum((a - y) ** 2))

    @staticmethod
    def delta(z, a, y):
        return (a - y) * sigmoid_prime(z)


class CrossEntropyCost:
    """C = −Σ [y ln a + (1 − y) ln(1 − a)], δᴸ = a − y (BP1: σ' cancels)."""

    @staticmethod
    def fn(a, y):
        return float(np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a))))

    @staticmethod
    def delta(z, a, y):
        return a - y


COSTS = {"quadratic": QuadraticCost, "cross_entropy": CrossEntropyCost}


def backprop(weights, biases, x, y, cost="quadratic"):
    """Nielsen's (nabla_b, nabla_w) for one example (the quadratic cost unless told, by
    name or class): BP1..BP4. Given a matrix whose columns are examples (chapter 2's
    exercise: the whole mini-batch at once), the gradients summed over the examples, as
    the matrix-based forks' update_mini_batch expects (nabla_b (n, 1), like a bias)."""
    cost = COSTS[cost] if isinstance(cost, str) else cost
    a, activations, zs = x, [x], []
    for w, b in zip(weights, biases):
        z = w @ a + b
        zs.append(z)
        a = sigmoid(z)
        activations.append(a)
    delta = cost.delta(zs[-1], activations[-1], y)                    # BP1
    nabla_b, nabla_w = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        if l < len(weights) - 1:
            delta = (weights[l + 1].T @ delta) * sigmoid_prime(zs[l])  # BP2
        nabla_b[l] = delta.sum(axis=1, keepdims=True)                 # BP3, Σₓ δˡₓ
        nabla_w[l] = delta @ activations[l].T                         # BP4
    return nabla_b, nabla_w


# answered as "<the book's helper_prefix>.<name>" (`kit.helpers`)
HELPERS = {
    "sigmoid": sigmoid, "sigmoid_prime": sigmoid_prime,
    "cost_derivative": lambda output_activations, y: output_activations - y,
    "backprop": lambda weights, biases, x, y, cost="quadratic": backprop(
        weights, biases, x, y, COSTS[cost]),
    **{f"{kind}.{m}": getattr(cls, m) for kind, cls in COSTS.items() for m in ("fn", "delta")},
}
