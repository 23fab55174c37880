"""`backprop-oracle grade` and `backprop-oracle gradescope-bundle`.

    grade SUBMISSION --style {ng,saito,nielsen} [--format text|json] [--output FILE]
          [--seed S] [--cases N] [--timeout SECONDS] [--memory-mb MB] [--allow-autograd]
    grade DIRECTORY --style ... [--jobs J] [--output DIR]   # one report each + summary.csv
    gradescope-bundle --style ... --output autograder.zip

Exit codes: 0 all passed, 1 something failed (also a submission that could not
be imported: a zero-score report says why), 2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from manual.errors import InputError

from .styles import STYLES, get_style

SUFFIXES = (".py", ".ipynb")


def _common(p) -> None:
    p.add_argument("--style", required=True, choices=sorted(STYLES),
                   help="the textbook style the submission follows")
    p.add_argument("--seed", type=int, default=0, help="seed of the cases (printed in the report)")
    p.add_argument("--cases", type=int, default=None,
                   help="cases per graded function (default 4; width 1, batch size 1 and "
                   "square layers are always among them)")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="seconds per graded function (default 10)")
    p.add_argument("--memory-mb", type=int, default=2048,
                   help="address-space limit of the student process (default 2048)")
    p.add_argument("--allow-autograd", action="store_true",
                   help="allow importing torch, jax, tensorflow, autograd")


def add_parser(subparsers) -> None:
    g = subparsers.add_parser("grade", help="grade a submission (.py/.ipynb) or a directory",
                              description=__doc__.split("\n\n", 1)[1],
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("submission", metavar="SUBMISSION|DIRECTORY",
                   help="a student's .py or .ipynb, or a directory of them")
    _common(g)
    g.add_argument("--format", choices=("text", "json"), default="text",
                   help="text for a person, json: Gradescope's results.json (default text)")
    g.add_argument("--output", default=None,
                   help="report file (batch: directory, default DIRECTORY-grades)")
    g.add_argument("--jobs", type=int, default=1,
                   help="submissions graded in parallel (default 1)")
    g.set_defaults(func=run_grade)
    b = subparsers.add_parser("gradescope-bundle", help="write Gradescope's autograder.zip",
                              description="Write Gradescope's autograder.zip for a style: "
                                          "setup.sh, run_autograder and this grader, so "
                                          "Gradescope grades each upload as `grade` does.")
    _common(b)
    b.add_argument("--output", required=True, help="the zip to write (autograder.zip)")
    b.set_defaults(func=run_bundle)


MAX_CASES, MAX_TIMEOUT, MAX_MEMORY_MB, MAX_JOBS = 1000, 86400.0, 2**20, 256


def check_options(*, seed: int = 0, cases: int | None = None, timeout: float = 10.0,
                  memory_mb: int = 2048, jobs: int = 1) -> None:
    """Option values an instructor can get wrong: InputError (one line, exit 2)."""
    if seed < 0:
        raise InputError("--seed must be a non-negative integer")
    if cases is not None and not 1 <= cases <= MAX_CASES:
        raise InputError(f"--cases must be between 1 and {MAX_CASES}")
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise InputError(f"--timeout must be a number of seconds between 0 and {MAX_TIMEOUT:g}")
    if not 256 <= memory_mb <= MAX_MEMORY_MB:
        raise InputError(f"--memory-mb must be between 256 and {MAX_MEMORY_MB}")
    if not 1 <= jobs <= MAX_JOBS:
        raise InputError(f"--jobs must be between 1 and {MAX_JOBS}")


def _validate(args) -> None:
    get_style(args.style)
    check_options(seed=args.seed, cases=args.cases, timeout=args.timeout,
                  memory_mb=args.memory_mb, jobs=getattr(args, "jobs", 1))


def _grade_one(path: Path, args, parallel=None):
    from .runner import grade_submission

    return grade_submission(path, args.style, seed=args.seed, cases=args.cases,
                            timeout=args.timeout, memory_mb=args.memory_mb,
                            allow_autograd=args.allow_autograd, parallel=parallel)


def _render(result, fmt: str) -> str:
    from . import report

    if fmt == "json":
        return json.dumps(report.gradescope(result), indent=2, allow_nan=False) + "\n"
    return report.text(result)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def run_grade(args) -> int:
    _validate(args)
    target = Path(args.submission)
    if target.is_dir():
        return _batch(target, args)
    if not target.exists():
        raise InputError(f"{target}: no such file or directory")
    if not target.is_file():
        raise InputError(f"{target}: not a regular file")
    if target.suffix not in SUFFIXES:
        raise InputError(f"{target}: expected a .py file or a .ipynb notebook")
    if args.output:
        _writable(Path(args.output))
    result = _grade_one(target, args)
    out = _render(result, args.format)
    if args.output:
        _write(Path(args.output), out)
        if args.format == "text":
            sys.stdout.write(out)
    else:
        sys.stdout.write(out)
    if result.error:     # the student's file, not the command: a zero report (exit 1)
        print(f"backprop-oracle: {target.name} not graded: {result.error}"[:500],
              file=sys.stderr)
    return 0 if result.passed else 1


def _writable(path: Path) -> None:
    """Fail before grading (one line, exit 2) when the report could not be written."""
    if path.is_dir():
        raise InputError(f"cannot write {path}: Is a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not os.access(path.parent, os.W_OK):
        raise InputError(f"cannot write {path}: Permission denied")


def submissions_in(directory: Path, style: str) -> list[Path]:
    """The .py/.ipynb files of a directory, and for each subdirectory (one per student, as
    Gradescope exports them) the one file that is the submission (`pick`)."""
    from .pick import files_under, pick

    found = []
    for entry in sorted(directory.iterdir()):
        if entry.is_file() and entry.suffix in SUFFIXES:
            found.append(entry)
        elif entry.is_dir() and not entry.name.startswith("."):
            chosen = pick(files_under(entry), style)
            if chosen is not None:
                found.append(chosen)
    return found


def _batch(directory: Path, args) -> int:
    from tqdm import tqdm

    from . import report

    files = submissions_in(directory, args.style)
    if not files:
        raise InputError(f"{directory}: no .py or .ipynb submissions in this directory")
    outdir = Path(args.output) if args.output else directory.parent / f"{directory.name}-grades"
    try:                        # before any grading: a bad --output is one line, exit 2
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write {outdir}: {exc.strerror or exc}") from None
    names = [f.name for f in get_style(args.style).functions]
    ext = ".json" if args.format == "json" else ".txt"
    with ThreadPoolExecutor(args.jobs) as pool, \
            tqdm(total=len(files), desc="grading", unit="submission", file=sys.stderr) as bar:
        def one(path):
            try:
                result = _grade_one(path, args, parallel=1 if args.jobs > 1 else None)
            except InputError as exc:      # unreadable file: a zero report, the batch goes on
                from .runner import FunctionResult, SubmissionResult

                result = SubmissionResult(str(path), args.style, args.seed, error=str(exc))
                result.functions = [FunctionResult(f.name, f.points, 0.0, "failed")
                                    for f in get_style(args.style).functions]
            name = str(path.relative_to(directory)).replace("/", "__")
            _write(outdir / (name + ext), _render(result, args.format))
            bar.update(1)
            return result
        results = list(pool.map(one, files))
    try:
        with open(outdir / "summary.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(report.csv_header(names))
            for r in results:
                w.writerow(report.csv_row(r, names))
    except OSError as exc:
        raise InputError(f"cannot write {outdir / 'summary.csv'}: {exc.strerror}") from None
    passed = sum(r.passed for r in results)
    print(f"{passed}/{len(results)} submissions passed everything; reports and summary.csv "
          f"in {outdir}")
    return 0 if passed == len(results) else 1


def run_bundle(args) -> int:
    from .bundle import write_bundle

    _validate(args)
    path = write_bundle(Path(args.output), args)
    print(f"wrote {path}")
    return 0
