"""The Gradescope autograder zip: setup.sh, run_autograder and this project's source.

Gradescope unpacks the zip into /autograder/source, runs setup.sh once when
building the image, then for each submission runs run_autograder, which
grades the file found in /autograder/submission and writes
/autograder/results/results.json (one container per submission).
"""

from __future__ import annotations

import shlex
import zipfile
from pathlib import Path

from manual.errors import InputError

from .sandbox import ROOT

TORCH = "torch==2.13.0"

SETUP = """#!/usr/bin/env bash
# Gradescope image setup: the CPU build of torch (pinned), then this project.
set -euo pipefail
cd /autograder/source
python3 -m pip install --upgrade pip
python3 -m pip install --index-url https://download.pytorch.org/whl/cpu {torch}
python3 -m pip install ./backprop-oracle
"""

RUN = """#!/usr/bin/env bash
# Grade the one submission in /autograder/submission; always leave a results.json.
set -uo pipefail
mkdir -p /autograder/results
out=/autograder/results/results.json
# the file defining the most graded functions (students upload helper files too)
sub=$(python3 -m reference.grade.pick {style} /autograder/submission)
if [ -z "$sub" ]; then
  echo '{{"score": 0, "output": "No .py or .ipynb file was found in the submission.",
  "tests": []}}' > "$out"
  exit 0
fi
backprop-oracle grade "$sub" {options} --student-folder /autograder/submission \
  --format json --output "$out"
rc=$?
if [ "$rc" -ge 2 ] || [ ! -s "$out" ]; then
  echo '{{"score": 0, "tests": [],
  "output": "The grader could not run (exit code '"$rc"'): please contact the course staff."}}' \
    > "$out"
fi
exit 0
"""

SOURCE = ("manual", "reference", "pyproject.toml", "README.md")


def _options(args) -> str:
    opts = ["--style", args.style, "--seed", str(args.seed), "--timeout", f"{args.timeout:g}",
            "--memory-mb", str(args.memory_mb)]
    if args.cases:
        opts += ["--cases", str(args.cases)]
    if args.allow_autograd:
        opts.append("--allow-autograd")
    return " ".join(shlex.quote(o) for o in opts)


def _add(zf: zipfile.ZipFile, name: str, text: str, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, text)


def write_bundle(path: Path, args) -> Path:
    """Write the zip (deterministic contents: fixed timestamps, sorted entries)."""
    root = Path(ROOT)
    try:
        with zipfile.ZipFile(path, "w") as zf:
            _add(zf, "setup.sh", SETUP.format(torch=TORCH), 0o755)
            _add(zf, "run_autograder", RUN.format(options=_options(args),
                                                  style=shlex.quote(args.style)), 0o755)
            for top in SOURCE:
                src = root / top
                files = sorted(src.rglob("*")) if src.is_dir() else [src]
                for f in files:
                    if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                        _add(zf, f"backprop-oracle/{f.relative_to(root)}",
                             f.read_text(encoding="utf-8"), 0o644)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
