"""`backprop-oracle check`: random cases of `manual` against the torch oracle."""

from __future__ import annotations

import argparse
import json
import sys
import time

from manual.activations import ACTIVATIONS
from manual.errors import InputError
from manual.losses import LOSSES
from manual.params import apply_params

from ..derive.cli import add_param_option, params_of, split_params
from ..oracle.cases import (
    DTYPES,
    LAYOUTS,
    REDUCTIONS,
    TARGET_MIXES,
    activation_filters,
    drawn_from,
    drawn_line,
    register_custom,
)
from ..oracle.compare import EQUATIONS
from ..oracle.process import LOCAL
from .arch_cli import (
    add_arch_option,
    chosen_archs,
    layer_text,
    merge_json,
    run_layer_archs,
    run_without_dense,
)
from .contract import BIAS_SHAPES, load_impl
from .layer_cli import add_layer_option, run_layer
from .names import check_names, name_list
from .runner import run_check
from .shown import KEEP, SHOWN_FAILURES, kept_failures, shown_failures
from .verification import TABLE_TITLE, failure_line, failure_table

__all__ = ["DEFAULT_CASES", "MAX_JOBS", "add_parser", "run", "failure_line"]

DEFAULT_CASES = 5000
MAX_JOBS = 256  # processes; more only contend (and fork that many copies of torch)


def _integer(minimum: int, maximum: int | None = None, unit: str = ""):
    """An argparse type: an int in [minimum, maximum] (0: non-negative, 1: positive)."""
    wanted = "a positive integer" if minimum == 1 else "a non-negative integer"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"expected at most {maximum}{unit}, got {text!r}")
        return value
    return parse


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="run random cases of manual (or --impl) against the "
                                     "torch oracle",
                       description="Run N random cases (architectures, activations, losses, "
                                   "layouts, dtypes) of the NumPy backprop (manual, or your own "
                                   "with --impl) against torch autograd. Exit 0: all agree; "
                                   "1: a mismatch; 2: bad input.")
    p.add_argument("--cases", type=_integer(1), default=None,
                   help=f"number of cases per architecture (default {DEFAULT_CASES} dense, "
                        f"1000 per layer architecture)")
    p.add_argument("--seed", type=_integer(0), default=0,
                   help="seed of the case stream, ≥ 0 (default 0)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: the table; json: the summary as one JSON object (default text)")
    p.add_argument("--jobs", type=_integer(1, MAX_JOBS, " processes"), default=None,
                   help=f"processes, at most {MAX_JOBS} (default: one per core)")
    p.add_argument("--impl", metavar="MODULE:FUNCTION", default=None,
                   help="check your own implementation impl(spec, X, Y) instead of manual; "
                        "MODULE is imported from the working directory (default: manual)")
    p.add_argument("--bias-shape", choices=BIAS_SHAPES, default="layout",
                   help="the shape of biases and db given to and expected from --impl: "
                        "layout ((n, 1) in columns, (n,) in rows), column (n, 1), row (1, n), "
                        "vector (n,) (default layout)")
    p.add_argument("--activation", action="append", default=[], metavar="NAME=FORWARD:DERIVATIVE",
                   help="add an expression-defined activation for this run (repeatable); "
                        "the cases then use only the activations named this way")
    p.add_argument("--domain", default=None, metavar="LO,HI",
                   help="where the --activation activations are defined and their z is drawn "
                        "(default -8,8), e.g. 0.01,8 for log(z)")
    add_param_option(p, "the --activation expressions", registry=True)
    p.add_argument("--activations", type=name_list(None, "activation"), default=None,
                   help="comma-separated activations to draw from (default: all; the "
                        "--activation names are known too)")
    p.add_argument("--losses", type=name_list(None, "loss"), default=None,
                   help="comma-separated losses to draw from (default: all; the --loss names "
                        "are known too)")
    _add_loss_options(p)
    _add_draw_options(p)
    p.add_argument("--layouts", type=name_list(LAYOUTS, "layout"), default=list(LAYOUTS),
                   help=f"comma-separated layouts to draw from (default {','.join(LAYOUTS)})")
    p.add_argument("--dtypes", type=name_list(DTYPES, "dtype"), default=list(DTYPES),
                   help=f"comma-separated dtypes to draw from (default {','.join(DTYPES)})")
    p.add_argument("--max-failures", type=_max_failures, default=None, metavar="N|all",
                   help=f"failures listed in full: the text's FAIL lines (default "
                        f"{SHOWN_FAILURES}) and the JSON's failures_detail (default {KEEP}); "
                        f"'all' lists every one. The text always ends with the table of every "
                        f"failure by equation, layer and activation")
    add_layer_option(p)
    add_arch_option(p)
    p.set_defaults(func=run)


def _max_failures(text: str) -> int | str:
    """--max-failures: a non-negative integer, or 'all'."""
    return "all" if text.strip().lower() == "all" else _integer(0)(text)


def _add_loss_options(p) -> None:
    """--loss NAME=COST:GRADIENT[:TARGETS]: an expression loss for this run."""
    p.add_argument("--loss", action="append", default=[], metavar="NAME=COST:GRADIENT[:TARGETS]",
                   help="add an expression-defined loss for this run (repeatable): COST per "
                        "class in a and y (summed over the classes), GRADIENT its dC/da, "
                        "TARGETS real (default), binary, onehot or pm1 (the kind of y drawn; "
                        "it also fixes the output activations: any, sigmoid, softmax or "
                        "sigmoid, identity); the cases then use only the losses named this "
                        "way, with --losses adding registry ones. --param NAME=VALUE names "
                        "numbers in it")


def _add_draw_options(p) -> None:
    """Where an activation may stand; what the one-hot losses are given; reductions."""
    p.add_argument("--output-activations", type=name_list(None, "activation"), default=None,
                   metavar="a,b", help="comma-separated activations the output layer may have, in "
                   "place of --activations there (default: every one the losses accept; with "
                   "--activations, those); the --activation names are known too")
    p.add_argument("--hidden-activations", type=name_list(None, "activation"), default=None,
                   metavar="a,b", help="comma-separated activations the hidden layers may have, in "
                   "place of --activations there (default: all; with --activations, those)")
    p.add_argument("--targets", type=name_list(TARGET_MIXES, "target"), default=None,
                   metavar="onehot,soft", help="what the one-hot family losses "
                   "(cross_entropy) are given: onehot labels, soft labels (distributions), "
                   "or both (default: onehot, and soft for a quarter of the networks)")
    p.add_argument("--reductions", type=name_list(REDUCTIONS, "reduction"), default=None,
                   metavar="mean,sum", help="batch reductions to draw: mean (C = 1/m sum of "
                   "C_x), sum, or both (default: sum for a fifth of the cases)")


def _where(args, activations, outputs) -> dict:
    """The activation, target and reduction filters of the run (names checked now that
    the custom entries are registered)."""
    for names, option in ((activations, "--activations"),
                          (args.output_activations, "--output-activations"),
                          (args.hidden_activations, "--hidden-activations")):
        check_names(names, ACTIVATIONS, "activation", option=f"{option}: ")
    where = activation_filters(activations, args.output_activations, args.hidden_activations,
                               outputs_follow=outputs is not None)
    return {**where, "targets": args.targets, "reductions": args.reductions}


def _custom_losses(args, params: dict) -> list[str] | None:
    """Register the --loss entries; the run's losses (None: every registry loss)."""
    if not args.loss:
        return args.losses
    from ..oracle.custom import expression_loss, parse_loss_spec

    names = [parse_loss_spec(spec)[0] for spec in args.loss]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"--loss {twice[0]!r} is defined more than once")
    custom = [expression_loss(spec, params=params).name for spec in args.loss]
    return sorted(set(custom) | set(args.losses or []))


def run(args) -> int:
    if args.layer:
        return run_layer(args)
    archs = chosen_archs(args)
    if "dense" not in archs:
        return run_without_dense(args, archs)
    layer_cases, args.cases = args.cases, args.cases or DEFAULT_CASES
    impl = load_impl(args.impl) if args.impl else None
    registry_params, expression_params = split_params(params_of(args.param))
    if (args.domain or expression_params) and not (args.activation or args.loss):
        raise InputError("--domain and --param NAME=VALUE apply to the --activation "
                         "expressions; give at least one --activation NAME=FORWARD:DERIVATIVE "
                         "(a registry entry's parameter is ENTRY.NAME=VALUE)")
    apply_params(registry_params)  # for this process (and its forked workers)
    activations = outputs = args.activations
    if args.activation:
        custom = register_custom(args.activation, args.domain, expression_params)
        activations = sorted(set(custom) | set(activations or []))
        outputs = None if args.activations is None else activations
    losses = _custom_losses(args, expression_params)
    check_names(losses, LOSSES, "loss", option="--losses: ")
    filters = {**_where(args, activations, outputs), "losses": losses,
               "layouts": args.layouts, "dtypes": args.dtypes}
    bar = None
    if args.cases >= 2000:
        # imported only for a long run: 57 ms (-X importtime) at the start of every check
        from tqdm import tqdm

        bar = tqdm(total=args.cases, unit="case", file=sys.stderr, disable=None,
                   desc="check", leave=False)
    LOCAL.load()  # cases/s measures the check, not the torch import
    t0 = time.perf_counter()
    try:
        summary = run_check(args.cases, args.seed, jobs=args.jobs,
                            progress=bar.update if bar else None, impl=impl,
                            bias_shape=args.bias_shape, keep=kept_failures(args), **filters)
    finally:
        if bar:
            bar.close()
    seconds = time.perf_counter() - t0
    layers = run_layer_archs(args, archs, layer_cases)
    return _report(args, summary, seconds, drawn_from(filters), layers)


def _report(args, summary, seconds: float, drawn: dict, layers) -> int:
    """Print the dense matrix's summary (and the layer architectures') as text or JSON;
    the exit code: 1 when anything disagreed."""
    layers, layer_seconds = layers
    if args.format == "json":
        out = summary.to_json(args.seed)
        out.update(seconds=round(seconds, 3), cases_per_second=round(summary.cases / seconds, 1),
                   drawn=drawn)
        print(json.dumps(merge_json(out, layers, layer_seconds), indent=2))
    else:
        shown = shown_failures(args)
        head, _, rest = render_text(summary, args.seed, seconds, args.impl or "manual",
                                    shown).partition("\n")
        print(f"{head}\n{drawn_line(drawn)}\n{rest}" + layer_text(layers, layer_seconds, shown))
    return 1 if summary.failures or (layers and layers.failures) else 0




def render_text(summary, seed: int, seconds: float, who: str = "manual",
                shown: int | None = SHOWN_FAILURES) -> str:
    """The table: one row per (output activation, loss, hidden activation), each case
    counted once ('-': no hidden layer), then per dtype, then the first `shown` failures
    (None: every one kept) and the table of every failure by equation, layer and
    activation (the pytest plugin's)."""
    cell = lambda row, eq: (f"{row[eq]:>9.1e}" if eq in summary.compared or not summary.cases
                            else f"{'-':>9}")
    lines = [f"backprop-oracle check: {summary.cases} cases (seed {seed}), "
             f"{summary.failures} disagreement(s), {summary.cases / seconds:,.0f} cases/s",
             f"largest relative error, {who} vs torch autograd:",
             f"{'output':<12} {'loss':<14} {'hidden':<12} {'cases':>6} {'fail':>5} "
             + " ".join(f"{eq:>9}" for eq in EQUATIONS)]
    for (hidden, out, loss), row in sorted(summary.table.items(),
                                           key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        n, bad = summary.row_counts[(hidden, out, loss)]
        lines.append(f"{out:<12} {loss:<14} {hidden:<12} {n:>6} {bad:>5} "
                     + " ".join(cell(row, eq) for eq in EQUATIONS))
    for dtype, worst in sorted(summary.by_dtype.items(), reverse=True):  # float64 first
        n, bad = summary.dtype_counts[dtype]
        lines.append(f"{'all ' + dtype:<40} {n:>6} {bad:>5} "
                     + " ".join(cell(worst, eq) for eq in EQUATIONS))
    lines.append(f"{'all':<40} {summary.cases:>6} {summary.failures:>5} "
                 + " ".join(cell(summary.by_equation, eq) for eq in EQUATIONS))
    if summary.compared and not {"BP1", "BP2"} <= summary.compared:
        lines.append("(-: not compared; the implementation gives no deltas)")
    lines += _failures_text(summary, shown)
    return "\n".join(lines)


def _failures_text(summary, shown: int | None) -> list[str]:
    """The FAIL lines, '... and N more', then the table of every failure."""
    if not summary.failures:
        return []
    listed = summary.failures_detail[:shown]
    lines = [f"FAIL {f['case']}: {failure_line(f)}" for f in listed]
    more = summary.failures - len(listed)
    if more > 0:
        lines.append(f"... and {more:,} more failure(s) (--max-failures N or all lists them)")
    return lines + [f"{TABLE_TITLE}:", *failure_table(summary.failure_counts)]
