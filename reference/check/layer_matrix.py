"""The layer matrix of `backprop-oracle check --arch mlp,cnn,rnn`: random networks of
layers (`reference.oracle.layer_cases`), `manual.layers.LayerNetwork` against the
oracle's composition of the torch twins (`reference.oracle.layers.network`).

`run_net_family` is one family (K networks of one structure): draw the arrays, one
stacked oracle call, for float32 networks the ones near a kink drawn again, then
each network's manual forward and backward, and one vectorized comparison by name
(`reference.oracle.network_compare`); a float32 disagreement is judged again above
torch's own float32 error on that network. `run_layer_check` runs many over
processes into a `LayerSummary`: the largest relative error per (architecture,
layer) and column (out, loss, dx, dparam), each failure counted at the layer it
is named at.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from manual.layers.network import LayerNetwork

from ..oracle.layer_cases import (
    ARCHS,
    MAX_LAYER_FAMILY,
    NetCase,
    draw_family,
    families,
    generate,
    kinks_ok,
    redraw_member,
)
from ..oracle.network_compare import (
    COLUMNS,
    NetworkVerdict,
    compare_network,
    compare_network_stacked,
)
from .shown import KEEP, SHOWN_FAILURES

__all__ = ["ARCHS", "NetResult", "LayerSummary", "run_net_family", "run_layer_check",
           "layer_family_size", "render_arch_table", "MAX_REDRAWS", "warm_up"]

MAX_REDRAWS = 50  # draws of a float32 network near a kink before keeping the last one


@dataclass
class NetResult:
    id: str
    arch: str
    dtype: str
    layers: tuple[str, ...]
    ok: bool
    max_rel_err: dict          # (layer name, column) -> largest relative error
    mismatch: dict | None = None


def _oracle():
    from ..oracle.layers.network import oracle_network, oracle_network_stacked

    return oracle_network, oracle_network_stacked


def _member(x, arrays, k: int):
    return x[k], [{n: v[k] for n, v in a.items()} for a in arrays]


def _settle_kinks(cases: list[NetCase], x, arrays, expected) -> None:
    """Float32 networks near a kink (see layer_cases) drawn again, in place: the networks
    still near one are drawn again together (one stacked oracle call per attempt)."""
    s, first = cases[0].structure, cases[0]
    bad = [int(k) for k in np.flatnonzero(~kinks_ok(s, x, arrays, expected.outputs))]
    _, stacked = _oracle()
    for attempt in range(1, MAX_REDRAWS + 1):
        if not bad:
            return
        draws = [redraw_member(s, first.seed, first.family, first.members, k, attempt)
                 for k in bad]
        x1 = np.concatenate([d[0] for d in draws])
        a1 = [{n: np.concatenate([d[1][i][n] for d in draws]) for n in arrays[i]}
              for i in range(len(arrays))]
        e1 = stacked(s.steps(), x1, a1, s.l2)
        ok = kinks_ok(s, x1, a1, e1.outputs)
        for j, k in enumerate(bad):
            if ok[j] or attempt == MAX_REDRAWS:
                _put(x, arrays, expected, k, x1, a1, e1, j)
        bad = [k for j, k in enumerate(bad) if not ok[j]]


def _put(x, arrays, expected, k: int, x1, a1, e1, j: int) -> None:
    """Network j of a redraw becomes network k of the family (arrays and answer)."""
    x[k] = x1[j]
    for a, new in zip(arrays, a1):
        for n in a:
            a[n][k] = new[n][j]
    for store, new in ((expected.outputs, e1.outputs), (expected.grads, e1.grads)):
        for key in store:
            store[key][k] = new[key][j]
    expected.loss[k] = e1.loss[j]


def _manual(s, x, arrays, members: Sequence[int]):
    """Each network's LayerNetwork answer; an exception is kept as that case's failure."""
    gots, failed = [], {}
    for j, k in enumerate(members):
        xk, ak = _member(x, arrays, k)
        try:  # NumPy's floating-point warnings stay quiet: the comparison is the verdict
            with np.errstate(all="ignore"):
                gots.append(LayerNetwork(s.steps(ak), s.l2).gradients(xk.copy()))
        except Exception as exc:  # manual's own failure: a failed case, not a crash
            gots.append(None)
            failed[j] = f"{type(exc).__name__}: {exc}"
    return gots, failed


def run_net_family(cases: list[NetCase]) -> list[NetResult]:
    """One family of networks (see the module docstring)."""
    first = cases[0]
    s = first.structure
    x, arrays = draw_family(s, first.seed, first.family, first.members)
    oracle_one, stacked = _oracle()
    expected = stacked(s.steps(), x, arrays, s.l2)
    if s.dtype == "float32":
        _settle_kinks(cases, x, arrays, expected)
    members = [c.member for c in cases]
    gots, failed = _manual(s, x, arrays, members)
    exp = _take(expected, members)
    good = [j for j in range(len(cases)) if j not in failed]
    verdicts: list = [None] * len(cases)
    for j, v in zip(good, compare_network_stacked([gots[j] for j in good], _take(exp, good),
                                                  s.dtype, s.layers)):
        verdicts[j] = v
    for j, v in enumerate(verdicts):
        if s.dtype == "float32" and j not in failed and not v.ok:
            verdicts[j] = _rejudge(s, x, arrays, members[j], gots[j], exp.member(j), oracle_one)
    return [_result(c, verdicts[j], failed.get(j), s) for j, c in enumerate(cases)]


def _take(answer, idx: list[int]):
    from ..oracle.layers.network import StackedNetworkAnswer

    if idx == list(range(len(answer))):
        return answer
    return StackedNetworkAnswer(answer.loss[idx], {k: v[idx] for k, v in answer.outputs.items()},
                                {k: v[idx] for k, v in answer.grads.items()})


def _rejudge(s, x, arrays, k: int, got, expected, oracle_one) -> NetworkVerdict:
    """Judge a float32 disagreement again, allowing NOISE_FACTOR × torch's own float32
    error on this network, array by array."""
    xk, ak = _member(x, arrays, k)
    try:
        rough = oracle_one(s.steps(ak), xk, s.l2, precision="float32")
    except RuntimeError:  # a twin written for float64 only (batch norm's running averages)
        return compare_network(got, expected, s.dtype, list(s.layers))
    gap = lambda a, b: float(np.abs(np.asarray(a, np.float64) - b).max(initial=0.0))
    noise = {key: gap(rough.outputs[key], v) for key, v in expected.outputs.items()}
    noise.update({key: gap(rough.grads[key], v) for key, v in expected.grads.items()})
    noise[None] = abs(rough.loss - expected.loss)
    return compare_network(got, expected, s.dtype, list(s.layers), noise)


def _result(case: NetCase, verdict, error: str | None, s) -> NetResult:
    if error is not None:
        mismatch = {"case": case.id, "layer": -1, "name": "", "array": "", "index": [],
                    "meaning": "", "detail": f"the network raised {error}"}
        return NetResult(case.id, case.arch, case.dtype, s.layers, False, {}, mismatch)
    mismatch = None
    if not verdict.ok:
        mismatch = {"case": case.id, **asdict(verdict.mismatch),
                    "text": str(verdict.mismatch)}
    return NetResult(case.id, case.arch, case.dtype, s.layers, verdict.ok,
                     verdict.max_rel_err, mismatch)


@dataclass
class LayerSummary:
    cases: int = 0
    failures: int = 0
    table: dict = field(default_factory=dict)        # (arch, layer) -> {column: max rel err}
    row_counts: dict = field(default_factory=dict)   # (arch, layer) -> [cases, failures]
    by_dtype: dict = field(default_factory=dict)     # dtype -> [cases, failures, max rel err]
    failures_detail: list = field(default_factory=list)
    position: dict = field(default_factory=dict)     # (arch, layer) -> earliest place seen
    keep: int | None = KEEP                          # failures_detail's length (None: all)

    def rows(self) -> list[tuple[str, str]]:
        """(arch, layer) in the order of the architectures, then of the layers in them."""
        order = {a: i for i, a in enumerate(ARCHS)}
        return sorted(self.table, key=lambda k: (order.get(k[0], len(order)), k[0],
                                                 self.position[k], k[1]))

    def add(self, r: NetResult) -> None:
        self.cases += 1
        self.failures += not r.ok
        at = r.mismatch.get("name") if r.mismatch else None
        for (name, column), v in r.max_rel_err.items():
            cell = self.table.setdefault((r.arch, name), {})  # the columns compared only
            cell[column] = max(cell.get(column, 0.0), v)
        for at_position, layer in enumerate(r.layers):
            self.table.setdefault((r.arch, layer), {})
            place = self.position.setdefault((r.arch, layer), at_position)
            self.position[(r.arch, layer)] = min(place, at_position)
        for layer in dict.fromkeys(r.layers):
            counts = self.row_counts.setdefault((r.arch, layer), [0, 0])
            counts[0] += 1
            counts[1] += at == layer or (not r.ok and not at and layer == r.layers[0])
        d = self.by_dtype.setdefault(r.dtype, [0, 0, 0.0])
        d[0] += 1
        d[1] += not r.ok
        d[2] = max([d[2], *r.max_rel_err.values()])
        if not r.ok and (self.keep is None or len(self.failures_detail) < self.keep):
            self.failures_detail.append(r.mismatch)

    def to_json(self) -> dict:
        from .runner import _plain

        return _plain({
            "cases": self.cases, "failures": self.failures,
            "by_dtype": {dt: {"cases": c, "failures": f, "max_rel_err": w}
                         for dt, (c, f, w) in sorted(self.by_dtype.items())},
            "by_arch_layer": [{"arch": a, "layer": lay, "cases": self.row_counts[(a, lay)][0],
                               "failures": self.row_counts[(a, lay)][1], "max_rel_err": cell}
                              for (a, lay), cell in ((k, self.table[k]) for k in self.rows())],
            "failures_detail": self.failures_detail})


def warm_up(archs: Sequence[str], tries: int = 64) -> None:
    """The oracle once on a small network for every layer type the architectures use, in
    this process: torch imports and initializes what an op needs under vmap on its first
    use (cross_entropy's decomposition imports sympy, ~1 s; max pooling's ~0.4 s), so a
    pool forked afterwards does not pay that in every worker."""
    from ..oracle.layer_cases import structure_of

    _, stacked = _oracle()
    seen: set = set()
    for f in range(tries):
        s = structure_of(0, f, tuple(archs), ("float64",), 2)
        if set(s.layers) <= seen:
            continue
        seen.update(s.layers)
        x, arrays = draw_family(s, 0, f, 2)
        stacked(s.steps(), x, arrays, s.l2)


def layer_family_size(n: int, combinations: int) -> int:
    """Networks per family: the largest (up to MAX_LAYER_FAMILY) that still gives every
    (architecture, dtype) a family."""
    return max(1, min(MAX_LAYER_FAMILY, n // max(combinations, 1)))


def _run_slice(args) -> list[NetResult]:
    start, stop, seed, archs, dtypes, family = args
    cases = generate(stop, seed, archs, dtypes, family, start=start)
    return [r for group in families(cases) for r in run_net_family(group)]


def run_layer_check(n: int, seed: int = 0, archs: Sequence[str] = ARCHS,
                    dtypes: Sequence[str] = ("float64", "float32"), *, jobs: int | None = None,
                    chunk: int = 256, progress: Callable[[int], None] | None = None,
                    keep: int | None = KEEP) -> LayerSummary:
    """n networks of the architectures `archs` over `jobs` processes (default: a core each);
    the summary keeps the first `keep` failures in full (None: every one)."""
    archs, dtypes = tuple(archs), tuple(dtypes)
    family = layer_family_size(n, len(archs) * len(dtypes))
    chunk = max(family, chunk - chunk % family)
    slices = [(s, min(s + chunk, n), seed, archs, dtypes, family) for s in range(0, n, chunk)]
    jobs = min(jobs or os.cpu_count() or 1, len(slices))
    summary = LayerSummary(keep=keep)
    from .runner import _fold, _init_worker

    frozen = gc.get_freeze_count()   # (a caller's own freeze is left as it was)
    gc.freeze()   # the objects alive now (torch's) are never scanned by the collector
    try:          # here or in the forked workers: ~10 % of an rnn network's time
        if jobs <= 1:
            _init_worker()
            _fold(summary, map(_run_slice, slices), progress)
            return summary
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_init_worker) as pool:
            _fold(summary, pool.imap(_run_slice, slices), progress)
        return summary
    finally:
        if not frozen:
            gc.unfreeze()




def render_arch_table(summary: LayerSummary, shown: int | None = SHOWN_FAILURES) -> str:
    """The layer table: one row per (architecture, layer), then per dtype, the failures."""
    head = (f"{'arch':<5} {'layer':<22} {'cases':>6} {'fail':>5} "
            + " ".join(f"{c:>9}" for c in COLUMNS))
    lines = [f"layers: {summary.cases} networks, {summary.failures} disagreement(s); largest "
             f"relative error, manual.layers vs torch autograd (-: nothing of that kind):",
             head]
    for arch, layer in summary.rows():
        cell = summary.table[(arch, layer)]
        n, bad = summary.row_counts[(arch, layer)]
        cells = " ".join(f"{cell[c]:>9.1e}" if c in cell else f"{'-':>9}" for c in COLUMNS)
        lines.append(f"{arch:<5} {layer:<22} {n:>6} {bad:>5} {cells}")
    for dtype, (n, bad, worst) in sorted(summary.by_dtype.items(), reverse=True):
        lines.append(f"{'all ' + dtype:<28} {n:>6} {bad:>5} {worst:>9.1e}")
    for f in summary.failures_detail[:shown]:
        lines.append(f"FAIL {f['case']}: {f.get('text') or f['detail']}")
    if shown is not None and summary.failures > shown:
        lines.append(f"... and {summary.failures - shown:,} more failure(s)")
    return "\n".join(lines)
