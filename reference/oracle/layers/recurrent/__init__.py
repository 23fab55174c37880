"""The oracle's side of the recurrent family: a torch twin, a sampler and the known
mistakes of each of word_embedding, rnn_step, rnn, lstm_step, lstm,
temporal_affine and temporal_softmax_loss (`twins`, `samplers`, `mistakes`), and of
Ng's course 5 columns cells and sequences (`columns`)."""

from ..base import register_twin
from . import columns, mistakes, samplers, twins

NAMES = ("word_embedding", "rnn_step", "rnn", "lstm_step", "lstm", "temporal_affine",
         "temporal_softmax_loss")

for _name in NAMES:
    register_twin(_name, getattr(twins, _name), getattr(samplers, _name),
                  mistakes=mistakes.MISTAKES[_name])

# Ng's course 5 week 1 in the columns layout: CS231n's twins under a layout adapter
for _name in columns.NAMES:
    register_twin(_name, columns.TWINS[_name], columns.SAMPLERS[_name],
                  mistakes=columns.MISTAKES[_name])

__all__ = ["NAMES"]
