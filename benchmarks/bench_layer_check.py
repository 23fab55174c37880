"""`backprop-oracle check --arch cnn|rnn|mlp` throughput, and why the oracle is stacked.

1. Runs `backprop-oracle check --arch A --cases N --format json` in a real process per
   layer architecture and prints the networks/s it reports (goal: >= 1,000 for cnn and
   rnn on 2 cores), the whole command's wall time and CPU time (torch import included;
   2 × networks / CPU seconds is the rate on 2 cores nobody else uses, a bound from
   below when the machine is shared), and the seconds the layer part adds to the
   default `backprop-oracle check`.
2. On the same families of networks, interleaved, median per network over rounds
   (one thread, CPU time):
   - vmap:   the oracle as `check` calls it (K networks of a family in one vmapped
             forward and one autograd call),
   - loop:   the same K networks composed one by one inside one autograd call,
   - single: one network per oracle call,
   - manual: manual.layers.LayerNetwork's forward and backward.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

ARCHS = ("cnn", "rnn", "mlp")


def throughput(arch: str | None, cases: int) -> dict:
    """`check` in a real process; arch None: the default command (dense and layers)."""
    cmd = [sys.executable, "-m", "reference", "check", "--format", "json"]
    cmd += ["--arch", arch, "--cases", str(cases)] if arch else []
    t, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if r.returncode not in (0, 1):
        sys.exit(f"check failed: {r.stderr.strip()}")
    out = json.loads(r.stdout)
    layers = out.get("layers", out)
    return {"cases": layers["cases"], "failures": layers["failures"],
            "cases_per_second": layers["cases_per_second"], "seconds": layers["seconds"],
            "wall_s": wall, "cpu_s": cpu}


def _families(arch: str, n_families: int, K: int):
    from reference.oracle.layer_cases import draw_family, structure_of

    out = []
    for f in range(n_families):
        s = structure_of(11, f, (arch,), ("float64",), K)
        out.append((s, *draw_family(s, 11, f, K)))
    return out


def oracle_cost(arch: str, rounds: int, n_families: int = 12, K: int = 32) -> dict:
    """Median CPU microseconds per network of each way (see the module docstring)."""
    import torch

    from manual.layers.network import LayerNetwork
    from reference.check.layer_matrix import warm_up
    from reference.oracle.layers.network import oracle_network, oracle_network_stacked

    torch.set_num_threads(1)
    warm_up([arch])
    fams = _families(arch, n_families, K)
    member = lambda x, a, k: (x[k], [{n: v[k] for n, v in d.items()} for d in a])
    ways = {
        "vmap": lambda s, x, a: oracle_network_stacked(s.steps(), x, a, s.l2),
        "loop": lambda s, x, a: oracle_network_stacked(s.steps(), x, a, s.l2, vectorize=False),
        "single": lambda s, x, a: [oracle_network(s.steps(member(x, a, k)[1]), x[k], s.l2)
                                   for k in range(K)],
        "manual": lambda s, x, a: [LayerNetwork(s.steps(member(x, a, k)[1]), s.l2)
                                   .gradients(x[k]) for k in range(K)],
    }
    for s, x, a in fams:  # each shape once before timing: vmap's first call per shape
        ways["vmap"](s, x, a)
    times = {w: [] for w in ways}
    for _ in range(rounds):
        for w, fn in ways.items():
            t = time.process_time()
            for s, x, a in fams:
                fn(s, x, a)
            times[w].append((time.process_time() - t) / (n_families * K) * 1e6)
    return {w: float(np.median(v)) for w, v in times.items()}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description="check --arch throughput and the stacked oracle")
    p.add_argument("--cases", type=int, default=10000, help="networks per architecture")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores shared)")
    result = {}
    for arch in ARCHS:
        tp = throughput(arch, args.cases)
        goal = " (goal >= 1,000)" if arch in ("cnn", "rnn") else ""
        print(f"check --arch {arch} --cases {tp['cases']}: {tp['cases_per_second']:,.0f} "
              f"networks/s{goal}, {tp['failures']} failures, whole command {tp['wall_s']:.1f} s "
              f"using {tp['cpu_s']:.1f} CPU s (torch import included): "
              f"{2 * tp['cases'] / tp['cpu_s']:,.0f} networks/s on 2 idle cores")
        result[arch] = tp
    default = throughput(None, 0)
    print(f"default check: the layer part ({default['cases']} networks) takes "
          f"{default['seconds']:.1f} s of a {default['wall_s']:.1f} s command")
    for arch in ARCHS:
        c = oracle_cost(arch, args.rounds)
        print(f"{arch} per network (CPU us, median of {args.rounds}): oracle vmap "
              f"{c['vmap']:.0f}, loop {c['loop']:.0f}, single {c['single']:.0f}; "
              f"manual {c['manual']:.0f}; single/vmap {c['single'] / c['vmap']:.1f}x")
        result[arch].update({f"{k}_us": v for k, v in c.items()})
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return result


if __name__ == "__main__":
    main()
