"""Shared test fixtures. The oracle's options (--oracle-seed, --oracle-cases,
--oracle-shard, --oracle-activation) come from the plugin `reference.pytest_plugin`,
registered through the `pytest11` entry point, so they work in any project."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """`-n N` without `--dist` distributes by work stealing: the grader's tests wait on
    student processes, and under xdist's default ("load") they pile up on one worker
    while the other idles at the end (measured: 86 s against 76 s)."""
    if getattr(config.option, "numprocesses", None) and config.option.dist == "no":
        config.option.dist = "worksteal"


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    """One torch thread per xdist worker: with 2 cores, more only contend."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture
def helpers_answered_here():
    """The probes' helper proxies answered in this process by the grader's kit, as the
    parent answers the student's process (`tests.grading.answered_here`)."""
    from tests.grading import answered_here

    with answered_here():
        yield


@pytest.fixture
def cli(monkeypatch):
    """Run `backprop-oracle ARGS` in this process: `reference.cli.main(argv)` with stdout and
    stderr captured; returns a CompletedProcess. One process per call would spend ~2 s of
    CPU importing torch each time; the entry points themselves (console script, `python -m
    reference`, exit status, no traceback) are run as real processes by `cli_process`."""
    from manual.activations import ACTIVATIONS
    from manual.losses import LOSSES
    from reference.cli import main

    def run(*args: str, cwd=None, timeout: float | None = None) -> subprocess.CompletedProcess:
        out, err = io.StringIO(), io.StringIO()
        registries = [(r, dict(r)) for r in (ACTIVATIONS, LOSSES)]
        with monkeypatch.context() as m:
            if cwd is not None:
                m.chdir(cwd)
            try:
                with redirect_stdout(out), redirect_stderr(err):
                    code = main(list(args))
            finally:  # a command must not leave entries behind in the registries
                for registry, saved in registries:
                    registry.clear()
                    registry.update(saved)
        return subprocess.CompletedProcess(["backprop-oracle", *args], code, out.getvalue(),
                                           err.getvalue())

    return run


@pytest.fixture
def cli_process():
    """Run `python -m reference ARGS` (or, with script=True, the `backprop-oracle` console
    script) in a real process; returns CompletedProcess."""

    def run(*args: str, script: bool = False, timeout: float = 120,
            **kwargs) -> subprocess.CompletedProcess:
        command = ([str(Path(sys.executable).with_name("backprop-oracle"))] if script
                   else [sys.executable, "-m", "reference"])
        return subprocess.run([*command, *args], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL, **kwargs)

    return run
