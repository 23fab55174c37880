"""Limits that hold before the grader parses what a student handed in (the trusted side).

JSON and nbformat parse a notebook in the grader, before any limit of the sandbox:
a 6 MB notebook of empty objects cost 1 GB, and fissix's Python 2 conversion of a
0.9 MB file 43 s and 600 MB. What they cost grows with the number of values a
notebook holds and with the characters converted, so both are counted first, on
the raw text, before any parsing:

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

import re
import threading

__all__ = ["MAX_NOTEBOOK_VALUES", "MAX_PYTHON2_CHARS", "notebook", "begin", "python2"]

MAX_NOTEBOOK_VALUES = 200_000
MAX_PYTHON2_CHARS = 200_000

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')      # a JSON string, escapes included
_left = threading.local()           # a batch loads submissions in several threads


def _count(text: str, start: int = 0, end: int | None = None) -> int:
    end = len(text) if end is None else end
    return text.count("{", start, end) + text.count("[", start, end) + text.count(",", start, end)


def _structural(text: str) -> int:
    """Commas and brackets of `text`: all of them (C speed), and only when that passes
    the limit, those outside JSON strings (printed output in a cell is text, not values),
    counted between one string and the next until the limit is passed: a string stands
    between two values at most, so at most about twice the limit of strings are looked at."""
    count = _count(text)
    if count <= MAX_NOTEBOOK_VALUES:
        return count
    count, at = 0, 0
    for match in _STRING.finditer(text):
        count += _count(text, at, match.start())
        at = match.end()
        if count > MAX_NOTEBOOK_VALUES:
            return count
    return count + _count(text, at)


def notebook(text: str) -> None:
    """ValueError when the notebook's JSON holds more values (objects, arrays, the
    items between commas) than an honest one could."""
    if _structural(text) > MAX_NOTEBOOK_VALUES:
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
