"""One backprop step of `manual` on 784-256-256-10, batch 256, one thread.

Measured interleaved in one run (round-robin, median of many rounds), for
float32 and float64 and both layouts:

- manual:  Network.backprop (forward + BP1..BP4), relu-relu-softmax, cross-entropy
- torch:   the same network, torch CPU autograd (forward, loss, backward)
- floor:   the eight bare matrix products a step cannot avoid (3 forward,
           BP2 twice, BP4 three times) on the same arrays, in NumPy

Prints manual/torch (goal ≤ 0.8) and manual/floor (goal ≤ 1.3), and
floor/torch: how far below torch the eight products alone already are (NumPy's
OpenBLAS against torch's MKL on this machine), the bound on manual/torch.
Run: OMP_NUM_THREADS=1 python benchmarks/bench_step.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")


import numpy as np  # noqa: E402
import torch  # noqa: E402
from interleave import interleaved  # noqa: E402

from manual import Network  # noqa: E402

SIZES = [784, 256, 256, 10]
M = 256


def make(dtype, layout, seed=0):
    net = Network.init(SIZES, ["relu", "relu", "softmax"], loss="cross_entropy", layout=layout,
                       seed=seed, init="he", dtype=dtype)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((SIZES[0], M)).astype(dtype)
    Y = np.eye(SIZES[-1], dtype=dtype)[:, rng.integers(0, SIZES[-1], M)]
    if layout == "rows":
        X, Y = np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T)
    return net, X, Y


def torch_step_fn(net, X, Y):
    cols = net.layout == "columns"
    ws = [torch.from_numpy(w.copy()).requires_grad_() for w in net.weights]
    bs = [torch.from_numpy(b.copy()).requires_grad_() for b in net.biases]
    tX, tY = torch.from_numpy(X), torch.from_numpy(Y)
    dim = 0 if cols else 1

    def step():
        a = tX
        for i, (w, b) in enumerate(zip(ws, bs)):
            z = torch.addmm(b, w, a) if cols else torch.addmm(b, a, w)
            a = torch.relu(z) if i < 2 else z
        cost = -(tY * torch.log_softmax(a, dim=dim)).sum(dim=dim).mean()
        for p in ws + bs:
            p.grad = None
        cost.backward()

    return step


def floor_fn(net, X, Y):
    """The eight products, on arrays shaped as the step has them."""
    W1, W2, W3 = net.weights
    net.forward(X)
    a1, a2 = net.activations[1], net.activations[2]
    d3 = np.ascontiguousarray(net.activations[3])
    d2, d1 = a2.copy(), a1.copy()
    if net.layout == "columns":
        products = [(W1, X), (W2, a1), (W3, a2),            # forward
                    (W3.T, d3), (W2.T, d2),                 # BP2
                    (d3, a2.T), (d2, a1.T), (d1, X.T)]      # BP4
    else:
        products = [(X, W1), (a1, W2), (a2, W3),
                    (d3, W3.T), (d2, W2.T),
                    (a2.T, d3), (a1.T, d2), (X.T, d1)]

    def eight():
        for p, q in products:
            p @ q

    return eight


def measure(rounds: int) -> list[dict]:
    torch.set_num_threads(1)
    rows = []
    for dtype in (np.float32, np.float64):
        for layout in ("columns", "rows"):
            net, X, Y = make(dtype, layout)
            fns = {"manual": lambda net=net, X=X, Y=Y: net.backprop(X, Y),
                   "torch": torch_step_fn(net, X, Y),
                   "floor": floor_fn(net, X, Y)}
            med = {k: v["wall"] for k, v in interleaved(fns, rounds).items()}
            rows.append({"dtype": np.dtype(dtype).name, "layout": layout, **med,
                         "manual/torch": med["manual"] / med["torch"],
                         "manual/floor": med["manual"] / med["floor"],
                         "floor/torch": med["floor"] / med["torch"]})
    return rows


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=60)
    args = p.parse_args(argv)
    rows = measure(args.rounds)
    print(f"backprop step, {'-'.join(map(str, SIZES))}, batch {M}, 1 thread, "
          f"median of {args.rounds} interleaved rounds (ms)")
    print(f"{'dtype':<8} {'layout':<8} {'manual':>8} {'torch':>8} {'floor':>8} "
          f"{'manual/torch':>13} {'manual/floor':>13} {'floor/torch':>12}")
    for r in rows:
        print(f"{r['dtype']:<8} {r['layout']:<8} {r['manual']:>8.2f} {r['torch']:>8.2f} "
              f"{r['floor']:>8.2f} {r['manual/torch']:>13.2f} {r['manual/floor']:>13.2f} "
              f"{r['floor/torch']:>12.2f}")
    return rows


if __name__ == "__main__":
    main()
