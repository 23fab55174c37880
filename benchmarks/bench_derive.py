"""How fast `derive` answers: a learner should know in about a second.

1. In-process median time of one check of each kind (default 200 points;
   softmax output errors are vectors of 3..5 classes), including a right
   formula that overflows float64 (re-evaluated in extended precision) and a
   wrong one.
2. Wall time of `python -m reference derive ...` in a real process, median of
   a few runs, next to what it cannot avoid: starting Python and importing
   torch. Bad input is refused before torch is imported. The CPU time
   (user + sys) of the child is printed too: on a shared machine it moves
   less than the wall time.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

from reference.derive import check_activation, check_loss_gradient, check_output_error

CLAIMS = {
    "activation swish": lambda: check_activation(
        "z*sigmoid(z)", "sigmoid(z)*(1 + z*(1 - sigmoid(z)))"),
    "activation relu (kinks)": lambda: check_activation("relu(z)", "z > 0"),
    "activation overflow [-800,800]": lambda: check_activation(
        "sigmoid(z)", "exp(-z)/(1 + exp(-z))**2", domain=(-800, 800)),
    "activation wrong": lambda: check_activation("tanh(z)", "1 - z**2"),
    "loss bce": lambda: check_loss_gradient("bce", "(a - y)/(a*(1 - a))"),
    "output-error ce+softmax": lambda: check_output_error("cross_entropy", "softmax", "a - y"),
    "output-error quadratic+sigmoid": lambda: check_output_error(
        "0.5*(a - y)**2", "sigmoid(z)", "(a - y)*a*(1 - a)"),
}

WALLS = {
    "python -c pass": ["-c", "pass"],
    "python -c 'import torch'": ["-c", "import torch"],
    "derive output-error (json)": ["-m", "reference", "derive", "output-error", "--loss",
                                   "quadratic", "--activation", "sigmoid", "--delta", "a - y",
                                   "--format", "json"],
    "derive, bad input (exit 2)": ["-m", "reference", "derive", "activation", "--forward",
                                   "z.real", "--derivative", "1"],
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
        print(f"{name:<34} {1e3 * median_seconds(fn, args.rounds):8.2f} ms")
    for name, cmd in WALLS.items():
        walls, cpus = [], []
        for _ in range(args.cli_rounds):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([sys.executable, *cmd], capture_output=True, check=False)
            walls.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        print(f"{'wall: ' + name:<34} {statistics.median(walls):8.2f} s"
              f"   (cpu {statistics.median(cpus):.2f} s)")


if __name__ == "__main__":
    main()
