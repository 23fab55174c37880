"""Shared test fixtures. The oracle's options (--oracle-seed, --oracle-cases,
--oracle-shard, --oracle-activation) come from the plugin `reference.pytest_plugin`,
registered through the `pytest11` entry point, so they work in any project."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    """One torch thread per xdist worker: with 2 cores, more only contend."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture
def cli():
    """Run `python -m reference ARGS` in a real process; returns CompletedProcess."""

    def run(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "reference", *args], capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL, **kwargs)

    return run
