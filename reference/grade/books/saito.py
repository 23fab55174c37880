"""The record of Saito's "Deep Learning from Scratch", ch. 5 (`book.Book`).

Read by the shared reading code and by the student's process: imports nothing but
the record types (the correct layers are in `styles/saito_kit.py`, named here as a string).
"""

from __future__ import annotations

from ..book import Accommodation, Book, ClassAlias, ClassShape, Layer

__all__ = ["BOOK", "FUNCTIONS", "LAYER_METHODS"]

# common/functions.py: supplied when a submission lacks them (the grader's, answered)
FUNCTIONS = ("sigmoid", "softmax", "cross_entropy_error")
# the layers' methods, answered from the parent inside TwoLayerNet
LAYER_METHODS = tuple(f"{name}.{m}" for name in ("Relu", "Sigmoid", "Affine",
                                                  "SoftmaxWithLoss")
                      for m in ("forward", "backward"))

BOOK = Book(
    style="saito",
    title="Saito's Deep Learning from Scratch, ch. 5",
    aliases=(ClassAlias("Affine", ("Linear", "Dense", "FullyConnected"),
                        note="`Linear` and `Dense` are the book's `Affine`"),),
    # TwoLayerNet(input_size, hidden_size, output_size), identified by its gradient
    renamed=(ClassShape("TwoLayerNet", ("gradient",), 3),),
    kit="reference.grade.styles.saito_kit",
    helper_prefix="saito",
    # what each graded function may call, answered from the parent: the book's functions,
    # a backward's own forward when the student's class has none, TwoLayerNet's layers
    calls=(
        ("Relu.backward", ("Relu.forward",)),
        ("Sigmoid.forward", FUNCTIONS),
        ("Sigmoid.backward", FUNCTIONS + ("Sigmoid.forward",)),
        ("Affine.backward", ("Affine.forward",)),
        ("SoftmaxWithLoss.forward", FUNCTIONS),
        ("SoftmaxWithLoss.backward", FUNCTIONS),
        ("TwoLayerNet.gradient", FUNCTIONS + LAYER_METHODS),
    ),
    # the attributes a layer holds (sent by the proxy with every call, set back after
    # it), its constructor's, and what each method sets (only these come back, so a W
    # shared with params stays shared)
    layers=(
        Layer("Relu", ("mask",), writes=(("forward", ("mask",)),)),
        Layer("Sigmoid", ("out",), writes=(("forward", ("out",)),)),
        Layer("Affine", ("W", "b", "x", "dW", "db"), init=("W", "b"),
              writes=(("forward", ("x",)), ("backward", ("dW", "db")))),
        Layer("SoftmaxWithLoss", ("loss", "y", "t"),
              writes=(("forward", ("loss", "y", "t")),)),
    ),
    accommodations=(
        Accommodation("dw", "`self.dw` read as the book's `self.dW` (a project that spells "
                            "it so throughout; the book's TwoLayerNet.gradient reads "
                            "`.dW`, so its layers would not work with the book's network)"),
        Accommodation("lower-case keys", "params and gradients keyed 'w1', layers 'affine1' "
                                         "read as the book's 'W1', 'Affine1'"),
        Accommodation("keyword constructor", "`Affine(w=..., b=...)` takes the book's W and "
                                             "b by name, in any case"),
        Accommodation("forward missing", "its class has no `forward` (that one is missing): "
                                         "graded on the state the book's forward sets"),
    ),
)
