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
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from manual.errors import InputError

from .styles import STYLES, get_style

SUFFIXES = (".py", ".ipynb")


def _common(p) -> None:
    p.add_argument("--style", required=True, choices=sorted(STYLES))
    p.add_argument("--seed", type=int, default=0, help="seed of the cases (printed in the report)")
    p.add_argument("--cases", type=int, default=None,
                   help="cases per graded function (default 4)")
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
    g.add_argument("submission", metavar="SUBMISSION|DIRECTORY")
    _common(g)
    g.add_argument("--format", choices=("text", "json"), default="text")
    g.add_argument("--output", default=None,
                   help="report file (batch: directory, default DIRECTORY-grades)")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    g.set_defaults(func=run_grade)
    b = subparsers.add_parser("gradescope-bundle", help="write Gradescope's autograder.zip")
    _common(b)
    b.add_argument("--output", required=True, help="the zip to write (autograder.zip)")
    b.set_defaults(func=run_bundle)


def _validate(args) -> None:
    get_style(args.style)
    if args.cases is not None and args.cases < 1:
        raise InputError("--cases must be at least 1")
    if not args.timeout > 0:
        raise InputError("--timeout must be positive")
    if args.memory_mb < 256:
        raise InputError("--memory-mb must be at least 256")
    if getattr(args, "jobs", 1) < 1:
        raise InputError("--jobs must be at least 1")


def _grade_one(path: Path, args, parallel=None):
    from .runner import grade_submission

    return grade_submission(path, args.style, seed=args.seed, cases=args.cases,
                            timeout=args.timeout, memory_mb=args.memory_mb,
                            allow_autograd=args.allow_autograd, parallel=parallel)


def _render(result, fmt: str) -> str:
    from . import report

    if fmt == "json":
        return json.dumps(report.gradescope(result), indent=2) + "\n"
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
    if not target.is_file():
        raise InputError(f"{target}: no such file or directory")
    if target.suffix not in SUFFIXES:
        raise InputError(f"{target}: expected a .py file or a .ipynb notebook")
    result = _grade_one(target, args)
    out = _render(result, args.format)
    if args.output:
        _write(Path(args.output), out)
        if args.format == "text":
            sys.stdout.write(out)
    else:
        sys.stdout.write(out)
    return 0 if result.passed else 1


def submissions_in(directory: Path) -> list[Path]:
    """The .py/.ipynb files of a directory, and for each subdirectory (one per student,
    as Gradescope exports them) its first notebook, else its first .py file."""
    found = []
    for entry in sorted(directory.iterdir()):
        if entry.is_file() and entry.suffix in SUFFIXES:
            found.append(entry)
        elif entry.is_dir() and not entry.name.startswith("."):
            for suffix in (".ipynb", ".py"):
                inner = sorted(p for p in entry.rglob(f"*{suffix}") if p.is_file()
                               and not any(part.startswith(".") for part in p.parts))
                if inner:
                    found.append(inner[0])
                    break
    return found


def _batch(directory: Path, args) -> int:
    from tqdm import tqdm

    from . import report

    files = submissions_in(directory)
    if not files:
        raise InputError(f"{directory}: no .py or .ipynb submissions in this directory")
    outdir = Path(args.output) if args.output else directory.parent / f"{directory.name}-grades"
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
