"""The records of CS231n's assignments (`book.Book`): assignment 2's `layers.py` and
assignment 3's `rnn_layers.py`.

Read by the shared reading code and by the student's process: imports nothing but the
record types. A CS231n layer is a pair of module-level functions in the course's
convention (`out, cache = rnn_step_forward(...)`, `dx, ... = rnn_step_backward(dout,
cache)`): no classes, aliases or renamed shapes to read. The course's skeleton of
`rnn_layers.py` imports NumPy only (`from builtins import range` is the standard
library on Python 3), and so does assignment 2's `layers.py`: no course module is stood
in for (`fast_layers`, uncompiled Cython, is imported by `layer_utils.py`, which the
layers part does not grade).
"""

from __future__ import annotations

from ..book import Accommodation, Book

__all__ = ["BOOK_A2", "BOOK_A3"]

IN_PLACE = Accommodation(
    "in place", "the upstream gradient and the inputs are copies: a layer that writes into "
                "them (`dout *= mask`) is not penalized, what it returns is graded")

# CS231n's dropout: p keeps a unit since 2018, drops one in the 2016-17 skeleton
DROP_PROBABILITY = Accommodation(
    "drop probability", "dropout's p read as the probability of dropping a unit, as the "
                        "forward's docstring says (the 2016-17 skeleton; from 2018 p keeps "
                        "a unit): equal after the change of convention, not a bug")

BOOK_A3 = Book(
    style="cs231n-a3",
    title="CS231n assignment 3, rnn_layers.py",
    # the step functions a sequence calls, answered correct while the sequence is graded
    kit="reference.grade.styles.cs231n_kit",
    helper_prefix="cs231n",
    accommodations=(IN_PLACE,),
)

BOOK_A2 = Book(
    style="cs231n-a2",
    title="CS231n assignment 2, layers.py",
    accommodations=(IN_PLACE, DROP_PROBABILITY),
)
