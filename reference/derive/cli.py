"""`backprop-oracle derive activation | loss | output-error | hidden-error | regularization`.

    derive activation     --forward EXPR(z) --derivative EXPR(z[, a]) [--domain LO,HI]
    derive loss           --loss NAME|EXPR(a,y) --gradient EXPR(a,y)
                          [--target binary|real|onehot|pm1] [--domain LO,HI]
    derive output-error   --loss NAME|EXPR(a,y) --activation NAME|EXPR(z) --delta EXPR(z,a,y)
                          [--target binary|real|onehot|pm1] [--domain LO,HI]
    derive hidden-error   --activation NAME|EXPR(z) --delta EXPR(z,a,W,delta)   (BP2)
    derive regularization --penalty EXPR(w) --gradient EXPR(w)
    common: [--format text|json] [--points N] [--seed S] [--param NAME=VALUE] [--plot FILE]

Exit code 0: the claim is correct; 1: incorrect; 2: bad input (one line).
A value may start with '-' (``--delta -y/a``, ``--domain -8,8``).
"""

from __future__ import annotations

import argparse
import re

from manual.errors import InputError
from manual.params import defaults

from ..cli import Parser
from ..oracle.expr import FUNCTIONS, MAX_EXPONENT, MAX_LENGTH
from .checks import DEFAULT_POINTS, activation_report, loss_report, output_error_report
from .judge import TOLERANCE_TEXT, Report
from .network_checks import hidden_error_report, regularization_report
from .plot import draw, require
from .sampling import TARGETS

__all__ = ["parse_param", "params_of", "split_params", "add_param_option", "add_parser"]

# a value that starts with a single '-' is a value (an expression or a domain), not an option
_DASH_VALUE = re.compile(r"^-(?!-)(?!h$).")


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


GRAMMAR = (
    "Expressions: the variables z, a, y (w in regularization; W and delta, the next "
    "layer's, in hidden-error); numbers; + - * / ** and unary minus; "
    "> >= < <= (giving 0 or 1); the functions {functions} (sum and mean over the classes; "
    "matmul(M, v) and transpose(M) for W); the constants pi and e. "
    "At most {length} characters, exponents of at most {exponent:g} in size. Claims are "
    "per example (no 1/m). Tolerance: a claim {tolerance}. "
    "Exit code 0: correct, 1: incorrect, 2: bad input."
).format(functions=", ".join(sorted(FUNCTIONS)), length=MAX_LENGTH, exponent=MAX_EXPONENT,
         tolerance=TOLERANCE_TEXT)
LABELS = {"forward": "--forward", "derivative": "--derivative", "loss": "--loss",
          "gradient": "--gradient", "activation": "--activation", "delta": "--delta",
          "penalty": "--penalty"}


def _parser(sub, name: str, help_text: str):
    p = sub.add_parser(name, help=help_text, description=help_text, epilog=GRAMMAR)
    if hasattr(p, "_negative_number_matcher"):
        p._negative_number_matcher = _DASH_VALUE
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: the verdict, the worst point and a table; json: the verdict "
                        "as one object (default text)")
    p.add_argument("--points", type=_int, default=DEFAULT_POINTS,
                   help=f"sample points (default {DEFAULT_POINTS})")
    p.add_argument("--seed", type=_int, default=0, help="sampling seed (default 0)")
    p.add_argument("--domain", default=None, metavar="LO,HI",
                   help="range of z (activation, output-error, hidden-error), of a (loss) "
                        "or of w (regularization) (default: the activation's, [-8, 8] for an "
                        "expression; for a loss by target; [-3, 3] for w)")
    add_param_option(p, "the expressions")
    p.add_argument("--plot", default=None, metavar="FILE.png",
                   help="also draw the claimed and the autograd derivative over the domain, "
                        "the disagreeing points marked (needs matplotlib: the [plot] extra)")
    return p


def add_param_option(p, users: str, registry: bool = False) -> None:
    """--param NAME=VALUE (repeatable), for derive and for check's --activation; with
    `registry`, also ENTRY.NAME=VALUE, a registry entry's parameter."""
    more = ("; ENTRY.NAME=VALUE sets a registry entry's parameter: "
            + ", ".join(f"{k} (default {v:g})" for k, v in _registry_defaults().items())
            if registry else "")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   type=parse_param,
                   help=f"a named number {users} may use, e.g. alpha=1.6733 "
                        f"(repeatable; default: none){more}")


def _registry_defaults() -> dict[str, float]:
    return defaults()


def parse_param(text: str) -> tuple[str, float]:
    """NAME=VALUE or ENTRY.NAME=VALUE (a registry entry's parameter, e.g.
    leaky_relu.slope=0.3) -> (name, value) (an argparse type)."""
    name, sep, value = text.partition("=")
    try:
        number = float(value)
    except ValueError:
        number = None
    parts = name.strip().split(".")
    if not sep or len(parts) > 2 or not all(p.isidentifier() for p in parts) or number is None:
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER (e.g. alpha=1.6733 or "
                                         f"leaky_relu.slope=0.3), got {text!r}")
    return name.strip(), number


def split_params(params: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """(registry parameters "entry.name", expression parameters): the dotted names set a
    registry entry's constant (manual.params), the plain ones name numbers in
    expressions."""
    registry = {k: v for k, v in params.items() if "." in k}
    return registry, {k: v for k, v in params.items() if "." not in k}


def params_of(pairs: list[tuple[str, float]]) -> dict[str, float]:
    """The --param pairs as a dict; a name given twice is an InputError."""

    out: dict[str, float] = {}
    for name, value in pairs:
        if name in out:
            raise InputError(f"--param {name} is given twice")
        out[name] = value
    return out


def add_parser(subparsers) -> None:
    """Register `derive` and its three sub-subcommands on the top-level parser."""
    derive = subparsers.add_parser(
        "derive", help="check a hand derivation against autograd",
        description="Check a derivative you worked out by hand against torch autograd.",
        epilog=GRAMMAR)
    inner = derive.add_subparsers(dest="claim", metavar="CLAIM", parser_class=Parser)
    inner.required = True

    p = _parser(inner, "activation", "check sigma'(z) for an activation sigma(z)")
    p.add_argument("--forward", required=True, metavar="EXPR",
                   help="sigma(z), or an activation's name")
    p.add_argument("--derivative", required=True, metavar="EXPR",
                   help="the claimed sigma'(z), in z (and a = sigma(z))")
    p.set_defaults(func=_run_activation)

    p = _parser(inner, "loss", "check the per-example gradient dC/da of a loss")
    p.add_argument("--loss", required=True, metavar="NAME|EXPR", help="C(a, y), or a name")
    p.add_argument("--gradient", required=True, metavar="EXPR",
                   help="the claimed dC/da, in a and y")
    p.add_argument("--target", choices=TARGETS, default=None,
                   help="kind of y (default: the named loss's, else real)")
    p.set_defaults(func=_run_loss)

    p = _parser(inner, "output-error", "check the output error delta = dC/dz of the last layer")
    p.add_argument("--loss", required=True, metavar="NAME|EXPR",
                   help="C(a, y) per class (summed over the classes), or a loss's name")
    p.add_argument("--activation", required=True, metavar="NAME|EXPR",
                   help="the output activation sigma(z), or an activation's name")
    p.add_argument("--delta", required=True, metavar="EXPR",
                   help="the claimed delta, in z, a and y (elementwise on class vectors)")
    p.add_argument("--target", choices=TARGETS, default=None,
                   help="kind of y (default: the named loss's, else real)")
    p.set_defaults(func=_run_output_error)
    _add_network_claims(inner)


def _add_network_claims(inner) -> None:
    """hidden-error (BP2) and regularization."""
    p = _parser(inner, "hidden-error", "check BP2: a hidden layer's delta from the next "
                                       "layer's W and delta")
    p.add_argument("--activation", required=True, metavar="NAME|EXPR",
                   help="the hidden activation sigma(z), or an activation's name")
    p.add_argument("--delta", required=True, metavar="EXPR",
                   help="the claimed delta of this layer, in z, a = sigma(z), W (the next "
                        "layer's K x K weights) and delta (the next layer's error), e.g. "
                        "'matmul(transpose(W), delta) * a*(1-a)'")
    p.set_defaults(func=_run_hidden_error)

    p = _parser(inner, "regularization", "check the gradient dR/dw of a weight penalty R(w)")
    p.add_argument("--penalty", required=True, metavar="EXPR",
                   help="R(w), summed over the weights (or reduced with sum/mean), e.g. "
                        "'lam/2*w**2' with --param lam=0.1")
    p.add_argument("--gradient", required=True, metavar="EXPR", help="the claimed dR/dw, in w")
    p.set_defaults(func=_run_regularization)


def _common(args) -> dict:
    if args.plot is not None:  # refused before any work when matplotlib is missing
        require()
    return {"domain": args.domain, "points": args.points, "seed": args.seed,
            "params": params_of(args.param), "labels": LABELS}


def _run_activation(args) -> int:
    report = activation_report(args.forward, args.derivative, **_common(args))
    return _emit(report, args, f"d/dz {args.forward} = {args.derivative}")


def _run_loss(args) -> int:
    report = loss_report(args.loss, args.gradient, target=args.target, **_common(args))
    return _emit(report, args, f"dC/da of {args.loss} = {args.gradient}")


def _run_output_error(args) -> int:
    report = output_error_report(args.loss, args.activation, args.delta, target=args.target,
                                 **_common(args))
    return _emit(report, args, f"delta for {args.loss} with {args.activation} = {args.delta}")


def _run_hidden_error(args) -> int:
    report = hidden_error_report(args.activation, args.delta, **_common(args))
    return _emit(report, args, f"delta (BP2) through {args.activation} = {args.delta}")


def _run_regularization(args) -> int:
    report = regularization_report(args.penalty, args.gradient, **_common(args))
    return _emit(report, args, f"dR/dw of {args.penalty} = {args.gradient}")


def _emit(report: Report, args, claim: str) -> int:
    if args.plot is not None:
        draw(report, args.plot, claim)
    if args.format == "json":
        print(report.verdict.to_json())
    else:
        print(render(report, claim))
    return 0 if report.verdict.ok else 1


def render(report: Report, claim: str) -> str:
    """The text output: verdict, worst point, and a few points claimed vs autograd."""
    v = report.verdict
    lines = [f"{v.verdict.upper()}: {claim}",
             f"{v.points} points, max abs err {v.max_abs_err:.3g}, "
             f"max rel err {v.max_rel_err:.3g}",
             f"tolerance: {report.tolerance}"]
    if report.dropped:
        lines.append(f"dropped: {report.dropped} sampled point(s) left out, where "
                     f"{report.dropped_why}")
    if v.counterexample:
        where = ", ".join(f"{k} = {_fmt(val)}" for k, val in v.counterexample.items()
                          if k not in ("claimed", "autograd"))
        claimed, truth = _distinct(v.counterexample["claimed"], v.counterexample["autograd"])
        lines.append(f"worst point: {where}: claimed {claimed}, autograd {truth}")
    if report.rechecked:
        ex = report.recheck_example or {}
        where = ", ".join(f"{k} = {_fmt(v)}" for k, v in ex.items() if k != "float64")
        lines.append(f"note: at {report.rechecked} point(s) the claim's float64 value is off "
                     f"(e.g. {where}: {_fmt(ex.get('float64'))}) but its extended-precision "
                     f"value agrees with autograd: the formula holds there, its float64 "
                     f"evaluation overflows or loses precision")
    names = [*report.names, "claimed", "autograd"]
    lines.append("")
    lines.append("  ".join(f"{n:>12}" for n in names) + "  agrees")
    for row in report.rows:
        claimed, truth = (_distinct(row["claimed"], row["autograd"]) if not row["agrees"]
                          else (f"{row['claimed']:.6g}", f"{row['autograd']:.6g}"))
        shown = [f"{row[n]:>12.6g}" for n in names[:-2]] + [f"{claimed:>12}", f"{truth:>12}"]
        lines.append("  ".join(shown) + f"  {'yes' if row['agrees'] else 'NO'}")
    return "\n".join(lines)


def _distinct(claimed, truth, digits: int = 6) -> tuple[str, str]:
    """The two numbers with as many digits as it takes to tell them apart (up to 17:
    float64's round trip), so a disagreement never prints equal numbers."""
    def fmt(value, d):
        if isinstance(value, list):
            return "[" + ", ".join(f"{x:.{d}g}" for x in value) + "]"
        return f"{value:.{d}g}"
    for d in range(digits, 18):
        a, b = fmt(claimed, d), fmt(truth, d)
        if a != b or claimed == truth:
            return a, b
    return fmt(claimed, 17), fmt(truth, 17)


def _fmt(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(f"{v:.6g}" for v in value) + "]"
    return f"{value:.6g}"
