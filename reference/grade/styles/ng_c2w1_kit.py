"""The correct pieces of Ng's course 2 week 1, on the parent's side only: the helpers a
graded function may call (answered to the student's process through `kit.answer`, never
sent to it) and the oracle of the notebooks' 3-layer network (torch autograd).

The network is the Regularization notebook's: LINEAR -> RELU -> LINEAR -> RELU -> LINEAR
-> SIGMOID in the columns layout, the cross-entropy cost
C = −(1/m) Σ [y log a³ + (1 − y) log(1 − a³)] plus (λ/2m) Σₗ ‖Wˡ‖²_F, and inverted dropout
on the two hidden layers: aˡ = relu(zˡ) ⊙ Dˡ / keep_prob with the masks Dˡ given.
"""

from __future__ import annotations

import secrets

import numpy as np

__all__ = ["HELPERS", "forward_propagation", "backward_propagation", "oracle_net", "plant",
           "planted_backward"]

KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


def forward_propagation(x, theta):
    """The Gradient Checking notebook's 1-D cost J(θ) = θ·x."""
    return theta * x


def backward_propagation(x, theta):
    """dJ/dθ = x."""
    return x


# --- the planted 1-D backwards a gradient_check is graded on (blinded) -----------------------
# token -> (a, b): dJ/dθ answered as a·x + b·θ (right when a = 1, b = 0). Held here, in the
# parent, only: the student's process gets the token, which tells nothing (`secrets`), so
# its checker can tell the right backward from a planted one only by checking.
_PLANTED: dict[str, tuple[float, float]] = {}


def plant(a: float, b: float) -> str:
    """The opaque token of one planted backward, dJ/dθ = a·x + b·θ."""
    token = secrets.token_hex(16)
    _PLANTED[token] = (float(a), float(b))
    return token


def planted_backward(x, theta, token):
    """The planted dJ/dθ of the token: a·x + b·θ."""
    try:
        a, b = _PLANTED[str(token)]
    except KeyError:
        raise ValueError("no such planted backward") from None
    return a * x + b * theta


def oracle_net(X, Y, parameters, lambd: float = 0.0, masks=None, keep_prob: float = 1.0
               ) -> dict:
    """The network's forward values (Z1, A1, Z2, A2, Z3, A3; A1 and A2 after the dropout
    masks), its cost and cross-entropy alone, and ∂C/∂Wˡ, ∂C/∂bˡ by torch autograd, as
    float64 ndarrays keyed as the notebook's gradients ("dW1", ...)."""
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    import torch

    t = {k: torch.tensor(np.asarray(parameters[k], dtype=np.float64), requires_grad=True)
         for k in KEYS}
    x = torch.tensor(np.asarray(X, dtype=np.float64))
    y = torch.tensor(np.asarray(Y, dtype=np.float64))
    m = x.shape[1]
    out, a = {}, x
    with torch.enable_grad():
        for layer in (1, 2, 3):
            z = t[f"W{layer}"] @ a + t[f"b{layer}"]
            a = torch.sigmoid(z) if layer == 3 else torch.relu(z)
            if layer < 3 and masks is not None:
                a = a * torch.tensor(np.asarray(masks[layer - 1], dtype=np.float64)) / keep_prob
            out[f"Z{layer}"], out[f"A{layer}"] = z, a
        ce = -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum() / m
        l2 = sum((t[f"W{layer}"] ** 2).sum() for layer in (1, 2, 3))
        cost = ce + lambd / (2 * m) * l2
        grads = torch.autograd.grad(cost, [t[k] for k in KEYS])
    values = {k: v.detach().numpy() for k, v in out.items()}
    values.update({f"d{k}": g.numpy() for k, g in zip(KEYS, grads)})
    values.update(cost=float(cost.detach()), cross_entropy=float(ce.detach()))
    return values


# answered as "<the book's helper_prefix>.<name>" (`kit.helpers`)
HELPERS = {"forward_propagation": forward_propagation,
           "backward_propagation": backward_propagation,
           "planted_backward": planted_backward}
