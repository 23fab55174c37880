"""One file of a submission through the per-file reading passes, in order (parent side).

`FILE_PASSES` is the list: decode and notebook to source (`source`), Python 2
conversion and keep definitions (`keep`); `read_file` runs them by a loop on a
`submission.FileReading`, for the graded file (`loader`) and for each of the
student's modules (`folder`). A pass that finds the file unreadable raises
(`source.NotASubmission`, `manual.InputError`); one that cannot read a cell sets
`out.error` and the passes after it keep what was read before.
"""

from __future__ import annotations

from pathlib import Path

from .keep import keep_definitions, python3_trees
from .source import MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES, decode_file, notebook_to_source
from .submission import FileReading, Loaded, Pass, Segment

__all__ = ["FILE_PASSES", "read_file"]

# run on every file read (the graded file, then each student module), in this order
FILE_PASSES = (
    Pass("decode", "none (a file that does not decode has its bytes replaced)",
         file=decode_file),
    Pass("notebook to source", "none (a file nbformat cannot read is not graded: the error "
         "says why)", file=notebook_to_source),
    Pass("Python 2 conversion", "converted from Python 2, the `/` that may have been an "
         "integer division named; tabs read as Python 2 did; IPython lines left in a .py "
         "file dropped; a notebook cell with a syntax error skipped", file=python3_trees),
    Pass("keep definitions", "none (what runs at the top level is left out silently)",
         file=keep_definitions),
)


def read_file(path: Path, label: str, out: Loaded,
              max_bytes: tuple[int, int] = (MAX_SOURCE_BYTES, MAX_NOTEBOOK_BYTES),
              ) -> tuple[list[Segment], dict[str, str]]:
    """The kept statements of one file and the top-level names it defines (with the label
    of the file or notebook cell defining each); notes and trees go to `out`."""
    reading = FileReading(path, label, max_bytes)
    for step in FILE_PASSES:
        step.file(reading, out)
    return reading.segments, reading.defines
