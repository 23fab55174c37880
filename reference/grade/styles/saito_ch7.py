"""Saito's "Deep Learning from Scratch", chapter 7 (`saito-ch7`): `common/util.py`'s
im2col and col2im, the `Convolution` and `Pooling` layer objects of
`common/layers.py`, and `SimpleConvNet.gradient` (ch07/simple_convnet.py). NCHW.

    im2col      (N·OH·OW, C·FH·FW): a row per window (example, output row, column), its
                entries channel-major then kernel row and column; torch's F.unfold
                (optional, as col2im: the book hands common/util.py over)
    col2im      im2col's adjoint (overlapping windows accumulate, padding cropped);
                torch's F.fold
    Convolution out = col·W.reshape(FN, -1)ᵀ + b; backward: dx (returned), self.dW,
                self.db: the registry's conv twin through the layer engine
    Pooling     max over each window; backward routes dout to a maximum (any tied one:
                the book's argmax takes the first): the max_pool twin
    SimpleConvNet.gradient  conv - relu - pool(2, 2) - affine - relu - affine - softmax
                with cross-entropy, grads W1..W3, b1..b3; torch autograd

Cases go beyond the book's: padding 0 and above, stride 2 and 3, non-square images,
kernels and pools, overlapping pools, a batch of 1, ties after a ReLU. Convolution and
Pooling also run with the grader's im2col/col2im (a util bug is reported there only);
a backward runs on its own forward's state and on the book's (a missing or wrong
forward never fails it). SimpleConvNet.gradient runs with the student's layers and with
correct ones: it passes when either is right (a layer's bug is reported at the layer).
"""

from __future__ import annotations

import numpy as np

from ...oracle.diagnose import Kind, diagnose_array, diagnose_keys
from ...oracle.layers import make_case
from ..base import Finding, GradeCase, GradedFunction, Style
from ..books.saito_ch67 import BOOK_CH7 as RECORD
from ..books.saito_ch67 import UTIL
from .layer_style import LayerFunction
from .saito_ch7_kit import im2col, out_size
from .saito_layer_style import PROBES, saito_layer

__all__ = ["STYLE", "PARAMS"]

CALLS = tuple(f"{RECORD.helper_prefix}.{name}" for name in UTIL)
PARAMS = ("W1", "b1", "W2", "b2", "W3", "b3")
NET = "reference.grade.probes.saito_convnet"


# --- im2col, col2im ----------------------------------------------------------------------------
def _geometry(rng, n: int) -> list[tuple]:
    """(x shape, FH, FW, stride, pad, tags) from the registry's conv and pool samplers:
    padding 0 to 3, strides 1 to 3 (and above the kernel), non-square images and kernels,
    overlapping windows, a batch of 1; a stride that does not divide is floored as the
    book does."""
    out = []
    for seed in rng.integers(0, 2**31 - 1, n):
        layer = "conv" if len(out) % 3 != 2 else "max_pool"
        case = make_case(layer, int(seed))
        x, cfg = case.arrays["x"], case.hyper
        if layer == "conv":
            _, _, fh, fw = case.arrays["w"].shape
            out.append((x.shape, fh, fw, cfg["stride"], cfg["pad"], case.tags))
        else:
            out.append((x.shape, cfg["pool_height"], cfg["pool_width"], cfg["stride"], 0,
                        case.tags))
    return out


def _unfold(x, fh, fw, stride, pad):
    """torch's F.unfold as the book's im2col: (N, C·FH·FW, L) -> (N·L, C·FH·FW)."""
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); sandboxes start first
    import torch
    import torch.nn.functional as F

    cols = F.unfold(torch.from_numpy(x), (fh, fw), padding=pad, stride=stride)
    return cols.transpose(1, 2).reshape(-1, cols.shape[1]).numpy()


def _fold(col, shape, fh, fw, stride, pad):
    """torch's F.fold (the sum of overlapping windows) as the book's col2im."""
    import torch
    import torch.nn.functional as F

    N, _, H, W = shape
    t = torch.from_numpy(col).reshape(N, -1, col.shape[1]).transpose(1, 2)
    img = F.fold(t, (H + 2 * pad, W + 2 * pad), (fh, fw), stride=stride)
    return img[:, :, pad:pad + H, pad:pad + W].numpy()


def _describe(shape, fh, fw, stride, pad, tags):
    tag = f" [{', '.join(tags)}]" if tags else ""
    return f"x {tuple(shape)}, filter {fh}x{fw}, stride {stride}, pad {pad}{tag}"


def im2col_cases(rng, n):
    cases = []
    for shape, fh, fw, stride, pad, tags in _geometry(rng, max(n, 6)):
        x = rng.standard_normal(shape)
        col = _unfold(x, fh, fw, stride, pad)
        inputs = {"x": x, "filter_h": fh, "filter_w": fw, "stride": stride, "pad": pad}
        cases.append(GradeCase(inputs, {"col": col}, (x.size, fh * fw),
                               _describe(shape, fh, fw, stride, pad, tags)))
    return cases


def col2im_cases(rng, n):
    cases = []
    for shape, fh, fw, stride, pad, tags in _geometry(rng, max(n, 6)):
        oh, ow = out_size(shape[2], fh, stride, pad), out_size(shape[3], fw, stride, pad)
        col = rng.standard_normal((shape[0] * oh * ow, shape[1] * fh * fw))
        inputs = {"col": col, "input_shape": list(shape), "filter_h": fh, "filter_w": fw,
                  "stride": stride, "pad": pad}
        cases.append(GradeCase(inputs, {"img": _fold(col, shape, fh, fw, stride, pad)},
                               (col.size, fh * fw), _describe(shape, fh, fw, stride, pad,
                                                              tags)))
    return cases


def _window_order(x, fh, fw, stride, pad, order):
    """im2col with its window's entries in another order (a wrong transpose)."""
    N, C = x.shape[:2]
    col = im2col(x, fh, fw, stride, pad).reshape(-1, C, fh, fw)
    return col.transpose(order).reshape(col.shape[0], -1)


def judge_im2col(got, case):
    """col[(n, oy, ox), (c, fy, fx)] = padded x[n, c, oy·stride + fy, ox·stride + fx]."""
    i = case.inputs
    x, fh, fw, s, p = i["x"], i["filter_h"], i["filter_w"], i["stride"], i["pad"]
    mistakes = [("the window's entries in (kernel row, kernel column, channel) order: the "
                 "transpose must put the channel first, (0, 4, 5, 1, 2, 3) in the book, so "
                 "that W.reshape(FN, -1) multiplies them", _window_order(x, fh, fw, s, p,
                                                                         (0, 2, 3, 1))),
                ("the window's rows and columns swapped (kernel column before kernel row)",
                 _window_order(x, fh, fw, s, p, (0, 1, 3, 2)))]
    return diagnose_array(got.get("col"), case.expected["col"], equation="forward",
                          name="col", mistakes=mistakes)


def _overwritten(col, shape, fh, fw, s, p):
    """col2im assigning each window's entries (`=`) instead of adding them (`+=`)."""
    N, C, H, W = shape
    oh, ow = out_size(H, fh, s, p), out_size(W, fw, s, p)
    c = col.reshape(N, oh, ow, C, fh, fw)
    img = np.zeros((N, C, H + 2 * p, W + 2 * p))
    for y in range(fh):
        for x in range(fw):
            img[:, :, y:y + s * oh:s, x:x + s * ow:s] = c[:, :, :, :, y, x].transpose(0, 3, 1, 2)
    return img[:, :, p:p + H, p:p + W]


def judge_col2im(got, case):
    """img = im2col's adjoint applied to col: every window entry added to its pixel."""
    i = case.inputs
    args = (i["col"], tuple(i["input_shape"]), i["filter_h"], i["filter_w"], i["stride"],
            i["pad"])
    mistakes = [("the windows overwrite each other (`=`) where they overlap: col2im must "
                 "accumulate them (`+=`), it is im2col's adjoint", _overwritten(*args))]
    return diagnose_array(got.get("img"), case.expected["img"], equation="backward",
                          name="img", mistakes=mistakes)


# --- Convolution, Pooling: the layer engine --------------------------------------------------
CONV = LayerFunction("conv", "Convolution.forward", "Convolution.backward", calls=CALLS)
POOL = LayerFunction("max_pool", "Pooling.forward", "Pooling.backward", calls=CALLS)


# --- SimpleConvNet.gradient --------------------------------------------------------------------
# (m, C, H, filter_num, filter_size, pad, stride, hidden, K): square images (the book's
# SimpleConvNet reads input_dim[1] only) whose convolution output is even (its pool is 2x2,
# stride 2, and its pool_output_size assumes the halves are whole)
NET_SHAPES = [(1, 1, 6, 2, 3, 0, 1, 4, 3), (2, 2, 6, 3, 3, 1, 1, 5, 4),
              (3, 1, 7, 2, 3, 1, 2, 3, 2), (2, 3, 8, 4, 5, 0, 1, 6, 5),
              (4, 1, 10, 3, 3, 0, 2, 4, 3), (1, 2, 9, 2, 4, 1, 1, 3, 2)]


def _rand_net(rng):
    while True:
        fs, pad, stride = int(rng.integers(1, 5)), int(rng.integers(0, 3)), int(rng.integers(1, 4))
        H = int(rng.integers(fs, fs + 8))
        if (H + 2 * pad - fs) % stride == 0 and out_size(H, fs, stride, pad) % 2 == 0:
            return (int(rng.integers(1, 5)), int(rng.integers(1, 4)), H,
                    int(rng.integers(1, 5)), fs, pad, stride, int(rng.integers(2, 7)),
                    int(rng.integers(2, 6)))


def _net_arrays(rng, shape):
    """W1..W3, b1..b3 of the net `shape` (NET_SHAPES' fields), each layer's weights scaled
    by 1/√fan-in and biases 0.5·N(0, 1) (few dead ReLUs)."""
    _, C, H, FN, FS, pad, stride, hidden, K = shape
    pooled = FN * (out_size(H, FS, stride, pad) // 2) ** 2
    return {"W1": rng.standard_normal((FN, C, FS, FS)) / np.sqrt(C * FS * FS),
            "b1": rng.standard_normal(FN) * 0.5,
            "W2": rng.standard_normal((pooled, hidden)) / np.sqrt(pooled),
            "b2": rng.standard_normal(hidden) * 0.5,
            "W3": rng.standard_normal((hidden, K)) / np.sqrt(hidden),
            "b3": rng.standard_normal(K) * 0.5}


def _net_gradients(arrays, x, labels, pad, stride):
    """∂(mean cross-entropy)/∂ each parameter by torch autograd, float64."""
    import torch
    import torch.nn.functional as F

    t = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    with torch.enable_grad():
        h = F.relu(F.conv2d(torch.from_numpy(x), t["W1"], t["b1"], stride=stride, padding=pad))
        h = F.max_pool2d(h, 2, 2).reshape(x.shape[0], -1)
        h = F.relu(h @ t["W2"] + t["b2"])
        loss = F.cross_entropy(h @ t["W3"] + t["b3"], torch.from_numpy(labels))
        grads = torch.autograd.grad(loss, [t[k] for k in PARAMS])
    return {k: g.numpy() for k, g in zip(PARAMS, grads)}


def net_cases(rng, n):
    cases = []
    shapes = list(NET_SHAPES[:max(n, 4)])
    while len(shapes) < n:
        shapes.append(_rand_net(rng))
    for shape in shapes:
        m, C, H, FN, FS, pad, stride, hidden, K = shape
        arrays = _net_arrays(rng, shape)
        x = rng.standard_normal((m, C, H, H))
        labels = rng.integers(0, K, m)
        inputs = {"input_dim": [C, H, H], "hidden_size": hidden, "output_size": K,
                  "conv_param": {"filter_num": FN, "filter_size": FS, "pad": pad,
                                 "stride": stride},
                  "x": x, "t": np.eye(K)[labels], **arrays}
        cases.append(GradeCase(inputs, {**_net_gradients(arrays, x, labels, pad, stride),
                                        "m": m},
                               (m * C * H * H, FN, hidden),
                               f"x {(m, C, H, H)}, {FN} filters {FS}x{FS} pad {pad} stride "
                               f"{stride}, hidden {hidden}, {K} classes, t one-hot"))
    return cases


def _judge_grads(grads, case) -> Finding | None:
    found = diagnose_keys(grads, list(PARAMS), equation="api", name="grads")
    if found:
        return found
    for key in ("W3", "b3", "W2", "b2", "W1", "b1"):
        found = diagnose_array(grads[key], case.expected[key], name=f"grads['{key}']",
                               equation="BP4" if key[0] == "W" else "BP3",
                               scale_m=case.expected["m"])
        if found:
            return found
    return None


def judge_net_gradient(got, case):
    """grads W3, b3 (the output affine), W2, b2, then W1, b1 (through pool, relu and conv),
    the batch mean's gradients; with the student's layers or with correct ones."""
    own = _judge_grads(got.get("grads"), case) if "grads" in got else _raised(got)
    replaced = got.get("replaced")
    if own is None or not isinstance(replaced, dict):
        return own
    other = _judge_grads(replaced.get("grads"), case) if "grads" in replaced \
        else _raised(replaced)
    if other is None:
        return None
    return own if other.kind is Kind.RUNTIME else other


def _raised(answer) -> Finding:
    raised = answer.get("raised") if isinstance(answer.get("raised"), dict) else {}
    return Finding("runtime", f"{raised.get('type', 'Exception')}: {raised.get('error', '')}",
                   kind=Kind.RUNTIME)


def _util(name, probe, cases, judge):
    """common/util.py's functions come with the book (its chapter 7 explains them and
    hands them over): graded when the submission defines them, else `supplied`."""
    return GradedFunction(name, f"{PROBES}:{probe}", cases, judge, optional=True)


STYLE = Style("saito-ch7", "rows", [
    _util("im2col", "im2col_probe", im2col_cases, judge_im2col),
    _util("col2im", "col2im_probe", col2im_cases, judge_col2im),
    *saito_layer(RECORD, CONV),
    *saito_layer(RECORD, POOL),
    GradedFunction("SimpleConvNet.gradient", f"{NET}:simple_convnet_gradient", net_cases,
                   judge_net_gradient, optional=True,
                   helpers=RECORD.helpers_of("SimpleConvNet.gradient")),
])
