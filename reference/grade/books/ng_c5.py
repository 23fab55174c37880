"""The record of Ng's course 5, week 1, "Building your Recurrent Neural Network - Step by
Step" (`book.Book`): the RNN and LSTM cells and sequences in the columns layout, NumPy
only.

Read by the shared reading code and by the student's process: imports nothing but the
record types. The graded functions are module-level, in the course's signatures
(`a_next, yt_pred, cache = rnn_cell_forward(xt, a_prev, parameters)`, `gradients =
rnn_cell_backward(da_next, cache)` a dict): no classes to read. The notebook's first cell
imports NumPy and `from rnn_utils import *` (softmax and sigmoid, stood in for); its
`public_tests` and `test_utils` are the course's own.

Course versions, and what a TA grades (the accommodations below print their notes):

- The backward section is "optional / ungraded" in every version of the notebook; here it
  is graded, on the cache the student's own forward returned (and on the course's cache
  when the student's forward is wrong, so a forward's bug is not charged twice).
- The older notebooks' `lstm_backward` expected output came from `lstm_cell_backward(
  da[:,:,t], dc_prevt, ...)`: step t's da_prevt left out. The forward as written makes
  da[:,:,t] + da_prevt the gradient reaching a⟨t⟩; that is graded, and the other answer is
  named by its diagnosis.
- The older notebooks' text says "W_f = W_f[n_a:, :]" for dxt (rows); the forward's
  concat = [a_prev; xt] makes it W_f[:, n_a:] (columns), which is graded.
- `dba`, `dbf`... with keepdims, (n_a, 1), as the notebook's expected shapes print; a
  vector (n_a,) holds the same numbers and is accepted with a note.
- The 2018 notebooks named the LSTM's update gate u (`parameters["Wu"]`, `"dWu"`), the
  later ones i (`"Wi"`, `"dWi"`): both are read, with a note.
- Caches are the student's business (the course's tuple orders, a dict, the parameters
  left out): a backward is run on what its own forward returned.
"""

from __future__ import annotations

from ..book import Accommodation, Book, CourseModule

__all__ = ["BOOK"]

BOOK = Book(
    style="ng-c5w1",
    title="Ng's course 5 week 1, Building your Recurrent Neural Network - Step by Step",
    notebook_imports=(("np", "import numpy as np"),),
    course_modules=(CourseModule(r"rnn_utils(_v\d+[a-z]?)?",
                                 (("softmax", "softmax_columns"), ("sigmoid", "sigmoid"))),
                    CourseModule("public_tests"), CourseModule("test_utils")),
    # the cells and the course's forwards a function is also graded with (`ng_c5w1_kit`)
    kit="reference.grade.styles.ng_c5w1_kit",
    helper_prefix="ng_c5",
    # what each graded function calls, replaced by the grader's in its second run: a
    # sequence's cells, a backward's own forward (its cache the course's), so a cell's or a
    # forward's bug is reported there only
    calls=(
        ("rnn_cell_backward", ("rnn_cell_forward",)),
        ("rnn_forward", ("rnn_cell_forward",)),
        ("rnn_backward", ("rnn_forward", "rnn_cell_backward")),
        ("lstm_cell_backward", ("lstm_cell_forward",)),
        ("lstm_forward", ("lstm_cell_forward",)),
        ("lstm_backward", ("lstm_forward", "lstm_cell_backward")),
    ),
    accommodations=(
        Accommodation("in place", "the upstream gradient and the inputs are copies: a "
                                  "function that writes into them is not penalized, what it "
                                  "returns is graded"),
        Accommodation("update gate u", "the LSTM's update gate named u (Wu, bu, dWu, dbu) as "
                                       "in the 2018 notebooks, i in the later ones: the same "
                                       "gate, accepted"),
        Accommodation("keepdims", "a bias gradient returned as a vector (n_a,) rather than "
                                  "the notebook's (n_a, 1) (np.sum without keepdims=True): "
                                  "the same numbers, accepted"),
    ),
)
