"""Batch norm's backward: manual's hand-written one against torch's, one thread.

Measured interleaved in one run (`interleave.py`: round-robin, median of many rounds,
wall and thread CPU time), for float32 and float64, on the 1-D form x (4096, 512) and
the spatial form x (64, 32, 32, 32):

- manual:      `batchnorm_backward` / `spatial_batchnorm_backward` (the compact closed
               form, BN2), given the cache of one train-mode forward
- manual_alt:  `batchnorm_backward_alt`, the staged computational graph (same cache)
- torch:       autograd of `F.batch_norm(x, None, None, γ, β, training=True)`: the
               gradient of x, γ and β through the same graph, kept between rounds

Prints manual/torch (goal ≤ 1.5) and manual_alt/torch.
Run: OMP_NUM_THREADS=1 python benchmarks/bench_batchnorm.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from interleave import interleaved  # noqa: E402

from manual.layers import norm  # noqa: E402

SHAPES = {"batchnorm": (4096, 512), "spatial_batchnorm": (64, 32, 32, 32)}


def make(layer: str, dtype, seed: int = 0) -> dict:
    """The three backwards on one layer's arrays, each a no-argument function."""
    rng = np.random.default_rng(seed)
    shape = SHAPES[layer]
    x = rng.normal(1.0, 2.0, shape).astype(dtype)
    gamma, beta = (rng.standard_normal(shape[1]).astype(dtype) for _ in range(2))
    dout = rng.standard_normal(shape).astype(dtype)
    forward = norm.batchnorm_forward if layer == "batchnorm" else norm.spatial_batchnorm_forward
    backward = norm.batchnorm_backward if layer == "batchnorm" else \
        norm.spatial_batchnorm_backward
    _, cache = forward(x, gamma, beta, {"mode": "train"})
    tx, tg, tb = (torch.from_numpy(a.copy()).requires_grad_() for a in (x, gamma, beta))
    out = F.batch_norm(tx, None, None, tg, tb, training=True)
    tdout = torch.from_numpy(dout)
    return {"manual": lambda: backward(dout, cache),
            "manual_alt": lambda: norm.batchnorm_backward_alt(dout, cache),
            "torch": lambda: torch.autograd.grad(out, (tx, tg, tb), tdout, retain_graph=True)}


def measure(rounds: int) -> list[dict]:
    """One row per layer, dtype and clock (wall, cpu): medians (ms) and ratios."""
    torch.set_num_threads(1)
    rows = []
    for layer in SHAPES:
        for dtype in (np.float32, np.float64):
            times = interleaved(make(layer, dtype), rounds)
            for clock in ("wall", "cpu"):
                med = {k: v[clock] for k, v in times.items()}
                rows.append({"layer": layer, "shape": SHAPES[layer],
                             "dtype": np.dtype(dtype).name, "clock": clock, **med,
                             "manual/torch": med["manual"] / med["torch"],
                             "manual_alt/torch": med["manual_alt"] / med["torch"]})
    return rows


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=40)
    args = p.parse_args(argv)
    load = os.getloadavg()[0]
    rows = measure(args.rounds)
    print(f"batch norm backward, 1 thread, median of {args.rounds} interleaved rounds (ms); "
          f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after (2 cores)")
    print(f"{'layer':<18} {'shape':<17} {'dtype':<8} {'clock':<5} {'manual':>8} {'alt':>8} "
          f"{'torch':>8} {'manual/torch':>13} {'alt/torch':>10}")
    for r in rows:
        print(f"{r['layer']:<18} {str(r['shape']):<17} {r['dtype']:<8} {r['clock']:<5} "
              f"{r['manual']:>8.2f} {r['manual_alt']:>8.2f} {r['torch']:>8.2f} "
              f"{r['manual/torch']:>13.2f} {r['manual_alt/torch']:>10.2f}")
    return rows


if __name__ == "__main__":
    main()
