"""Grading from a test: `grade(path, style, seed=0, timeout=5.0, only=[...])` names only
the options a test sets and builds the one `GradeOptions` (with its `Limits`) the
command line, the plugin or the bundle would build, then grades as they do."""

from __future__ import annotations

import contextlib

from reference.grade.options import GradeOptions, Limits
from reference.grade.results import SubmissionResult
from reference.grade.runner import grade_submission

__all__ = ["grade", "options", "run_autograder", "answered_here"]

LIMITS = ("timeout", "memory_mb", "max_seconds")


def options(**given) -> GradeOptions:
    """GradeOptions from keywords: timeout, memory_mb and max_seconds go to its Limits."""
    limits = Limits(**{k: given.pop(k) for k in LIMITS if k in given})
    if given.get("only") is not None:
        given["only"] = tuple(given["only"])
    if "hide" in given:
        given["hide"] = tuple(given["hide"])
    return GradeOptions(limits=limits, **given)


def grade(path, style: str, *, folder=None, alone: bool = False, pool=None,
          **given) -> SubmissionResult:
    """`grade_submission` with the options given as keywords."""
    return grade_submission(path, style, options(**given), folder=folder, alone=alone,
                            pool=pool)


def run_autograder(script_text: str, root, timeout: float = 180):
    """Run a bundle's run_autograder as Gradescope does, with /autograder mapped to `root`
    (whose submission/ the test filled): the finished process (exit 0 asserted) and the
    results.json it wrote."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(root)
    script = root.parent / "run_autograder"
    script.write_text(script_text.replace("/autograder", str(root)))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    done = subprocess.run(["bash", str(script)], env=env, timeout=timeout, text=True,
                          stdin=subprocess.DEVNULL, capture_output=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done, json.loads((root / "results" / "results.json").read_text())


@contextlib.contextmanager
def answered_here(allowed=None):
    """The probes' helper proxies answered in this process by the grader's kit, as the
    parent answers the student's process (`allowed`: the helper names, default every one),
    for the block only: the channel the test found is put back after (a module that set
    it at import, or a fixture that left it unset, made other modules' tests fail by the
    order xdist ran them)."""
    from reference.grade import kit
    from reference.grade.probes import remote

    names = kit.helpers() if allowed is None else allowed
    before = list(remote._channel)
    remote.connect(lambda name, args, kwargs: remote.raise_for(
        kit.answer(name, list(args), dict(kwargs), names)))
    try:
        yield
    finally:
        remote._channel[:] = before
