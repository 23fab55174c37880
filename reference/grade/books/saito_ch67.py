"""The records of Saito's "Deep Learning from Scratch", ch. 6 and 7 (`book.Book`).

Chapter 6 (`saito-ch6`): the `BatchNormalization` and `Dropout` layer objects of
`common/layers.py` (the book's non-inverted dropout, eps 10e-7) and the optimizers of
`common/optimizer.py`. Chapter 7 (`saito-ch7`): `im2col`/`col2im` of `common/util.py`,
the `Convolution` and `Pooling` layers and `ch07/simple_convnet.py`'s
`SimpleConvNet.gradient`.

Read by the shared reading code and by the student's process: imports nothing but the
record types (the correct pieces are in `styles/saito_ch7_kit.py` and
`styles/saito_ch6_kit.py`, named here as strings).
"""

from __future__ import annotations

from ..book import Accommodation, Book, ClassAlias, Layer

__all__ = ["BOOK_CH6", "BOOK_CH7", "UTIL", "CONV_LAYERS", "NET_LAYERS"]

# common/util.py: what Convolution and Pooling call (answered correct in a second run)
UTIL = ("im2col", "col2im")
# the layers of SimpleConvNet, answered from the parent when its wiring is graded alone
CONV_LAYERS = ("Convolution", "Pooling")
NET_LAYERS = CONV_LAYERS + ("Relu", "Affine", "SoftmaxWithLoss")
# common/functions.py: supplied when a submission lacks them (the grader's, answered)
FUNCTIONS = ("softmax", "cross_entropy_error")


def _methods(*layers: str) -> tuple[str, ...]:
    return tuple(f"{name}.{m}" for name in layers for m in ("forward", "backward"))


IN_PLACE = Accommodation(
    "in place", "the upstream gradient and the inputs are copies: a layer that writes into "
                "them (`dout[self.mask] = 0`) is not penalized, what it returns is graded")
FORWARD_MISSING = Accommodation(
    "book state", "its backward was also run on the state the book's forward sets "
                       "(its own forward is missing or wrong): the backward is graded on "
                       "its own")

BOOK_CH7 = Book(
    style="saito-ch7",
    title="Saito's Deep Learning from Scratch, ch. 7",
    aliases=(ClassAlias("Convolution", ("Conv", "Conv2D", "Convolution2D", "ConvLayer"),
                        note="`Conv` is the book's `Convolution`"),
             ClassAlias("Pooling", ("MaxPooling", "MaxPool", "MaxPooling2D"),
                        note="`MaxPooling` is the book's (max) `Pooling`")),
    kit="reference.grade.styles.saito_ch7_kit",
    helper_prefix="saito7",
    calls=(
        ("Convolution.forward", UTIL),
        ("Convolution.backward", UTIL + ("Convolution.forward",)),
        ("Pooling.forward", UTIL),
        ("Pooling.backward", UTIL + ("Pooling.forward",)),
        ("SimpleConvNet.gradient", FUNCTIONS + UTIL + _methods(*NET_LAYERS)),
    ),
    # the attributes the book's layers hold (sent with every call of a proxied layer), the
    # constructor's, and what each method sets
    layers=(
        Layer("Convolution", ("W", "b", "stride", "pad", "x", "col", "col_W", "dW", "db"),
              init=("W", "b", "stride", "pad"),
              writes=(("forward", ("x", "col", "col_W")), ("backward", ("dW", "db")))),
        Layer("Pooling", ("pool_h", "pool_w", "stride", "pad", "x", "arg_max"),
              init=("pool_h", "pool_w", "stride", "pad"),
              writes=(("forward", ("x", "arg_max")),)),
        Layer("Relu", ("mask",), writes=(("forward", ("mask",)),)),
        Layer("Affine", ("W", "b", "x", "original_x_shape", "dW", "db"), init=("W", "b"),
              writes=(("forward", ("x", "original_x_shape")), ("backward", ("dW", "db")))),
        Layer("SoftmaxWithLoss", ("loss", "y", "t"),
              writes=(("forward", ("loss", "y", "t")),)),
    ),
    accommodations=(
        IN_PLACE, FORWARD_MISSING,
        Accommodation("dw", "`self.dw` read as the book's `self.dW` (a project that spells "
                            "it so throughout)"),
        Accommodation("lower-case keys", "params and gradients keyed 'w1' read as the "
                                         "book's 'W1'"),
    ),
)

BOOK_CH6 = Book(
    style="saito-ch6",
    title="Saito's Deep Learning from Scratch, ch. 6",
    aliases=(ClassAlias("BatchNormalization", ("BatchNorm", "BatchNorm1d", "BN"),
                        note="`BatchNorm` is the book's `BatchNormalization`"),),
    kit="reference.grade.styles.saito_ch6_kit",
    helper_prefix="saito6",
    calls=(("BatchNormalization.backward", ("BatchNormalization.forward",)),
           ("Dropout.backward", ("Dropout.forward",))),
    layers=(
        Layer("BatchNormalization",
              ("gamma", "beta", "momentum", "running_mean", "running_var", "eps",
               "input_shape", "batch_size", "xc", "xn", "std", "dgamma", "dbeta"),
              init=("gamma", "beta", "momentum", "running_mean", "running_var"),
              writes=(("forward", ("input_shape", "batch_size", "xc", "xn", "std",
                                   "running_mean", "running_var")),
                      ("backward", ("dgamma", "dbeta")))),
        Layer("Dropout", ("dropout_ratio", "mask"), init=("dropout_ratio",),
              writes=(("forward", ("mask",)),)),
    ),
    accommodations=(
        IN_PLACE, FORWARD_MISSING,
        Accommodation("eps", "batch norm judged with the ε read from the student's code "
                             "(the book's is 10e-7 = 1e-6)"),
        Accommodation("2-D only", "batch norm written for (N, D) input only (chapter 6 uses "
                              "it after affine layers): it raised on a 4-D x, which the "
                              "book's reshapes to (N, C·H·W), and is graded on (N, D)"),
        Accommodation("inverted dropout", "inverted dropout (train x·mask/(1 − r), test x) "
                                          "is the book's dropout rescaled by 1/(1 − r) in "
                                          "train and test alike: accepted, not a bug"),
    ),
)
