"""Zero disagreements over 100,000 random float64 cases and 100,000 float32 cases.

float32 cases are computed by `manual` in float32 and compared, with the
float32 tolerances, against the float64 oracle. Runs `backprop-oracle check`
in real processes and prints cases, failures and the largest relative error
per equation.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    out = {}
    for dtype in ("float64", "float32"):
        r = subprocess.run([sys.executable, "-m", "reference", "check", "--cases", str(args.cases),
                            "--seed", str(args.seed), "--dtypes", dtype, "--format", "json"],
                           capture_output=True, text=True)
        res = json.loads(r.stdout)
        worst = {eq: v["max_rel_err"] for eq, v in res["by_equation"].items()}
        print(f"{dtype}: {res['cases']} cases, {res['failures']} disagreements, exit "
              f"{r.returncode}, {res['cases_per_second']:,.0f} cases/s; largest rel err "
              + ", ".join(f"{eq} {v:.1e}" for eq, v in worst.items()))
        out[dtype] = res
    return out


if __name__ == "__main__":
    main()
