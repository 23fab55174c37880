"""Check your own layer: `verify_layer` (many cases, a summary) and `assert_layer`
(one case, an AssertionError that says what is wrong). A layer is a pair of
functions in CS231n's convention (a loss: the one function), checked against the
torch twin of the registry entry of the same name (`manual.layers`,
`reference.oracle.layers`):

    import reference
    summary = reference.verify_layer("affine", affine_forward, affine_backward, cases=200)
    assert summary["failures"] == 0, summary["failures_detail"][:3]
    reference.verify_layer("softmax_loss", softmax_loss)

    def test_layer(oracle_layer_case):          # the pytest plugin's layer cases
        reference.assert_layer("affine", affine_forward, affine_backward, oracle_layer_case)
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence

from manual.errors import InputError, validate_int, validate_seed
from manual.layers import LAYERS

from ..oracle.cases import DTYPES
from ..oracle.layer_run import LayerResult, problem_line, run_layer_case
from ..oracle.layers import TWINS, LayerCase, make_case
from .contract import load_impl
from .shown import KEEP  # failures_detail holds at most this many problems by default
from .verification import LAYER_MARKER, did_you_mean, parse_names

__all__ = ["verify_layer", "assert_layer", "layer_cases", "layer_names", "problem_line",
           "layer_message", "LAYER_MARKER"]



def layer_names() -> list[str]:
    """The layers that have both a manual entry and a twin, sorted."""
    return sorted(set(LAYERS) & set(TWINS))


def _layer(layer) -> str:
    known = layer_names()
    if layer not in known:
        raise InputError(f"unknown layer {layer!r} (known: {', '.join(known)})"
                         f"{did_you_mean(str(layer), known)}")
    return layer


def _function(fn, what: str) -> Callable:
    if isinstance(fn, str):
        return load_impl(fn, what)
    if not callable(fn):
        raise InputError(f"{what} must be a callable or 'MODULE:FUNCTION', got "
                         f"{type(fn).__name__}")
    return fn


def _functions(layer: str, forward, backward) -> tuple[Callable, Callable | None]:
    entry = LAYERS[layer]
    if entry.loss and backward is not None:
        raise InputError(f"{layer!r} is a loss: give the one function (loss, "
                         f"{', '.join(entry.grads)} = {layer}(...)), no backward")
    return (_function(forward, "forward"),
            None if backward is None else _function(backward, "backward"))


def layer_cases(layer: str, cases: int, seed: int = 0,
                dtypes: Sequence[str] = tuple(DTYPES)) -> list[LayerCase]:
    """The cases of `layer` for a seed: case k has seed `seed + k` and the dtype
    dtypes[k % len(dtypes)], so ids are the same on every run and worker."""
    dtypes = list(dtypes)
    return [make_case(layer, seed + k, dtypes[k % len(dtypes)]) for k in range(cases)]


def verify_layer(layer: str, forward, backward=None, cases: int = 200, seed: int = 0,
                 dtypes: Sequence[str] | str = ("float64", "float32"),
                 keep: int | None = KEEP) -> dict:
    """Run `cases` cases of your `layer` (its CS231n name: 'affine', 'conv',
    'softmax_loss', ...) against torch autograd. forward, backward: callables or
    'MODULE:FUNCTION' strings in CS231n's convention; a loss is the one function
    (backward None); a layer without backward has its forward checked alone.
    Returns the summary: layer, cases, failures (cases with a problem), seed,
    by_name (the largest relative error of each output and gradient), by_dtype,
    by_tag, failures_detail (each: case, stage, name, index, meaning, expected,
    got, rel_err, detail, diagnosis, message; the first `keep` problems, None: all),
    seconds, cases_per_second."""
    _layer(layer)
    fwd, bwd = _functions(layer, forward, backward)
    validate_int(cases, "cases", 1)
    validate_seed(seed)
    names = parse_names(dtypes, DTYPES, "dtype", "dtypes") or list(DTYPES)
    importlib.import_module("torch")  # cases_per_second measures the check, not the import
    t0 = time.perf_counter()
    results = [run_layer_case(case, fwd, bwd) for case in layer_cases(layer, cases, seed,
                                                                      names)]
    seconds = max(time.perf_counter() - t0, 1e-9)
    out = summarize(layer, results, seed, bwd is not None or LAYERS[layer].loss, keep)
    out.update(seconds=round(seconds, 3), cases_per_second=round(len(results) / seconds, 1))
    return out


def _worst(results: list[LayerResult], names) -> dict:
    """The largest relative error of each name over the results; None where no case
    compared it (every forward crashed, say)."""
    out = dict.fromkeys(names)
    for r in results:
        for n, v in r.max_rel_err.items():
            out[n] = v if out.get(n) is None else max(out[n], v)
    return out


def summarize(layer: str, results: list[LayerResult], seed: int, backward: bool,
              keep: int | None = KEEP) -> dict:
    """The summary dict of `verify_layer` (JSON-ready: NaN and infinity as strings)."""
    from .runner import _plain

    entry = LAYERS[layer]
    compared = entry.outputs + entry.state + (entry.grads if backward else ())
    by_dtype: dict[str, dict] = {}
    by_tag: dict[str, dict] = {}
    for r in results:
        for row in [by_dtype.setdefault(r.case.dtype, {"cases": 0, "failures": 0})] + [
                by_tag.setdefault(t, {"cases": 0, "failures": 0}) for t in r.case.tags]:
            row["cases"] += 1
            row["failures"] += not r.ok
    for dtype, row in by_dtype.items():
        row["max_rel_err"] = _worst([r for r in results if r.case.dtype == dtype], compared)
    detail = [{**p, "message": problem_line(p)} for r in results for p in r.problems]
    return _plain({"layer": layer, "cases": len(results),
                   "failures": sum(not r.ok for r in results), "seed": seed,
                   "backward_checked": backward, "by_name": _worst(results, compared),
                   "by_dtype": dict(sorted(by_dtype.items())),
                   "by_tag": dict(sorted(by_tag.items())), "failures_detail": detail[:keep]})


def layer_message(result: LayerResult) -> str:
    """The AssertionError text of a failing case: the forward's problems first."""
    case = result.case
    lines = [f"layer {case.layer} disagrees with torch autograd (case {case.id})"]
    if not result.forward_ok and any(p["stage"] == "backward" for p in result.problems):
        lines.append("  the forward is wrong; the backward was still run on the forward's "
                     "own cache:")
    for p in result.problems:
        lines.append(f"  {p['stage']}: {problem_line(p)}")
    first = result.problems[0]
    lines.append(f"{LAYER_MARKER} layer={case.layer} stage={first['stage']} "
                 f"name={first['name'] or '-'}")
    return "\n".join(lines)


def assert_layer(layer: str, forward, backward, case: LayerCase) -> None:
    """Check your `layer` on one case (e.g. the pytest plugin's `oracle_layer_case`);
    an AssertionError names each wrong output or gradient, its index and what it means,
    and the diagnosis of a known mistake. A layer that raises, returns the wrong
    number of arrays, None or wrong shapes fails with a message that says so."""
    __tracebackhide__ = True
    _layer(layer)
    if not isinstance(case, LayerCase) or case.layer != layer:
        raise InputError(f"case must be a LayerCase of layer {layer!r} (the plugin's "
                         f"oracle_layer_case, or reference.oracle.layers.make_case), got "
                         f"{getattr(case, 'id', type(case).__name__)}")
    result = run_layer_case(case, *_functions(layer, forward, backward))
    if not result.ok:
        raise AssertionError(layer_message(result))
