"""The four fundamental equations of backpropagation, one small function each.

Shapes, for a batch of m examples and layer l with nₗ units:

    layout    δˡ         aˡ⁻¹          Wˡ             bˡ
    columns   (nₗ, m)    (nₗ₋₁, m)     (nₗ, nₗ₋₁)     (nₗ, 1)
    rows      (m, nₗ)    (m, nₗ₋₁)     (nₗ₋₁, nₗ)     (nₗ,)

δˡ holds the per-example errors δˡₓ = ∂Cₓ/∂zˡₓ (no 1/m). BP3 and BP4 turn
them into the gradients of the batch cost, multiplying by `scale` (1/m for
reduction "mean", 1 for "sum").
"""

from __future__ import annotations

import numpy as np

from .activations import Activation

__all__ = ["Array", "class_axis", "batch_axis", "bp1", "bp2", "bp3", "bp4"]

Array = np.ndarray
COLUMNS, ROWS = "columns", "rows"


def class_axis(layout: str) -> int:
    """The axis that indexes units (0 in columns, 1 in rows)."""
    return 0 if layout == COLUMNS else 1


def batch_axis(layout: str) -> int:
    """The axis that indexes examples (1 in columns, 0 in rows)."""
    return 1 if layout == COLUMNS else 0


def bp1(grad_a: Array, z: Array, a: Array, sigma: Activation, layout: str) -> Array:
    """BP1: δᴸ = ∇ₐC ⊙ σ'(zᴸ)  (softmax: Jᵀ ∇ₐC)."""
    return sigma.backward(z, a, grad_a, class_axis(layout))


def bp2(w_next: Array, delta_next: Array, z: Array, a: Array, sigma: Activation,
        layout: str) -> Array:
    """BP2: δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ)   (rows: δˡ = (δˡ⁺¹ (Wˡ⁺¹)ᵀ) ⊙ σ'(zˡ))."""
    back = w_next.T @ delta_next if layout == COLUMNS else delta_next @ w_next.T
    return sigma.backward(z, a, back, class_axis(layout), overwrite=True)


def bp3(delta: Array, scale: float, layout: str) -> Array:
    """BP3: ∂C/∂bˡ = δˡ, summed over the batch and multiplied by `scale`."""
    if layout == COLUMNS:
        db = delta.sum(axis=1, keepdims=True)
    else:
        db = delta.sum(axis=0)
    if scale != 1:
        db *= scale
    return db


def bp4(delta: Array, a_prev: Array, scale: float, layout: str) -> Array:
    """BP4: ∂C/∂Wˡ = δˡ (aˡ⁻¹)ᵀ summed over the batch (rows: (aˡ⁻¹)ᵀ δˡ), times `scale`."""
    dw = delta @ a_prev.T if layout == COLUMNS else a_prev.T @ delta
    if scale != 1:
        dw *= scale
    return dw
