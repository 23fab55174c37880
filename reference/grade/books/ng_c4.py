"""The record of Ng's course 4, week 1, "Convolutional Model: step by step"
(`book.Book`): the convolution and pooling layers written channels-last, NumPy only.

Read by the shared reading code and by the student's process: imports nothing but the
record types. The graded layers are module-level functions in the layer convention
(`Z, cache = conv_forward(A_prev, W, b, hparameters)`, `dA_prev, dW, db =
conv_backward(dZ, cache)`): no classes to read. The notebook's first cell imports
NumPy (and h5py and matplotlib, which the graded functions never use); its
`public_tests` and `test_utils` are the course's own, stood in for.
"""

from __future__ import annotations

from ..book import Accommodation, Book, CourseModule
from .cs231n import REBUILT_CACHE

__all__ = ["BOOK"]

BOOK = Book(
    style="ng-c4w1",
    title="Ng's course 4 week 1, Convolutional Model: step by step",
    notebook_imports=(("np", "import numpy as np"),),
    course_modules=(CourseModule("public_tests"), CourseModule("test_utils")),
    # the small functions' closed forms (the judges compare with them)
    kit="reference.grade.styles.ng_c4w1_kit",
    helper_prefix="ng_c4",
    accommodations=(Accommodation(
        "in place", "the upstream gradient and the inputs are copies: a layer that writes "
                    "into them is not penalized, what it returns is graded"), REBUILT_CACHE),
)
