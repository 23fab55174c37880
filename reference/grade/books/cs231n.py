"""The records of CS231n's assignments (`book.Book`): assignment 2's `layers.py` and
assignment 3's `rnn_layers.py`.

Read by the shared reading code and by the student's process: imports nothing but the
record types. A CS231n layer is a pair of module-level functions in the course's
convention (`out, cache = rnn_step_forward(...)`, `dx, ... = rnn_step_backward(dout,
cache)`): no classes, aliases or renamed shapes to read. The course's skeleton of
`rnn_layers.py` imports NumPy only (`from builtins import range` is the standard
library on Python 3), and so does assignment 2's `layers.py`. Assignment 2's
`classifiers/fc_net.py` imports the student's `layer_utils.py`, which imports the course's
`fast_layers.py`, which imports the Cython `im2col_cython` (compiled by `setup.py`, never
in an upload): these course modules are stood in for (`CourseModule`: a placeholder for
each of their names, which a fully connected net never calls).
"""

from __future__ import annotations

from ..book import Accommodation, Book, CourseModule

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

PARAMS_SHAPE = Accommodation(
    "params shape", "a parameter the net's constructor made in another shape than the "
                    "course's (`b1 = 0`, a number) was replaced by one of the course's shape: "
                    "`loss` is graded, not the initialization")

BOOK_A2 = Book(
    style="cs231n-a2",
    title="CS231n assignment 2, layers.py and classifiers/fc_net.py",
    # the course's convolution helpers layer_utils.py star-imports (conv_relu_forward...)
    # (2019's fast_layers.py imports torch: the course's file is never read, always stood in)
    course_modules=(CourseModule("fast_layers", always=True), CourseModule("im2col_cython")),
    # the layers a fully connected net calls, answered correct while the net is graded
    kit="reference.grade.styles.cs231n_kit",
    helper_prefix="cs231n",
    accommodations=(IN_PLACE, DROP_PROBABILITY, PARAMS_SHAPE),
)
