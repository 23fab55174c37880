"""The record of Ng's course 2 week 2, "Optimization methods" (`book.Book`): mini-batches,
momentum, Adam and learning-rate decay, on the course's parameters dict (W1, b1, ...)
in the columns layout.

Read by the shared reading code and by the student's process: imports nothing but the
record types. The notebook's first cell imports NumPy, math (`math.floor` in
random_mini_batches) and `copy`; its `opt_utils_v1a` (older `opt_utils`), `testCases`
and `public_tests` are the course's own, stood in for. The notes of the optimizer
conventions equal after rescaling (`books/optim.py`) sit on the shelf with this record.
"""

from __future__ import annotations

from ..book import Book, CourseModule
from . import optim

__all__ = ["BOOK"]

BOOK = Book(
    style="ng-c2w2",
    title="Ng's course 2 week 2, Optimization methods",
    notebook_imports=(("np", "import numpy as np"), ("math", "import math"),
                      ("copy", "import copy")),
    course_modules=(CourseModule(r"opt_utils(_v\d+[a-z]?)?"),
                    CourseModule(r"testCases?(_v\d+[a-z]?)?"),
                    CourseModule("public_tests"), CourseModule("test_utils")),
    # the notes of every course's optimizer conventions (CS231n's and Saito's too, until
    # their records carry them): the shelf finds a note by its name in any record
    accommodations=optim.ALL,
)
