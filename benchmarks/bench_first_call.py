"""The first `reference.verify` call of a process against the calls after it, side by side.

A maintainer's first impression is the first call: a fresh Python process imports
`reference`, calls `reference.verify(tinynet.backprop, cases=N, ...)` (tests/thirdparty's
plain NumPy library, rows layout, (1, n) biases) and then calls it again with other
seeds. Printed per N: the first call's wall time and rate with the one-time torch import
in it, its rate without it (what `verify` reports as cases_per_second: the import is
done before its timer starts), the steady rate of the later calls, and their ratio
(goal: steady / first ≤ 2 without the import). Each repeat is a fresh process; the
machine is shared, so the load is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys, time
t0 = time.perf_counter()
import reference
from tests.thirdparty import tinynet
n, calls = int(sys.argv[1]), int(sys.argv[2])
options = dict(activations="identity,sigmoid,tanh,relu,softmax",
               losses="quadratic,bce,cross_entropy", layouts=["rows"], bias_shape="row")
out = {"import_reference": time.perf_counter() - t0, "calls": []}
for seed in range(calls):
    t = time.perf_counter()
    s = reference.verify(tinynet.backprop, cases=n, seed=seed, **options)
    out["calls"].append({"wall": time.perf_counter() - t, "seconds": s["seconds"],
                         "failures": s["failures"]})
print(json.dumps(out))
"""


def one_process(n: int, calls: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", CHILD, str(n), str(calls)], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"the child failed:\n{r.stderr[-2000:]}")
    out = json.loads(r.stdout)
    if any(c["failures"] for c in out["calls"]):
        sys.exit("tinynet (correct) failed cases: the benchmark measures a passing run")
    return out


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, nargs="+", default=[500, 5000])
    p.add_argument("--calls", type=int, default=4, help="calls per process (the first + steady)")
    p.add_argument("--repeat", type=int, default=2, help="fresh processes per N")
    args = p.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'cases':>6} {'first wall s':>12} {'with import':>12} {'first':>9} {'steady':>9} "
          f"{'steady/first':>12}   (rates in cases/s)")
    worst = 0.0
    for n in args.cases:
        for _ in range(args.repeat):
            out = one_process(n, args.calls)
            first, later = out["calls"][0], out["calls"][1:]
            steady = n / min(c["seconds"] for c in later)
            ratio = steady / (n / first["seconds"])
            worst = max(worst, ratio)
            print(f"{n:>6} {first['wall']:>12.2f} {n / first['wall']:>12,.0f} "
                  f"{n / first['seconds']:>9,.0f} {steady:>9,.0f} {ratio:>12.2f}")
    print(f"the first call's import of torch is the difference between 'first wall' and "
          f"n / first; worst steady/first without it: {worst:.2f} (goal <= 2)")
    return {"steady_over_first": worst}


if __name__ == "__main__":
    main()
