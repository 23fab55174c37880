"""The command line: `backprop-oracle SUBCOMMAND ...` (also `python -m reference`).

Exit codes (a contract, docs/DESIGN.md): 0 everything agreed or passed, 1 a mismatch
or failure was found, 2 bad usage or bad input (one line on stderr, no traceback).

Conventions every subcommand gets from here: one error prefix,
`backprop-oracle SUBCOMMAND: error:` (usage errors and InputError alike); every
option's default in --help; "did you mean" for a mistyped subcommand, option or
choice (argparse has `suggest_on_error` only from Python 3.14).

Each subcommand lives in its own module exposing `add_parser(subparsers)`,
which registers the subcommand and sets `func(args) -> exit code`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from importlib.metadata import PackageNotFoundError, version

from manual.errors import InputError, did_you_mean

__all__ = ["UsageError", "Parser", "prefix", "did_you_mean", "build_parser", "main", "entry"]

SUBCOMMANDS = {                  # module: the subcommands it registers
    "reference.check.cli": ("check",),
    "reference.derive.cli": ("derive",),
    "reference.grade.cli": ("grade", "gradescope-bundle"),
}


class UsageError(Exception):
    """Bad usage detected by the parser."""


class DefaultsFormatter(argparse.HelpFormatter):
    """Appends "(default X)" to an option's help unless it already names its default
    (or the option is a flag, or has no default)."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if (not action.option_strings or "default" in text or default is None
                or default is argparse.SUPPRESS or isinstance(default, bool) or default == []):
            return text
        shown = ",".join(map(str, default)) if isinstance(default, (list, tuple)) else default
        return f"{text} (default {shown})".strip()


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (prefixed `backprop-oracle SUBCOMMAND:
    error:`) with a "did you mean" when a name is close to a known one, and exit code 2."""

    def __init__(self, *args, **kwargs):
        given = kwargs.get("formatter_class") or argparse.HelpFormatter
        if not issubclass(given, DefaultsFormatter):  # e.g. RawDescriptionHelpFormatter
            kwargs["formatter_class"] = type(f"Defaults{given.__name__}",
                                             (DefaultsFormatter, given), {})
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{prefix(self.prog)}: error: {message}{self._suggestion(message)}")

    def _suggestion(self, message: str) -> str:
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            known = re.findall(r"'([^']*)'", choice.group(2)) or choice.group(2).split(", ")
            return did_you_mean(choice.group(1), known)
        unknown = re.search(r"unrecognized arguments: (.*)", message)
        if unknown:
            options = self._all_options()
            for word in unknown.group(1).split():
                if word.startswith("--"):
                    hint = did_you_mean(word.split("=", 1)[0], options)
                    if hint:
                        return hint
        return ""

    def _all_options(self) -> list[str]:
        """The option strings of this parser and of every subparser under it."""
        found = []
        for action in self._actions:
            found += [o for o in action.option_strings if o.startswith("--")]
            choices = getattr(action, "choices", None)
            for sub in (choices.values() if isinstance(choices, dict) else ()):
                if isinstance(sub, Parser):
                    found += sub._all_options()
        return found


def prefix(prog: str) -> str:
    """'backprop-oracle derive activation' -> 'backprop-oracle derive' (the subcommand)."""
    return " ".join(prog.split()[:2])


def _version() -> str:
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


def _usage_message(message: str, argv: list[str], parser: Parser) -> str:
    """The subcommand's prefix also on errors the top-level parser reports (unrecognized
    arguments), and a "did you mean" for a mistyped option even when argparse stopped at
    another problem first (a required option that the typo was meant to give)."""
    command = argv[0] if argv and not argv[0].startswith("-") else ""
    top = "backprop-oracle: error:"
    if command and message.startswith(top) and "invalid choice" not in message:
        message = f"backprop-oracle {command}: error:{message[len(top):]}"
    if "did you mean" not in message and parser is not None:
        options = _options_of(parser, command)
        for word in argv:
            name = word.split("=", 1)[0]
            if name.startswith("--") and not any(o.startswith(name) for o in options):
                hint = did_you_mean(name, options)
                if hint:
                    return f"{message}{hint}"
    return message


def _options_of(parser: Parser, command: str) -> list[str]:
    """The options a word of this command line may have meant: the subcommand's (and
    those of its own subcommands), or the top level's."""
    for action in parser._actions:
        choices = getattr(action, "choices", None)
        if isinstance(choices, dict) and command in choices:
            return choices[command]._all_options()
    return [o for a in parser._actions for o in a.option_strings if o.startswith("--")]


def main(argv: list[str] | None = None) -> int:
    parser = None
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser(argv[0] if argv else None)
        args = parser.parse_args(argv)
        return int(args.func(args))
    except UsageError as exc:
        print(_usage_message(str(exc), argv, parser), file=sys.stderr)
        return 2
    except InputError as exc:
        command = argv[0] if argv and not argv[0].startswith("-") else ""
        print(f"{prefix(f'backprop-oracle {command}'.strip())}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("backprop-oracle: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def entry() -> None:
    """The console script and `python -m reference`: main(), then the exit status without
    the interpreter's teardown, which with torch loaded takes about 0.4 s (measured: import
    torch then exit 1.45 s, then os._exit 1.06 s); everything is written and closed by
    then, so only the flushes of the standard streams are left to do."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe: nothing more can be said there
            pass
    os._exit(code if isinstance(code, int) else 1)
