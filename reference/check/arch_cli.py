"""`backprop-oracle check --arch dense,mlp,cnn,rnn`: which matrices `check` runs.

`dense` is the matrix of `z = Wa + b` networks (`reference.check.runner`); `mlp`,
`cnn` and `rnn` are networks of layers (`reference.check.layer_matrix`). The
default is all of them, except with `--impl` or `--activation`, which apply to
the dense matrix only. `--cases N` is per architecture (default 5000 dense, 1000
for each layer architecture); `--seed`, `--dtypes`, `--jobs` and `--format`
apply to every one. The JSON keeps the dense summary's keys at the top level and
adds `layers` (and `all`: the totals); without dense, the top level is the
layer summary.
"""

from __future__ import annotations

import json
import sys
import time

from manual.errors import InputError

from .layer_matrix import ARCHS, LayerSummary, render_arch_table, run_layer_check, warm_up
from .names import name_list
from .shown import kept_failures, shown_failures

__all__ = ["ALL_ARCHS", "DEFAULT_LAYER_CASES", "add_arch_option", "chosen_archs",
           "run_layer_archs", "merge_json", "layer_text", "run_without_dense"]

ALL_ARCHS = ("dense",) + ARCHS
DEFAULT_LAYER_CASES = 1000


def add_arch_option(p) -> None:
    p.add_argument("--arch", type=name_list(ALL_ARCHS, "architecture"), default=None,
                   metavar="ARCH[,ARCH...]",
                   help="the architectures to check: dense (z = Wa + b networks), mlp, cnn, "
                        "rnn (networks of layers); default all (dense only with --impl or "
                        "--activation)")


def chosen_archs(args) -> list[str]:
    """The architectures of this run; --impl / --activation with a layer one is bad input."""
    dense_only = bool(getattr(args, "impl", None) or getattr(args, "activation", None))
    if args.arch is None:
        return ["dense"] if dense_only else list(ALL_ARCHS)
    if dense_only and set(args.arch) - {"dense"}:
        raise InputError("--impl and --activation check a dense backprop: use --arch dense "
                         "(a layer of your own: --layer LAYER --impl MODULE:FORWARD,BACKWARD)")
    return list(args.arch)


def run_layer_archs(args, archs, cases: int | None) -> tuple[LayerSummary | None, float]:
    """The layer matrix for the layer architectures in `archs` (None if there is none),
    `cases` networks each (None: DEFAULT_LAYER_CASES), and its seconds."""
    layer_archs = [a for a in archs if a != "dense"]
    if not layer_archs:
        return None, 0.0
    from ..oracle.process import LOCAL

    LOCAL.load()  # torch before the pool forks; networks/s measures the check, not the import
    warm_up(layer_archs)  # what torch loads on an op's first use under vmap: once, here
    n = (cases or DEFAULT_LAYER_CASES) * len(layer_archs)
    bar = None
    if n >= 2000:
        from tqdm import tqdm

        bar = tqdm(total=n, unit="net", file=sys.stderr, disable=None, desc="check layers",
                   leave=False)
    t0 = time.perf_counter()
    try:
        summary = run_layer_check(n, args.seed, layer_archs, args.dtypes, jobs=args.jobs,
                                  progress=bar.update if bar else None,
                                  keep=kept_failures(args))
    finally:
        if bar:
            bar.close()
    return summary, time.perf_counter() - t0


def _layer_json(summary: LayerSummary, seconds: float) -> dict:
    out = summary.to_json()
    out.update(seconds=round(seconds, 3),
               cases_per_second=round(summary.cases / max(seconds, 1e-9), 1))
    return out


def merge_json(out: dict, layers: LayerSummary | None, seconds: float) -> dict:
    """The dense JSON with the layer summary under 'layers' and the totals under 'all'."""
    if layers is not None:
        out["layers"] = _layer_json(layers, seconds)
        out["all"] = {"cases": out["cases"] + layers.cases,
                      "failures": out["failures"] + layers.failures}
    return out


def layer_text(layers: LayerSummary | None, seconds: float, shown: int | None = None) -> str:
    """The layer architectures' table, its first `shown` failures (None: all)."""
    if layers is None:
        return ""
    return (f"\n{render_arch_table(layers, shown)}\n"
            f"({layers.cases / max(seconds, 1e-9):,.0f} networks/s)")


def run_without_dense(args, archs) -> int:
    """`check --arch` with layer architectures only."""
    layers, seconds = run_layer_archs(args, archs, args.cases)
    if args.format == "json":
        out = _layer_json(layers, seconds)
        out["seed"] = args.seed
        print(json.dumps(out, indent=2))
    else:
        print(f"backprop-oracle check: {layers.cases} cases (seed {args.seed}), "
              f"{layers.failures} disagreement(s), {layers.cases / max(seconds, 1e-9):,.0f} "
              f"cases/s" + layer_text(layers, seconds, shown_failures(args)))
    return 1 if layers.failures else 0
