"""The layer styles: any assignment written in CS231n's layer convention, graded
function by function against the layer registry's torch twins.

Each graded function is one forward, one backward or one loss of a registry layer
(`manual.layers`, `reference.oracle.layers`), named as the student writes it
(`rnn_step_forward`, `batchnorm_backward_alt`). Its cases are the twin's seeded
samples (`make_case`, float64: the course's dtype), chosen so that the edge cases the
samplers tag (a batch of 1, T = 1, D ≠ H, repeated words, a masked-out row) are among
them. In the sandbox the probe (`probes.layers`) runs the student's forward on copies
of the arrays; for a backward, the student's own forward first, then the backward on
the cache that forward returned. Here the student's answers are replayed as the
functions under test through the layer engine (`reference.oracle.layer_run`, the
one `check --layer` uses): the forward's outputs and state, then the gradients by
name, the index and what it means, and the twin's known mistakes as the diagnosis.

A backward whose forward is missing, a stub, raised or returned no cache is "blocked by
the forward" (kind FORWARD_RAISED), never failed as its own error; a function that is
still the course's stub is `missing`. A backward whose forward runs but returns a wrong
output runs on a cache rebuilt in that forward's layout with the correct intermediates
(`layer_cache.cache_pool`, sent with each backward case; `probes.layer_cache`), noted
"rebuilt cache"; one that cannot be rebuilt is blocked by the forward too. A record's
accommodation naming arrays (`Accommodation.singleton`: CS231n's "keepdims") lets those
come back with extra axes of length 1 (`run_layer_case(..., singleton=)`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from manual.layers import get_layer

from ...oracle.diagnose import Kind
from ...oracle.layer_run import layer_tolerance, problem_line, run_layer_case
from ...oracle.layers import LayerCase, get_twin, make_case
from ...oracle.tolerances import within
from ..base import Finding, GradeCase, GradedFunction
from ..book import Book
from .layer_cache import cache_pool

__all__ = ["LayerFunction", "layer_functions", "judge_layer_forward", "judge_layer_backward"]

PROBES = "reference.grade.probes.layers"
DTYPE = "float64"          # the course's arrays (np.random.randn)
DRAWS = 4                  # candidate cases drawn per case kept, for the edge cases' sake
# at least this many cases per function whatever --cases asks (4 by default): the samplers
# draw many edge cases, and a typical one (several channels and filters) must be among them
MIN_CASES = 6


@dataclass(frozen=True)
class LayerFunction:
    """A layer of an assignment: its registry name and the student's names for its
    forward (a loss: the one function) and backward (None for a loss)."""

    layer: str                       # "rnn_step"
    forward: str                     # "rnn_step_forward"
    backward: str | None             # "rnn_step_backward"
    points: float = 1.0
    # graded when the submission defines it (CS231n's spatial group norm, in the notebooks
    # of the years that have it): supplied otherwise
    optional: bool = False
    grade_forward: bool = True       # False: a second backward of a forward graded already
    # the helpers (`kit`, "cs231n.rnn_step_forward") that stand in for the functions of the
    # assignment this layer's functions call, in a second run (see `_either`)
    calls: tuple[str, ...] = ()
    # a hyper-parameter whose meaning the course changed, read from the student's forward's
    # docstring: (config key, regex, "complement"): dropout's p dropped (2017) or kept
    conventions: tuple[tuple[str, str, str], ...] = ()
    # the samplers' tags of cases the assignment does not ask for, never drawn: Ng's
    # course 4 unpacks W as (f, f, n_C_prev, n_C), square kernels only ("rect-kernel")
    excluded: tuple[str, ...] = ()
    # keyword arguments the student's forward and backward both take, passed by the probe:
    # Ng's pool_forward(A_prev, hparameters, mode="average"), one layer per mode
    kwargs: tuple[tuple[str, str], ...] = ()
    # the arrays (gradients, state) whose shape may differ from the expected one by leading
    # or trailing axes of length 1, where the record allows it (CS231n's "keepdims")
    singleton: tuple[str, ...] = ()


def _draw(rng, layer: str, n: int, excluded: tuple[str, ...]) -> list[LayerCase]:
    """DRAWS·n seeded cases of `layer` with none of the `excluded` tags (a bounded number
    of rounds: the samplers draw an excluded tag in a minority of cases)."""
    drawn: list[LayerCase] = []
    for _ in range(8):
        drawn += [c for c in (make_case(layer, int(s), DTYPE)
                              for s in rng.integers(0, 2**31 - 1, DRAWS * n))
                  if not set(c.tags) & set(excluded)]
        if len(drawn) >= DRAWS * n:
            break
    return drawn[:DRAWS * n]


def _seeds(rng, layer: str, n: int, excluded: tuple[str, ...] = ()) -> list[LayerCase]:
    """n cases of `layer` from DRAWS·n seeded draws: the first half as drawn (the
    sampler's own mix: a typical case, several channels, train mode), the rest picked
    greedily so that as many of the samplers' edge-case tags as possible appear (then the
    smallest cases)."""
    drawn = _draw(rng, layer, n, excluded)
    chosen = drawn[:(n + 1) // 2]
    drawn = drawn[len(chosen):]
    seen = {t for c in chosen for t in c.tags}
    while drawn and len(chosen) < n:
        best = max(drawn, key=lambda c: (len(set(c.tags) - seen), -_size(c)))
        drawn.remove(best)
        chosen.append(best)
        seen |= set(best.tags)
    return chosen


def _size(case: LayerCase) -> int:
    return sum(int(np.size(a)) for a in case.arrays.values())


def _describe(case: LayerCase) -> str:
    shapes = ", ".join(f"{k} {tuple(v.shape)}" for k, v in case.arrays.items())
    plain = {k: v for k, v in (case.hyper or {}).items() if isinstance(v, (str, int, float))}
    config = f", {plain}" if plain else ""          # the settings, not running averages
    tags = f" [{', '.join(case.tags)}]" if case.tags else ""
    return f"{shapes}{config}{tags}"


def _grade_case(spec: LayerFunction, case: LayerCase, backward: bool = False) -> GradeCase:
    """The child's inputs (names, arrays, config, upstream; a backward's: the correct
    forward's intermediates, to rebuild a wrong forward's cache) and, for the parent only,
    the LayerCase the judge replays."""
    entry = get_layer(case.layer)
    inputs = {"forward": spec.forward, "backward": spec.backward or "",
              "args": [case.arrays[a] for a in entry.arrays],
              "upstream": [case.upstream[u] for u in entry.upstream()] if not entry.loss
              else [],
              "n_outputs": len(entry.outputs) + (len(entry.grads) if entry.loss else 0),
              "n_grads": len(entry.grads), "state": list(entry.state)}
    if entry.config:
        inputs["config"] = case.config()
    if spec.calls:
        inputs["calls"] = list(spec.calls)
    if spec.singleton:
        inputs["singleton"] = _shapes(case, spec.singleton)
        inputs["grad_names"] = list(entry.grads)
    pool = cache_pool(case, spec.excluded) if backward else None
    if pool is not None:
        inputs["cache_pool"] = pool
    if spec.conventions:
        inputs["conventions"] = [list(c) for c in spec.conventions]
    if set(case.tags) & set(get_twin(case.layer).lenient):
        inputs["outside"] = True        # the forward may refuse it (`_outside`)
    extra = ""
    if spec.kwargs:
        inputs["kwargs"] = dict(spec.kwargs)
        extra = ", " + ", ".join(f"{k}={v!r}" for k, v in spec.kwargs)
    return GradeCase(inputs, {"case": case}, (_size(case), case.seed), _describe(case) + extra)


def _shapes(case: LayerCase, names: tuple[str, ...]) -> dict[str, list[int]]:
    """The expected shape of each named gradient ('d' + an array) and state key, for the
    probe to note a shape the record accepts ("keepdims")."""
    entry = get_layer(case.layer)
    config = case.config() if entry.config else None
    if config is not None and entry.state:
        entry.forward(*(case.arrays[a] for a in entry.arrays), config)
    shapes = {}
    for name in names:
        if name[:1] == "d" and name[1:] in case.arrays:
            shapes[name] = list(np.shape(case.arrays[name[1:]]))
        elif isinstance(config, dict) and name in config:
            shapes[name] = list(np.shape(config[name]))
    return shapes


def _cases(*specs: LayerFunction, backward: bool = False):
    """The cases of one student function: each spec's (several specs: one function
    graded on several layers, Ng's pool_forward in its two modes)."""
    def cases(rng, n: int) -> list[GradeCase]:
        return [_grade_case(spec, c, backward) for spec in specs
                for c in _seeds(rng, spec.layer, max(n, MIN_CASES), spec.excluded)]
    return cases


def _replay(answer: dict):
    """A function returning what the student's function returned (the cache, which
    stayed in the sandbox, as None), writing the state keys into the config it is
    given: the engine runs it as the user's function."""
    def replay(*args):
        config = args[-1] if args and isinstance(args[-1], dict) else None
        for key, value in (answer.get("state") or {}).items():
            if config is not None:
                config[key] = value
        outputs = list(answer.get("outputs") or [])
        count = answer.get("count")
        count = int(count) if isinstance(count, (int, float)) and count == count else -1
        if count < 0:
            return outputs[0] if outputs else None
        return tuple(outputs[:count] + [None] * max(0, count - len(outputs)))
    return replay


def _raise(raised):
    """A function raising what the student's backward raised in the sandbox (the engine
    judges it: a failure, unless the twin says the backward is not due there)."""
    raised = raised if isinstance(raised, dict) else {}
    name = str(raised.get("type", "Exception"))
    error = type(name if name.isidentifier() else "Exception", (Exception,), {})

    def replay(*args):
        raise error(str(raised.get("error", "")))
    return replay


def _finding(problems: list[dict], stage: str) -> Finding | None:
    """The first problem of `stage` as a finding (its line: name, index and meaning,
    expected and got, the diagnosis)."""
    found = next((p for p in problems if p["stage"] == stage), None)
    if found is None:
        return None
    return Finding(stage, problem_line(found), {k: found[k] for k in (
        "case", "name", "index", "meaning", "expected", "got", "rel_err")},
        Kind(found.get("kind", Kind.VALUE)))


def _stub(name: str, why) -> Finding:
    return Finding("api", f"{name} is a stub (not implemented yet: {why})", kind=Kind.MISSING)


def _either(judge):
    """A function graded twice (as written, and with the functions it calls replaced by
    correct ones: "replaced") passes when either run is right; when both are wrong, the
    replaced run's finding is its own bug, unless that run could not go through (the
    student's code reads its own helpers' caches), then the run as written says why."""
    def judged(got, case):
        found = judge(got, case)
        other = got.get("replaced")
        if found is None or not isinstance(other, dict):
            return found
        second = judge(other, case)
        if second is None:
            return None
        return found if second.kind in (Kind.RUNTIME, Kind.FORWARD_RAISED) else second
    judged.__doc__ = judge.__doc__
    return judged


def _raised_finding(raised) -> Finding:
    raised = raised if isinstance(raised, dict) else {}
    return Finding("runtime", f"{raised.get('type', 'Exception')}: {raised.get('error', '')}",
                   kind=Kind.RUNTIME)


def _outside(case) -> bool:
    """Whether the case is outside the convention's usual contract (the twin's `lenient`
    tags: a stride that does not divide the padded size, which CS231n's skeleton asserts
    against): a forward that raises there is no failure, as in `run_layer_case`, nor one
    whose output size rounds (H − HH)/stride otherwise than down (`round`, a ceiling)."""
    lc = case.expected["case"]
    return bool(set(lc.tags) & set(get_twin(lc.layer).lenient))


def judge_layer_forward(spec: LayerFunction):
    def judge(got, case):
        if got.get("stub"):
            return _stub(spec.forward, got["stub"])
        if "raised" in got:
            return None if _outside(case) else _raised_finding(got["raised"])
        result = run_layer_case(case.expected["case"], _replay(got), None,
                                singleton=spec.singleton)
        # a loss returns its gradient too: the engine compares it as the "backward" stage
        found = _finding(result.problems, "forward")
        if found is not None and found.kind == Kind.SHAPE and _outside(case):
            return None     # another rounding of an output size the course asserts exact
        if found is None and (found := _finding(result.problems, "backward")) is not None:
            found.equation = "BP1"      # a loss's dx (docs/DESIGN.md, "Layers")
        return found
    judge.__doc__ = f"{spec.forward}: the outputs (and state; a loss: its dx) against the twin's."
    return judge


def _blocked_finding(spec: LayerFunction, got: dict) -> Finding:
    how = ("could not be run on a correct cache" if got.get("rebuild_failed")
           else "could not be run on the cache it returns")
    return Finding("backward", f"blocked by the forward: {got['blocked']}, so {spec.backward} "
                               f"{how} (not graded as its own error)", kind=Kind.FORWARD_RAISED)


def _own_forward(case, got: dict) -> bool:
    """Whether the backward returned the gradients of the student's own (wrong) forward,
    for a random layer whose cache cannot be rebuilt (the twin's `own`: dropout's dx =
    dout ⊙ s for an out = x ⊙ s): right for the cache it was given, as a TA reads it."""
    lc = case.expected["case"]
    own = get_twin(lc.layer).own
    forward, grads = got.get("forward") or {}, got.get("grads") or {}
    entry = get_layer(lc.layer)
    if own is None or got.get("cache") == "rebuilt" or "raised" in got:
        return False
    outputs = dict(zip(entry.outputs, forward.get("outputs") or []))
    named = dict(zip(entry.grads, grads.get("outputs") or []))
    expected = own(lc.arrays, lc.config(), outputs, lc.upstream)
    if not expected or set(expected) - set(named):
        return False
    rtol, atol = layer_tolerance(get_twin(lc.layer), lc.dtype)
    return all(_same(named[g], e, rtol, atol) for g, e in expected.items())


def _same(got, expected: np.ndarray, rtol: float, atol: float) -> bool:
    """Equal within tolerance where finite, and the same inf or nan elsewhere."""
    if not isinstance(got, np.ndarray) or got.shape != expected.shape:
        return False
    got = got.astype(np.float64)
    finite = np.isfinite(expected)
    if not np.array_equal(np.isnan(got), np.isnan(expected)) or not np.array_equal(
            got[np.isinf(expected)], expected[np.isinf(expected)]):
        return False
    return bool(np.all(np.isfinite(got[finite]))) and within(got[finite], expected[finite],
                                                             rtol, atol)


def judge_layer_backward(spec: LayerFunction):
    def judge(got, case):
        if got.get("stub"):
            return _stub(spec.backward, got["stub"])
        lc = case.expected["case"]
        due = get_twin(lc.layer).forward_only
        if due is not None and due(lc.config()):
            # no backward is due there (batch norm's test mode: the course's backward is
            # for train mode, its notebook never runs one on a test-mode cache), whether
            # it raises or returns the train-mode formula on the test-mode cache it got
            return None
        if got.get("blocked"):
            if " raised " in got["blocked"] and _outside(case):
                return None     # the forward may refuse the case (`_outside`)
            return _blocked_finding(spec, got)
        grads = got.get("grads") if isinstance(got.get("grads"), dict) else {}
        if grads.get("stub"):
            return _stub(spec.backward, grads["stub"])
        replay = _replay(grads) if "raised" not in got else _raise(got["raised"])
        result = run_layer_case(case.expected["case"], _replay(got.get("forward") or {}),
                                replay, singleton=spec.singleton)
        found = _finding(result.problems, "backward")
        wrong = _finding(result.problems, "forward")
        if found is not None and wrong is not None and _own_forward(case, got):
            return None     # right for the cache its (wrong) forward gave it
        if wrong is not None and wrong.kind == Kind.SHAPE and _outside(case):
            return None     # its forward rounds the size another way there (`_outside`)
        if found is not None and wrong is not None:
            which = "the cache it returned"
            if got.get("cache") == "rebuilt":
                swapped = [str(w) for w in got.get("swapped") or []][:4]
                which = ("a cache in its layout with the correct values" + (
                    f" ({', '.join(swapped)} replaced)" if swapped else ", each checked"))
            found.diagnosis += (f" (the forward {spec.forward} is wrong too: {wrong.diagnosis};"
                                f" the backward ran on {which})")
        return found
    judge.__doc__ = (f"{spec.backward}: the gradients on the student's own cache (a wrong "
                     "forward's: rebuilt with the correct values).")
    return judge


def layer_functions(specs: Sequence[LayerFunction | Sequence[LayerFunction]],
                    book: Book | None = None) -> list[GradedFunction]:
    """The graded functions of an assignment's layers, forward before backward; a group
    of specs (the same student names, several layers: a `mode` argument) is one forward
    and one backward graded on all of their cases. The `book`'s accommodations that name
    arrays (`Accommodation.singleton`: CS231n's "keepdims") apply to every layer."""
    allowed = tuple(n for a in (book.accommodations if book else ()) for n in a.singleton)
    out = []
    for group in specs:
        group = (group,) if isinstance(group, LayerFunction) else tuple(group)
        if allowed:
            group = tuple(replace(s, singleton=s.singleton + allowed) for s in group)
        spec = group[0]                 # the judges read the names; a case, its layer
        if spec.grade_forward:
            out.append(GradedFunction(spec.forward, f"{PROBES}:layer_forward", _cases(*group),
                                      _either(judge_layer_forward(spec)), points=spec.points,
                                      helpers=spec.calls, optional=spec.optional))
        if spec.backward:
            out.append(GradedFunction(spec.backward, f"{PROBES}:layer_backward",
                                      _cases(*group, backward=True),
                                      _either(judge_layer_backward(spec)),
                                      points=spec.points, helpers=spec.calls,
                                      optional=spec.optional))
    return out
