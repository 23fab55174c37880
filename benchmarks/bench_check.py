"""`backprop-oracle check` throughput, and the oracle's cost against bare torch.

1. Runs `backprop-oracle check --cases N --format json` in a real process and
   prints the cases/s it reports (goal: ≥ 5,000 for N = 20,000 on 2 cores),
   and the wall time of the whole command (torch import included).
2. On the same cases, interleaved, median per case over rounds:
   - oracle:  reference.oracle as `check` calls it (families of 8 stacked),
   - single:  reference.oracle on one case at a time,
   - bare:    the same network built in torch from the same arrays, forward,
              loss, `.backward()` on the parameters (nothing else).
   Prints oracle/bare and single/bare (goal: ≤ 2).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from reference.check.runner import MAX_FAMILY as FAMILY  # noqa: E402
from reference.oracle.autograd import (  # noqa: E402
    _batch_cost,
    _forward,
    _t,
    oracle_backprop,
    oracle_stacked,
)
from reference.oracle.cases import draw_family, families, generate  # noqa: E402


def throughput(cases: int) -> dict:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "reference", "check", "--cases", str(cases),
                        "--format", "json"], capture_output=True, text=True)
    wall = time.perf_counter() - t
    out = json.loads(r.stdout)
    return {"cases": out["cases"], "failures": out["failures"], "exit": r.returncode,
            "cases_per_second": out["cases_per_second"], "wall_s": wall}


def _bare(net, X, Y):
    tw = [_t(w).requires_grad_() for w in net.weights]
    tb = [_t(b).requires_grad_() for b in net.biases]
    _, acts = _forward(tw, tb, net.sigmas, _t(X), net.layout)
    _batch_cost(net.loss, acts[-1], _t(Y), net.layout, net.reduction).backward()


def oracle_cost(n: int, rounds: int) -> dict:
    torch.set_num_threads(1)
    groups = families(generate(n, seed=1, family=FAMILY))
    nets = [[c.network() for c in g] for g in groups]
    stacks = [(g[0], draw_family(g[0])) for g in groups]

    def stacked():
        for c, s in stacks:
            oracle_stacked(s.W, s.b, c.activations, c.loss, s.X, s.Y, c.layout, c.reduction)

    def single():
        for g in nets:
            for net, X, Y in g:
                oracle_backprop(net.weights, net.biases, net.sigmas, net.loss, X, Y,
                                net.layout, net.reduction, keep_forward=False)

    def bare():
        for g in nets:
            for net, X, Y in g:
                _bare(net, X, Y)

    fns = {"oracle": stacked, "single": single, "bare": bare}
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for k, f in fns.items():
            t = time.perf_counter()
            f()
            times[k].append((time.perf_counter() - t) / n * 1e6)
    med = {k: float(np.median(v)) for k, v in times.items()}
    return {**{f"{k}_us": v for k, v in med.items()},
            "oracle/bare": med["oracle"] / med["bare"], "single/bare": med["single"] / med["bare"]}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description="check throughput and oracle cost")
    p.add_argument("--cases", type=int, default=20000)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(argv)
    tp = throughput(args.cases)
    print(f"check --cases {tp['cases']}: {tp['cases_per_second']:,.0f} cases/s "
          f"(goal >= 5,000), {tp['failures']} failures, exit {tp['exit']}, "
          f"whole command {tp['wall_s']:.1f} s")
    oc = oracle_cost(2048, args.rounds)
    print(f"per case (us, median of {args.rounds}): oracle {oc['oracle_us']:.0f} "
          f"(stacked x{FAMILY}), single {oc['single_us']:.0f}, "
          f"bare torch fwd+bwd {oc['bare_us']:.0f}")
    print(f"oracle/bare {oc['oracle/bare']:.2f}, single/bare {oc['single/bare']:.2f} (goal <= 2)")
    return {**tp, **oc}


if __name__ == "__main__":
    main()
