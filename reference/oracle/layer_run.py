"""One case of one layer under test against its torch twin (`run_layer_case`).

The order of a case: the user's forward on copies of the case's arrays and config;
the twin's `adopt` (what the oracle takes from that forward, e.g. dropout's mask);
the oracle (autograd, float64) on the case's own arrays; the forward's outputs and
`state` keys compared; the user's backward on its own cache with copies of the
upstream gradients (a wrong forward blocks nothing); each gradient compared by
name after the twin's `reconcile`. A problem names the array, the index and what
it means (the entry's `axes`) and, when the wrong answer is a known mistake of the
twin's, its diagnosis. Whatever the user's code does (raises, returns None, too
few arrays, wrong shapes) becomes a problem, never an exception here.

Shared by `check` (`verify_layer`, `assert_layer`) and the grader's layer styles
(`reference.grade.styles.layer_style`: the student's answers, computed in the sandbox,
replayed here as the functions under test).
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field

import numpy as np

from manual.layers import get_layer

from .compare import compare_arrays
from .kinds import Kind
from .layers import LayerCase, get_twin, oracle_layer
from .tolerances import tolerance_for, within

__all__ = ["LayerResult", "run_layer_case", "layer_tolerance", "describe_index", "problem_line",
           "singleton_only"]


@dataclass
class LayerResult:
    case: LayerCase
    problems: list[dict] = field(default_factory=list)
    max_rel_err: dict[str, float] = field(default_factory=dict)
    forward_ok: bool = True
    outside: str = ""  # why the case was not judged (a lenient tag the layer refused)

    @property
    def ok(self) -> bool:
        return not self.problems


def layer_tolerance(twin, dtype: str) -> tuple[float, float]:
    """The dtype's row of the table, loosened by the twin's own override."""
    rtol, atol = tolerance_for(dtype)
    over = twin.tolerance.get(str(dtype))
    return (max(rtol, over[0]), max(atol, over[1])) if over else (rtol, atol)


def describe_index(entry, name: str, index, shape=None) -> str:
    """'filter 2, channel 0, kernel row 1, kernel column 1' for dw[2, 0, 1, 1]: the
    entry's `Layer.describe` (its meaning, else its axes)."""
    return entry.describe(name, index, shape)


def _call(fn, args) -> tuple[bool, object]:
    try:
        return True, fn(*args)
    except Exception as exc:  # the user's code: any failure is a verdict, not a crash
        return False, f"raised {type(exc).__name__}: {exc}".rstrip(": ")


def _count(value, n: int, what: str) -> tuple[tuple | None, str]:
    """value as a tuple of n items (one item: the array itself, or a 1-tuple)."""
    if n == 1 and not isinstance(value, (tuple, list)):
        return (value,), ""
    if isinstance(value, (tuple, list)) and len(value) == n:
        return tuple(value), ""
    got = (f"{len(value)} values" if isinstance(value, (tuple, list))
           else f"one {type(value).__name__}")
    return None, f"returned {got}, expected {n} ({what})"


class _Run:
    """The state of one case while it runs (see the module docstring)."""

    def __init__(self, case: LayerCase, singleton=()):
        self.case, self.entry, self.twin = case, get_layer(case.layer), get_twin(case.layer)
        self.singleton = frozenset(singleton)
        self.rtol, self.atol = layer_tolerance(self.twin, case.dtype)
        self.result = LayerResult(case)
        self._mistakes: dict | None = None
        self.config = case.config()

    def problem(self, stage: str, name: str, detail: str, index=(), expected=float("nan"),
                got=float("nan"), rel_err=float("inf"), diagnosis: str = "",
                shape=None, kind: Kind = Kind.VALUE) -> None:
        self.result.problems.append({
            "case": self.case.id, "layer": self.case.layer, "dtype": self.case.dtype,
            "stage": stage, "name": name, "index": [int(i) for i in index],
            "meaning": describe_index(self.entry, name, index, shape), "expected": expected,
            "got": got, "rel_err": rel_err, "detail": detail, "diagnosis": diagnosis,
            "kind": Kind.KNOWN_MISTAKE if diagnosis else kind})
        if stage == "forward":
            self.result.forward_ok = False

    def forward(self, fn):
        """The user's forward; returns (outputs by name, the rest: cache or grads) or None."""
        args = self.case.inputs()
        given = args[-1] if self.entry.config else None
        ok, value = _call(fn, args)
        if not ok and set(self.case.tags) & set(self.twin.lenient):
            self.result.outside = f"the forward {value} on a case outside the usual contract"
            return None  # e.g. CS231n's assert that the stride divides the padded size
        if not ok:
            return self.problem("forward", "", f"the forward {value}", kind=Kind.RUNTIME)
        names = self.entry.outputs + (self.entry.grads if self.entry.loss else ("cache",))
        values, why = _count(value, len(names), ", ".join(names))
        if values is None:
            return self.problem("forward", "", f"the forward {why}", kind=Kind.COUNT)
        outputs = dict(zip(self.entry.outputs, values))
        for key in self.entry.state:
            outputs[key] = given.get(key) if isinstance(given, dict) else None
        return outputs, values[len(self.entry.outputs):]

    def adopt(self, outputs: dict) -> bool:
        """The twin's adopt on the user's outputs, then the oracle; an output the twin
        cannot read (so nothing to compare with) is a forward problem: False."""
        adopt = self.twin.adopt
        if adopt is not None:
            extra = (self.case.arrays,) if len(inspect.signature(adopt).parameters) > 2 else ()
            try:
                self.config = adopt(self.case.config(), dict(outputs), *extra)
                self.oracle()
            except Exception as exc:  # the user's output cannot be read as this layer's
                out = self.entry.outputs[0]
                self.problem("forward", out, f"{out} cannot be read as this layer's output "
                                             f"({type(exc).__name__}: {exc})", kind=Kind.API)
                return False
        else:
            self.oracle()
        return True

    def oracle(self) -> None:
        self.expected, self.gradients = oracle_layer(self.case.layer, self.case.arrays,
                                                     self.config, self.case.upstream)

    def relax(self, name: str, got, expected):
        """`got` reshaped to `expected`'s shape when the caller allows `name` to differ by
        leading or trailing axes of length 1 (a record's "keepdims": dgamma as (1, D))."""
        if name in self.singleton and isinstance(got, np.ndarray) and singleton_only(
                np.shape(got), np.shape(expected)):
            return got.reshape(np.shape(expected))
        return got

    def compare(self, stage: str, name: str, got, expected) -> None:
        """One array: its largest relative error, and a problem when it is wrong."""
        got = self.relax(name, got, expected)
        if got is None:
            return self.problem(stage, name, (
                f"the forward did not store {self.entry.config}[{name!r}]"
                if name in self.entry.state else f"{name} is None (not computed?)"),
                kind=Kind.MISSING)
        max_rel, mm = compare_arrays(got, expected, self.rtol, self.atol, name, -1)
        self.result.max_rel_err[name] = max(self.result.max_rel_err.get(name, 0.0), max_rel)
        if mm is None:
            return
        detail = mm.detail
        if self.case.dtype == "float64" and getattr(got, "dtype", None) == np.float32:
            detail = f"{detail} (a float32 answer in a float64 case)".strip()
        self.problem(stage, name, detail, mm.index, mm.expected, mm.got, mm.rel_err,
                     self.diagnose(name, got), np.shape(expected), mm.kind)

    def diagnose(self, name: str, got) -> str:
        """The known mistakes whose answer for `name` is `got` (within tolerance)."""
        found = []
        for diagnosis, wrong in self.mistakes().items():
            if name in wrong and np.shape(got) == np.shape(wrong[name]):
                try:
                    if within(got, wrong[name], self.rtol, self.atol):
                        found.append(diagnosis)
                except (TypeError, ValueError):
                    pass
        return "; or ".join(found)

    def mistakes(self) -> dict:
        if self._mistakes is None:
            arrays = {k: (v.astype(np.float64) if v.dtype.kind == "f" else v.copy())
                      for k, v in self.case.arrays.items()}
            upstream = {k: v.astype(np.float64) for k, v in self.case.upstream.items()}
            self._mistakes = {}
            for diagnosis, fn in self.twin.mistakes.items():
                try:
                    config = copy.deepcopy(self.config)  # after adopt: dropout's mask
                    self._mistakes[diagnosis] = dict(fn(arrays, config, upstream))
                except Exception:  # a mistake that does not apply to this case's shapes
                    continue
        return self._mistakes


def problem_line(p: dict) -> str:
    """'dw[2, 0, 1, 1]: filter 2, channel 0, kernel row 1, kernel column 1; expected 0.1,
    got 0.3 (rel err 2); diagnosis: ...' (a crash, count or shape: its detail)."""
    where = p["name"] + (f"[{', '.join(map(str, p['index']))}]" if p["index"] else "")
    if p["index"]:
        where += f": {p['meaning']}" if p["meaning"] else ""
    if p["expected"] != p["expected"] or isinstance(p["expected"], str):  # NaN: no numbers
        text = f"{where}: {p['detail']}" if where else p["detail"]
    else:
        text = (f"{where or 'value'}{';' if p['index'] else ':'} expected "
                f"{p['expected']:.8g}, got {p['got']:.8g} (rel err {p['rel_err']:.3g})"
                + (f" {p['detail']}" if p["detail"] else ""))
    return text + (f"; diagnosis: {p['diagnosis']}" if p.get("diagnosis") else "")


def singleton_only(got: tuple, expected: tuple) -> bool:
    """Whether two shapes differ only by leading or trailing axes of length 1 ((1, D) and
    (D,); (1, C, 1, 1) and (C,)), and do differ."""
    def core(shape):
        shape = list(shape)
        while shape and shape[0] == 1:
            shape.pop(0)
        while shape and shape[-1] == 1:
            shape.pop()
        return shape
    return tuple(got) != tuple(expected) and core(got) == core(expected)


def run_layer_case(case: LayerCase, forward, backward=None, singleton=()) -> LayerResult:
    """Run the user's forward (and backward) on one case; see the module docstring.
    `singleton`: the names whose shape may differ from the expected one by leading or
    trailing axes of length 1 (a grading record's accommodation; `check` allows none)."""
    run = _Run(case, singleton)
    entry = run.entry
    got = run.forward(forward)
    if got is None:
        return run.result
    outputs, rest = got
    if not run.adopt(outputs):
        return run.result
    # where more than one answer is right (a loss with the log's guard), the one nearest
    reconciled = (run.twin.reconcile(case.arrays, run.config, dict(outputs), dict(run.expected))
                  if run.twin.reconcile else run.expected)
    for name in entry.outputs + entry.state:
        run.compare("forward", name, outputs[name], reconciled[name])
    if entry.loss:
        grads = dict(zip(entry.grads, rest))
    elif backward is not None:
        grads = _backward(run, backward, rest[0])
        if grads is None:
            return run.result
    else:
        return run.result
    expected = run.gradients
    grads = {g: run.relax(g, v, expected[g]) for g, v in grads.items()}
    if run.twin.reconcile and all(np.shape(grads[g]) == np.shape(expected[g]) for g in grads):
        expected = run.twin.reconcile(case.arrays, run.config, dict(grads), dict(expected))
    for name in entry.grads:
        run.compare("backward", name, grads[name], expected[name])
    return run.result


def _backward(run: _Run, backward, cache) -> dict | None:
    entry = run.entry
    upstream = [run.case.upstream[u].copy() for u in entry.upstream()]
    ok, value = _call(backward, upstream + [cache])
    if not ok:
        if run.twin.forward_only is not None and run.twin.forward_only(run.config):
            return None  # not part of the layer's contract here (batch norm's test mode)
        return run.problem("backward", "", f"the backward {value}", kind=Kind.RUNTIME)
    values, why = _count(value, len(entry.grads), ", ".join(entry.grads))
    if values is None:
        return run.problem("backward", "", f"the backward {why}", kind=Kind.COUNT)
    return dict(zip(entry.grads, values))
