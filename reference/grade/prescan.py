"""Limits that hold before the grader parses what a student handed in (the trusted side).

JSON and nbformat parse a notebook in the grader, before any limit of the sandbox:
a 6 MB notebook of empty objects cost 1 GB, and fissix's Python 2 conversion of a
0.9 MB file 43 s and 600 MB. What they cost grows with the number of values a
notebook holds and with the characters converted, so both are counted first, on
the raw text, in one pass of C code (`bytes.count`, no parsing):

- `notebook(text)`: at most MAX_NOTEBOOK_VALUES JSON values (objects, arrays and
  the items between commas: an honest notebook of a course holds a few thousand,
  its plots are single base64 strings), else ValueError before `json.loads`;
- `python2(src)`: the characters fissix converts for one submission (`begin` at
  the start of each load; a notebook converts cell by cell) stay under
  MAX_PYTHON2_CHARS (Nielsen's network2.py is 15,000; fissix converts about
  50,000 a second), else the source is not converted (the caller reports the
  Python 3 syntax error).
"""

from __future__ import annotations

import threading

__all__ = ["MAX_NOTEBOOK_VALUES", "MAX_PYTHON2_CHARS", "notebook", "begin", "python2"]

MAX_NOTEBOOK_VALUES = 200_000
MAX_PYTHON2_CHARS = 200_000

_left = threading.local()           # a batch loads submissions in several threads


def notebook(text: str) -> None:
    """ValueError when the notebook's JSON holds more values than an honest one could
    (counted on the raw text: commas and brackets inside strings count too, which only
    makes the bound safer)."""
    values = text.count("{") + text.count("[") + text.count(",")
    if values > MAX_NOTEBOOK_VALUES:
        raise ValueError(f"more than {MAX_NOTEBOOK_VALUES:,} JSON values (a notebook of "
                         "a course holds a few thousand)")


def begin() -> None:
    """A new submission's load starts: its Python 2 conversion budget is full again."""
    _left.chars = MAX_PYTHON2_CHARS


def python2(src: str) -> bool:
    """May fissix convert `src` now? Takes its characters from this load's budget."""
    left = getattr(_left, "chars", MAX_PYTHON2_CHARS)
    if len(src) > left:
        return False
    _left.chars = left - len(src)
    return True
