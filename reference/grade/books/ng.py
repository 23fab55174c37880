"""The record of Ng's "Building your Deep Neural Network: Step by Step" (`book.Book`).

Read by the shared reading code and by the student's process: imports nothing but
the record types (the correct helpers are in `styles/ng_kit.py`, named here as a string).
"""

from __future__ import annotations

from ..book import Book, CourseModule

__all__ = ["BOOK"]

# dnn_utils and dnn_app_utils: the activations the notebook says are given, `sigmoid(Z)`
# and `relu(Z)` returning (A, cache) with cache = Z, their backward returning dZ
ACTIVATIONS = (("sigmoid", "sigmoid_with_cache"), ("relu", "relu_with_cache"),
               ("sigmoid_backward", "sigmoid_backward"), ("relu_backward", "relu_backward"))

FORWARD = ("sigmoid", "relu", "linear_forward")
BACKWARD = ("sigmoid_backward", "relu_backward", "linear_backward")

BOOK = Book(
    style="ng",
    title="Ng's Building your Deep Neural Network: Step by Step",
    # the course notebook's first cell (`import copy` since the version whose
    # update_parameters deep-copies params): cells saved as files ran under it
    notebook_imports=(("np", "import numpy as np"), ("copy", "import copy")),
    course_modules=(
        CourseModule(r"dnn_utils(_v\d+)?", ACTIVATIONS),
        CourseModule(r"dnn_app_utils(_v\d+)?", ACTIVATIONS),
        CourseModule(r"testCases?(_v\d+[a-z]?)?"),
        CourseModule(r"test_cases(_v\d+)?"),
        CourseModule("lr_utils"),
        CourseModule("public_tests"),
        CourseModule("test_utils"),
        # the week-3 and course-2 helpers return the activation alone, no cache
        CourseModule("planar_utils", (("sigmoid", "sigmoid"),)),
        CourseModule("init_utils", (("sigmoid", "sigmoid"), ("relu", "relu"))),
        CourseModule("reg_utils", (("sigmoid", "sigmoid"), ("relu", "relu"))),
        CourseModule("gc_utils"),
        CourseModule(r"opt_utils(_v\d+[a-z]?)?"),
    ),
    kit="reference.grade.styles.ng_kit",
    helper_prefix="ng",
    # what each graded function calls, replaced by the grader's correct version while it
    # runs: a bug in a helper is reported at the helper, not in everything downstream
    calls=(
        ("linear_activation_forward", FORWARD),
        ("L_model_forward", FORWARD + ("linear_activation_forward",)),
        ("linear_activation_backward", BACKWARD),
        ("L_model_backward", BACKWARD + ("linear_activation_backward",)),
    ),
)
