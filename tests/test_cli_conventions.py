"""The command line's conventions, for every subcommand at once: one error prefix,
every option described with its default, a description for every subcommand, and
"did you mean" for a mistyped subcommand, option or name."""

import argparse

import pytest

from reference.cli import Parser, build_parser


def _parsers(parser: argparse.ArgumentParser):
    """Every (sub)parser under `parser`, itself included."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from _parsers(sub)


ALL = list(_parsers(build_parser()))


def test_every_subcommand_is_found():
    progs = {p.prog for p in ALL}
    assert {"backprop-oracle check", "backprop-oracle derive activation",
            "backprop-oracle grade", "backprop-oracle gradescope-bundle"} <= progs


@pytest.mark.parametrize("parser", ALL, ids=lambda p: p.prog)
def test_every_option_is_described_with_its_default(parser):
    """--layouts, --dtypes and --format had no help; --cases did not show its default;
    gradescope-bundle --help had no description."""
    assert parser.description, f"{parser.prog} has no description"
    formatter = parser._get_formatter()
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction,
                               argparse._SubParsersAction)):
            continue
        assert action.help, f"{parser.prog} {action.option_strings or action.dest}: no help"
        default = action.default
        if action.option_strings and default not in (None, [], argparse.SUPPRESS) \
                and not isinstance(default, bool):
            text = formatter._get_help_string(action) % {"default": default}
            assert "default" in text, f"{parser.prog} {action.option_strings}: no default"


@pytest.mark.parametrize("argv, start", [
    (["check", "--cases", "0"], "backprop-oracle check: error: argument --cases"),
    (["check", "--seeed", "3"], "backprop-oracle check: error: unrecognized arguments"),
    (["check", "--activations", "tanh", "--losses", "bce"], "backprop-oracle check: error: "),
    (["derive", "activation", "--forward", "z("], "backprop-oracle derive: error: "),
    (["derive", "loss", "--loss", "a(", "--gradient", "1"], "backprop-oracle derive: error: "),
    (["grade", "nowhere.py", "--style", "ng"], "backprop-oracle grade: error: "),
    (["grade", "x.py", "--style", "ngg"], "backprop-oracle grade: error: "),
])
def test_one_error_prefix_for_every_subcommand(cli, argv, start):
    """Three prefixes were in use: 'backprop-oracle: error:' (bad input),
    'backprop-oracle check: error:' (usage) and 'backprop-oracle derive activation:
    error:'."""
    r = cli(*argv)
    assert r.returncode == 2
    [line] = r.stderr.strip().splitlines()
    assert line.startswith(start), line


@pytest.mark.parametrize("argv, hint", [
    (["chek"], "did you mean 'check'?"),
    (["derive", "activaton"], "did you mean 'activation'?"),
    (["check", "--seeed", "3"], "did you mean '--seed'?"),
    (["check", "--format", "jsn"], "did you mean 'json'?"),
    (["check", "--activations", "tahn"], "did you mean 'tanh'?"),
    (["derive", "activation", "--forwrd", "z", "--derivative", "1"], "did you mean '--forward'?"),
    (["grade", "x.py", "--stlye", "ng"], "did you mean '--style'?"),
])
def test_did_you_mean(cli, argv, hint):
    r = cli(*argv)
    assert r.returncode == 2 and r.stderr.strip().endswith(hint), r.stderr


def test_no_suggestion_when_nothing_is_close(cli):
    r = cli("--bogus")
    assert r.returncode == 2 and "did you mean" not in r.stderr


def test_the_parser_class_is_used_by_every_subparser():
    assert all(isinstance(p, Parser) for p in ALL)
