"""Run every benchmark in turn (the figures of docs/benchmarks.md).

    python benchmarks/run_all.py            # all
    python benchmarks/run_all.py step check  # some
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

BENCHMARKS = ["bench_step", "bench_check", "bench_check_impl", "bench_first_call",
              "bench_matrix",
              "bench_agreement", "bench_real_agreement", "bench_grade", "bench_hostile_memory",
              "bench_derive",
              "bench_conv", "bench_batchnorm", "bench_layer_check", "bench_layer_agreement"]
ARGS = {"bench_matrix": ["--suite"]}   # the whole suite too: the README's test command


def main() -> None:
    wanted = sys.argv[1:]
    for name in BENCHMARKS:
        if wanted and name.removeprefix("bench_") not in wanted:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        print(f"== {name}")
        module.main(ARGS.get(name, []))


if __name__ == "__main__":
    main()
