"""What Saito's chapter 6 and 7 styles share: their layers graded through the layer
engine (`layer_style`), with the book's objects driven by `probes.saito_layers`.

A `saito_layer(...)` is a layer style's forward and backward of one registry layer
under the book's names ("Convolution.forward"): the same cases and the same judges as
CS231n's, the probe building the book's object from the case. A backward is judged on
the state its own forward set and, when that fails, on the state the book's forward
sets (`book`): a wrong or missing forward never fails its backward.
"""

from __future__ import annotations

import dataclasses

from ...oracle.diagnose import Kind
from ...oracle.layers import get_twin
from ..base import GradedFunction
from ..book import Book
from .layer_style import (
    LayerFunction,
    _either,
    judge_layer_backward,
    judge_layer_forward,
    layer_functions,
)

__all__ = ["saito_layer", "on_either_state", "with_extra", "PROBES"]

PROBES = "reference.grade.probes.saito_layers"


def on_either_state(judge, forward_judge):
    """The backward judged on its own forward's state; when that fails, on the book's
    state (`book`) too: it passes when right on either. When both fail, the finding on
    its own state, unless its forward was missing, raised or wrong there (then the book
    state's, which is the backward's own error) or the book state could not be used."""
    def judged(got, case):
        own = judge(got, case)
        book = got.get("book")
        if own is None or not isinstance(book, dict):
            return own
        if "grads" not in book:
            # blocked on the book's state too: in a case where the backward is not due
            # (batch norm's test mode keeps nothing for it), nothing is wrong
            twin = get_twin(case.expected["case"].layer)
            due = twin.forward_only is None or not twin.forward_only(case.expected["case"].hyper)
            return own if due or own.kind is not Kind.FORWARD_RAISED else None
        other = judge(book, case)
        if other is None:
            return None
        forward = got.get("forward")
        forward_wrong = (own.kind is Kind.FORWARD_RAISED or not isinstance(forward, dict)
                         or forward_judge(forward, case) is not None)
        return other if forward_wrong and other.kind is not Kind.RUNTIME else own
    judged.__doc__ = judge.__doc__
    return judged


def with_extra(cases, **extra):
    """The layer style's cases, with what the book's probe needs to build the object."""
    def built(rng, n):
        out = cases(rng, n)
        for c in out:
            c.inputs.update(extra, layer=c.expected["case"].layer)
        return out
    return built


def saito_layer(book: Book, spec: LayerFunction, **extra) -> list[GradedFunction]:
    """The forward and backward of `spec` as the book's layer object's methods."""
    fns = layer_functions([spec])
    out = []
    for fn in fns:
        backward = fn.name == spec.backward
        judge = fn.judge
        if backward:
            judge = on_either_state(_either(judge_layer_backward(spec)),
                                    judge_layer_forward(spec))
        out.append(dataclasses.replace(
            fn, probe=f"{PROBES}:{'layer_backward' if backward else 'layer_forward'}",
            cases=with_extra(fn.cases, prefix=book.helper_prefix, **extra), judge=judge,
            helpers=book.helpers_of(fn.name)))
    return out
