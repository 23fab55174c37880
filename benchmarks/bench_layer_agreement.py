"""Zero disagreements over random networks of layers: N float64 and N float32 networks
(mlp, cnn, rnn in equal parts), manual.layers against torch autograd.

float32 networks are computed by `manual` in float32 and compared, with the network
tolerances of `reference.oracle.tolerances`, against the float64 oracle. Runs
`backprop-oracle check --arch mlp,cnn,rnn --dtypes D` in a real process per dtype and
prints the networks, the disagreements (each one, up to --show), the rate and the
largest relative error per architecture and column.

    python benchmarks/bench_layer_agreement.py               # 10^5 per dtype
    python benchmarks/bench_layer_agreement.py --cases 10000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

ARCHS = ("mlp", "cnn", "rnn")
COLUMNS = ("out", "loss", "dx", "dparam")


def run(dtype: str, cases: int, seed: int) -> dict:
    per_arch = -(-cases // len(ARCHS))
    r = subprocess.run([sys.executable, "-m", "reference", "check", "--arch", ",".join(ARCHS),
                        "--cases", str(per_arch), "--seed", str(seed), "--dtypes", dtype,
                        "--format", "json"], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"check failed: {r.stderr.strip()}")
    out = json.loads(r.stdout)
    out["exit"] = r.returncode
    return out


def worst_by_arch(out: dict) -> dict:
    worst: dict = {}
    for row in out["by_arch_layer"]:
        cell = worst.setdefault(row["arch"], dict.fromkeys(COLUMNS, 0.0))
        for c, v in row["max_rel_err"].items():
            cell[c] = max(cell[c], v)
    return worst


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=100_000, help="networks per dtype")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--show", type=int, default=20, help="disagreements printed per dtype")
    args = p.parse_args(argv)
    result = {}
    for dtype in ("float64", "float32"):
        out = run(dtype, args.cases, args.seed)
        print(f"{dtype}: {out['cases']} networks, {out['failures']} disagreements, exit "
              f"{out['exit']}, {out['cases_per_second']:,.0f} networks/s")
        for arch, cell in worst_by_arch(out).items():
            print(f"  {arch}: largest rel err " + ", ".join(f"{c} {v:.1e}"
                                                            for c, v in cell.items()))
        for f in out["failures_detail"][:args.show]:
            print(f"  FAIL {f['case']}: {f.get('text') or f.get('detail')}")
        result[dtype] = out
    return result


if __name__ == "__main__":
    main()
