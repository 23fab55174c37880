"""The torch twins of the norm family, with their samplers and the classic mistakes as
NumPy formulas: `batchnorm` (the 1-D and the spatial form), `layernorm`,
`spatial_groupnorm`, `dropout`.

Running averages. CS231n's skeleton (`batchnorm_forward`'s docstring) updates them with
the *uncorrected* (biased) batch variance,

    running = momentum · running + (1 − momentum) · batch      (momentum 0.9 by default),

while torch's `F.batch_norm(..., training=True, momentum=m)` updates its buffers in place
with m = 1 − CS231n's momentum and with the *unbiased* variance N/(N − 1) · σ² in
running_var (torch normalizes with the biased one, as CS231n does). So the twin normalizes
with `F.batch_norm` (no buffers: nothing is updated in place) and computes the running
averages by hand in torch from the batch's mean and biased variance, returning them as
outputs ('running_mean', 'running_var': the entry's `state`). torch refuses training mode
on one value per channel (N·H·W = 1); there the normalization is written out (x − μ = 0,
so out = β and dx = 0 exactly, for every right implementation).

Dropout's p is the probability of *keeping* a unit (CS231n since 2018; torch's
`F.dropout` takes the drop probability and draws its own mask, so the twin writes
x ⊙ mask / p out). The mask is the config's 'mask', else CS231n's draw from 'seed';
`adopt` takes the one the forward under test used, read from its output (a kept unit is
x/p ≠ 0: x is drawn away from 0), so a student's own random mask is checked for
consistency: out must be 0 or x/p everywhere.
"""

from . import batchnorm, dropout, groupnorm, layernorm  # noqa: F401  (each registers its twins)
from .dropout import dropout_mask

__all__ = ["dropout_mask"]
