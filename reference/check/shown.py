"""`--max-failures N|all`: how many failures `check` lists in full, for every matrix it
runs (the dense one, `--layer`, `--arch mlp,cnn,rnn`): the text's FAIL lines (default
SHOWN_FAILURES) and the JSON's failures_detail (default KEEP). The text always ends
with its table of every failure, whatever N is."""

from __future__ import annotations

__all__ = ["SHOWN_FAILURES", "KEEP", "shown_failures", "kept_failures"]

SHOWN_FAILURES = 20   # FAIL lines in the text by default
KEEP = 100            # failures_detail in the JSON by default


def shown_failures(args) -> int | None:
    """The text's FAIL lines: --max-failures (all: None), else SHOWN_FAILURES."""
    return {None: SHOWN_FAILURES, "all": None}.get(args.max_failures, args.max_failures)


def kept_failures(args) -> int | None:
    """The JSON's failures_detail: --max-failures (all: None), else KEEP."""
    return {None: KEEP, "all": None}.get(args.max_failures, args.max_failures)
