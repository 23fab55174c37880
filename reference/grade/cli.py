"""`backprop-oracle grade` and `backprop-oracle gradescope-bundle`.

    grade SUBMISSION --style STYLE [--format text|json] [--output FILE]
          [--seed S|random] [--private-seed] [--cases N] [--timeout SECONDS]
          [--max-seconds SECONDS] [--memory-mb MB] [--allow-autograd]
          [--visibility {visible,hidden,after_due_date,after_published}]
    grade DIRECTORY --style ... [--jobs J] [--output DIR]   # one report each, summary.csv,
                                                            # class_report.txt and .html
    gradescope-bundle --style ... --output autograder.zip

STYLE is a name of the style registry (`reference.grade.styles`; --help lists them).

Seeds: one file is graded with seed 0 unless told (--seed). A directory, and every
Gradescope run, draws a fresh secret seed: the students' reports leave it out, the
instructor's records keep it (run.json and summary.csv in the output folder; a hidden
test in results.json), and --seed with that number grades again exactly alike.

Exit codes: 0 all passed, 1 something failed (also a submission that could not
be imported: a zero-score report says why), 2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import secrets
import shlex
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from manual.errors import InputError, did_you_mean

from . import classreport, report
from .bundle import write_bundle
from .options import MAX_JOBS, GradeOptions, Limits
from .orchestrate import children_per_submission
from .outfile import Folder, Report, reserve
from .pick import files_under, pick
from .report import escape
from .results import SubmissionResult, not_graded
from .runner import grade_submission
from .sandbox import Pool
from .styles import STYLES, function_names, get_style

__all__ = ["SUFFIXES", "Request", "add_parser", "grade_options", "settle_seed", "submissions_in"]

SUFFIXES = (".py", ".ipynb")


RANDOM = "random"


def _seed(text: str):
    """--seed: a non-negative integer, or `random` (a fresh secret seed)."""
    if text == RANDOM:
        return RANDOM
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid seed {text[:40]!r} (an integer or "
                                         "'random')") from None


def draw_seed() -> int:
    """A fresh seed no student can guess (the cases cannot be precomputed offline)."""
    return secrets.randbelow(2**31)


def _names(text: str) -> tuple[str, ...]:
    """A comma-separated list of graded functions' names."""
    return tuple(n.strip() for n in text.split(",") if n.strip())


def _common(p) -> None:
    p.add_argument("--style", required=True, choices=sorted(STYLES),
                   help="the textbook style the submission follows")
    p.add_argument("--seed", type=_seed, default=None,
                   help="seed of the cases, or 'random' (default: 0 for one file, a fresh "
                   "secret seed for a directory and for Gradescope)")
    p.add_argument("--cases", type=int, default=None,
                   help="cases per graded function (default 4; width 1, batch size 1 and "
                   "square layers are always among them)")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="seconds per graded function (default 10)")
    p.add_argument("--max-seconds", type=float, default=None,
                   help="wall-clock seconds for a whole submission (default: --timeout x "
                   "the graded functions + 60)")
    p.add_argument("--memory-mb", type=int, default=2048,
                   help="address-space limit of the student process (default 2048)")
    p.add_argument("--allow-autograd", action="store_true",
                   help="allow importing torch, jax, tensorflow, autograd")
    p.add_argument("--functions", type=_names, default=None, metavar="NAME,...",
                   help="grade only these functions, each required: missing when not "
                   "handed in, never supplied (ng-c2w1 with one notebook per assignment: "
                   "name its functions, or a student uploading another notebook gets "
                   "their points)")
    p.add_argument("--visibility", default="visible",
                   choices=("visible", "hidden", "after_due_date", "after_published"),
                   help="Gradescope visibility of the results and of every test "
                   "(results.json; default visible)")


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
    g.add_argument("--private-seed", action="store_true",
                   help="leave the seed out of the report (a hidden test in json; always so "
                   "for a directory and with --seed random)")
    g.add_argument("--student-folder", default=None, metavar="DIR",
                   help="the student's folder SUBMISSION is in (Gradescope): the student's "
                   "other files there are graded too (batch mode: each student's folder)")
    g.set_defaults(func=run_grade)
    b = subparsers.add_parser("gradescope-bundle", help="write Gradescope's autograder.zip",
                              description="Write Gradescope's autograder.zip for a style: "
                                          "setup.sh, run_autograder and this grader, so "
                                          "Gradescope grades each upload as `grade` does.")
    _common(b)
    b.add_argument("--output", required=True, help="the zip to write (autograder.zip)")
    b.set_defaults(func=run_bundle)


@dataclass(frozen=True)
class Request:
    """One run of `grade` as the command line asked for it, built once (seed settled):
    the style, how each submission is graded, and how the reports are written."""

    style: str
    options: GradeOptions
    format: str = "text"
    visibility: str = "visible"
    jobs: int = 1


def grade_options(args, seed: int = 0, private: bool = False, hide=(),
                  parallel: int | None = None) -> GradeOptions:
    """The grading options the command line (or the bundle's) gives: built once, here."""
    return GradeOptions(seed=seed, cases=args.cases,
                        limits=Limits(args.timeout, args.memory_mb, args.max_seconds),
                        allow_autograd=args.allow_autograd, seed_private=private,
                        parallel=parallel, hide=tuple(hide),
                        only=getattr(args, "functions", None))


def _validate(args) -> None:
    """Option values an instructor can get wrong: InputError (one line, exit 2)."""
    style = get_style(args.style)
    unknown = sorted(set(getattr(args, "functions", None) or ()) - {f.name for f in
                                                                    style.functions})
    if unknown:
        raise InputError(f"--functions: {', '.join(unknown)} is not graded by --style "
                         f"{args.style}" + did_you_mean(unknown[0], [f.name for f in
                                                                     style.functions]))
    grade_options(args, args.seed if isinstance(args.seed, int) else 0).validate()
    if not 1 <= getattr(args, "jobs", 1) <= MAX_JOBS:
        raise InputError(f"--jobs must be between 1 and {MAX_JOBS}")


def _grade_one(path: Path, request: Request, folder=None, alone=False, pool=None):
    return grade_submission(path, request.style, request.options, folder=folder,
                            alone=alone, pool=pool)


def _graded(path: Path, request: Request, folder=None, alone=False, pool=None):
    """The result for one file, whatever happens: an unreadable file or a failure of the
    grader itself is a zero report that says so (the report is always written)."""
    try:
        return _grade_one(path, request, folder, alone, pool)
    except Exception as exc:  # noqa: BLE001 - InputError (unreadable file) or a grader bug
        why = (str(exc) if isinstance(exc, InputError) else
               f"the grader failed on this submission ({type(exc).__name__}); please contact "
               "the course staff")
        if not isinstance(exc, InputError):     # for the instructor: what went wrong
            print(escape(f"backprop-oracle: internal error on {path}: {type(exc).__name__}: "
                         f"{exc}")[:500], file=sys.stderr)
        result = SubmissionResult(str(path), request.style, request.options.seed, error=why,
                                  seed_private=request.options.seed_private)
        result.functions = not_graded(get_style(request.style).functions)
        return result


def _render(result, request: Request, *, hidden_seed: bool = True) -> str:
    if request.format == "json":
        return json.dumps(report.gradescope(result, request.visibility,
                                            hidden_seed=hidden_seed),
                          indent=2, allow_nan=False) + "\n"
    return report.text(result)


def settle_seed(seed, private: bool, *, batch: bool) -> tuple[int, bool]:
    """(seed, kept private). Single file: seed 0 unless told. A directory or `--seed
    random`: a fresh seed, kept out of the students' reports."""
    if seed == RANDOM or (batch and seed is None):
        return draw_seed(), True
    return (0 if seed is None else seed), private or batch


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
    folder = args.student_folder
    if folder is not None and not (Path(folder).is_dir()
                                   and target.resolve().is_relative_to(Path(folder).resolve())):
        raise InputError(f"--student-folder {folder}: not a directory holding {target}")
    seed, private = settle_seed(args.seed, args.private_seed, batch=False)
    # the report file: its folder checked and a new file created before any student code
    out_file = Report(Path(args.output)) if args.output else None
    try:
        hide = [Path(args.output).resolve().parent] if args.output else []
        request = Request(args.style, grade_options(args, seed, private, hide), args.format,
                          args.visibility)
        result = _graded(target, request, folder)
        out = _render(result, request)
        if out_file is not None:
            out_file.write(out)
    finally:
        if out_file is not None:
            out_file.close()
    return _finish(target, request, result, out, printed=out_file is None)


def _finish(target: Path, request: Request, result, out: str, printed: bool) -> int:
    """The report on stdout (text, or json without --output), the private seed and why
    the file was not graded on stderr; the exit code."""
    if printed or request.format == "text":
        sys.stdout.write(out)
    if request.options.seed_private and request.format == "text":     # json: a hidden test
        print(f"backprop-oracle: seed {request.options.seed} (kept out of the report)",
              file=sys.stderr)
    if result.error:     # the student's file, not the command: a zero report (exit 1)
        print(escape(f"backprop-oracle: {target.name} not graded: {result.error}")[:500],
              file=sys.stderr)
    return 0 if result.passed else 1


def _inside(path: Path, folder: Path) -> bool:
    """Is `path` a plain file of `folder`: no symbolic link on the way, and it resolves
    inside the folder (a link to another student's file is not this student's work)."""
    try:
        rel = path.relative_to(folder)
    except ValueError:
        return False
    step = folder
    for part in rel.parts:
        step = step / part
        if step.is_symlink():
            return False
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):     # a loop of links
        return False


def submissions_in(directory: Path, style: str) -> list[Path]:
    """The .py/.ipynb files of a directory, and for each subdirectory (one per student, as
    Gradescope exports them) the one file that is the submission (`pick`). Symbolic links
    are skipped, and so is anything resolving outside the student's own folder."""
    found = []
    for entry in sorted(directory.iterdir()):
        if entry.is_symlink():          # a link to a file or folder elsewhere is not graded
            continue
        if entry.is_file() and entry.suffix in SUFFIXES:
            found.append(entry)
        elif entry.is_dir() and not entry.name.startswith("."):
            own = [f for f in files_under(entry) if _inside(f, entry)]
            chosen = pick(own, style)
            if chosen is not None:
                found.append(chosen)
    return found


def run_record(request: Request, directory: Path, count: int) -> dict:
    """run.json: what an instructor needs to grade this batch again exactly alike."""
    # imported here, for a batch only: 23 ms measured (-X importtime) at every grade's start
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("backprop-oracle")
    except PackageNotFoundError:
        ver = "unknown"
    opts = request.options
    limits = opts.limits
    flags = ["--style", request.style, "--seed", str(opts.seed), "--timeout",
             f"{limits.timeout:g}", "--memory-mb", str(limits.memory_mb)]
    if opts.cases:
        flags += ["--cases", str(opts.cases)]
    if limits.max_seconds:
        flags += ["--max-seconds", f"{limits.max_seconds:g}"]
    if opts.allow_autograd:
        flags.append("--allow-autograd")
    flags += ["--visibility", request.visibility]
    return {"seed": opts.seed, "style": request.style, "cases": opts.cases,
            "timeout": limits.timeout, "max_seconds": limits.max_seconds,
            "memory_mb": limits.memory_mb, "allow_autograd": opts.allow_autograd,
            "submissions": count, "version": ver,
            "again": shlex.join(["backprop-oracle", "grade", str(directory), *flags])}


def _batch(directory: Path, args) -> int:
    """Grade every submission of a directory: a report each and summary.csv in the output
    folder (checked, and summary.csv's space reserved, before any grading); exit 0 when
    all passed, else 1."""
    seed, _ = settle_seed(args.seed, args.private_seed, batch=True)
    files = submissions_in(directory, args.style)
    if not files:
        raise InputError(f"{directory}: no .py or .ipynb submissions in this directory")
    outdir = Path(args.output) if args.output else directory.parent / f"{directory.name}-grades"
    # no student reads another's file or report; with several jobs, one process each
    request = Request(args.style, grade_options(args, seed, True, [directory, outdir],
                                                1 if args.jobs > 1 else None),
                      args.format, args.visibility, args.jobs)
    # before any grading: a bad or unsafe --output is one line, exit 2; a new folder is
    # the instructor's only (the reports of other students are in it)
    folder = Folder(outdir, create=True, mode=0o700)
    reserved: dict[str, tuple[int, str]] = {}
    try:
        for name in (*BATCH_FILES, "run.json"):
            folder.validate_name(name)
        # the summary's files and disk space, now: whatever the students' code does
        # (filling the disk included), summary.csv and the class report get written
        for name in BATCH_FILES:
            reserved[name] = folder.create(name)
            reserve(reserved[name][0])
        folder.write("run.json", json.dumps(run_record(request, directory, len(files)),
                                            indent=2) + "\n")
        results = _grade_all(files, directory, request, folder)
        # with the styles it hands files to
        texts = _batch_texts(results, [student_id(f, directory) for f in files], args.style)
        for name in BATCH_FILES:
            fd, temp = reserved.pop(name)
            folder.commit(fd, temp, name, texts[name])
    finally:
        for fd, temp in reserved.values():
            os.close(fd)
            folder.discard(temp)
        folder.close()
    passed = sum(r.passed for r in results)
    print(f"{passed}/{len(results)} submissions passed everything; reports, summary.csv and "
          f"the class report (class_report.txt, .html) in {outdir} (seed {seed}, recorded in "
          "run.json)")
    return 0 if passed == len(results) else 1


AHEAD_CAP = 16       # workers waiting at once in a batch (about 17 MB of memory of their own each)


def _warm_pool(request: Request, count: int) -> Pool:
    """Workers started ahead for a batch of `count` submissions (`sandbox.Pool`): while
    the first ones wait for the torch import, the idle core starts the next ones'."""
    limits = request.options.limits
    return Pool(count * children_per_submission(request.options.parallel),
                ahead=min(2 * request.jobs + 4, AHEAD_CAP), timeout=limits.timeout,
                memory_mb=limits.memory_mb)


def _grade_all(files: list[Path], directory: Path, request: Request, folder) -> list:
    """Grade every submission (`request.jobs` at a time), each report written into the
    output folder as it is done; the results in the files' order."""
    # imported here, for a batch only: 57 ms measured (-X importtime) at every grade's start
    from tqdm import tqdm

    ext = ".json" if request.format == "json" else ".txt"
    warm = _warm_pool(request, len(files))
    with ThreadPoolExecutor(request.jobs) as pool, \
            tqdm(total=len(files), desc="grading", unit="submission", file=sys.stderr) as bar:
        def one(path):
            rel = path.relative_to(directory)      # a student's folder, or a loose file
            student = directory / rel.parts[0] if len(rel.parts) > 1 else None
            # a loose file's neighbours are other students' files: never read with it
            result = _graded(path, request, folder=student, alone=student is None, pool=warm)
            name = str(path.relative_to(directory)).replace("/", "__")
            try:
                folder.write(name + ext, _render(result, request, hidden_seed=False))
            except InputError as exc:     # this report only: the batch goes on
                result.warnings.append(str(exc))
            bar.update(1)
            return result
        try:
            return list(pool.map(one, files))
        finally:
            warm.close()


# a batch's own files, beside the students' reports
BATCH_FILES = ("summary.csv", "class_report.txt", "class_report.html")


def student_id(path: Path, directory: Path) -> str:
    """Who a submission is in the class report: the student's folder, or a loose file's
    name."""
    return path.relative_to(directory).parts[0]


def _batch_texts(results: list, students: list[str], style: str) -> dict[str, str]:
    """summary.csv and the class report (`classreport`), by file name."""
    names = function_names(style)
    views = classreport.class_view(results, names, students)
    return {"summary.csv": _summary_csv(results, names),
            "class_report.txt": classreport.class_text(views, style, len(results)),
            "class_report.html": classreport.class_html(views, style, len(results))}


def _summary_csv(results: list, names: list[str]) -> str:
    """summary.csv's text: one row per submission, one column group per graded name."""
    table = io.StringIO(newline="")
    w = csv.writer(table)
    w.writerow(report.csv_header(names))
    for r in results:
        w.writerow(report.csv_row(r, names))
    return table.getvalue()


def run_bundle(args) -> int:
    _validate(args)
    fixed = args.seed not in (None, RANDOM)
    options = grade_options(args, args.seed if fixed else 0, True)
    path = write_bundle(Path(args.output), args.style, options, args.visibility, fixed)
    print(f"wrote {path}")
    return 0
