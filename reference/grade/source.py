"""Reading one file of a submission into source text (parent side): the passes
"decode" (UTF-16 with its BOM, a PEP 263 coding line, else UTF-8; never refused) and
"notebook to source" (nbformat, older formats upgraded; the code cells in order,
IPython lines replaced by `pass`, cells under a non-Python cell magic dropped).
Nothing here parses Python or runs anything.
"""

from __future__ import annotations

import ast
import io
import json
import logging
import re
import tokenize
import warnings
from pathlib import Path

from manual.errors import InputError

from . import prescan
from .submission import FileReading, Loaded

__all__ = [
    "MAX_SOURCE_BYTES", "MAX_NOTEBOOK_BYTES", "MAX_CODE_CHARS", "NotASubmission", "read_text",
    "decode", "decode_file", "notebook_to_source", "read_cells", "strip_magics",
]

MAX_SOURCE_BYTES = 5_000_000
MAX_NOTEBOOK_BYTES = 100_000_000    # notebooks carry their outputs (plots as base64)
# the code the grader parses (a .py file, or a notebook's code cells together): parsing
# costs the parent about 150 bytes per character of literals, so 1 MB of code is
# ~150 MB, where a course submission has 10 to 50 kB
MAX_CODE_CHARS = 1_000_000


class NotASubmission(Exception):
    """The file cannot be graded at all (the message says why)."""


def read_text(path: Path, limit: int) -> str:
    try:
        if path.stat().st_size > limit:
            raise NotASubmission(f"{path.name}: larger than {limit // 1_000_000} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return decode(raw)


def decode(raw: bytes) -> str:
    """The file's text: UTF-16 when it starts with that BOM (Windows PowerShell's `>`
    writes it), else in the encoding its PEP 263 line names (`# -*- coding: shift_jis -*-`,
    a Japanese reader on Windows), else UTF-8; bytes that do not decode
    become U+FFFD (a comment in another encoding must not refuse the file)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):   # UTF-16 with its BOM (a PowerShell `>`)
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return raw.decode("utf-8-sig", errors="replace")


def _notebook_cells(text: str, name: str) -> list[tuple[int, str]]:
    """[(cell number, source)] of the code cells, through nbformat (v3 upgraded to v4)."""
    # imported here: nbformat costs the parent ~85 ms at start-up (measured with
    # -X importtime, 2026-12-04), and most submissions are .py files
    import nbformat

    logging.getLogger("traitlets").setLevel(logging.CRITICAL)  # conversion chatter
    try:
        prescan.notebook(text)              # what parsing would cost, counted first
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if "nbformat" not in data and isinstance(data.get("cells"), list):
            data.update(nbformat=4, nbformat_minor=data.get("nbformat_minor", 0))
        data.setdefault("metadata", {})
        _fill_cells(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")       # cells without ids, an old minor format
            # nbformat 3 (cells under worksheets, code in "input") is upgraded to 4
            nb = nbformat.convert(nbformat.from_dict(data), 4)
        cells = nb.get("cells")
        if not isinstance(cells, list):
            raise ValueError("no cells")
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for a bad file
        raise NotASubmission(f"{name}: not a notebook nbformat can read "
                             f"({type(exc).__name__}: {str(exc)[:200]})") from None
    out = []
    for k, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        out.append((k, "".join(src) if isinstance(src, list) else str(src)))
    return out


def _fill_cells(data: dict) -> None:
    """Keys a hand-edited or output-stripped notebook may lack, which the upgrade of an
    nbformat 3 notebook needs (each cell's outputs, metadata)."""
    sheets = data.get("worksheets")
    groups = [w.get("cells") for w in sheets if isinstance(w, dict)] \
        if isinstance(sheets, list) else [data.get("cells")]
    for cells in groups:
        for cell in cells if isinstance(cells, list) else []:
            if isinstance(cell, dict):
                cell.setdefault("metadata", {})
                if cell.get("cell_type") == "code":
                    cell.setdefault("outputs", [])


def decode_file(reading: FileReading, out: Loaded) -> None:
    """Pass "decode": the file's text (`decode`), a file over its size limit (`max_bytes`,
    a .py file's or a notebook's) not a submission."""
    reading.text = read_text(reading.path, reading.max_bytes[reading.notebook])


def notebook_to_source(reading: FileReading, out: Loaded) -> None:
    """Pass "notebook to source": [(label, source)], one entry for a .py file, one per
    code cell for a notebook (IPython lines dropped); more code than the grader parses
    (`MAX_CODE_CHARS`) is not a submission, said before any parsing."""
    label = reading.label
    cells = _notebook_cells(reading.text, label) if reading.notebook else [(0, reading.text)]
    size = sum(len(src) for _, src in cells)
    if size > MAX_CODE_CHARS:       # before any parsing
        raise NotASubmission(f"{label}: {size:,} characters of code, more than the grader "
                             f"reads ({MAX_CODE_CHARS:,}): leave data out of the code")
    reading.cells = ([(f"{label} cell {k}", strip_magics(src)) for k, src in cells]
                     if reading.notebook else [(label, reading.text)])


def read_cells(path: Path, label: str | None = None,
               max_bytes: tuple[int, int] = (MAX_SOURCE_BYTES, MAX_NOTEBOOK_BYTES),
               ) -> list[tuple[str, str]]:
    """[(label, source)] of a file: the passes "decode" and "notebook to source" alone.
    A file that cannot be read is an InputError (the grader's problem: exit 2); one that
    is not a submission (larger than `max_bytes` for a .py file or a notebook, not a
    notebook) raises NotASubmission (the student's problem: a zero-score report that
    says why)."""
    reading = FileReading(path, label or path.name, max_bytes)
    for step in (decode_file, notebook_to_source):
        step(reading, Loaded())
    return reading.cells


PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun", "debug")
WRITEFILE_PY = re.compile(r"%%writefile(\s+-a)?\s+\S+\.py\s*$", re.M)
# `files = !ls`, `x = %timeit -o f()`: an IPython assignment from a shell or magic
SHELL_ASSIGN = re.compile(r"^\s*[A-Za-z_][\w.,\s\[\]()]*?\s*=\s*[!%]")


RUN_MAGIC = re.compile(r"^%run\s+(?:-i\s+)?(?:\./)?([A-Za-z_]\w*)\.py\s*$")


def _ipython_line(line: str) -> bool:
    s = line.strip()
    return (s.startswith(("%", "!")) or bool(SHELL_ASSIGN.match(line))
            or (s.endswith("?") and " " not in s) or (s.startswith("?") and " " not in s))


def strip_magics(src: str) -> str:
    """Replace IPython lines by `pass` (same indentation, so a block keeps a body and
    line numbers stay). A cell magic running Python (%%time, %%capture, ...) keeps its
    code, and so does `%%writefile name.py` (the student's Python, imported from that file
    afterwards); any other (%%bash, %%writefile notes.txt) drops the cell."""
    head = src.lstrip()
    if head.startswith("%%") and head[2:].split(maxsplit=1)[:1] not in (
            [m] for m in PYTHON_CELL_MAGICS) and not WRITEFILE_PY.match(head):
        return ""
    try:                  # plain Python: left alone (a line may begin with `%` inside (...))
        ast.parse(src)
        return src
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    lines = []
    for line in src.splitlines():
        if _ipython_line(line):
            indent = line[:len(line) - len(line.lstrip())]
            run = RUN_MAGIC.match(line.strip())
            # `%run helpers.py` puts the file's names into the notebook: a star import
            lines.append(indent + (f"from {run.group(1)} import *" if run else "pass"))
        else:
            lines.append(line)
    return "\n".join(lines)

