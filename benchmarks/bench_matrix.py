"""The default pytest matrix: case count, and -n auto against -n 0, side by side.

Runs `pytest tests/test_matrix.py` twice in real processes (alternating order
over --repeat rounds) and prints the wall times and their ratio. Goals: at
least 2,000 cases, the -n auto run under 60 s on 2 cores, -n auto faster.
With --suite it also times the README's test command, the whole suite under
`pytest -n auto` (the grader's and derivation checker's tests included).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(workers: str, *paths: str) -> tuple[float, int]:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "pytest", *paths, "-q", "-n", workers],
                       cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"pytest -n {workers} failed:\n{r.stdout[-2000:]}")
    passed = int(re.search(r"(\d+) passed", r.stdout).group(1))
    return wall, passed


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--suite", action="store_true", help="also time the whole suite, -n auto")
    args = p.parse_args(argv)
    walls = {"auto": [], "0": []}
    cases = 0
    for k in range(args.repeat):
        for w in (("auto", "0") if k % 2 == 0 else ("0", "auto")):
            wall, cases = run(w, "tests/test_matrix.py")
            walls[w].append(wall)
    auto, serial = min(walls["auto"]), min(walls["0"])
    print(f"matrix: {cases} cases; pytest -n auto {auto:.1f} s, -n 0 {serial:.1f} s "
          f"(best of {args.repeat}); auto/serial {auto / serial:.2f} (goal < 1, auto < 60 s)")
    out = {"cases": cases, "auto_s": auto, "serial_s": serial, "ratio": auto / serial}
    if args.suite:
        out["suite_s"], out["suite_tests"] = run("auto")
        print(f"whole suite: {out['suite_tests']} tests; pytest -n auto {out['suite_s']:.1f} s")
    return out


if __name__ == "__main__":
    main()
