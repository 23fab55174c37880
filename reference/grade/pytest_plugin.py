"""pytest plugin mode: the graded functions of a submission as test items.

    pytest --oracle-submission FILE --oracle-style ng -n auto --junitxml r.xml

Wired from `reference.pytest_plugin` (the project's pytest11 entry point):
`pytest_addoption` calls `add_options(group)` and `pytest_collection_modifyitems`
calls `modify_items(session, config, items)`. With --oracle-submission, the
collected items are replaced by one `GradeItem` per graded function (named
exactly like the function), each graded with the same sandbox as the CLI;
the case seed is --oracle-seed. Item ids depend only on the style, so every
xdist worker collects the same ones.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from manual.errors import InputError

from .options import GradeOptions, Limits
from .styles import STYLES, get_style, resolve_style

__all__ = ["add_options", "collect", "grade_options", "modify_items"]


def add_options(group) -> None:
    group.addoption("--oracle-submission", default=None, metavar="FILE",
                    help="grade this student submission (.py/.ipynb): one test per function")
    group.addoption("--oracle-style", default=None, choices=sorted(STYLES),
                    help="the submission's textbook style")
    group.addoption("--oracle-grade-cases", type=int, default=None, metavar="N",
                    help="cases per graded function (default 4)")
    group.addoption("--oracle-timeout", type=float, default=10.0, metavar="SECONDS",
                    help="timeout per graded function (default 10)")
    group.addoption("--oracle-memory-mb", type=int, default=2048, metavar="MB",
                    help="memory limit of the student process (default 2048)")
    group.addoption("--oracle-allow-autograd", action="store_true",
                    help="allow the submission to import torch, jax, tensorflow, autograd")


class GradeFailure(Exception):
    """A graded function failed: the message is the diagnosis."""


class GradeItem(pytest.Item):
    """One graded function of the submission."""

    def __init__(self, *, function: str, **kwargs):
        super().__init__(**kwargs)
        self.function = function

    def runtest(self) -> None:
        # imported when an item runs, never at collection: this module is imported at every
        # pytest start of the project's own suite, and these cost 80 ms more (-X importtime)
        from .report import function_line
        from .runner import grade_submission

        opt = self.config.getoption
        result = grade_submission(opt("oracle_submission"), opt("oracle_style"),
                                  grade_options(self.config, only=(self.function,)))
        if result.error:
            raise GradeFailure(result.error)
        (fr,) = result.functions
        if fr.status == "supplied":
            pytest.skip(function_line(fr))
        if fr.status in ("failed", "missing"):
            lines = [function_line(fr)]
            if fr.case is not None:
                lines.append(f"smallest failing case: {fr.case.description} "
                             f"(seed {result.seed})")
            if fr.output:
                lines.append("output: " + fr.output[:500])
            raise GradeFailure("\n".join(lines))

    def repr_failure(self, excinfo, style=None):
        if excinfo.errisinstance(GradeFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.config.getoption("oracle_submission"), None, f"grade {self.function}"


def grade_options(config, only: tuple[str, ...] | None = None) -> GradeOptions:
    """The grading options the plugin's command line gives (one student process per item:
    xdist runs the items side by side)."""
    opt = config.getoption
    return GradeOptions(seed=opt("oracle_seed", 0) or 0, cases=opt("oracle_grade_cases"),
                        limits=Limits(opt("oracle_timeout"), opt("oracle_memory_mb")),
                        allow_autograd=opt("oracle_allow_autograd"), parallel=1, only=only)


def collect(session, config) -> list[GradeItem]:
    """One item per graded function of the style."""
    # imported only when grading: 16 ms measured (-X importtime) at every pytest start
    from . import loader

    path, style = config.getoption("oracle_submission"), config.getoption("oracle_style")
    if not style:
        raise pytest.UsageError("--oracle-submission needs --oracle-style "
                                "{" + ",".join(sorted(STYLES)) + "}")
    if not Path(path).is_file():
        raise pytest.UsageError(f"--oracle-submission {path}: no such file")
    try:
        # the style the file is graded with (nielsen hands a chapter 3 file to nielsen2):
        # it depends on the file only, so every xdist worker collects the same items
        functions = resolve_style(get_style(style), loader.load(path))[0].functions
        grade_options(config).validate()
    except InputError as exc:
        raise pytest.UsageError(str(exc).replace("--", "--oracle-", 1)
                                .replace("--oracle-cases", "--oracle-grade-cases")) from None
    # node ids are relative to the rootdir; pytest shows them relative to the cwd
    prefix = f"{os.path.relpath(Path(path).resolve(), config.rootpath)}[{style}]"
    return [GradeItem.from_parent(session, name=f.name, function=f.name,
                                  nodeid=f"{prefix}::{f.name}") for f in functions]


def modify_items(session, config, items) -> None:
    """With --oracle-submission: replace the collected items by the graded functions."""
    if not config.getoption("oracle_submission", None):
        return
    graded = collect(session, config)
    if items:
        config.hook.pytest_deselected(items=list(items))
    items[:] = graded
