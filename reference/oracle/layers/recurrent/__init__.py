"""The oracle's side of the recurrent family: a torch twin, a sampler and the known
mistakes of each of word_embedding, rnn_step, rnn, lstm_step, lstm,
temporal_affine and temporal_softmax_loss (`twins`, `samplers`, `mistakes`)."""

from ..base import register_twin
from . import mistakes, samplers, twins

NAMES = ("word_embedding", "rnn_step", "rnn", "lstm_step", "lstm", "temporal_affine",
         "temporal_softmax_loss")

for _name in NAMES:
    register_twin(_name, getattr(twins, _name), getattr(samplers, _name),
                  mistakes=mistakes.MISTAKES[_name])

__all__ = ["NAMES"]
