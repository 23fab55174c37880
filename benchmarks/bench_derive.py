"""How fast `derive` answers: a learner should know in about a second.

1. In-process median time of one check of each kind (default 200 points;
   softmax output errors are vectors of 3..5 classes).
2. Wall time of `python -m reference derive ...` in a real process (torch
   import included), median of a few runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from reference.derive import check_activation, check_loss_gradient, check_output_error

CLAIMS = {
    "activation swish": lambda: check_activation(
        "z*sigmoid(z)", "sigmoid(z)*(1 + z*(1 - sigmoid(z)))"),
    "activation relu (kinks)": lambda: check_activation("relu(z)", "z > 0"),
    "loss bce": lambda: check_loss_gradient("bce", "(a - y)/(a*(1 - a))"),
    "output-error ce+softmax": lambda: check_output_error("cross_entropy", "softmax", "a - y"),
    "output-error quadratic+sigmoid": lambda: check_output_error(
        "0.5*(a - y)**2", "sigmoid(z)", "(a - y)*a*(1 - a)"),
}


def median_seconds(fn, rounds: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--cli-rounds", type=int, default=3)
    args = p.parse_args(argv)
    for name, fn in CLAIMS.items():
        print(f"{name:<32} {1e3 * median_seconds(fn, args.rounds):8.2f} ms")
    cmd = [sys.executable, "-m", "reference", "derive", "output-error", "--loss", "quadratic",
           "--activation", "sigmoid", "--delta", "a - y", "--format", "json"]
    walls = []
    for _ in range(args.cli_rounds):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        walls.append(time.perf_counter() - t)
    print(f"{'CLI wall time (torch import incl.)':<32} {statistics.median(walls):8.2f} s")


if __name__ == "__main__":
    main()
