"""Networks of layers (`manual.layers.network`) against the oracle's composition of the
torch twins (`reference.oracle.layers.network`), and the layer matrix of `check --arch`.

The matrix part runs a few hundred random networks (mlp, cnn, rnn; float64 and float32),
one test per family of networks that share a structure (one stacked oracle call each).
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from manual.errors import InputError
from manual.layers import LAYERS
from manual.layers.network import LayerNetwork, Step
from reference.check.layer_matrix import run_net_family
from reference.oracle.layer_cases import (
    FLOAT32_KINK_MARGIN,
    draw_family,
    families,
    generate,
    kinks_ok,
    structure_of,
)
from reference.oracle.layers import TWINS
from reference.oracle.network_compare import compare_network, network_tolerance
from reference.oracle.tolerances import (
    LAYER_NETWORK,
    NETWORK_CENTRAL_DIFFERENCE,
    SAME_ARITHMETIC,
    TOLERANCES,
)

CONV_TWINS = {"conv", "max_pool", "avg_pool"} <= set(TWINS)
MATRIX = families(generate(288, seed=0, family=12))


@pytest.mark.parametrize("group", MATRIX, ids=lambda g: g[0].family_id)
def test_random_networks_agree_with_autograd(group):
    if group[0].arch == "cnn" and not CONV_TWINS:
        pytest.skip("the conv family's twins are not merged yet")
    results = run_net_family(group)
    bad = [f"{r.id}: {r.mismatch.get('text') or r.mismatch['detail']}" for r in results
           if not r.ok]
    assert not bad, "\n".join(bad)


def _mlp(rng, N=3, D=4, H=5, C=3, dtype=np.float64):
    x = rng.standard_normal((N, D)).astype(dtype)
    steps = [Step("affine", {"w": rng.standard_normal((D, H)).astype(dtype),
                             "b": rng.standard_normal(H).astype(dtype)}),
             Step("relu"),
             Step("affine", {"w": rng.standard_normal((H, C)).astype(dtype),
                             "b": rng.standard_normal(C).astype(dtype)}),
             Step("softmax_loss", {"y": rng.integers(0, C, N)})]
    return steps, x


def test_every_boundary_and_parameter_is_named_as_the_oracle_names_it():
    from reference.oracle.layers.network import oracle_network

    steps, x = _mlp(np.random.default_rng(0))
    got = LayerNetwork(steps).gradients(x)
    want = oracle_network(steps, x)
    assert list(got.grads) == list(want.grads) == [
        (3, "softmax_loss", "dx"), (2, "affine", "dx"), (2, "affine", "dw"),
        (2, "affine", "db"), (1, "relu", "dx"), (0, "affine", "dx"), (0, "affine", "dw"),
        (0, "affine", "db")]
    assert list(got.outputs) == [(0, "affine", "out"), (1, "relu", "out"), (2, "affine", "out")]
    assert compare_network(got, want, "float64").ok


def test_the_input_gradient_is_the_central_difference_of_the_loss():
    """Independent of torch: ∂L/∂x by central differences of the manual forward."""
    steps, x = _mlp(np.random.default_rng(1))
    net = LayerNetwork(steps)
    dx = net.gradients(x).grads[(0, "affine", "dx")]
    h, numeric = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        numeric[idx] = (net.forward(x + e)[0] - net.forward(x - e)[0]) / (2 * h)
    rtol, atol = NETWORK_CENTRAL_DIFFERENCE
    np.testing.assert_allclose(dx, numeric, rtol, atol)


def test_l2_adds_half_lambda_w_squared_and_lambda_w():
    """The penalty's closed form: (λ/2) Σ‖W‖² on the loss, λW on each weight's gradient,
    nothing on the biases."""
    steps, x = _mlp(np.random.default_rng(2))
    plain, reg = LayerNetwork(steps).gradients(x), LayerNetwork(steps, l2=0.3).gradients(x)
    w0, w2 = steps[0].arrays["w"], steps[2].arrays["w"]
    rtol, atol = SAME_ARITHMETIC["float64"]
    np.testing.assert_allclose(reg.loss - plain.loss,
                               0.15 * ((w0 ** 2).sum() + (w2 ** 2).sum()), rtol, atol)
    np.testing.assert_allclose(reg.grads[(0, "affine", "dw")] - plain.grads[(0, "affine", "dw")],
                               0.3 * w0, rtol, atol)
    np.testing.assert_array_equal(reg.grads[(2, "affine", "db")], plain.grads[(2, "affine", "db")])


def test_vmapped_and_looped_oracles_agree():
    from reference.oracle.layers.network import oracle_network_stacked

    s = structure_of(0, 2, ("mlp", "cnn", "rnn"), ("float64",), 4)
    x, arrays = draw_family(s, 0, 2, 4)
    a = oracle_network_stacked(s.steps(), x, arrays, s.l2, vectorize=True)
    b = oracle_network_stacked(s.steps(), x, arrays, s.l2, vectorize=False)
    rtol, atol = SAME_ARITHMETIC["float64"]
    for key in a.grads:
        np.testing.assert_allclose(a.grads[key], b.grads[key], rtol, atol, err_msg=str(key))


@pytest.mark.parametrize("steps, message", [
    ([], "non-empty list of steps"),
    ([Step("relu")], "the last step must be a loss"),
    ([Step("softmax_loss", {"y": np.zeros(2, int)}), Step("relu")], "a loss can only be"),
    ([Step("affine", {"w": np.ones((2, 2))}), Step("softmax_loss", {"y": np.zeros(2, int)})],
     "needs arrays ['b', 'w']"),
    ([Step("relu"), Step("word_embedding", {"W": np.ones((3, 2))}),
      Step("softmax_loss", {"y": np.zeros(2, int)})], "can only be the first layer"),
    ([Step("lstm_step", {}), Step("softmax_loss", {"y": np.zeros(2, int)})], "outputs"),
    ([Step("nolayer"), Step("softmax_loss", {"y": np.zeros(2, int)})], "unknown layer"),
])
def test_a_network_that_cannot_work_is_an_input_error(steps, message):
    with pytest.raises(InputError) as exc:
        LayerNetwork(steps)
    assert message in str(exc.value)


def test_a_wrong_layer_backward_is_named_with_its_index_and_meaning(monkeypatch):
    """relu's backward that passes dout through (the mask [x > 0] missing): the first
    disagreement is named at the relu's input, with the axes of the index."""
    from reference.oracle.layers.network import oracle_network

    monkeypatch.setitem(LAYERS, "relu", dataclasses.replace(
        LAYERS["relu"], backward=lambda dout, cache: dout))
    steps, x = _mlp(np.random.default_rng(3), N=6, H=8)
    got = LayerNetwork(steps).gradients(x)
    verdict = compare_network(got, oracle_network(steps, x), "float64")
    mm = verdict.mismatch
    assert not verdict.ok and (mm.layer, mm.name, mm.array) == (1, "relu", "dx")
    assert mm.meaning == f"example {mm.index[0]}, feature {mm.index[1]}"
    assert str(mm).startswith(f"layer 1 (relu) dx[{mm.index[0]}, {mm.index[1]}] (example")


def test_a_wrong_conv_dw_is_named_by_filter_channel_and_kernel_offset(monkeypatch):
    if not CONV_TWINS:
        pytest.skip("the conv family's twins are not merged yet")
    from reference.oracle.layers.network import oracle_network

    entry = LAYERS["conv"]

    def doubled(dout, cache):
        dx, dw, db = entry.backward(dout, cache)
        return dx, 2 * dw, db

    monkeypatch.setitem(LAYERS, "conv", dataclasses.replace(entry, backward=doubled))
    s = next(structure_of(0, f, ("cnn",), ("float64",), 1) for f in range(50)
             if "kernel1" not in structure_of(0, f, ("cnn",), ("float64",), 1).tags)
    x, arrays = draw_family(s, 0, 0, 1)
    steps = s.steps([{k: v[0] for k, v in a.items()} for a in arrays])
    verdict = compare_network(LayerNetwork(steps, s.l2).gradients(x[0]),
                              oracle_network(steps, x[0], s.l2), "float64")
    mm = verdict.mismatch
    assert (mm.layer, mm.name, mm.array) == (0, "conv", "dw")
    f, c, i, j = mm.index
    assert mm.meaning == f"filter {f}, channel {c}, kernel row {i}, kernel column {j}"


def test_the_edge_cases_are_drawn_and_tagged():
    tags = set()
    for f in range(300):
        tags.update(structure_of(0, f, ("mlp", "cnn", "rnn"), ("float64", "float32"), 8).tags)
    assert {"batch1", "channel1", "kernel1", "kernel=input", "stride>kernel", "pad>1", "odd",
            "T1", "mask-row0", "repeated", "test", "l2"} <= tags


def test_case_ids_depend_only_on_the_seed():
    a = [c.id for c in generate(200, seed=5, family=8)]
    assert a == [c.id for c in generate(200, seed=5, family=8)]
    assert a[100:] == [c.id for c in generate(200, seed=5, family=8, start=100)]
    assert len(set(a)) == len(a)


def test_a_relu_input_within_the_float32_margin_is_a_kink():
    s = next(structure_of(0, f, ("mlp",), ("float32",), 2) for f in range(40)
             if structure_of(0, f, ("mlp",), ("float32",), 2).layers[1] == "relu")
    from reference.oracle.layers.network import oracle_network_stacked

    x, arrays = draw_family(s, 0, 0, 2)
    out = oracle_network_stacked(s.steps(), x, arrays, s.l2).outputs
    assert kinks_ok(s, x, arrays, out).shape == (2,)
    near = {k: v.copy() for k, v in out.items()}
    first = next(iter(near))
    near[first][1].flat[0] = FLOAT32_KINK_MARGIN / 10
    assert list(kinks_ok(s, x, arrays, near)) == [kinks_ok(s, x, arrays, out)[0], False]


def test_the_network_tolerance_is_the_table_loosened_by_the_layers():
    rtol, atol = network_tolerance(["affine", "relu", "softmax_loss"], "float32")
    assert (rtol, atol) == LAYER_NETWORK["float32"]
    assert rtol >= TOLERANCES["float32"][0] and atol >= TOLERANCES["float32"][1]


def test_check_arch_runs_the_layer_matrix_and_reports_it(cli):
    r = cli("check", "--arch", "mlp,rnn", "--cases", "24", "--jobs", "1", "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["cases"] == 48 and out["failures"] == 0
    rows = {(row["arch"], row["layer"]) for row in out["by_arch_layer"]}
    assert ("rnn", "word_embedding") in rows and ("mlp", "affine") in rows
    assert not any(arch == "dense" for arch, _ in rows)


def test_check_default_adds_the_layers_to_the_dense_summary(cli):
    r = cli("check", "--cases", "12", "--jobs", "1", "--format", "json", "--dtypes", "float64")
    out = json.loads(r.stdout)
    assert r.returncode == 0, r.stderr
    assert out["cases"] == 12 and out["layers"]["cases"] == 36
    assert out["all"] == {"cases": 48, "failures": 0}


def test_check_a_broken_layer_exits_1_and_names_it(monkeypatch, cli):
    monkeypatch.setitem(LAYERS, "relu", dataclasses.replace(
        LAYERS["relu"], backward=lambda dout, cache: dout))
    r = cli("check", "--arch", "mlp", "--cases", "40", "--jobs", "1")
    assert r.returncode == 1
    assert "(relu) dx[" in r.stdout and "disagreement(s)" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["--arch", "cnnn"], "unknown architecture 'cnnn'"),
    (["--arch", "cnn", "--impl", "mynet:fn"], "--impl and --activation check a dense"),
])
def test_check_arch_bad_input_is_one_line_and_exit_2(cli, args, message):
    r = cli("check", *args)
    assert r.returncode == 2 and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
