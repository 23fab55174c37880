"""The registry's forwards and derivatives, entry by entry, against torch
(forward values and autograd's derivative), in the domain and far outside it."""

import warnings

import numpy as np
import pytest
import torch

from manual.activations import BUILTIN_ACTIVATIONS, get_activation
from reference.oracle.tolerances import SAME_ARITHMETIC
from reference.oracle.torchexpr import torch_activation

ELEMENTWISE = [n for n in BUILTIN_ACTIVATIONS if get_activation(n).elementwise]
GRID = np.concatenate([np.linspace(-8, 8, 401), [-700.0, -80.0, -30.0, 30.0, 80.0, 700.0]])


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_forward_and_derivative_match_torch_without_overflow(name, dtype):
    entry = get_activation(name)
    z = GRID[np.all(np.abs(GRID[:, None] - np.array(entry.kinks or [np.inf])) > 1e-6, axis=1)]
    if dtype == "float32":
        z = z[np.abs(z) < 80]  # float32 exp overflows past 88: stay where torch is finite too
    z = z.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or invalid-value warning fails the test
        a = entry.apply(z, 0)
        d = entry.derivative(z, a)
    assert a.dtype == d.dtype == np.dtype(dtype), "the dtype must survive the registry entry"
    tz = torch.tensor(z.astype(np.float64), requires_grad=True)
    ta = torch_activation(entry)(tz, 0)
    (td,) = torch.autograd.grad(ta.sum(), tz)
    rtol, atol = SAME_ARITHMETIC[dtype]
    np.testing.assert_allclose(a, ta.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(d, td.numpy(), rtol=rtol, atol=atol)


def test_elu_is_exact_on_both_sides_of_zero():
    """elu = max(z, 0) + expm1(min(z, 0)): z itself for z > 0, expm1(z) for z ≤ 0."""
    elu = get_activation("elu")
    z = np.array([-1e-300, -3.0, 0.0, 1e-300, 2.5, 1e300])
    np.testing.assert_array_equal(elu.apply(z, 0), np.where(z > 0, z, np.expm1(np.minimum(z, 0))))
    np.testing.assert_allclose(elu.derivative(z, elu.apply(z, 0)),
                               np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))),
                               rtol=SAME_ARITHMETIC["float64"][0])


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_float32_derivative_is_as_accurate_as_torchs_float32(name):
    """σ'(z) in float32 against σ'(z) in float64 at the same points: at most 1e-7
    (about one float32 ulp at 1) worse than torch's own float32 backward (a formula
    that cancels, like ½(1 + tanh u) at tanh u ≈ −1, loses digits torch keeps)."""
    entry = get_activation(name)
    lo, hi = entry.domain
    z32 = np.linspace(lo, hi, 20001).astype(np.float32)
    z64 = z32.astype(np.float64)
    exact = entry.derivative(z64, entry.apply(z64, 0))
    mine = entry.derivative(z32, entry.apply(z32, 0))
    tz = torch.tensor(z32, requires_grad=True)
    (theirs,) = torch.autograd.grad(torch_activation(entry)(tz, 0).sum(), tz)
    mine_err = np.abs(mine - exact).max()
    torch_err = np.abs(theirs.numpy().astype(np.float64) - exact).max()
    assert mine_err <= torch_err + 1e-7, (mine_err, torch_err)
