"""Grading time of a clean ng submission, and batch throughput with --jobs 2.

- single: the median wall time of `backprop-oracle grade correct.py --style ng`
  as an instructor runs it (a fresh process each time: Python, torch import,
  cases from the oracle, sandboxed children). Target: under 3 s.
- protections: the same grade in a fresh process with every operating-system
  protection on (`grade_submission(..., isolate=True)`, the default: namespaces,
  hidden folders, private /tmp, one cgroup; what the machine allows) and with
  them off (`isolate=False`), side by side. Target with them on: under 3 s.
- batch: `backprop-oracle grade DIR --style ng --jobs 2` on N copies of the
  clean submission; prints submissions per second, and the steady rate once
  the process has started (torch imported): N / (wall(2N) - wall(N)).

- real: the same median for submissions as students hand them in (the four-file
  Ng folder, Saito's ch05 with common/, Nielsen's Python 2 network.py), side by
  side with the clean file.

Run: python benchmarks/bench_grade.py [--runs 5] [--batch 8]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUBMISSIONS = Path(__file__).resolve().parents[1] / "tests" / "submissions"
CLEAN = SUBMISSIONS / "ng" / "correct.py"
REAL = SUBMISSIONS / "real"
REAL_CASES = [   # (label, arguments after `grade`)
    ("ng four-file folder", [str(REAL / "ng_four_files" / "main.py"), "--style", "ng",
                             "--student-folder", str(REAL / "ng_four_files")]),
    ("saito ch05 + common/", [str(REAL / "saito_ch05" / "ch05" / "two_layer_net.py"),
                              "--style", "saito"]),
    ("nielsen Python 2", [str(REAL / "nielsen_py2" / "network.py"), "--style", "nielsen"]),
]


def _run(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reference", *args], capture_output=True,
                          stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"grading failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


GRADE = ("from reference.grade.runner import grade_submission; "
         "r = grade_submission({path!r}, 'ng', isolate={isolate}); "
         "assert r.passed, r; print(r.protections)")


def _grade(isolate: bool) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", GRADE.format(path=str(CLEAN), isolate=isolate)],
                          capture_output=True, stdin=subprocess.DEVNULL, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"grading failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed, done.stdout.strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args(argv)
    times = [_run(["grade", str(CLEAN), "--style", "ng"]) for _ in range(args.runs)]
    med = statistics.median(times)
    print(f"single clean ng submission: median {med:.2f} s over {args.runs} runs "
          f"(min {min(times):.2f}, max {max(times):.2f}); target < 3 s: "
          f"{'met' if med < 3 else 'NOT met'}")
    for label, grade_args in REAL_CASES:
        real = statistics.median(_run(["grade", *grade_args]) for _ in range(args.runs))
        print(f"{label}: median {real:.2f} s ({real / med:.2f}x the clean file)")
    on, off = [], []
    for _ in range(args.runs):           # interleaved: the machine's load hits both alike
        t, protections = _grade(True)
        on.append(t)
        off.append(_grade(False)[0])
    m_on, m_off = statistics.median(on), statistics.median(off)
    print(f"protections on:  median {m_on:.2f} s (min {min(on):.2f}, max {max(on):.2f})\n"
          f"protections off: median {m_off:.2f} s (min {min(off):.2f}, max {max(off):.2f})\n"
          f"ratio on/off {m_on / m_off:.2f}; target on < 3 s: "
          f"{'met' if m_on < 3 else 'NOT met'}\nactive: {protections}")
    walls = {}
    for n in (args.batch, 2 * args.batch):
        with tempfile.TemporaryDirectory() as tmp:
            subs = Path(tmp) / "subs"
            subs.mkdir()
            for k in range(n):
                shutil.copy(CLEAN, subs / f"student{k:03d}.py")
            walls[n] = _run(["grade", str(subs), "--style", "ng", "--jobs", "2"])
    wall = walls[args.batch]
    print(f"batch of {args.batch} with --jobs 2: {wall:.2f} s, "
          f"{args.batch / wall:.2f} submissions/s ({wall / args.batch:.2f} s each)")
    extra = walls[2 * args.batch] - wall
    if extra > 0:
        print(f"steady rate after startup: {args.batch / extra:.2f} submissions/s "
              f"(batch of {2 * args.batch}: {walls[2 * args.batch]:.2f} s)")


if __name__ == "__main__":
    main()
