"""The command line: `backprop-oracle SUBCOMMAND ...` (also `python -m reference`).

Exit codes (a contract, DESIGN.md): 0 everything agreed or passed, 1 a mismatch
or failure was found, 2 bad usage or bad input (one line on stderr, no traceback).

Each subcommand lives in its own module exposing `add_parser(subparsers)`,
which registers the subcommand and sets `func(args) -> exit code`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from manual.errors import InputError

SUBCOMMANDS = {                  # module: the subcommands it registers
    "reference.check_cli": ("check",),
    "reference.derive.cli": ("derive",),
    "reference.grade.cli": ("grade", "gradescope-bundle"),
}


class UsageError(Exception):
    """Bad usage detected by the parser."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{self.prog}: error: {message}")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("backprop-oracle")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def build_parser(command: str | None = None) -> Parser:
    """The parser; given the command about to run, only its module is imported (some
    import torch, which takes seconds: `grade` starts its sandboxes before that)."""
    parser = Parser(prog="backprop-oracle",
                    description="NumPy backprop checked against torch autograd.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    known = any(command in commands for commands in SUBCOMMANDS.values())
    for name, commands in SUBCOMMANDS.items():
        if known and command not in commands:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not (exc.name and name.startswith(exc.name)):
                raise  # a real missing dependency, not an absent subcommand
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        args = build_parser(argv[0] if argv else None).parse_args(argv)
        return int(args.func(args))
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except InputError as exc:
        print(f"backprop-oracle: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("backprop-oracle: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def entry() -> None:
    sys.exit(main())
