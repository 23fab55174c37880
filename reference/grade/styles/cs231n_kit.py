"""The correct step functions of CS231n's `rnn_layers.py`, on the parent's side only:
answered to the student's process (`kit.answer`) when a sequence function (`rnn_forward`,
`lstm_backward`) is graded with the steps it calls replaced by correct ones. They are
the registry's own layers (`manual.layers.recurrent`), in the course's convention."""

from __future__ import annotations

from manual.layers.recurrent import (
    lstm_step_backward,
    lstm_step_forward,
    rnn_step_backward,
    rnn_step_forward,
)

__all__ = ["HELPERS"]

HELPERS = {"rnn_step_forward": rnn_step_forward, "rnn_step_backward": rnn_step_backward,
           "lstm_step_forward": lstm_step_forward, "lstm_step_backward": lstm_step_backward}
