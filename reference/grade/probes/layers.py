"""Probes of the layer styles (CS231n's convention: `out, cache = x_forward(...)`,
`dx, ... = x_backward(dout, cache)`, a loss `loss, dx = x_loss(...)`).

Runs in the sandboxed child: NumPy and the standard library only. The case says which
of the student's functions to call (`forward`, `backward`: their names in the
student's module), with the layer's arrays (`args`), its hyper-parameter dict
(`config`, absent for a layer without one), the upstream gradients (`upstream`), how
many outputs come before the cache (`n_outputs`) and the config's keys the forward
updates in place (`state`: batch norm's running averages).

Every array the student gets is a copy (CS231n students write `dout *= mask` and
`x[x < 0] = 0`; what they return is graded, per the record's "in place"). The cache
never leaves this process: a backward runs on the cache the student's own forward
returned. A function that calls others of the assignment (`calls`: a sequence's step
functions) runs twice: as written, and with those replaced by the grader's (proxies
answered by the parent), so a step's bug is reported at the step. What comes back is
plain: the outputs (each array, number or None; anything
else by its type's name), how many values the function returned, and the state keys.

A function that is still the course's stub is said to be one (`stub`), before it runs
when its code does nothing but bind and return constants, never reading its arguments
(`dx, dw = None, None; pass; return dx, dw`, or `N, T = None` that would raise
TypeError; `dx = dout` is code, if wrong), after it runs when every value it returned
is None.
"""

from __future__ import annotations

import contextlib
import copy
import dis
import os
import re
import traceback

import numpy as np

from .layer_cache import forward_is_wrong, learn, rebuild
from .remote import helper, note

__all__ = ["layer_forward", "layer_backward", "skeleton", "skeleton_raised", "stub_reason"]

# what a stub's code does: bind names to constants, build a tuple of them, return it
STUB_OPS = frozenset({
    "RESUME", "NOP", "CACHE", "EXTENDED_ARG", "LOAD_CONST", "RETURN_CONST", "RETURN_VALUE",
    "STORE_FAST", "LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_LOAD_FAST",
    "STORE_FAST_STORE_FAST", "STORE_FAST_LOAD_FAST", "BUILD_TUPLE", "BUILD_LIST", "POP_TOP",
    "UNPACK_SEQUENCE", "COPY", "SWAP", "ROT_TWO", "ROT_THREE", "DUP_TOP", "LOAD_SMALL_INT",
})


def stub_reason(fn) -> str:
    """Why `fn` reads as the course's unimplemented stub from its code alone ('' when it
    does some work): its body only binds and returns constants."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return ""
    try:
        instructions = list(dis.get_instructions(code))
    except Exception:  # noqa: BLE001 - an odd code object: not a stub
        return ""
    arguments = set(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    loaded = set()
    for i in instructions:
        if i.opname.startswith("LOAD_FAST"):
            loaded |= set(i.argval) if isinstance(i.argval, tuple) else {i.argval}
    if {i.opname for i in instructions} <= STUB_OPS and not loaded & arguments:
        return "its body only assigns placeholders (None) and returns them"
    return ""


# what computes or writes a value (reading an item, `cache['mode']`, is not): a function with
# none of these can only hand its inputs or constants back (a stub with a mode's branch
# filled in, or a skeleton's typo)
WORK_OPS = ("CALL", "BINARY_", "INPLACE_", "STORE_SUBSCR", "STORE_ATTR", "UNARY_",
            "STORE_SLICE", "BUILD_SLICE")


def computes_nothing(fn) -> bool:
    """Whether `fn` calls nothing and computes nothing (the skeleton's `if mode == 'train':
    pass; elif mode == 'test': dx = dout`), so it cannot be a layer's backward."""
    code = getattr(fn, "__code__", None)
    try:
        ops = {i.opname for i in dis.get_instructions(code)} if code is not None else {"CALL"}
    except Exception:  # noqa: BLE001 - an odd code object: not a stub
        return False
    return not any(op.startswith(WORK_OPS) for op in ops - {"BINARY_SUBSCR", "BINARY_SLICE"})


def placeholder_error(fn, exc: BaseException) -> str:
    """Why an error raised in `fn`'s own frame is the skeleton's: a placeholder left at
    None then used (the CS231n skeleton's `out = None ... out = out.astype(x.dtype)`:
    AttributeError on NoneType), or ''. An error raised deeper is the code's; a TypeError
    on a placeholder (unpacked, added) is `skeleton_raised`'s."""
    if _raised_in([fn], exc) is None:
        return ""
    if isinstance(exc, AttributeError) and "NoneType" in str(exc) and (
            None in fn.__code__.co_consts):
        return f"a placeholder left at None ({type(exc).__name__}: {exc})"
    return ""


def _raised_in(fns, exc: BaseException):
    """The one of `fns` in whose own frame `exc` was raised (the innermost frame), else
    None: an error raised deeper (a helper, NumPy) is the code's own."""
    tb, last = exc.__traceback__, None
    while tb is not None:
        last, tb = tb.tb_frame, tb.tb_next
    return next((f for f in fns if last is not None
                 and getattr(f, "__code__", None) is last.f_code), None)


# what only the course's skeleton does: unpack a placeholder (`n_x, m, T_x = None`) or add
# one (`dWax += None`), each a TypeError when it runs
PLACEHOLDER_USES = frozenset({"UNPACK_SEQUENCE", "BINARY_OP", "INPLACE_ADD", "BINARY_ADD"})
# ... or hand one to a call (`for h in range(None)`): read so only after such a TypeError
PLACEHOLDER_CALLS = PLACEHOLDER_USES | {"PRECALL", "CALL", "CALL_FUNCTION"}


def skeleton(fn, uses: frozenset = PLACEHOLDER_USES) -> bool:
    """Does `fn`'s code still hold the course's placeholders in a use that raises?"""
    code = getattr(fn, "__code__", None)
    try:
        instructions = list(dis.get_instructions(code)) if code is not None else []
    except Exception:  # noqa: BLE001 - an odd code object: not the skeleton
        return False
    return any(a.opname == "LOAD_CONST" and a.argval is None and b.opname in uses
               for a, b in zip(instructions, instructions[1:]))


# `concat = None` then `concat[:n_a, :] = None`: a name bound to None this often (the
# skeleton's every line) is the skeleton's, once its None raised the TypeError
PLACEHOLDERS = 3


def _placeholders(fn) -> int:
    """How many times `fn`'s code binds a local name to the constant None."""
    try:
        instructions = list(dis.get_instructions(fn.__code__))
    except Exception:  # noqa: BLE001 - an odd code object: none
        return 0
    return sum(a.opname == "LOAD_CONST" and a.argval is None and b.opname == "STORE_FAST"
               for a, b in zip(instructions, instructions[1:]))


def skeleton_raised(fns, exc: BaseException) -> str:
    """Why an error raised in one of `fns`' own frames is the course's skeleton's, or '':
    a TypeError of a `= None` placeholder the code still unpacks or adds (the 2018-20
    notebooks), a NameError in a function that binds no name at all (the 2021 notebooks'
    commented-out body, `return mask` left alone; a typo in written code is its own
    error). An error raised deeper (a helper, NumPy) is the code's own."""
    fn = _raised_in(fns, exc)
    if fn is None:
        return ""
    if isinstance(exc, TypeError) and "NoneType" in str(exc) and (
            skeleton(fn, PLACEHOLDER_CALLS) or _placeholders(fn) >= PLACEHOLDERS):
        return f"its `= None` placeholders are still in place (TypeError: {exc})"[:300]
    code = fn.__code__
    binds_nothing = code.co_nlocals == code.co_argcount + code.co_kwonlyargcount
    if isinstance(exc, NameError) and not isinstance(exc, UnboundLocalError) and binds_nothing:
        return f"its body is still commented out (NameError: {exc})"[:300]
    return ""


def _plain(value):
    """An output as the parent can read it: an array, a number, None, or its type's name."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biuf":
        return np.array(value, copy=True)
    return {"type": type(value).__name__}


def _arguments(inputs, forward=None) -> tuple[list, dict | None]:
    """Copies of the arrays, then of the config (the dict the state is read from), in the
    convention the student's forward declares in its docstring (`conventions`: [key,
    pattern, "complement"]: CS231n's 2017 dropout skeleton, "We drop each neuron output
    with probability p", takes 1 − the keep probability the case holds)."""
    args = [np.array(a, copy=True) for a in inputs["args"]]
    config = copy.deepcopy(inputs["config"]) if "config" in inputs else None
    doc = getattr(forward, "__doc__", None)
    for key, pattern, how in inputs.get("conventions") or []:
        if (isinstance(config, dict) and isinstance(doc, str) and how == "complement"
                and re.search(str(pattern), doc, re.IGNORECASE)
                and isinstance(config.get(key), (int, float))):
            config[key] = 1 - config[key]
            note(CONVENTION_NOTES.get(key, key))
    return args + ([config] if "config" in inputs else []), config


# the book's accommodation (`books.cs231n`) a convention read from the docstring applies
CONVENTION_NOTES = {"p": "drop probability"}


def _note_in_place(copies, originals) -> None:
    """Say that the student's function wrote into an array it was given (a copy: what it
    returns is graded; the book's "in place" accommodation)."""
    for mine, given in zip(copies, originals):
        try:
            moved = (isinstance(mine, np.ndarray) and mine.shape == np.shape(given)
                     and not np.array_equal(mine, given, equal_nan=True))
        except (TypeError, ValueError):
            moved = False
        if moved:
            note("in place")
            return


def _kwargs(inputs) -> dict:
    """The keyword arguments both functions take (`kwargs`: Ng's mode="average")."""
    return {str(k): v for k, v in (inputs.get("kwargs") or {}).items()}


def _answer(value, n: int, config, state) -> dict:
    """The forward's return read as (n outputs, the cache); the cache stays here."""
    count = len(value) if isinstance(value, (tuple, list)) else -1
    items = list(value)[:n] if count >= 0 else [value]
    got = {"count": count, "outputs": [_plain(v) for v in items],
           "state": {k: _plain(config.get(k)) if isinstance(config, dict) else None
                     for k in state}}
    if value is None or (count > 0 and all(v is None for v in value)):
        got["stub"] = "it returns None"
    return got


def _function(ns, name: str):
    fn = ns.get(name)
    return fn if callable(fn) else None


@contextlib.contextmanager
def _replaced(fns, calls):
    """The functions the graded ones call (`calls`: helper names, "cs231n.rnn_step_forward")
    replaced by the grader's, answered by the parent, in the graded functions' modules
    while the block runs."""
    spaces = {id(g): g for g in (getattr(f, "__globals__", None) for f in fns)
              if isinstance(g, dict)}
    saved = []
    for space in spaces.values():
        for name in calls:
            short = name.rsplit(".", 1)[-1]
            saved.append((space, short, space.get(short, _ABSENT)))
            space[short] = helper(name)
    try:
        yield
    finally:
        for space, short, value in reversed(saved):
            if value is _ABSENT:
                space.pop(short, None)
            else:
                space[short] = value


_ABSENT = object()


def _guarded(run, fns=()) -> dict:
    try:
        return run()
    except (MemoryError, RecursionError):
        raise                   # the worker names these (with the memory limit)
    except Exception as exc:  # noqa: BLE001 - the student's code: judged in the parent
        why = skeleton_raised(fns, exc)
        return {"stub": why} if why else {"raised": _raised(exc)}


def _twice(inputs, fns, run) -> dict:
    """run() as the student wrote it; for a function that calls others of the assignment
    (`calls`), also with those replaced by correct ones ("replaced"): the parent passes
    the function when either run is right, so a step's bug is reported at the step."""
    calls = [str(c) for c in inputs.get("calls") or []]
    if not calls:
        try:
            return run()
        except (TypeError, NameError) as exc:  # the worker reports the student's errors
            why = skeleton_raised(fns[:1], exc)
            if why:
                return {"stub": why}
            raise
    with _replaced(fns, calls):
        replaced = _guarded(run, fns[:1])
    return {**_guarded(run, fns[:1]), "replaced": replaced}


def layer_forward(ns, inputs):
    """The student's forward (or loss) on copies of the case's arrays."""
    fn = _function(ns, inputs["forward"])
    reason = stub_reason(fn)
    if reason:
        return {"stub": reason}

    def run():
        args, config = _arguments(inputs, fn)
        try:
            value = fn(*args, **_kwargs(inputs))
        except Exception as exc:  # noqa: BLE001 - a case outside the usual contract (a
            if placeholder_error(fn, exc):  # stride that does not divide): the parent
                return {"stub": placeholder_error(fn, exc)}   # judges a refusal there
            if not inputs.get("outside"):                     # as no failure
                raise
            return {"raised": _raised(exc)}
        _note_in_place(args, inputs["args"])
        got = _answer(value, int(inputs["n_outputs"]), config, inputs["state"])
        _note_keepdims(inputs, got.get("state") or {})
        return got
    return _twice(inputs, [fn], run)


def _blocked(ns, inputs) -> tuple[str, tuple]:
    """Run the student's forward for its cache: ('', (outputs' answer, cache)), or why the
    backward cannot be graded on it (the forward missing, a stub, raising, or returning
    no cache)."""
    name, n = inputs["forward"], int(inputs["n_outputs"])
    fn = _function(ns, name)
    if fn is None:
        return f"{name} is not defined", ()
    if stub_reason(fn):
        return f"{name} is still a stub", ()
    args, config = _arguments(inputs, fn)
    try:
        value = fn(*args, **_kwargs(inputs))
    except Exception as exc:  # noqa: BLE001 - the student's forward: reported, not raised
        if placeholder_error(fn, exc):
            return f"{name} is still a stub", ()
        return f"{name} raised {type(exc).__name__}: {exc}"[:300], ()
    got = _answer(value, n, config, inputs["state"])
    if got.get("stub"):
        return f"{name} returns None (still a stub?)", ()
    if got["count"] != n + 1:
        return (f"{name} returned {got['count'] if got['count'] >= 0 else 'one value'}, "
                f"expected {n + 1} (the outputs, then the cache)"), ()
    return "", (got, value[n])


def layer_backward(ns, inputs):
    """The student's forward for its cache, then the student's backward on copies of the
    upstream gradients and that cache: the forward's answer and the gradients."""
    backward = _function(ns, inputs["backward"])
    reason = stub_reason(backward)
    if reason:
        return {"stub": reason}
    return _twice(inputs, [backward, _function(ns, inputs["forward"])],
                  lambda: _backward_once(ns, inputs, backward))


def _backward_once(ns, inputs, backward) -> dict:
    why, got = _blocked(ns, inputs)
    if why and computes_nothing(backward):
        return {"stub": "its body computes nothing (the skeleton's placeholders)"}
    if why and skeleton(backward):     # the skeleton's backward: a stub, whatever its forward
        return {"stub": "its `= None` placeholders are still in place (the course's skeleton)"}
    if why:
        return {"blocked": why}
    forward, cache = got
    cache, used = _cache_for(ns, inputs, forward, cache)
    if used.get("blocked"):
        return {"forward": forward, **used}
    upstream = [np.array(u, copy=True) for u in inputs["upstream"]]
    try:
        grads = backward(*upstream, cache, **_kwargs(inputs))
    except (MemoryError, RecursionError):
        raise                   # the worker names these (with the memory limit)
    except Exception as exc:  # noqa: BLE001 - judged in the parent: a backward may raise
        # where the layer keeps no cache (batch norm's test mode), which is no failure
        why = skeleton_raised([backward], exc)
        if why:
            return {"stub": why}
        return {"forward": forward, "raised": _raised(exc), **used}
    _note_in_place(upstream, inputs["upstream"])
    got = _answer(grads, int(inputs["n_grads"]), None, ())
    _note_keepdims(inputs, dict(zip(inputs.get("grad_names") or [], got["outputs"])))
    return {"forward": forward, "grads": got, **used}


def _cache_for(ns, inputs, forward: dict, cache) -> tuple[object, dict]:
    """The cache the backward runs on: the forward's own when its outputs are right (or
    nothing to check them with: a random layer), else the same layout with the correct
    intermediates (`layer_cache.rebuild`, with the layout the forward shows on the
    parent's reference case), else why the backward is blocked."""
    pool = inputs.get("cache_pool")
    if not isinstance(pool, dict) or not forward_is_wrong(forward.get("outputs"), pool):
        return cache, {}
    reference = pool.get("reference")
    learned = _layout(ns, inputs, reference) if isinstance(reference, dict) else {}
    rebuilt, why, swapped = rebuild(cache, pool, learned)
    if why:
        return cache, {"blocked": f"{inputs['forward']}'s output is wrong and its cache "
                                  f"cannot be rebuilt with correct values: {why}",
                       "rebuild_failed": True}
    note("rebuilt cache")
    return rebuilt, {"cache": "rebuilt", "swapped": swapped[:20]}


def _layout(ns, inputs, reference: dict) -> dict:
    """Where the student's forward puts each intermediate, read on the reference case
    (`layer_cache.learn`); {} when it cannot run there."""
    fn = _function(ns, inputs["forward"])
    args, _ = _arguments({**inputs, **{k: v for k, v in reference.items()
                                      if k in ("args", "config")}}, fn)
    try:
        value = fn(*args, **_kwargs(inputs))
    except (MemoryError, RecursionError):
        raise                   # the worker names these (with the memory limit)
    except Exception:  # noqa: BLE001 - the student's forward: then nothing is learned
        return {}
    n = int(inputs["n_outputs"])
    if not isinstance(value, (tuple, list)) or len(value) != n + 1:
        return {}
    return learn(value[n], reference["pool"])


def _note_keepdims(inputs, named: dict) -> None:
    """Note the record's "keepdims" when an array it names (`singleton`: its expected
    shape) came back with extra leading or trailing axes of length 1 ((1, D) for (D,))."""
    for name, shape in (inputs.get("singleton") or {}).items():
        value = named.get(name)
        if isinstance(value, np.ndarray) and tuple(value.shape) != tuple(shape) and (
                _core(value.shape) == _core(shape)):
            note("keepdims")
            return


def _core(shape) -> list:
    """A shape without its leading and trailing axes of length 1."""
    shape = [int(n) for n in shape]
    while shape and shape[0] == 1:
        shape.pop(0)
    while shape and shape[-1] == 1:
        shape.pop()
    return shape


def _raised(exc: BaseException) -> dict:
    """The error's type, message and where in the student's code it was raised."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename != __file__ and f"{os.sep}numpy{os.sep}" not in f.filename]
    where = (f" ({os.path.basename(frames[-1].filename)}, line {frames[-1].lineno}, in "
             f"{frames[-1].name})" if frames else "")
    return {"type": type(exc).__name__, "error": f"{exc}"[:300] + where}
