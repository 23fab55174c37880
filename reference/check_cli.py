"""`backprop-oracle check`: random cases of `manual` against the torch oracle."""

from __future__ import annotations

import argparse
import json
import sys
import time

from manual.activations import ACTIVATIONS
from manual.losses import LOSSES

from .cases import DTYPES, LAYOUTS
from .compare import EQUATIONS

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


def _names(known: dict | tuple, what: str):
    def parse(text: str) -> list[str]:
        names = list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
        if not names:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list of {what} names, "
                                             f"got {text!r}")
        for n in names:
            if n not in known:
                known_list = ", ".join(sorted(known))
                raise argparse.ArgumentTypeError(f"unknown {what} {n!r} (known: {known_list})")
        return names
    return parse


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="run random cases of manual against the torch oracle",
                       description="Run N random cases (architectures, activations, losses, "
                                   "layouts, dtypes) of the NumPy backprop against torch "
                                   "autograd. Exit 0: all agree; 1: a mismatch; 2: bad input.")
    p.add_argument("--cases", type=_integer(1), default=DEFAULT_CASES, help="number of cases")
    p.add_argument("--seed", type=_integer(0), default=0, help="seed of the case stream (≥ 0)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--jobs", type=_integer(1, MAX_JOBS, " processes"), default=None,
                   help=f"processes, at most {MAX_JOBS} (default: cores)")
    p.add_argument("--activation", action="append", default=[], metavar="NAME=FORWARD:DERIVATIVE",
                   help="add an expression-defined activation for this run (repeatable); "
                        "the cases then use only the activations named this way")
    p.add_argument("--activations", type=_names(ACTIVATIONS, "activation"), default=None,
                   help="comma-separated activations to draw from (default: all)")
    p.add_argument("--losses", type=_names(LOSSES, "loss"), default=None,
                   help="comma-separated losses to draw from (default: all)")
    p.add_argument("--layouts", type=_names(LAYOUTS, "layout"), default=list(LAYOUTS))
    p.add_argument("--dtypes", type=_names(DTYPES, "dtype"), default=list(DTYPES))
    p.set_defaults(func=run)


def run(args) -> int:
    from .check import run_check

    activations = outputs = args.activations
    if args.activation:
        from .cases import register_custom

        custom = register_custom(args.activation)
        activations = sorted(set(custom) | set(activations or []))
        outputs = None if args.activations is None else activations
    filters = {"activations": activations, "outputs": outputs, "losses": args.losses,
               "layouts": args.layouts, "dtypes": args.dtypes}
    bar = None
    if args.cases >= 2000:
        from tqdm import tqdm

        bar = tqdm(total=args.cases, unit="case", file=sys.stderr, disable=None,
                   desc="check", leave=False)
    t0 = time.perf_counter()
    try:
        summary = run_check(args.cases, args.seed, jobs=args.jobs,
                            progress=bar.update if bar else None, **filters)
    finally:
        if bar:
            bar.close()
    seconds = time.perf_counter() - t0
    if args.format == "json":
        out = summary.to_json(args.seed)
        out.update(seconds=round(seconds, 3), cases_per_second=round(summary.cases / seconds, 1))
        print(json.dumps(out, indent=2))
    else:
        print(render_text(summary, args.seed, seconds))
    return 1 if summary.failures else 0


def render_text(summary, seed: int, seconds: float) -> str:
    lines = [f"backprop-oracle check: {summary.cases} cases (seed {seed}), "
             f"{summary.failures} disagreement(s), {summary.cases / seconds:,.0f} cases/s",
             "largest relative error, manual vs torch autograd:",
             f"{'activation':<12} {'loss':<14} {'cases':>6} {'fail':>5} "
             + " ".join(f"{eq:>9}" for eq in EQUATIONS)]
    for (act, loss), cell in sorted(summary.table.items()):
        n, bad = summary.row_counts[(act, loss)]
        lines.append(f"{act:<12} {loss:<14} {n:>6} {bad:>5} "
                     + " ".join(f"{cell[eq]:>9.1e}" for eq in EQUATIONS))
    for dtype, worst in sorted(summary.by_dtype.items(), reverse=True):  # float64 first
        n, bad = summary.dtype_counts[dtype]
        lines.append(f"{'all ' + dtype:<27} {n:>6} {bad:>5} "
                     + " ".join(f"{worst[eq]:>9.1e}" for eq in EQUATIONS))
    lines.append(f"{'all':<12} {'':<14} {summary.cases:>6} {summary.failures:>5} "
                 + " ".join(f"{summary.by_equation[eq]:>9.1e}" for eq in EQUATIONS))
    for f in summary.failures_detail[:20]:
        where = f"{f['equation']} layer {f['layer']} at {tuple(f['index'])}"
        lines.append(f"FAIL {f['case']}: {where}: "
                     f"expected {f['expected']:.6g}, got {f['got']:.6g} "
                     f"(rel err {f['rel_err']:.3g}) {f.get('detail') or ''}".rstrip())
    return "\n".join(lines)
