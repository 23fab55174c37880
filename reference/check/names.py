"""Names given on the command line as comma-separated lists (`--losses`, `--layer`,
`--arch`): one argparse type for all, and the check that a name is known."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection

from manual.errors import InputError, did_you_mean

__all__ = ["name_list", "check_names"]


def name_list(known: Collection | Callable[[], Collection] | None, what: str,
              every: str | None = None):
    """An argparse type: comma-separated names of `known` (a collection, or a callable
    giving it when the option is parsed, so registrations made before count; None: checked
    later by `check_names`, once the run's custom entries are registered); `every`
    ('all') stands for all of them."""
    def parse(text: str) -> list[str]:
        names = list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
        if not names:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list of {what} names, "
                                             f"got {text!r}")
        names_known = known() if callable(known) else known
        if every is not None and names == [every]:
            return list(names_known)
        if names_known is not None:
            check_names(names, names_known, what, argparse.ArgumentTypeError)
        return names
    return parse


def check_names(names, known, what: str, error=InputError, option: str = "") -> None:
    """Every name is in `known` (a registry), else `error` with the known names and the
    closest one."""
    for n in names or ():
        if n not in known:
            known_list = ", ".join(sorted(known))
            raise error(f"{option}unknown {what} {n!r} (known: {known_list})"
                        f"{did_you_mean(n, known)}")
