"""Check your own backprop: `verify` (many cases, a summary) and `assert_backprop`
(one case, an AssertionError that says what is wrong). The contract an
implementation follows is in `reference.check.contract`.

    import reference
    summary = reference.verify(my_backprop, cases=500, layouts=["rows"], bias_shape="row")
    assert summary["failures"] == 0, summary["failures_detail"][:3]

    def test_backprop(oracle_case):            # with the pytest plugin's cases
        reference.assert_backprop(my_backprop, oracle_case, bias_shape="row")
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from manual.activations import ACTIVATIONS
from manual.errors import InputError, did_you_mean
from manual.losses import LOSSES

from ..oracle.cases import (
    DTYPES,
    LAYOUTS,
    REDUCTIONS,
    TARGET_MIXES,
    Case,
    activation_filters,
    drawn_from,
)
from ..oracle.process import LOCAL
from .contract import load_impl

__all__ = ["verify", "assert_backprop", "failure_line", "failure_message", "failure_table",
           "MARKER", "TABLE_TITLE"]

MARKER = "[backprop-oracle failure]"  # the line the pytest plugin's summary table reads
LAYER_MARKER = "[backprop-oracle layer failure]"  # the same for `assert_layer`


def parse_names(value, known, what: str, argument: str):
    """A list of registry names from a list or a comma-separated string; None: all."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    try:
        names = list(dict.fromkeys(value))
    except TypeError:
        raise InputError(f"{argument} must be a list of {what} names, got "
                         f"{type(value).__name__}") from None
    if not names:
        raise InputError(f"{argument} is empty; give at least one {what} name, or None for all")
    for n in names:
        if n not in known:
            raise InputError(f"{argument}: unknown {what} {n!r} (known: "
                             f"{', '.join(sorted(known))}){did_you_mean(n, known)}")
    return names


def _impl(impl) -> Callable:
    if isinstance(impl, str):
        return load_impl(impl, "impl")
    if not callable(impl):
        raise InputError(f"impl must be a callable impl(spec, X, Y) or 'MODULE:FUNCTION', "
                         f"got {type(impl).__name__}")
    return impl


def verify(impl, cases: int = 500, seed: int = 0, *, activations: Sequence[str] | None = None,
           losses: Sequence[str] | None = None, layouts: Sequence[str] | None = None,
           dtypes: Sequence[str] | None = None, bias_shape: str = "layout",
           jobs: int = 1, params: dict[str, float] | None = None,
           output_activations: Sequence[str] | None = None,
           hidden_activations: Sequence[str] | None = None,
           targets: Sequence[str] | None = None, reductions: Sequence[str] | None = None
           ) -> dict:
    """Run `cases` random cases of `impl` (a callable impl(spec, X, Y) or
    'MODULE:FUNCTION', see reference.check.contract) against torch autograd; returns
    the summary `backprop-oracle check --impl ... --format json` prints: cases,
    failures, seed, by_equation, by_dtype, by_activation_loss, failures_detail
    (equation, layer, activation, index, meaning, expected, got, diagnosis, starts:
    where the error starts when no δ is given),
    seconds, cases_per_second.

    activations, losses, layouts, dtypes: lists (or comma-separated strings) of
    names to draw from (None: all). bias_shape: the shape of biases and db your
    implementation uses: "layout", "column" (n, 1), "row" (1, n), "vector" (n,).
    jobs: processes (1: in this process). params: registry parameters for this call,
    e.g. {"leaky_relu.slope": 0.3, "elu.alpha": 0.2} (see manual.params).
    output_activations / hidden_activations: where an activation may stand (the
    output layer, the hidden layers; `activations` restricts both). targets: what
    the one-hot family losses are given, "onehot" and/or "soft" (distributions);
    reductions: "mean" and/or "sum". The same options draw the same cases as
    `backprop-oracle check`, whatever the order of the names."""
    from manual.params import using_params, validate_params

    validate_params(params)
    where = {"output_activations": parse_names(output_activations, ACTIVATIONS, "activation",
                                               "output_activations"),
             "hidden_activations": parse_names(hidden_activations, ACTIVATIONS, "activation",
                                               "hidden_activations")}
    drawn = {"targets": parse_names(targets, TARGET_MIXES, "target", "targets"),
             "reductions": parse_names(reductions, REDUCTIONS, "reduction", "reductions")}
    with using_params(params):
        return _verify(impl, cases, seed, activations, losses, layouts, dtypes, bias_shape,
                       jobs, where, drawn)


def _verify(impl, cases, seed, activations, losses, layouts, dtypes, bias_shape, jobs,
            where: dict, drawn: dict) -> dict:
    # imported on the first verify: 12 ms (-X importtime) this module's importers (the
    # pytest plugin, at every pytest start) do not need
    from .runner import run_check

    fn = _impl(impl)
    if isinstance(cases, bool) or not isinstance(cases, int) or cases < 1:
        raise InputError(f"cases must be a positive integer, got {cases!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    acts = parse_names(activations, ACTIVATIONS, "activation", "activations")
    filters = {**activation_filters(acts, **where), **drawn,
               "losses": parse_names(losses, LOSSES, "loss", "losses"),
               "layouts": parse_names(layouts, LAYOUTS, "layout", "layouts") or list(LAYOUTS),
               "dtypes": parse_names(dtypes, DTYPES, "dtype", "dtypes") or list(DTYPES)}
    LOCAL.load()  # cases_per_second measures the check, not the torch import
    t0 = time.perf_counter()
    summary = run_check(cases, seed, jobs=jobs, impl=fn, bias_shape=bias_shape, **filters)
    seconds = time.perf_counter() - t0
    out = summary.to_json(seed)
    out.update(seconds=round(seconds, 3), cases_per_second=round(summary.cases / seconds, 1),
               drawn=drawn_from(filters))
    return out


def assert_backprop(impl, case: Case, *, bias_shape: str = "layout") -> None:
    """Check `impl` on one case (e.g. the pytest plugin's `oracle_case`); raises an
    AssertionError naming the equation, the layer and its activation, the index and
    what it means in the layout, expected and got, and a diagnosis (1/m, transposed,
    flipped sign, bias shape) when one applies. An exception `impl` raises
    propagates with its own traceback. The oracle's answer is computed once per
    family of cases and cached in this process."""
    __tracebackhide__ = True  # pytest: the report is the message, not the oracle's frames
    from .runner import run_case  # (see verify)

    if not isinstance(case, Case):
        raise InputError(f"case must be a reference.oracle.cases.Case (the pytest plugin's "
                         f"oracle_case), got {type(case).__name__}")
    result = run_case(case, _impl(impl), bias_shape, strict=True)
    if not result.ok:
        raise AssertionError(failure_message(result.mismatch, case))


def failure_line(f: dict) -> str:
    """One failure: where (equation, layer, its activation, index and its meaning),
    expected and got, the diagnosis, where the error starts (no δ given)."""
    act = f" ({f['activation']})" if f.get("activation") else ""
    where = f"{f['equation']} layer {f['layer']}{act}" if f["layer"] >= 0 else f["equation"]
    if f["index"]:
        where += f" at {tuple(f['index'])}"
    if f.get("meaning"):
        where += f" [{f['meaning']}]"
    if not f["index"] and f["expected"] != f["expected"]:  # NaN: a shape, count or crash
        text = f"{where}: {f.get('detail') or ''}"
    else:
        text = (f"{where}: expected {f['expected']:.8g}, got {f['got']:.8g} "
                f"(rel err {f['rel_err']:.3g}) {f.get('detail') or ''}").rstrip()
    if f.get("diagnosis"):
        text += f"; diagnosis: {f['diagnosis']}"
    if f.get("starts"):
        text += f"; {f['starts']}"
    return text


def failure_message(f: dict, case: Case) -> str:
    """The AssertionError text for one failing case."""
    layer = f["layer"]
    where = f"layer {layer}" if layer >= 0 else {"cost": "the batch cost C"}.get(
        f["equation"], "the call of the implementation")
    if 0 <= layer < len(case.activations):
        where += (" (the output layer" if layer == len(case.activations) - 1
                  else " (a hidden layer") + f", activation {case.activations[layer]})"
    lines = [f"{f['equation']} disagrees with torch autograd at {where}",
             f"  case {case.id}: {case.layout} layout, {case.dtype}, loss {case.loss}, "
             f"reduction {case.reduction}, m = {case.m}",
             f"  {failure_line({**f, 'diagnosis': '', 'starts': ''})}"]
    if f.get("diagnosis"):
        lines.append(f"  diagnosis: {f['diagnosis']}")
    if f.get("starts"):
        lines.append(f"  where: {f['starts']}")
    eq, layer_text, act = failure_key(f)
    lines.append(f"{MARKER} equation={eq} layer={layer_text} activation={act}")
    return "\n".join(lines)


TABLE_TITLE = "failures by equation, layer and activation"


def failure_table(counts: dict[tuple[str, str, str], int]) -> list[str]:
    """The table of failures by (equation, layer, activation), the most frequent first,
    and their total: what the pytest plugin prints at the end of a run and `check`'s
    text ends with."""
    lines = [f"{'equation':<9} {'layer':>5}  {'activation':<14} {'failures':>8}"]
    for (eq, layer, act), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"{eq:<9} {layer:>5}  {act:<14} {n:>8}")
    lines.append(f"{'all':<31} {sum(counts.values()):>8}")
    return lines


def failure_key(f: dict) -> tuple[str, str, str]:
    """A failure's row of `failure_table` (the fields of its MARKER line)."""
    return f["equation"], str(f["layer"]), f.get("activation") or "-"
