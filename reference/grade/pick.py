"""Which file of a student's folder is the submission (batch mode, Gradescope's run_autograder).

Students upload helper files next to their work (the course's modules, their own
test scripts): the submission is the file that defines the most of the style's
graded functions and classes (`def linear_backward`, a `class` graded), a notebook
before a .py file on a tie, then the first in name order.

    python -m reference.grade.pick STYLE DIRECTORY     # prints the chosen file, or nothing
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .source import decode
from .styles import get_style

__all__ = ["SUFFIXES", "pick", "files_under", "main"]

SUFFIXES = (".ipynb", ".py")
MAX_BYTES = 100_000_000


def _defined(path: Path, names: set[str]) -> int:
    """How many of `names` the file defines (a plain text scan: nothing is parsed or run)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return 0
        text = decode(path.read_bytes())       # UTF-16, a coding line, else UTF-8
    except OSError:
        return 0
    found = set(re.findall(r"(?:def|class)\s+([A-Za-z_]\w*)", text))
    return len(found & names)


def graded_names(style: str) -> set[str]:
    """The top-level names a style grades: a function's, a class's for its methods."""
    return {f.name.split(".")[0] for f in get_style(style).functions}


def pick(files: list[Path], style: str) -> Path | None:
    """The submission among a student's files (None when there is none)."""
    names = graded_names(style)
    candidates = [f for f in sorted(files) if f.suffix in SUFFIXES and f.is_file()]
    if not candidates:
        return None
    return max(candidates, key=lambda f: (_defined(f, names), f.suffix == ".ipynb",
                                          -candidates.index(f)))


def _inside(path: Path, directory: Path, real: Path) -> bool:
    """Neither the file nor a folder on its way is a symbolic link, and it resolves inside
    the directory (a student's link to /etc or to another student's folder is skipped)."""
    rel = path.relative_to(directory)
    parts = [directory.joinpath(*rel.parts[:k]) for k in range(1, len(rel.parts) + 1)]
    try:
        return not any(p.is_symlink() for p in parts) and path.resolve().is_relative_to(real)
    except (OSError, RuntimeError):
        return False


def files_under(directory: Path) -> list[Path]:
    """The .py/.ipynb files under a directory, hidden ones (.ipynb_checkpoints), symbolic
    links and paths resolving outside the directory left out."""
    real = directory.resolve()
    return sorted(p for p in directory.rglob("*") if p.suffix in SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(directory).parts)
                  and _inside(p, directory, real))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m reference.grade.pick STYLE DIRECTORY", file=sys.stderr)
        return 2
    chosen = pick(files_under(Path(argv[1])), argv[0])
    if chosen is not None:
        print(chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
