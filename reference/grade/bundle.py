"""The Gradescope autograder zip: setup.sh, run_autograder and this project's source.

Gradescope unpacks the zip into /autograder/source, runs setup.sh once when
building the image, then for each submission runs run_autograder, which
grades the file found in /autograder/submission and writes
/autograder/results/results.json (one container per submission).

Every run draws a fresh secret seed (`--seed random`) unless the bundle was made
with `--seed S`; either way the seed is kept out of what the student sees: it is
in a hidden test of results.json (instructors only). Every write of results.json,
the fallbacks included, goes through `reference.grade.outfile` (a new file renamed
over the name: never through a link, never into a FIFO).
"""

from __future__ import annotations

import io
import shlex
import zipfile
from pathlib import Path

from manual.errors import InputError

from .options import GradeOptions
from .outfile import Report
from .sandbox import ROOT

__all__ = ["RUN", "write_bundle"]

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
# only root may write where the report goes (the grader refuses a folder others can write)
chmod go-w /autograder /autograder/results 2>/dev/null || true
out=/autograder/results/results.json
# the file defining the most graded functions (students upload helper files too)
sub=$(python3 -m reference.grade.pick {style} /autograder/submission)
if [ -z "$sub" ]; then
  echo '{{"score": 0, "output": "No .py or .ipynb file was found in the submission.",
  "tests": []}}' | python3 -m reference.grade.outfile "$out"
  exit 0
fi
backprop-oracle grade "$sub" {options} --student-folder /autograder/submission \
  --format json --output "$out"
rc=$?
if [ "$rc" -ge 2 ] || [ ! -s "$out" ]; then
  echo '{{"score": 0, "tests": [],
  "output": "The grader could not run (exit code '"$rc"'): please contact the course staff."}}' \
    | python3 -m reference.grade.outfile "$out"
fi
exit 0
"""

SOURCE = ("manual", "reference", "pyproject.toml", "README.md")


def _options(style: str, options: GradeOptions, visibility: str, fixed_seed: bool) -> str:
    """`grade`'s options for every upload: the bundle's, a fresh secret seed unless one
    was fixed."""
    limits = options.limits
    seed = str(options.seed) if fixed_seed else "random"
    opts = ["--style", style, "--seed", seed, "--private-seed", "--timeout",
            f"{limits.timeout:g}", "--memory-mb", str(limits.memory_mb)]
    if limits.max_seconds:
        opts += ["--max-seconds", f"{limits.max_seconds:g}"]
    if options.cases:
        opts += ["--cases", str(options.cases)]
    if options.allow_autograd:
        opts.append("--allow-autograd")
    if options.only:
        opts += ["--functions", ",".join(options.only)]
    opts += ["--visibility", visibility]
    return " ".join(shlex.quote(o) for o in opts)


def _add(zf: zipfile.ZipFile, name: str, text: str, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, text)


def write_bundle(path: Path, style: str, options: GradeOptions, visibility: str = "visible",
                 fixed_seed: bool = False) -> Path:
    """Write the zip (deterministic contents: fixed timestamps, sorted entries), through
    `outfile` like every report: each upload is graded with `options` (its seed only when
    `fixed_seed`; else a fresh secret one per run) and Gradescope's `visibility`."""
    root = Path(ROOT)
    target = Report(path)
    data = io.BytesIO()
    try:
        with zipfile.ZipFile(data, "w") as zf:
            _add(zf, "setup.sh", SETUP.format(torch=TORCH), 0o755)
            _add(zf, "run_autograder", RUN.format(
                options=_options(style, options, visibility, fixed_seed),
                style=shlex.quote(style)), 0o755)
            for top in SOURCE:
                src = root / top
                files = sorted(src.rglob("*")) if src.is_dir() else [src]
                for f in files:
                    if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                        _add(zf, f"backprop-oracle/{f.relative_to(root)}",
                             f.read_text(encoding="utf-8"), 0o644)
        target.write_bytes(data.getvalue())
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        target.close()
    return path
