"""Side-by-side timing shared by the layer benchmarks: the functions run round-robin
(one call of each per round, after two warm-up calls each), so that a change of the
machine's load falls on all of them alike, and each call is timed twice:

- wall: `time.perf_counter`, what a user waits;
- cpu:  `time.thread_time`, the CPU time of the calling thread (NumPy's BLAS and torch
        run in it with one thread), which leaves out the time the thread waited for a
        core another process held. On a shared machine the wall time is the machine's
        (a longer call is preempted more often, and finds its caches cold after), the
        CPU time is closer to the code's own cost; both are reported.

Medians over the rounds, in milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import numpy as np

__all__ = ["interleaved"]


def interleaved(fns: Mapping[str, Callable[[], object]], rounds: int) -> dict[str, dict]:
    """{name: {"wall": median ms, "cpu": median ms}} of `rounds` round-robin calls."""
    for f in fns.values():
        f()
        f()
    wall: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for k, f in fns.items():
            t, c = time.perf_counter(), time.thread_time()
            f()
            cpu[k].append(time.thread_time() - c)
            wall[k].append(time.perf_counter() - t)
    return {k: {"wall": float(np.median(wall[k])) * 1e3, "cpu": float(np.median(cpu[k])) * 1e3}
            for k in fns}
