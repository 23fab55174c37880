"""Why a case of `check` failed, in words a maintainer can act on: the layer's activation,
what the index means in the layout, where the error starts, and a diagnosis.

Where the error starts. The comparison walks the arrays in the order the backward pass
computes them (`reference.oracle.compare.ordered_checks`), so its first mismatch is the
outermost layer that disagrees. With δ given that is the first δ that disagrees, which
pins the equation (BP1 at the output, BP2 below). With dW and db only, it is the
outermost layer whose gradients disagree: the layers above it agree, so what flows into
it (δˡ⁺¹, or ∇ₐC at the output) is right and the error starts in this layer's own δ
(BP1 or BP2: its activation's derivative) or its BP3/BP4; every layer below inherits it
through δ. The verdict says so, and that returning δ would pin the equation.

Known mistakes (`reference.oracle.diagnose`): a softmax differentiated elementwise,
a clip that rounds to 1 in float32, a loss scaled by the number of outputs; then the
grader's general diagnoses (1/m, sign, transpose, shapes).
"""

from __future__ import annotations

import numpy as np

from manual.equations import COLUMNS, bp3, bp4
from manual.losses import get_loss
from manual.network import Network

from ..oracle.cases import Case
from ..oracle.compare import FIELDS, Mismatch
from ..oracle.diagnose import (
    as_array,
    diagnose_clip_rounding,
    diagnose_output_scale,
    diagnose_softmax_diagonal,
    first,
)
from . import contract

__all__ = ["explain", "where_it_starts"]

FIELD_OF = {"BP1": "deltas", "BP2": "deltas", "BP3": "db", "BP4": "dW"}


def explain(mm: Mismatch, case: Case, got, expected, member=None, fields=FIELDS) -> dict:
    """activation, meaning (of the index in the layout), starts (where the error starts,
    with dW/db only) and diagnosis, for a mismatch of one case. member: the case's
    pristine (weights, biases, X, Y), for the diagnoses that need the forward."""
    activation = case.activations[mm.layer] if 0 <= mm.layer < len(case.activations) else ""
    out = {"activation": activation,
           "meaning": contract.describe_index(mm.equation, mm.layer, mm.index, case.layout,
                                              len(case.activations)),
           "starts": where_it_starts(mm, case, fields),
           "diagnosis": ""}
    field = FIELD_OF.get(mm.equation)
    if mm.equation == "cost" and got is not None:
        out["diagnosis"] = _cost_diagnosis(case, got.cost, expected.cost)
    if field and got is not None:
        try:
            mine = getattr(got, field)[mm.layer]
            want = getattr(expected, field)[mm.layer]
        except (IndexError, TypeError):
            return out
        name = f"{field}[{mm.layer}]"
        known = _known_mistake(mm, case, mine, want, expected, member, name)
        out["diagnosis"] = known or contract.diagnose(mine, want, mm.equation, name, case.m)
        if field == "db" and np.shape(mine) != np.shape(want) and np.size(mine) == np.size(want):
            out["diagnosis"] += (" (biases and db follow the declared bias_shape; declare "
                                 "the one your implementation uses)")
    return out


def where_it_starts(mm: Mismatch, case: Case, fields=FIELDS) -> str:
    """With dW/db only (no δ given): the outermost disagreeing layer is where the error
    starts; '' with δ (the first δ that disagrees already pins it) or for a cost or a
    call."""
    if "deltas" in fields or mm.equation not in ("BP3", "BP4"):
        return ""
    L, layer = len(case.activations), mm.layer
    act = case.activations[layer]
    if layer == L - 1:
        where = (f"the output layer {layer} ({act}): its δ (BP1, δᴸ = ∇ₐC ⊙ σ'(zᴸ)), "
                 "its db (BP3) or its dW (BP4)")
    else:
        where = (f"layer {layer} ({act}), the outermost layer whose dW or db disagree (the "
                 f"layers above agree): its δ (BP2, δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹ ⊙ σ'(zˡ)), its db "
                 "(BP3) or its dW (BP4)")
    below = "; the layers below inherit it" if layer > 0 else ""
    return f"the error starts at {where}{below}; return deltas to pin the equation"


def _known_mistake(mm: Mismatch, case: Case, mine, want, expected, member, name: str) -> str:
    """The diagnosis of a known library mistake that explains `mine`, or ''."""
    n_out = case.sizes[-1]
    arr = as_array(mine)
    needs_forward = member is not None and (
        case.activations[mm.layer] == "softmax"
        or case.dtype == "float32" and arr is not None and not np.isfinite(arr).all())
    forward = _forward(case, member) if needs_forward else None  # only when a detector needs it
    found = first([
        diagnose_clip_rounding(mine, forward[-1], case.dtype, equation=mm.equation, name=name)
        if forward is not None else None,
        _softmax_diagonal(mm, case, mine, expected, member, forward, name),
        # m = n: the 1/m diagnosis says it (which of the two cannot be told apart)
        diagnose_output_scale(mine, want, n_out, equation=mm.equation, name=name)
        if n_out != case.m else None,
    ])
    return found.diagnosis if found else ""


def _cost_diagnosis(case: Case, mine, want: float) -> str:
    """A cost divided by the number of outputs, or by m (the general diagnoses)."""
    found = (diagnose_output_scale(mine, want, case.sizes[-1], equation="cost", name="cost")
             if case.sizes[-1] != case.m else None)
    return found.diagnosis if found else contract.diagnose(mine, want, "cost", "cost", case.m)


def _forward(case: Case, member) -> list[np.ndarray]:
    """a⁰ (X), a¹ ... aᴸ in float64 from the case's arrays."""
    w, b, X, _ = member
    net = Network([np.asarray(x, np.float64) for x in w], [np.asarray(v, np.float64) for v in b],
                  list(case.activations), case.loss, case.layout, case.reduction)
    net.forward(np.asarray(X, np.float64))
    return net.activations


def _softmax_diagonal(mm: Mismatch, case: Case, mine, expected, member, forward, name):
    """A softmax layer where the error starts, differentiated elementwise: the right
    ∂Cₓ/∂aˡ flows into it (the loss's gradient at the output, (Wˡ⁺¹)ᵀδˡ⁺¹ below)."""
    layer = mm.layer
    if forward is None or case.activations[layer] != "softmax":
        return None
    w, _, _, Y = member
    if layer == len(case.activations) - 1:
        upstream = get_loss(case.loss).gradient(forward[-1], np.asarray(Y, np.float64))
    else:
        w_next = np.asarray(w[layer + 1], np.float64)
        delta_next = expected.deltas[layer + 1]
        upstream = w_next.T @ delta_next if case.layout == COLUMNS else delta_next @ w_next.T
    scale = 1.0 / case.m if case.reduction == "mean" else 1.0
    to_field = {"deltas": lambda d: d,
                "db": lambda d: bp3(d, scale, case.layout),
                "dW": lambda d: bp4(d, forward[layer], scale, case.layout)}[FIELD_OF[mm.equation]]
    return diagnose_softmax_diagonal(mine, upstream, forward[layer + 1], to_field,
                                     equation=mm.equation, name=name)
