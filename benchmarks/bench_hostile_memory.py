"""Peak memory of the grader itself on every hostile file of the catalog (issue 19).

Each hostile file of every style's catalog (tests/submissions/STYLE/hostile*,
graded with the style tests/grade_catalog.py names) is graded alone, in a fresh
process, as `backprop-oracle grade FILE --style S --timeout 1` runs it. That
process reads its own peak resident set once grading is over (the VmHWM of
/proc/self/status, in KiB): the student's processes are the grader's children, so
RUSAGE_CHILDREN (or any measure that adds them) would count the student's memory
hog as the grader's, and its own ru_maxrss starts from the peak of the process
that launched it. Should the
grader die before it can say (killed for its memory, say), the highest VmHWM of
/proc/PID/status seen while it ran stands instead, marked "(polled)". Prints each
file's peak, the worst, and flags every file over LIMIT_MB. Target: none over.

The same for the hostile inputs too large to keep in the catalog's folders, made
afresh (`generated_files`: the notebooks and Python 2 files of
tests/test_grade_prescan.py, at the sizes issue 19 reported).

Run: python benchmarks/bench_hostile_memory.py [--limit-mb 600] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reference.grade.prescan import MAX_PYTHON2_CHARS  # noqa: E402
from tests.grade_catalog import CATALOGS, SUBMISSIONS, TIMEOUT  # noqa: E402

LIMIT_MB = 600.0   # the bound on the grader's own peak memory
POLL_SECONDS = 0.05
# the grader in this process, as `python -m reference` runs it; its own peak at the end: the
# VmHWM of its memory map, not ru_maxrss, which the kernel carries over an exec from the
# memory map that ran before (a vfork of this benchmark: 77 MB once it had written the
# generated files, against 38 MB of VmHWM for a grader that refuses a file at once)
GRADE = ("import sys\n"
         "from reference.cli import main\n"
         "try:\n"
         "    code = main(sys.argv[2:])\n"
         "finally:\n"
         "    with open('/proc/self/status') as status, open(sys.argv[1], 'w') as out:\n"
         "        print(next(line.split()[1] for line in status if line.startswith('VmHWM:')),\n"
         "              file=out)\n"
         "sys.stdout.flush()\n"
         "import os; os._exit(code)\n")


def hostile_files() -> list[tuple[str, Path]]:
    """(style to grade with, file) for every hostile file of every catalog's folder."""
    return [(catalog.graded_as or style, path) for style, catalog in CATALOGS.items()
            for path in sorted((SUBMISSIONS / style).glob("hostile*"))]


PY2_BODY = "def f(x):\n    print 'x', x\n    return x\n\n"


def generated_files(folder: Path) -> list[tuple[str, Path]]:
    """The hostile inputs too large for the catalog's folders (tests/test_grade_prescan.py
    makes them the same way), written into `folder`: 6 MB of `{}` as a notebook (1 GB
    once parsed before issue 19), a notebook of 14 MB of constants (1 GB before the 1 MB
    code limit), and Python 2 just under fissix's budget (the most the grader converts:
    0.9 MB cost 600 MB) and just over it."""
    py2_under = PY2_BODY * (MAX_PYTHON2_CHARS // len(PY2_BODY) - 1)
    constants = "x = [" + ", ".join(["1.0"] * (14 * 2**20 // 5)) + "]\n"
    cells = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                        "execution_count": None, "source": constants}],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    texts = {"empty_objects.ipynb": '{"cells": [], "x": [' + ",".join(["{}"] * 2**21) + "]}",
             "constants_14mb.ipynb": json.dumps(cells),
             "python2_under_budget.py": py2_under,
             "python2_over_budget.py": py2_under + PY2_BODY * 200}
    for name, text in texts.items():
        (folder / name).write_text(text)
    return [("ng", folder / name) if name.endswith(".ipynb") else ("nielsen", folder / name)
            for name in texts]


def _vmhwm_kb(pid: int) -> int:
    """The process's peak resident set so far (VmHWM, KiB), 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines()
                 if line.startswith("VmHWM:")), 0)


def grader_peak_mb(style: str, path: Path) -> tuple[float, int, float, bool]:
    """(the grader's own peak RSS in MB, its exit code, wall seconds, whether the peak is
    its own last word) grading `path`. Should the grader die before it can say, the
    highest VmHWM seen while polling /proc/PID/status stands instead."""
    with tempfile.NamedTemporaryFile("r", suffix=".maxrss") as peak:
        start = time.perf_counter()
        grader = subprocess.Popen([sys.executable, "-c", GRADE, peak.name, "grade", str(path),
                                   "--style", style, "--timeout", f"{TIMEOUT:g}"],
                                  cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        polled = 0
        while grader.poll() is None:
            polled = max(polled, _vmhwm_kb(grader.pid))
            time.sleep(POLL_SECONDS)
        elapsed = time.perf_counter() - start
        text = peak.read().strip()
    return (int(text) if text else polled) / 1024, grader.returncode, elapsed, bool(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-mb", type=float, default=LIMIT_MB)
    parser.add_argument("--only", default="", help="grade only files whose path has this")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="hostile-generated-") as tmp:
        folder = Path(tmp, "generated")
        folder.mkdir()
        for style, path in hostile_files() + generated_files(folder):
            name = f"{path.parent.name}/{path.name}"
            if args.only not in name:
                continue
            mb, code, wall, reported = grader_peak_mb(style, path)
            rows.append((mb, name))
            flag = ("  OVER" if mb > args.limit_mb else "") + ("" if reported else "  (polled)")
            print(f"{name:48} {style:10} exit {code}  {wall:5.1f} s  grader peak {mb:6.0f} MB"
                  f"{flag}", flush=True)
    if not rows:
        raise SystemExit("no hostile file matched")
    over = [name for mb, name in rows if mb > args.limit_mb]
    worst = max(rows)
    print(f"{len(rows)} hostile files; worst grader peak {worst[0]:.0f} MB ({worst[1]}); "
          f"over {args.limit_mb:g} MB: {len(over)}{': ' + ', '.join(over) if over else ''}")


if __name__ == "__main__":
    main()
