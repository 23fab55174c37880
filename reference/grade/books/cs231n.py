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

__all__ = ["BOOK_A2", "BOOK_A3", "REBUILT_CACHE", "KEEPDIMS"]

IN_PLACE = Accommodation(
    "in place", "the upstream gradient and the inputs are copies: a layer that writes into "
                "them (`dout *= mask`) is not penalized, what it returns is graded")

# CS231n's dropout: p keeps a unit since 2018, drops one in the 2016-17 skeleton
DROP_PROBABILITY = Accommodation(
    "drop probability", "dropout's p read as the probability of dropping a unit, as the "
                        "forward's docstring says (the 2016-17 skeleton; from 2018 p keeps "
                        "a unit): equal after the change of convention, not a bug")

# a backward whose forward's output is wrong, graded on a cache in that forward's layout
# with the correct values (`probes.layer_cache`): right on correct inputs is right
REBUILT_CACHE = Accommodation(
    "rebuilt cache", "the forward's output is wrong, so the backward ran on a cache in the "
                     "layout that forward returns, each entry checked against the correct "
                     "intermediate and replaced by it where it was wrong: the backward is "
                     "graded on correct inputs, the forward's bug is reported at the forward")

# the 2019 `layers.py` many students started from sums dgamma, dbeta and the running
# averages with keepdims=True: (1, D) for (D,); the 2016 students' affine_backward sums db
# alike ((1, M) for (M,)). The notebook's rel_error broadcasts and passes them, and a
# caller (the Solver's update, fc_net's) broadcasts them alike: the same numbers.
# Accepted for these arrays only, in this course's styles only (`check --layer` and
# `verify_layer` still fail a (1, M) db).
KEEPDIMS = Accommodation(
    "keepdims", "db, dgamma, dbeta or the running averages returned with an extra axis of "
                "length 1 ((1, D) for (D,), as keepdims=True sums give them) are accepted: "
                "the notebook's rel_error broadcasts them and passes, and the values are "
                "graded as they are",
    singleton=("db", "dgamma", "dbeta", "running_mean", "running_var"))

BOOK_A3 = Book(
    style="cs231n-a3",
    title="CS231n assignment 3, rnn_layers.py",
    # the step functions a sequence calls, answered correct while the sequence is graded
    kit="reference.grade.styles.cs231n_kit",
    helper_prefix="cs231n",
    accommodations=(IN_PLACE, REBUILT_CACHE),
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
    accommodations=(IN_PLACE, DROP_PROBABILITY, REBUILT_CACHE, KEEPDIMS, PARAMS_SHAPE),
)
