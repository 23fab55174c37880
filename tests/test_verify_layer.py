"""The layer engine as a user meets it: `reference.verify_layer`, `assert_layer`,
`check --layer` and the `oracle_layer_case` fixture; and the two tests every layer
family gets for free (every registered layer passes, every planted bug is caught)."""

import importlib
import json
import pkgutil

import numpy as np
import pytest

import reference
from manual.errors import InputError
from manual.layers import LAYERS, Layer, get_layer, register_layer
from manual.layers.dense import affine_backward, affine_forward, relu_forward, softmax_loss
from reference.check.layers import layer_cases, layer_names
from reference.oracle.layer_run import describe_index
from reference.oracle.layers import TWINS, make_case, register_twin
from tests import layer_bugs

pytest_plugins = ["pytester"]

GENERIC_CASES = 48  # 24 per dtype: every sampler's branches, in about a second per layer


# ---- what every family gets for free --------------------------------------------------

@pytest.mark.parametrize("layer", layer_names())
def test_every_registered_layer_passes_verify_layer(layer):
    entry = LAYERS[layer]
    summary = reference.verify_layer(layer, entry.forward, entry.backward, cases=GENERIC_CASES,
                                     seed=11)
    assert summary["failures"] == 0, summary["failures_detail"][:3]
    assert {d: r["cases"] for d, r in summary["by_dtype"].items()} == {
        "float64": GENERIC_CASES // 2, "float32": GENERIC_CASES // 2}


def test_every_layer_has_a_twin_and_its_axes_name_its_arrays():
    assert set(LAYERS) == set(TWINS)
    for name, entry in LAYERS.items():
        assert set(entry.axes) <= set(entry.arrays + entry.outputs + entry.state), name


def _planted():
    found = []
    for info in pkgutil.iter_modules(layer_bugs.__path__):
        module = importlib.import_module(f"tests.layer_bugs.{info.name}")
        found += getattr(module, "PLANTED", [])
    return found


PLANTED = _planted()


@pytest.mark.parametrize("bug", PLANTED, ids=[p.name for p in PLANTED])
def test_every_planted_bug_is_caught_at_its_layer_with_its_diagnosis(bug):
    summary = reference.verify_layer(bug.layer, bug.forward, bug.backward, cases=48, seed=5)
    if bug.diagnosis is None:  # a right answer written another way
        assert summary["failures"] == 0, summary["failures_detail"][:3]
        return
    assert summary["failures"] > 0
    assert {f["layer"] for f in summary["failures_detail"]} == {bug.layer}
    diagnoses = [f["diagnosis"] for f in summary["failures_detail"]]
    assert any(bug.diagnosis in d for d in diagnoses), diagnoses[:3]


def test_the_dense_family_plants_its_bugs():
    assert {p.layer for p in PLANTED} >= {"affine", "relu", "flatten", "softmax_loss",
                                          "svm_loss", "l2"}


# ---- what a user's layer gets back ----------------------------------------------------

def _details(forward, backward=None, layer="affine", cases=4):
    summary = reference.verify_layer(layer, forward, backward, cases=cases, seed=3)
    return summary, summary["failures_detail"]


def test_a_raising_forward_is_a_verdict_not_a_traceback():
    def forward(x, w, b):
        raise ZeroDivisionError("oops")

    summary, detail = _details(forward, affine_backward)
    assert summary["failures"] == 4
    assert detail[0]["stage"] == "forward"
    assert "the forward raised ZeroDivisionError: oops" in detail[0]["message"]
    assert summary["by_name"] == dict.fromkeys(["out", "dx", "dw", "db"])  # never compared


def test_a_raising_backward_is_a_verdict():
    def backward(dout, cache):
        return {}["dx"]

    _, detail = _details(affine_forward, backward)
    assert detail[0]["stage"] == "backward" and "raised KeyError" in detail[0]["message"]


@pytest.mark.parametrize("forward, backward, words", [
    (lambda x, w, b: affine_forward(x, w, b)[0], affine_backward,
     "the forward returned one ndarray, expected 2 (out, cache)"),
    (affine_forward, lambda dout, cache: affine_backward(dout, cache)[:2],
     "the backward returned 2 values, expected 3 (dx, dw, db)"),
    (affine_forward, lambda dout, cache: (*affine_backward(dout, cache)[:2], None),
     "db is None"),
])
def test_wrong_counts_and_none_are_named(forward, backward, words):
    summary, detail = _details(forward, backward)
    assert summary["failures"] == 4
    assert words in detail[0]["message"]


def test_a_wrong_shape_is_named_with_the_shape_and_the_mistake():
    def backward(dout, cache):
        dx, dw, db = affine_backward(dout, cache)
        return dx, dw, db[None, :]  # (1, M), a shape a reader might think harmless

    _, detail = _details(backward=backward, forward=affine_forward)
    assert detail[0]["name"] == "db"
    assert "shape (1," in detail[0]["detail"] and "expected (" in detail[0]["detail"]


def test_in_place_writers_change_nothing_the_oracle_reads():
    def forward(x, w, b):
        out, _ = affine_forward(x, w, b)
        cache = (x.copy(), w.copy(), b)
        x *= 100.0  # scribbles on its own inputs after the forward
        w[...] = 0.0
        return out, cache

    def backward(dout, cache):
        grads = affine_backward(dout, cache)
        dout[...] = np.nan  # and on the upstream gradient after using it
        return grads

    case = make_case("affine", 7, "float64")
    before = {k: v.copy() for k, v in case.arrays.items()}
    up = {k: v.copy() for k, v in case.upstream.items()}
    reference.assert_layer("affine", forward, backward, case)
    reference.assert_layer("affine", forward, backward, case)  # the case is as it was
    assert all(np.array_equal(before[k], case.arrays[k]) for k in before)
    assert all(np.array_equal(up[k], case.upstream[k]) for k in up)


def test_the_message_says_which_index_and_what_it_means():
    def backward(dout, cache):
        dx, dw, db = affine_backward(dout, cache)
        dw = dw.copy()
        dw[-1, 0] += 1.0
        return dx, dw, db

    case = next(c for c in layer_cases("affine", 20) if c.arrays["x"].ndim == 2)
    D = case.arrays["w"].shape[0]
    with pytest.raises(AssertionError) as info:
        reference.assert_layer("affine", affine_forward, backward, case)
    assert f"dw[{D - 1}, 0]: input feature {D - 1}, output unit 0; expected" in str(info.value)


def test_an_index_of_a_four_axis_array_reads_as_its_axes():
    entry = Layer("four", affine_forward, affine_backward, ("x", "w", "b"),
                  grads=("dx", "dw", "db"),
                  axes={"w": ("filter", "channel", "kernel row", "kernel column")})
    assert describe_index(entry, "dw", (2, 0, 1, 1)) == (
        "filter 2, channel 0, kernel row 1, kernel column 1")
    assert describe_index(entry, "dx", (3, 1)) == "axis 0 index 3, axis 1 index 1"


def test_a_wrong_forward_blocks_nothing_and_is_said_first():
    def forward(x, w, b):
        out, cache = affine_forward(x, w, b)
        return out + 1.0, cache

    def backward(dout, cache):
        dx, dw, db = affine_backward(dout, cache)
        return dx, dw, db / 2

    summary, detail = _details(forward, affine_backward)
    assert {f["stage"] for f in detail} == {"forward"} and summary["failures"] == 4
    case = make_case("affine", 1)
    with pytest.raises(AssertionError) as info:
        reference.assert_layer("affine", forward, backward, case)
    text = str(info.value)
    assert text.index("forward: out") < text.index("backward: db")
    assert "the forward is wrong; the backward was still run" in text


def test_the_known_mistake_is_the_diagnosis_only_when_the_answer_matches_it():
    def sloppy(dout, cache):  # wrong, but not one of the known mistakes
        dx, dw, db = affine_backward(dout, cache)
        return dx, dw, db * 1.5

    _, detail = _details(affine_forward, sloppy)
    assert detail and all(f["diagnosis"] == "" for f in detail)


def test_bad_arguments_are_input_errors():
    with pytest.raises(InputError, match="did you mean 'affine'"):
        reference.verify_layer("afine", affine_forward, affine_backward)
    with pytest.raises(InputError, match="is a loss: give the one function"):
        reference.verify_layer("softmax_loss", softmax_loss, affine_backward)
    with pytest.raises(InputError, match="dtypes: unknown dtype"):
        reference.verify_layer("relu", relu_forward, None, dtypes="float16")
    with pytest.raises(InputError, match="case must be a LayerCase of layer 'relu'"):
        reference.assert_layer("relu", relu_forward, None, make_case("affine", 0))


def test_case_ids_come_from_the_seed():
    ids = [c.id for c in layer_cases("affine", 6, seed=9)]
    assert ids == [c.id for c in layer_cases("affine", 6, seed=9)]
    assert ids[0].startswith("affine-float64-s9") and ids[1].startswith("affine-float32-s10")
    assert ids != [c.id for c in layer_cases("affine", 6, seed=10)]


def test_a_forward_alone_is_checked_when_no_backward_is_given():
    summary = reference.verify_layer("relu", relu_forward, cases=4)
    assert summary["failures"] == 0 and summary["backward_checked"] is False
    assert set(summary["by_name"]) == {"out"}


# ---- state and adopt, on a throwaway layer --------------------------------------------

def _scale_forward(x, param):
    """out = x ⊙ mask / p (a dropout with its mask drawn from its own seed), and the
    running mean of x updated in place (a state key)."""
    mask = np.random.default_rng(param["seed"]).random(x.shape) < param["p"]
    param["running"] = 0.5 * param["running"] + 0.5 * x.mean(axis=0)
    return x * mask / param["p"], (mask, param["p"])


def _scale_backward(dout, cache):
    mask, p = cache
    return dout * mask / p


@pytest.fixture
def masked_layer():
    from reference.oracle.layers.base import torch

    def twin(t, config):
        mask = torch.from_numpy(config["mask"])
        return {"out": t["x"] * mask / config["p"],
                "running": 0.5 * torch.from_numpy(config["running"]) + 0.5 * t["x"].mean(0)}

    def sample(rng, dtype):
        x = rng.standard_normal((4, 3)) + 2.0  # never 0: the mask reads off the output
        return {"x": x.astype(dtype)}, {"p": 0.7, "seed": int(rng.integers(100)),
                                        "running": np.zeros(3)}, ()

    def adopt(config, outputs, arrays):
        return {**config, "mask": np.asarray(outputs["out"]) != 0}

    register_layer("t_masked", _scale_forward, _scale_backward, arrays=("x",),
                   config="param", state=("running",), axes={"x": ("example", "feature")})
    register_twin("t_masked", twin, sample, adopt=adopt)
    yield "t_masked"
    LAYERS.pop("t_masked"), TWINS.pop("t_masked")


def test_adopt_takes_the_mask_and_state_keys_are_compared(masked_layer):
    assert reference.verify_layer(masked_layer, _scale_forward, _scale_backward,
                                  cases=6)["failures"] == 0

    def forgets_state(x, param):
        running = param["running"].copy()
        out = _scale_forward(x, param)
        param["running"] = running
        return out

    _, detail = _details(forgets_state, _scale_backward, layer=masked_layer)
    assert {f["name"] for f in detail} == {"running"}
    assert "running[" in detail[0]["message"]


# ---- the command line and the fixture -------------------------------------------------

BUGGY_MODULE = """
from manual.layers.dense import affine_forward, affine_backward, softmax_loss
def backward(dout, cache):
    dx, dw, db = affine_backward(dout, cache)
    return dx, dw, dout.mean(axis=0)
"""


def test_check_layer_exit_codes_and_json(cli, tmp_path):
    (tmp_path / "mylayers.py").write_text(BUGGY_MODULE)
    ok = cli("check", "--layer", "relu,softmax_loss", "--cases", "6")
    assert ok.returncode == 0, ok.stderr
    assert "relu" in ok.stdout and "softmax_loss" in ok.stdout and "float32" in ok.stdout
    mine = cli("check", "--layer", "softmax_loss", "--impl", "mylayers:softmax_loss",
               "--cases", "4", "--format", "json", cwd=tmp_path)
    assert mine.returncode == 0 and json.loads(mine.stdout)["cases"] == 4
    bad = cli("check", "--layer", "affine", "--impl", "mylayers:affine_forward,backward",
              "--cases", "4", cwd=tmp_path)
    assert bad.returncode == 1 and "diagnosis: db averaged" in bad.stdout
    for args, words in [(("--layer", "afine"), "did you mean 'affine'"),
                        (("--layer", "affine", "--impl", "mylayers:affine_forward"),
                         "expects MODULE:FORWARD,BACKWARD"),
                        (("--layer", "relu", "--losses", "bce"), "not to --layer")]:
        out = cli("check", *args, cwd=tmp_path)
        assert out.returncode == 2 and words in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1


FIXTURE_TEST = """
import reference
from manual.layers.dense import affine_forward, affine_backward, relu_forward, relu_backward

IMPLS = {"affine": (affine_forward, affine_backward), "relu": (relu_forward, relu_backward)}

def test_layer(oracle_layer_case):
    reference.assert_layer(oracle_layer_case.layer, *IMPLS[oracle_layer_case.layer],
                           oracle_layer_case)
"""


def test_the_fixture_covers_the_chosen_layers(pytester):
    pytester.makepyfile(test_mine=FIXTURE_TEST)
    result = pytester.runpytest("--oracle-layers", "affine,relu", "--oracle-layer-cases", "3",
                                "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
    bad = pytester.runpytest("--oracle-layers", "afine")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    marked = FIXTURE_TEST.replace("def test_layer", "import pytest\n"
                                  "@pytest.mark.oracle_layers('relu')\ndef test_layer")
    pytester.makepyfile(test_mine=marked.replace("relu_backward)}", "lambda d, c: d)}"))
    result = pytester.runpytest("--oracle-layer-cases", "4", "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(["*diagnosis: the gradient passed where x < 0*",
                                 "*layer failures by layer, stage and first wrong array*",
                                 "relu*backward*dx*4"])


def test_get_layer_lists_the_dense_family():
    assert {"affine", "relu", "flatten", "softmax_loss", "svm_loss", "l2"} <= set(layer_names())
    assert get_layer("l2").config == "l2_param"


SAITO_LAYERS = '''
import numpy as np

class Affine:                       # as in Saito's common/layers.py
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)

class SoftmaxWithLoss:
    pass
'''


def test_the_docs_glue_for_saitos_layer_objects_passes(monkeypatch):
    import sys
    from pathlib import Path
    from types import ModuleType

    common, layers = ModuleType("common"), ModuleType("common.layers")
    exec(SAITO_LAYERS, layers.__dict__)
    common.layers = layers
    monkeypatch.setitem(sys.modules, "common", common)
    monkeypatch.setitem(sys.modules, "common.layers", layers)
    text = (Path(__file__).resolve().parent.parent / "docs" / "layers.md").read_text()
    section = text.split("Another convention", 1)[1]
    glue = next(b for b in section.split("```python\n")[1:] if "common.layers" in b)
    namespace = {}
    exec(compile(glue.split("```", 1)[0], "docs/layers.md", "exec"), namespace)
    summary = reference.verify_layer("affine", namespace["affine_forward"],
                                     namespace["affine_backward"], cases=20)
    assert summary["failures"] == 0, summary["failures_detail"][:2]


def test_an_output_the_twin_cannot_adopt_is_a_forward_verdict(masked_layer):
    def flat_forward(x, param):
        out, cache = _scale_forward(x, param)
        return out.ravel(), cache  # the oracle cannot read a mask off this

    summary, detail = _details(flat_forward, _scale_backward, layer=masked_layer)
    assert summary["failures"] == 4
    assert detail[0]["stage"] == "forward"
    assert "out cannot be read as this layer's output" in detail[0]["message"]


def test_every_layer_is_importable_from_manual_layers_by_its_own_name():
    """`from manual.layers import conv_forward` (the package docstring's promise) holds for
    every registered layer's forward and backward."""
    import manual.layers as package

    for name, entry in LAYERS.items():
        for fn in (entry.forward, entry.backward):
            if fn is not None:
                assert getattr(package, fn.__name__, None) is fn, (name, fn.__name__)


def test_a_singleton_axis_is_left_out_of_the_meaning():
    """Ng's channels-last b is (1, 1, 1, n_C): its index reads as the filter alone."""
    entry = LAYERS["conv_channels_last"]
    assert entry.describe("db", (0, 0, 0, 3)) == "filter 3"


def test_max_failures_bounds_the_layer_runs_text_and_json(cli, tmp_path):
    """--max-failures holds for --layer as for the dense matrix (it was fixed at 20): N FAIL
    lines and N problems in the JSON, or every one with 'all'. db averaged fails every
    case (an independent reason: it is off by the batch size whenever N > 1)."""
    (tmp_path / "mylayers.py").write_text(BUGGY_MODULE)
    common = ("check", "--layer", "affine", "--impl", "mylayers:affine_forward,backward",
              "--cases", "40", "--dtypes", "float64")
    fails = lambda out: [x for x in out.stdout.splitlines() if x.startswith("FAIL ")]
    three = cli(*common, "--max-failures", "3", cwd=tmp_path)
    every = cli(*common, "--max-failures", "all", cwd=tmp_path)
    default = cli(*common, cwd=tmp_path)
    assert three.returncode == every.returncode == default.returncode == 1
    failing = int(every.stdout.split(" cases (seed 0), ")[1].split(" ")[0])
    assert failing > 20
    assert len(fails(three)) == 3 and len(fails(default)) == 20
    assert len(fails(every)) >= failing and "more failing" not in every.stdout
    out = json.loads(cli(*common, "--max-failures", "3", "--format", "json",
                         cwd=tmp_path).stdout)
    assert len(out["layers"]["affine"]["failures_detail"]) == 3 < out["failures"]


def test_max_failures_bounds_the_layer_architectures_text(cli, monkeypatch):
    """--max-failures for --arch mlp (the networks of layers): relu's backward planted
    without its mask in manual fails every network through a relu whose input has a
    negative entry (almost all)."""
    import dataclasses

    from manual.layers import LAYERS

    relu = LAYERS["relu"]
    monkeypatch.setitem(LAYERS, "relu", dataclasses.replace(
        relu, backward=lambda dout, cache: dout.copy()))
    common = ("check", "--arch", "mlp", "--cases", "60", "--jobs", "1")
    fails = lambda out: [x for x in out.stdout.splitlines() if x.startswith("FAIL ")]
    two, every = (cli(*common, "--max-failures", n) for n in ("2", "all"))
    assert two.returncode == every.returncode == 1
    failing = int(every.stdout.split(" cases (seed 0), ")[1].split(" ")[0])
    assert failing > 2 and len(fails(two)) == 2 and len(fails(every)) == failing


def test_a_softmax_loss_with_a_guard_in_its_log_is_right_and_a_wrong_loss_is_not():
    """-mean(log(p_y + ε)) with a small guard ε against log 0 is right (a real 2017 CS231n
    layers.py used 1e-5: its loss 2e-4 off, its dx exact); a loss off by more than any
    guard (the sum over the batch, or a guard of 1e-2) still fails."""
    from manual.layers.dense import softmax_loss

    def guarded(eps):
        def loss(x, y):
            _, dx = softmax_loss(x, y)
            shifted = np.exp(x - x.max(axis=1, keepdims=True))
            p = shifted / shifted.sum(axis=1, keepdims=True)
            return -np.mean(np.log(p[np.arange(len(y)), y] + eps)), dx
        return loss

    for eps in (1e-8, 1e-5):
        summary = reference.verify_layer("softmax_loss", guarded(eps), cases=40, seed=3,
                               dtypes="float64")
        assert summary["failures"] == 0, summary["failures_detail"][:1]
    wrong = reference.verify_layer("softmax_loss", guarded(1e-2), cases=40, seed=3,
                                   dtypes="float64")
    assert wrong["failures"] > 0
