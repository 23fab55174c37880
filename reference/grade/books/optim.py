"""The notes of the optimizer conventions that are equal after rescaling (not bugs), for
the three courses' update rules (CS231n's `optim.py`, Ng's course 2 week 2, Saito's
`common/optimizer.py`).

Plain data (`book.Accommodation`), read by the shelf by name: a probe that reads one of
these conventions in the student's answers or file says so (`remote.note`), and the
report prints the note. Imports nothing but the record types.
"""

from __future__ import annotations

from ..book import Accommodation

__all__ = ["CS231N", "NG", "SAITO", "ALL"]

CS231N = (
    Accommodation("torch momentum", "config['velocity'] holds torch's momentum buffer "
                  "(v ← μv + dw; w ← w − lr·v): the same steps as the course's v ← μv − "
                  "lr·dw; w ← w + v, the velocity −v/lr of the course's; accepted"),
    Accommodation("negated velocity", "config['velocity'] holds −v (v ← μv + lr·dw; w ← w "
                  "− v): the same steps as the course's; accepted"),
    Accommodation("adam t from 1", "config['t'] starts at 1 (the 2016 skeleton's "
                  "config.setdefault('t', 1)): graded as that version ran, the bias "
                  "correction counted from the file's own start"),
    Accommodation("adam lr_t", "Adam in the paper's efficient form (lr_t = lr·√(1 − β₂ᵗ) / "
                  "(1 − β₁ᵗ), then m / (√v + ε)): ε is scaled by 1/√(1 − β₂ᵗ), which "
                  "only matters for gradients near ε; accepted"),
)

NG = (
    Accommodation("adam three values", "update_parameters_with_adam returns (parameters, "
                  "v, s), as the notebook did before v_corrected and s_corrected were "
                  "returned too; graded on those three"),
    Accommodation("shuffled otherwise", "random_mini_batches shuffles with another "
                  "permutation than the notebook's (np.random.seed(seed) then "
                  "np.random.permutation(m)): every example once, X and Y alike, the "
                  "batch sizes right; accepted (the notebook's own test compares values)"),
)

SAITO = (
    Accommodation("saito adam textbook form", "Adam written with the bias-corrected m̂ and "
                  "v̂ rather than the book's lr_t form: ε sits differently (ε against the "
                  "book's ε/√(1 − β₂ᵗ)), which only matters for gradients near ε; "
                  "accepted"),
)

ALL = CS231N + NG + SAITO
