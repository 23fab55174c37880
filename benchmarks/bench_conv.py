"""The hand-written convolution backward against torch's, one thread.

The layer of issue #16: x (64, 16, 32, 32), 32 filters 3×3, stride 1, pad 1.
Measured interleaved in one run (round-robin, median of many rounds), float32 and
float64:

- manual:  manual.layers.conv_backward(dout, cache), the cache from conv_forward
           (it holds the forward's im2col columns, as CS231n's fast layer does)
- torch:   the backward of F.conv2d on the same arrays by autograd (dx, dw, db),
           torch's CPU convolution (oneDNN for float32, its im2col for float64)
- floor:   the two matrix products the manual backward cannot avoid (BP4's
           cols[n] · δ[n]ᵀ and stride 1's BP2 product w3 · δ3, see
           `manual.layers.conv._dx_correlation`), NumPy's BLAS alone
- manual f+b, torch f+b: forward and backward together (the columns the manual
           backward reuses are built by its forward)

Prints manual/torch for the backward (goal ≤ 2), manual/floor (what the shifted
copies and adds add to the products) and floor/torch (how far NumPy's BLAS alone is from
torch's whole backward: a bound on manual/torch), and f+b manual/torch.
Run: OMP_NUM_THREADS=1 python benchmarks/bench_conv.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from interleave import interleaved  # noqa: E402

from manual.layers.conv import BLOCK_BYTES, conv_backward, conv_forward  # noqa: E402

X_SHAPE, W_SHAPE, CONV_PARAM = (64, 16, 32, 32), (32, 16, 3, 3), {"stride": 1, "pad": 1}


def make(dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(X_SHAPE).astype(dtype)
    w = (rng.standard_normal(W_SHAPE) / np.sqrt(np.prod(W_SHAPE[1:]))).astype(dtype)
    b = rng.standard_normal(W_SHAPE[0]).astype(dtype)
    out, cache = conv_forward(x, w, b, CONV_PARAM)
    dout = rng.standard_normal(out.shape).astype(dtype)
    return x, w, b, dout, cache


def torch_fns(x, w, b, dout):
    tx, tw, tb = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
    tdout = torch.from_numpy(dout)
    s, p = CONV_PARAM["stride"], CONV_PARAM["pad"]
    out = torch.nn.functional.conv2d(tx, tw, tb, stride=s, padding=p)

    def backward():
        return torch.autograd.grad(out, (tx, tw, tb), tdout, retain_graph=True)

    def both():
        y = torch.nn.functional.conv2d(tx, tw, tb, stride=s, padding=p)
        return torch.autograd.grad(y, (tx, tw, tb), tdout)

    return backward, both


def floor_fn(w, dout, cache):
    """The backward's two products alone, on arrays shaped and blocked as it has them:
    BP4's cols[n] · δ[n]ᵀ, and stride 1's BP2 product w3 · δ3 (blocks of the size
    `_dx_correlation` takes, filled once)."""
    cols = cache[-1]
    N, F, Ho, Wo = dout.shape
    _, C, kh, kw = w.shape
    delta = dout.reshape(N, F, -1)
    L = (Ho + kh - 1) * (Wo + kw - 1)
    w3 = np.ascontiguousarray(w.transpose(3, 1, 2, 0)).reshape(kw * C, kh * F)
    per_example = (kh * F + kw * C + C) * L * w.itemsize
    k = max(1, min(N, BLOCK_BYTES // per_example))
    d3 = np.random.default_rng(1).standard_normal((k, kh * F, L)).astype(w.dtype)
    y = np.empty((k, kw * C, L), w.dtype)

    def two():
        np.matmul(cols, delta.transpose(0, 2, 1))
        for _ in range(0, N, k):
            np.matmul(w3, d3, out=y)

    return two


def agree(x, w, b, dout, cache) -> float:
    """The largest difference of the two backwards, relative to each gradient's scale
    (a sanity check that both compute the same thing)."""
    backward, _ = torch_fns(x, w, b, dout)
    return max(float(np.abs(m - t.numpy()).max() / max(1.0, np.abs(t.numpy()).max()))
               for m, t in zip(conv_backward(dout, cache), backward()))


def measure(rounds: int, dtypes) -> list[dict]:
    """One row per dtype and clock (wall, cpu): the medians (ms) and their ratios."""
    torch.set_num_threads(1)
    rows = []
    for dtype in dtypes:
        x, w, b, dout, cache = make(dtype)
        fns = {"manual": lambda dout=dout, cache=cache: conv_backward(dout, cache),
               "torch": torch_fns(x, w, b, dout)[0], "floor": floor_fn(w, dout, cache),
               "manual f+b": lambda x=x, w=w, b=b, dout=dout: conv_backward(
                   dout, conv_forward(x, w, b, CONV_PARAM)[1]),
               "torch f+b": torch_fns(x, w, b, dout)[1]}
        times = interleaved(fns, rounds)
        diff = agree(x, w, b, dout, cache)
        for clock in ("wall", "cpu"):
            med = {k: v[clock] for k, v in times.items()}
            rows.append({"dtype": np.dtype(dtype).name, "clock": clock, **med,
                         "manual/torch": med["manual"] / med["torch"],
                         "manual/floor": med["manual"] / med["floor"],
                         "floor/torch": med["floor"] / med["torch"],
                         "f+b manual/torch": med["manual f+b"] / med["torch f+b"],
                         "max rel diff": diff})
    return rows


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--dtype", choices=["float32", "float64", "both"], default="both")
    args = p.parse_args(argv)
    dtypes = ["float32", "float64"] if args.dtype == "both" else [args.dtype]
    load = os.getloadavg()[0]
    rows = measure(args.rounds, dtypes)
    print(f"conv backward, x {X_SHAPE}, w {W_SHAPE}, stride 1, pad 1, 1 thread, "
          f"median of {args.rounds} interleaved rounds (ms); load average "
          f"{load:.2f} before, {os.getloadavg()[0]:.2f} after (2 cores)")
    print(f"{'dtype':<8} {'clock':<5} {'manual':>8} {'torch':>8} {'floor':>8} "
          f"{'manual/torch':>13} {'manual/floor':>13} {'floor/torch':>12} {'manual f+b':>11} "
          f"{'torch f+b':>10} {'f+b ratio':>10} {'max rel diff':>13}")
    for r in rows:
        print(f"{r['dtype']:<8} {r['clock']:<5} {r['manual']:>8.2f} {r['torch']:>8.2f} "
              f"{r['floor']:>8.2f} {r['manual/torch']:>13.2f} {r['manual/floor']:>13.2f} "
              f"{r['floor/torch']:>12.2f} {r['manual f+b']:>11.2f} {r['torch f+b']:>10.2f} "
              f"{r['f+b manual/torch']:>10.2f} {r['max rel diff']:>13.1e}")
    return rows


if __name__ == "__main__":
    main()
