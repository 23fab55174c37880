"""Ng's course 4 week 1, "Convolutional Model: step by step": the channels-last
convolution, graded as a layer style (`layer_style`) against the registry's
`conv_channels_last` twin.

    conv_forward      Z[i, h, w, c] = Σ a_slice_prev ⊙ W[..., c] + b[..., c], over the
                      windows of the zero-padded A_prev taken every `stride` pixels
    conv_backward     dA_prev, dW, db from dZ, on the cache the student's own
                      conv_forward returned
    pool_forward      A[i, h, w, c] = max or mean of the f×f window every `stride`
                      pixels (mode="max" and mode="average", each graded)
    pool_backward     dA_prev: max, dA at the window's maximum (every tied one, as the
                      course's mask: tied windows are not drawn); average, dA / f²
                      over the window; on the student's own cache

and four small functions, each against its closed form (`ng_c4w1_kit`):

    zero_pad                  X padded with `pad` zeros on its rows and columns only
    conv_single_step          Σ a_slice_prev ⊙ W + b, a scalar (any one-element array too)
    create_mask_from_window   x == max(x): every tied maximum True, as the course's
    distribute_value          dz / (n_H·n_W) over a window of that shape

The cases go beyond the notebook's settings (padding 0, strides 2 and 3, non-square
images and kernels, a batch of 1, a remainder in the output size). The course leaves
conv_backward ungraded; here it is graded on the student's own cache.
"""

from __future__ import annotations

import numpy as np

from ...oracle.diagnose import Kind, as_array, diagnose_array
from ..base import Finding, GradeCase, GradedFunction, Style
from . import ng_c4w1_kit as kit
from .layer_style import LayerFunction, layer_functions

__all__ = ["STYLE", "LAYERS", "SMALL"]

# the notebook unpacks W as (f, f, n_C_prev, n_C): its kernels are square
SQUARE = ("rect-kernel",)

# the course's mask is x == max(x) (create_mask_from_window, graded so): its pool_backward
# copies a window's gradient to every tied maximum, so max pooling's tied windows are not drawn
TIES = ("ties",)
# pool_backward calls these two: graded also with the grader's, a helper's bug stays there
POOL_CALLS = ("ng_c4.create_mask_from_window", "ng_c4.distribute_value")
# conv_forward calls zero_pad and conv_single_step (conv_backward, zero_pad): the same, so a
# bias added f·f·n_C times inside conv_single_step is reported there, not at the layer
CONV_CALLS = ("ng_c4.zero_pad", "ng_c4.conv_single_step")

LAYERS = (LayerFunction("conv_channels_last", "conv_forward", "conv_backward",
                        excluded=SQUARE, calls=CONV_CALLS),
          # one pool_forward and one pool_backward, each graded in both modes
          (LayerFunction("max_pool_channels_last", "pool_forward", "pool_backward",
                         excluded=TIES, kwargs=(("mode", "max"),), calls=POOL_CALLS),
           LayerFunction("avg_pool_channels_last", "pool_forward", "pool_backward",
                         kwargs=(("mode", "average"),), calls=POOL_CALLS)))

PROBE = "reference.grade.probes.ng_c4:call"


def _pad_cases(rng, n: int) -> list[GradeCase]:
    """X (m, n_H, n_W, n_C), non-square, pad 0 to 3 (0: X itself)."""
    out = []
    for k in range(max(n, 4)):
        shape = tuple(int(v) for v in rng.integers(1, 5, size=4))
        pad = k % 4
        X = rng.standard_normal(shape)
        out.append(GradeCase({"function": "zero_pad", "args": [X, pad]},
                             {"return": kit.zero_pad(X, pad)}, (X.size, pad),
                             f"X {shape}, pad {pad}"))
    return out


def _step_cases(rng, n: int) -> list[GradeCase]:
    """One window (f, f, n_C_prev), its filter and a bias of shape (1, 1, 1)."""
    out = []
    for _ in range(max(n, 4)):
        f, c = int(rng.integers(1, 5)), int(rng.integers(1, 4))
        a, W, b = (rng.standard_normal((f, f, c)), rng.standard_normal((f, f, c)),
                   rng.standard_normal((1, 1, 1)))
        out.append(GradeCase({"function": "conv_single_step", "args": [a, W, b]},
                             {"return": kit.conv_single_step(a, W, b)}, (a.size,),
                             f"a_slice_prev and W ({f}, {f}, {c}), b (1, 1, 1)"))
    return out


def _mask_cases(rng, n: int) -> list[GradeCase]:
    """Windows (f_h, f_w) of distinct values, and of small integers after a ReLU (ties)."""
    out = []
    for k in range(max(n, 4)):
        shape = tuple(int(v) for v in rng.integers(1, 5, size=2))
        tied = k % 2 == 1
        x = np.maximum(rng.integers(-2, 2, size=shape), 0).astype(np.float64) if tied \
            else rng.standard_normal(shape)
        out.append(GradeCase({"function": "create_mask_from_window", "args": [x]},
                             {"return": kit.create_mask_from_window(x)}, (x.size, tied),
                             f"x {shape}" + (" with tied maxima" if tied else "")))
    return out


def _distribute_cases(rng, n: int) -> list[GradeCase]:
    """dz a number, shape (n_H, n_W), non-square too."""
    out = []
    for _ in range(max(n, 4)):
        shape = tuple(int(v) for v in rng.integers(1, 5, size=2))
        dz = float(rng.standard_normal())
        out.append(GradeCase({"function": "distribute_value", "args": [dz, list(shape)],
                              "tuple_last": True},
                             {"return": kit.distribute_value(dz, shape)},
                             (shape[0] * shape[1],), f"dz {dz:.3g}, shape {shape}"))
    return out


def _judge(name: str, mistakes=None):
    def judge(got, case):
        if got.get("stub"):
            return Finding("api", f"{name} is a stub (not implemented yet: {got['stub']})",
                           kind=Kind.MISSING)
        exp = np.asarray(case.expected["return"])
        out = got.get("return")
        g = as_array(out)
        if np.ndim(exp) == 0 and g is not None and g.size == 1:
            out = g.reshape(())             # a scalar as any one-element array
        if exp.dtype == bool and g is not None and g.shape == exp.shape:
            out = g.astype(np.float64)      # a mask of 0/1 numbers is a mask
            exp = exp.astype(np.float64)
        wrong = mistakes(case) if mistakes else ()
        return diagnose_array(out, exp, equation="forward", name=name, mistakes=wrong)
    judge.__doc__ = f"{name}: its closed form (`ng_c4w1_kit`)."
    return judge


def _mask_mistakes(case):
    x = np.asarray(case.inputs["args"][0])
    first = np.zeros(x.shape)
    first.flat[int(np.argmax(x))] = 1.0
    return [("only the first maximum marked: the course's mask is x == max(x), every tied "
             "position", first)]


def _distribute_mistakes(case):
    dz, shape = case.inputs["args"]
    return [("dz copied to every position, not divided by n_H·n_W", np.full(shape, dz))]


def _small(name: str, cases, mistakes=None) -> GradedFunction:
    return GradedFunction(name, PROBE, cases, _judge(name, mistakes), points=0.5)


SMALL = [
    _small("zero_pad", _pad_cases),
    _small("conv_single_step", _step_cases),
    _small("create_mask_from_window", _mask_cases, _mask_mistakes),
    _small("distribute_value", _distribute_cases, _distribute_mistakes),
]

STYLE = Style("ng-c4w1", "rows", SMALL[:2] + layer_functions(LAYERS) + SMALL[2:])
