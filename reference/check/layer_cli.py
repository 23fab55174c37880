"""`backprop-oracle check --layer LAYER[,LAYER...] [--impl MODULE:FORWARD,BACKWARD]`:
a layer (manual's own, or yours) against its torch twin, through `verify_layer`.

A loss is one function: `--impl MODULE:FUNCTION`. Exit 0: every case agreed; 1: a
problem; 2: bad input (an unknown layer, with "did you mean").
"""

from __future__ import annotations

import json

from manual.errors import InputError
from manual.layers import LAYERS

from .contract import load_impl
from .layers import layer_names, verify_layer
from .names import name_list
from .shown import kept_failures, shown_failures

__all__ = ["add_layer_option", "run_layer", "render_layers"]


def add_layer_option(p) -> None:
    p.add_argument("--layer", type=name_list(layer_names, "layer", every="all"), default=None,
                   metavar="LAYER[,LAYER...]",
                   help="check layers against their torch twins instead of the dense matrix: "
                        "CS231n names (affine, relu, conv, softmax_loss, ...; 'all'), manual's "
                        "own, or yours with --impl MODULE:FORWARD,BACKWARD (a loss: "
                        "--impl MODULE:FUNCTION); --cases per layer")


def _impl(layer: str, target: str):
    """'MODULE:FORWARD,BACKWARD' (a loss: 'MODULE:FUNCTION') -> (forward, backward)."""


    module, _, names = target.partition(":")
    parts = [n.strip() for n in names.split(",")]
    want = 1 if LAYERS[layer].loss else 2
    if len(parts) != want or not all(parts):
        form = "MODULE:FUNCTION (a loss)" if want == 1 else "MODULE:FORWARD,BACKWARD"
        raise InputError(f"--impl for layer {layer!r} expects {form}, got {target!r}")
    fns = [load_impl(f"{module}:{n}", "--impl") for n in parts]
    return fns[0], (fns[1] if want == 2 else None)


def _refuse_matrix_options(args) -> None:
    used = [opt for opt, on in (("--activation", args.activation), ("--activations",
                                args.activations), ("--losses", args.losses),
                                ("--domain", args.domain), ("--param", args.param),
                                ("--bias-shape", args.bias_shape != "layout")) if on]
    if used:
        raise InputError(f"{', '.join(used)} apply to the dense matrix, not to --layer")


def run_layer(args) -> int:
    """The --layer run: one verify_layer per layer; the table or the JSON."""


    _refuse_matrix_options(args)
    if args.impl and len(args.layer) > 1:
        raise InputError("--impl checks one layer: give one --layer with it")
    summaries = {}
    for layer in args.layer:
        forward, backward = ((LAYERS[layer].forward, LAYERS[layer].backward)
                             if not args.impl else _impl(layer, args.impl))
        summaries[layer] = verify_layer(layer, forward, backward, cases=args.cases,
                                        seed=args.seed, dtypes=args.dtypes,
                                        keep=kept_failures(args))
    seconds = sum(s["seconds"] for s in summaries.values())
    total = {"cases": sum(s["cases"] for s in summaries.values()),
             "failures": sum(s["failures"] for s in summaries.values()), "seed": args.seed,
             "seconds": round(seconds, 3), "layers": summaries}
    if args.format == "json":
        print(json.dumps(total, indent=2))
    else:
        print(render_layers(total, args.impl or "manual", shown_failures(args)))
    return 1 if total["failures"] else 0


def _errors(worst: dict) -> str:
    shown = lambda v: "-" if v is None else (v if isinstance(v, str) else f"{v:.1e}")
    return "  ".join(f"{n} {shown(v)}" for n, v in worst.items())


def render_layers(total: dict, who: str = "manual", shown: int | None = None) -> str:
    """One row per layer and dtype: cases, failures, the largest relative error of each
    output and gradient; then the first `shown` failing problems (None: all), forward
    first."""

    rate = total["cases"] / max(total["seconds"], 1e-9)
    lines = [f"backprop-oracle check --layer: {total['cases']} cases (seed {total['seed']}), "
             f"{total['failures']} failing, {rate:,.0f} cases/s",
             f"largest relative error, {who} vs torch autograd:",
             f"{'layer':<22} {'dtype':<8} {'cases':>6} {'fail':>5}  by output and gradient"]
    failures = []
    for layer, s in total["layers"].items():
        for dtype, row in sorted(s["by_dtype"].items(), reverse=True):  # float64 first
            lines.append(f"{layer:<22} {dtype:<8} {row['cases']:>6} {row['failures']:>5}  "
                         f"{_errors(row['max_rel_err'])}")
        failures += s["failures_detail"]
        if not s["backward_checked"]:
            lines.append(f"({layer}: the forward only; no backward was given)")
    lines.append(f"{'all':<31} {total['cases']:>6} {total['failures']:>5}")
    for f in failures[:shown]:
        lines.append(f"FAIL {f['case']}: {f['stage']}: {f['message']}")
    more = total["failures"] - len({f["case"] for f in failures[:shown]})
    if more > 0:
        lines.append(f"... and {more:,} more failing case(s) (--max-failures N or all lists "
                     f"them)")
    return "\n".join(lines)
