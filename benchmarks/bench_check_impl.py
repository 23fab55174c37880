"""Checking someone else's backprop: `check --impl` speed and the pytest plugin's cost,
side by side in one run.

The implementation is tests/thirdparty/tinynet.py (plain NumPy, rows layout, (1, n)
biases, no δ), copied into a temporary directory as a user's module would be.

- `backprop-oracle check --impl tinynet:backprop --cases N`: cases/s (goal ≥ 3,000);
- a five-line pytest file calling `reference.assert_backprop` on 2,600 `oracle_case`s,
  against pytest's own time for 2,600 empty parametrized tests, both at -n 0
  (goal: ratio ≤ 3); the oracle runs in its helper process (the default) and, side
  by side, in the pytest process (`--oracle-in-process`, what it cost before).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTS = "identity,sigmoid,tanh,relu,softmax"
FIVE_LINES = '''import reference
from tinynet import backprop

def test_backprop(oracle_case):
    reference.assert_backprop(backprop, oracle_case, bias_shape="row")
'''
EMPTY = '''import pytest

@pytest.mark.parametrize("i", range({n}))
def test_empty(i):
    pass
'''


def pytest_wall(where: Path, test: str, *extra: str) -> float:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p",
                        "no:cacheprovider", test, *extra], cwd=where, capture_output=True,
                       text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0 or not re.search(r"\d+ passed", r.stdout):
        sys.exit(f"pytest {test} failed:\n{r.stdout[-2000:]}")
    return wall


def check_rate(where: Path, cases: int) -> float:
    r = subprocess.run([sys.executable, "-m", "reference", "check", "--impl", "tinynet:backprop",
                        "--cases", str(cases), "--activations", ACTS, "--layouts", "rows",
                        "--bias-shape", "row", "--format", "json"], cwd=where,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"check --impl failed: {r.stderr or r.stdout[-2000:]}")
    return json.loads(r.stdout)["cases_per_second"]


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=20000, help="cases of check --impl")
    p.add_argument("--tests", type=int, default=2600, help="oracle cases of the pytest run")
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        shutil.copy(ROOT / "tests" / "thirdparty" / "tinynet.py", where / "tinynet.py")
        (where / "test_mine.py").write_text(FIVE_LINES)
        (where / "test_empty.py").write_text(EMPTY.format(n=args.tests))
        rates, plugin, empty, in_process = [], [], [], []
        oracle = ["--oracle-cases", str(args.tests), "--oracle-layouts", "rows",
                  "--oracle-activations", ACTS]
        for _ in range(args.repeat):  # alternating: the machine's load hits all alike
            rates.append(check_rate(where, args.cases))
            empty.append(pytest_wall(where, "test_empty.py"))
            plugin.append(pytest_wall(where, "test_mine.py", *oracle))
            in_process.append(pytest_wall(where, "test_mine.py", *oracle, "--oracle-in-process"))
    ratio = min(plugin) / min(empty)
    seconds = lambda walls: ", ".join(f"{w:.1f}" for w in walls)
    print(f"check --impl, {args.cases} cases: {', '.join(f'{r:,.0f}' for r in rates)} cases/s "
          f"(goal >= 3,000)")
    print(f"pytest -n 0, {args.tests} cases: plugin + assert_backprop {seconds(plugin)} s, "
          f"empty tests {seconds(empty)} s, ratio {ratio:.2f} (goal <= 3)")
    print(f"  the oracle in the pytest process instead of its helper (--oracle-in-process: "
          f"pytest imports torch): {seconds(in_process)} s, ratio "
          f"{min(in_process) / min(empty):.2f}")
    return {"cases_per_second": max(rates), "plugin_ratio": ratio}


if __name__ == "__main__":
    main()
