"""Grading time of a clean ng submission, and batch throughput with --jobs 2.

- single: the median wall time of `backprop-oracle grade correct.py --style ng`
  as an instructor runs it (a fresh process each time: Python, torch import,
  cases from the oracle, sandboxed children). Target: under 3 s.
- protections: the same grade in a fresh process with every operating-system
  protection on (`GradeOptions(isolate=True)`, the default: namespaces,
  hidden folders, private /tmp, one cgroup; what the machine allows) and with
  them off (`isolate=False`), side by side. Target with them on: under 3 s.
- batch: `backprop-oracle grade DIR --style ng --jobs 2` on N copies of the
  clean submission, --runs times (the N and 2N batches interleaved); prints the
  median submissions per second with its range, the steady rate once the
  process has started (torch imported): N / (wall(2N) - wall(N)), and the CPU
  seconds a submission costs (the grader and every process it started: the
  workers and each function's process), which a busy shared machine disturbs
  much less than the wall-clock time. Target: 3 or more submissions/s.

- styles: the same median for the clean file of each style's catalog
  (tests/submissions/STYLE/correct.py), with its CPU seconds (the grader and every
  process it started), which the shared machine's load disturbs less. Target: under 3 s
  each.
- real: the same median for submissions as students hand them in (the four-file
  Ng folder, Saito's ch05 with common/, Nielsen's Python 2 network.py), side by
  side with the clean file.

Run: python benchmarks/bench_grade.py [--runs 5] [--batch 8] [--parts batch]
"""

from __future__ import annotations

import argparse
import resource
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


PARTS = ("single", "styles", "real", "protections", "batch")


def _cpu() -> float:
    """CPU seconds used so far by the processes this one waited for (and theirs)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reference", *args], capture_output=True,
                          stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"grading failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


GRADE = ("from reference.grade.runner import grade_submission; "
         "from reference.grade.options import GradeOptions; "
         "r = grade_submission({path!r}, 'ng', GradeOptions(isolate={isolate})); "
         "assert r.passed, r; print(r.protections)")


def _grade(isolate: bool) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", GRADE.format(path=str(CLEAN), isolate=isolate)],
                          capture_output=True, stdin=subprocess.DEVNULL, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"grading failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed, done.stdout.strip()


def _single(runs: int) -> float:
    times = [_run(["grade", str(CLEAN), "--style", "ng"]) for _ in range(runs)]
    med = statistics.median(times)
    print(f"single clean ng submission: median {med:.2f} s over {runs} runs "
          f"(min {min(times):.2f}, max {max(times):.2f}); target < 3 s: "
          f"{'met' if med < 3 else 'NOT met'}")
    return med


def _styles(runs: int, only: str | None) -> None:
    from reference.grade.styles import STYLES  # the one list of styles

    for style in [only] if only else STYLES:
        clean = SUBMISSIONS / style / "correct.py"
        if style == "ng" or not clean.is_file():
            continue
        walls, cpus = [], []
        for _ in range(runs):
            cpu = _cpu()
            walls.append(_run(["grade", str(clean), "--style", style]))
            cpus.append(_cpu() - cpu)
        med = statistics.median(walls)
        print(f"clean {style} submission: median {med:.2f} s over {runs} runs (min "
              f"{min(walls):.2f}, max {max(walls):.2f}), CPU median "
              f"{statistics.median(cpus):.2f} s; target < 3 s: "
              f"{'met' if med < 3 else 'NOT met'}")


def _real(runs: int, med: float) -> None:
    for label, grade_args in REAL_CASES:
        real = statistics.median(_run(["grade", *grade_args]) for _ in range(runs))
        print(f"{label}: median {real:.2f} s ({real / med:.2f}x the clean file)")


def _protections(runs: int) -> None:
    on, off = [], []
    for _ in range(runs):                # interleaved: the machine's load hits both alike
        t, protections = _grade(True)
        on.append(t)
        off.append(_grade(False)[0])
    m_on, m_off = statistics.median(on), statistics.median(off)
    print(f"protections on:  median {m_on:.2f} s (min {min(on):.2f}, max {max(on):.2f})\n"
          f"protections off: median {m_off:.2f} s (min {min(off):.2f}, max {max(off):.2f})\n"
          f"ratio on/off {m_on / m_off:.2f}; target on < 3 s: "
          f"{'met' if m_on < 3 else 'NOT met'}\nactive: {protections}")


def _batch_once(n: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of grading a folder of n clean submissions."""
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        for k in range(n):
            shutil.copy(CLEAN, subs / f"student{k:03d}.py")
        cpu = _cpu()
        wall = _run(["grade", str(subs), "--style", "ng", "--jobs", "2"])
        return wall, _cpu() - cpu


def _batch(runs: int, n: int) -> None:
    walls: dict[int, list[float]] = {n: [], 2 * n: []}
    cpus: list[float] = []
    for _ in range(runs):                # interleaved, as above
        for size in (n, 2 * n):
            wall, cpu = _batch_once(size)
            walls[size].append(wall)
            if size == n:
                cpus.append(cpu)
    wall = statistics.median(walls[n])
    rates = sorted(n / w for w in walls[n])
    print(f"batch of {n} with --jobs 2: median {wall:.2f} s over {runs} runs, "
          f"{n / wall:.2f} submissions/s (range {rates[0]:.2f}-{rates[-1]:.2f}; "
          f"{wall / n:.2f} s each); target >= 3/s: {'met' if n / wall >= 3 else 'NOT met'}")
    cpu = statistics.median(cpus)
    print(f"CPU of the batch of {n}: median {cpu:.2f} s, {cpu / n:.2f} s per submission "
          "(the grader with its torch import, the workers, each function's process)")
    extra = statistics.median(walls[2 * n]) - wall
    if extra > 0:
        print(f"steady rate after startup: {n / extra:.2f} submissions/s "
              f"(batch of {2 * n}: median {statistics.median(walls[2 * n]):.2f} s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--style", default=None, help="the styles part: this style only")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"what to measure, comma-separated (default {','.join(PARTS)})")
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)} (choose from {', '.join(PARTS)})")
    med = _single(args.runs) if "single" in parts or "real" in parts else 0.0
    if "styles" in parts:
        _styles(args.runs, args.style)
    if "real" in parts:
        _real(args.runs, med)
    if "protections" in parts:
        _protections(args.runs)
    if "batch" in parts:
        _batch(args.runs, args.batch)


if __name__ == "__main__":
    main()
