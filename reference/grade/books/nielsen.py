"""The records of Nielsen's network.py (chapters 1-2) and network2.py (chapter 3).

Read by the shared reading code and by the student's process: imports nothing but
the record types (the correct pieces are in `styles/nielsen_kit.py`, named here as a string).
"""

from __future__ import annotations

from dataclasses import replace

from ..book import Book, ClassShape

__all__ = ["BOOK", "BOOK2", "SIGMAS"]

# the module-level helpers the book has the student write, replaced by the grader's
# (answered from the parent) in every function that calls them, where the student defines them
SIGMAS = ("sigmoid", "sigmoid_prime")

BOOK = Book(
    style="nielsen",
    title="Nielsen's network.py (chapters 1-2)",
    renamed=(ClassShape("Network", ("backprop",), 1),),     # Network(sizes)
    # a method that uses nothing of the instance, also written at module level and
    # called as cost_derivative(a, y)
    module_methods=(("Network", "cost_derivative"),),
    kit="reference.grade.styles.nielsen_kit",
    helper_prefix="nielsen",
)

BOOK2 = replace(BOOK, style="nielsen2", title="Nielsen's chapter 3 network2.py")
