"""The expression evaluator: one source, NumPy and torch agree; hostile input refused."""

from __future__ import annotations

import builtins

import numpy as np
import pytest
import torch

from manual.errors import InputError
from reference.derive import MAX_EXPONENT, MAX_LENGTH, ExpressionError, compile_expression
from reference.oracle.expr import FUNCTIONS, VECTOR_FUNCTIONS
from reference.oracle.tolerances import SAME_ARITHMETIC

RTOL, ATOL = SAME_ARITHMETIC["float64"]

Z = np.linspace(-3.0, 3.0, 61) + 0.013  # avoids exact zeros (sign, abs, comparisons)
CALLS = {1: "{f}(z)", 2: "{f}(z, 0.5*z + 0.3)", 3: "{f}(z - 0.2, z, 2*z)"}


def both(source: str, **env):
    e = compile_expression(source, tuple(env) or ("z",))
    env = env or {"z": Z}
    got_np = e.numpy(**env)
    got_t = e.torch(**{k: torch.from_numpy(np.asarray(v, dtype=np.float64))
                       for k, v in env.items()}).numpy()
    return got_np, got_t


@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) - VECTOR_FUNCTIONS))
def test_every_function_agrees_in_numpy_and_torch(name):
    arity = FUNCTIONS[name][0]
    source = CALLS[arity].format(f=name)
    if name in ("log", "log1p", "sqrt", "log10"):
        source = f"{name}(abs(z))"
    got_np, got_t = both(source)
    assert got_np.shape == Z.shape and np.isfinite(got_np).all()
    np.testing.assert_allclose(got_np, got_t, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("source, expected", [
    ("sigmoid(z)", lambda z: 1 / (1 + np.exp(-z))),
    ("softplus(z)", lambda z: np.log1p(np.exp(z))),
    ("where(z > 0, z, 0.1*z)", lambda z: np.where(z > 0, z, 0.1 * z)),
    ("maximum(z, 0) - minimum(z, 0)", np.abs),
    ("sign(z)*abs(z)", lambda z: z),
    ("pi*e + 2**3 - -z", lambda z: np.pi * np.e + 8 + z),
    ("+z/2", lambda z: z / 2),
])
def test_values(source, expected):
    got_np, got_t = both(source)
    np.testing.assert_allclose(got_np, expected(Z), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(got_t, expected(Z), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("op, truth", [(">", Z > 0.5), (">=", Z >= 0.5), ("<", Z < 0.5),
                                       ("<=", Z <= 0.5)])
def test_comparisons_give_zero_or_one(op, truth):
    got_np, got_t = both(f"z {op} 0.5")
    for got in (got_np, got_t):
        assert set(np.unique(got)) <= {0.0, 1.0}
        np.testing.assert_array_equal(got, truth.astype(float))


def test_torch_side_is_differentiable():
    e = compile_expression("z*sigmoid(z) + where(z > 0, z**2, 0)", ("z",))
    z = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(e.torch(z=z).sum(), z)
    s = torch.sigmoid(z.detach())
    expected = s + z.detach() * s * (1 - s) + torch.where(z > 0, 2 * z.detach(), 0.0)
    torch.testing.assert_close(g, expected)


def test_metadata():
    e = compile_expression("a*(1 - a) + 0*z", ("z", "a"))
    assert e.variables == {"a", "z"} and not e.non_smooth
    assert compile_expression("abs(z)", ("z",)).non_smooth
    assert compile_expression("z > 1", ("z",)).non_smooth
    assert compile_expression("2**10", ("z",)).tree == ("const", 1024.0)  # folded in float64


def test_never_uses_eval(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    got_np, _ = both("exp(-z)/(1 + exp(-z))**2")
    assert np.isfinite(got_np).all()


HOSTILE = [
    ("__import__('os')", 1, "unknown function"),
    ("__import__('os').system('true')", 17, "attribute access"),
    ("z.real", 2, "attribute access"),
    ("z.__class__.__bases__", 12, "attribute access"),
    ("(lambda: 1)()", 1, "only the listed functions"),
    ("lambda z: z", 1, "lambdas"),
    ("z[0]", 1, "subscripts"),
    ("[x for x in z]", 1, "comprehensions"),
    ("sum(x for x in (1, 2))", 4, "comprehensions"),
    ("z if z > 0 else 0", 1, "where("),
    ("z and 1", 1, "'and'/'or'"),
    ("(y := 2)", 2, "assignment"),
    ("'a' * 9", 1, "not a number"),
    ("True + z", 1, "not a number"),
    ("1j*z", 1, "not a number"),
    ("z // 2", 3, "'//'"),  # the operator's column
    ("z % 2", 3, "'%'"),
    ("~z", 1, "'~'"),
    ("not z", 1, "'not'"),
    ("z == 1", 3, "'=='"),
    ("0 < z < 1", 7, "chained"),  # the second comparison
    ("exp(z, z)", 1, "takes 1 argument"),
    ("exp(x=z)", 7, "keyword"),
    ("exp", 1, "is a function"),
    ("x + 1", 1, "unknown name 'x'"),
    ("10**10**10", 3, "exponent"),
    ("9**999999", 2, "exponent"),
    ("z**(2**11)", 2, "exponent"),
    ("z**-2000", 2, "exponent"),
    ("1e999", 1, "too large"),
    ("1" * 400, 1, "too large"),
    ("1 +", 4, "syntax error"),
    ("  z z", 5, "syntax error"),
    ("z \u2212 1", 3, "U+2212"),
    ("z\n+1", 2, "printable ASCII"),
    ("z\x00", 2, "printable ASCII"),
    ("-" * 300 + "z", 201, "nesting"),
    ("-exp(" * 101 + "z" + ")" * 101, 501, "nesting"),
    ("+".join(["z"] * 300), 1, "nesting"),
    ("", 0, "empty"),
    ("z # + __import__('os')", 3, "comments"),
    ("exp(z, z)", 1, "takes 1 argument, not 2"),
    ("where(z > 0, z)", 1, "takes 3 arguments, not 2"),
    ("sigmoid(", 8, "never closed"),  # the parenthesis left open
    ("z +", 4, "syntax error"),
    ("(" * 250 + "z" + ")" * 250, 201, "too many nested parentheses"),
    ("f'{z}'", 1, "f-strings"),
    ("exp(**{'x': z})", 7, "keyword"),
    ("b'z'", 1, "not a number"),
    ("\uff5a", 1, "U+FF5A"),
    ("z ^ 2", 3, "'^'"),  # the operator's column, not the expression's first
    ("  (z + 1) ^ 2", 11, "'^'"),
    ("exp(z) @ z", 8, "matmul(transpose(W), delta)"),
    ("sum(1)", 1, "needs a variable"),
    ("matmul(z, z)", 8, "must be a matrix"),
    ("transpose(z)", 11, "must be a matrix"),  # fullwidth z, which Python itself would read as z
]


@pytest.mark.parametrize("source, column, words", HOSTILE,
                         ids=[f"h{i}" for i in range(len(HOSTILE))])
def test_hostile_input_is_refused_with_its_column(source, column, words):
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, ("z",), "--forward")
    message = str(info.value)
    assert isinstance(info.value, InputError)
    assert "\n" not in message and words in message
    assert info.value.column == column
    if column:
        assert f"column {column}" in message


def test_length_cap():
    at_cap = "z" + " " * (MAX_LENGTH - 1)
    compile_expression(at_cap, ("z",))
    compile_expression("+".join(["z"] * 150), ("z",))
    for source in ("z+" * 5000 + "z", "z" + " " * MAX_LENGTH):
        with pytest.raises(ExpressionError, match="characters long; the limit is"):
            compile_expression(source, ("z",))


def test_exponent_cap_is_inclusive():
    compile_expression(f"z**{MAX_EXPONENT:g}", ("z",))
    compile_expression(f"z**-{MAX_EXPONENT:g}", ("z",))
    with pytest.raises(ExpressionError, match="exponent"):
        compile_expression(f"z**{MAX_EXPONENT + 1:g}", ("z",))


def test_constant_arithmetic_is_folded_in_float64_not_bigint():
    # with Python integers (10**300)**3 would be exact; in float64 it overflows to inf
    e = compile_expression("(10**300)**3 + 1e300*1e300 + z", ("z",))
    assert e.tree[2] == ("const", float("inf"))
    assert np.isinf(e.numpy(z=np.array([0.0]))).all()  # inf is data, not a crash


@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) - VECTOR_FUNCTIONS))
def test_every_function_agrees_in_extended_precision(name):
    # the same expression at the same points: mpmath (30 digits) rounded to float64
    # against NumPy in float64, where NumPy is accurate
    source = CALLS[FUNCTIONS[name][0]].format(f=name)
    if name in ("log", "log1p", "sqrt", "log10"):
        source = f"{name}(abs(z))"
    e = compile_expression(source, ("z",))
    got = np.array([e.exact(z=float(z)) for z in Z])
    np.testing.assert_allclose(got, e.numpy(z=Z), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("source, z, expected", [
    ("exp(-z)/(1 + exp(-z))**2", -800.0, 0.0),            # e^-800 rounds to 0 in float64
    ("exp(z)/exp(z - 1)", 1000.0, np.e),                    # inf/inf in float64
    ("(exp(z) - exp(-z))/(exp(z) + exp(-z))", 1000.0, 1.0),
    ("where(z > 0, log(z), 7)", -1.0, 7.0),                 # the branch not taken is NaN
    ("log(z)", -1.0, np.nan),                               # complex: NaN, as in NumPy
    ("sqrt(z)", -4.0, np.nan),
    ("1/z", 0.0, np.inf),
    ("z/z", 0.0, np.nan),
    ("exp(exp(exp(exp(z))))", 8.0, np.inf),                 # bounded, not billions of digits
    ("sin(exp(exp(z)))", 8.0, np.nan),                      # too large to reduce: unknown
    ("(z**1024)**1024", 1e300, np.inf),
    ("(-2)**(z + 0.5)", 2e5, np.nan),                       # beyond the range, not real
    ("(-2)**(z**1024)", 1.5, np.inf),                       # an even integer exponent
    ("maximum(z, log(-z))", 1.0, np.nan),                   # NaN propagates, as np.maximum
])
def test_exact_values(source, z, expected):
    value = compile_expression(source, ("z",)).exact(z=z)
    if np.isnan(expected):
        assert np.isnan(value)
    else:
        assert value == pytest.approx(expected, rel=RTOL)


def test_forward_variables_are_limited():
    with pytest.raises(ExpressionError, match="unknown name 'a'"):
        compile_expression("a*z", ("z",))
    compile_expression("a*z", ("z", "a"))
