"""The record of Ng's course 2 week 1 (`book.Book`): three notebooks of one week,
Initialization, Regularization and Gradient Checking, graded as one style.

Read by the shared reading code and by the student's process: imports nothing but the
record types. The course's modules (`init_utils`, `reg_utils`, `gc_utils`, `testCases`,
`public_tests`) are already listed by Ng's course 1 record (`books/ng.py`), which the
shelf reads for every style; what the graded functions call from them (`compute_cost`,
`relu`, `sigmoid`, `dictionary_to_vector`, ...) is put in place by the probes
(`probes/ng_c2w1.py`), so nothing here repeats them. The 1-D `forward_propagation` and
`backward_propagation` a `gradient_check` calls are graded functions: answered from the
parent (`styles/ng_c2w1_kit.py`) while gradient_check runs.
"""

from __future__ import annotations

from ..book import Accommodation, Book

__all__ = ["BOOK", "PARTS", "GRADIENT_CHECKING"]

# the three notebooks, each by the functions whose definition says it was handed in (a
# student hands in one, two or all three; the instructor grades each notebook's file): the
# 1-D forward_propagation and backward_propagation are the Gradient Checking notebook's, but
# init_utils and reg_utils give functions of those names (X, parameters) that students copy
# into the other notebooks
PARTS = (
    ("initialize_parameters_zeros", "initialize_parameters_random",
     "initialize_parameters_he"),
    ("compute_cost_with_regularization", "backward_propagation_with_regularization",
     "forward_propagation_with_dropout", "backward_propagation_with_dropout"),
    ("gradient_check", "gradient_check_n"),
)
GRADIENT_CHECKING = 2          # the part of forward_propagation and backward_propagation


BOOK = Book(
    style="ng-c2w1",
    title="Ng's course 2 week 1: Initialization, Regularization, Gradient Checking",
    notebook_imports=(("np", "import numpy as np"),),
    kit="reference.grade.styles.ng_c2w1_kit",
    helper_prefix="ng_c2",
    # gradient_check calls the 1-D forward and backward: the backward it is given is the
    # right one or a planted wrong one, answered by the parent from an opaque token
    calls=(("gradient_check", ("forward_propagation", "planted_backward")),),
    accommodations=(Accommodation(
        "in place", "the inputs are copies: a function that writes into them (`dA2 *= D2`) "
                    "is not penalized, what it returns is graded"),),
)
