"""cs231n-a2's fully connected nets (`FullyConnectedNet.loss`, `TwoLayerNet.loss`): what
the catalog templates do not pin.

- the student's `cs231n/` package: `classifiers/fc_net.py` importing its own
  `layer_utils.py` and `layers.py` (relative imports, 2019 on, from a classifiers/
  without __init__.py, or absolute ones with no __init__.py at all), the course's
  `fast_layers.py` (2019's imports torch) always stood in for; a layer's bug is reported at the
  layer only, never again in the nets;
- the twin (torch autograd) against a closed form and central differences;
- each course version's constructor read from its signature; a net the version cannot
  build (layer norm in 2017, assignment 1's TwoLayerNet) is not graded on that case;
- a correct net whose layers draw dropout's mask another way passes (the grader's
  layers' run), the course's untouched skeleton is `missing`.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest

from reference.grade.probes import remote
from reference.grade.probes.fc_net import DROP, KEEP, constructor_args, net_loss
from reference.grade.styles.cs231n_net import NETS, reference
from reference.oracle.kinds import Kind
from reference.oracle.tolerances import DIRECTIONAL, SAME_ARITHMETIC
from tests.grading import answered_here, grade, run_autograder

HERE = Path(__file__).parent / "submissions" / "cs231n-a2"
NET = NETS[0]


def _package(root: Path, relative: bool, fast_layers: bool, layers_bug: str = "") -> Path:
    """correct.py split at its markers into the course's package layout."""
    source = (HERE / "correct.py").read_text()
    layers, rest = source.split("# === layer_utils.py\n")
    utils, net = rest.split("# === classifiers/fc_net.py\n")
    if layers_bug:
        assert layers_bug in layers
        layers = layers.replace(layers_bug, "dx = dout", 1)
    package = root / "cs231n"
    (package / "classifiers").mkdir(parents=True)
    if relative:        # 2019 on: a package, its classifiers/ without __init__.py
        (package / "__init__.py").write_text("")
    (package / "layers.py").write_text(layers)
    (package / "layer_utils.py").write_text(
        "from cs231n.layers import *\nfrom cs231n.fast_layers import *\n\n\n" + utils)
    imports = ("from ..layers import *\nfrom ..layer_utils import *\n" if relative else
               "from cs231n.layers import *\nfrom cs231n.layer_utils import *\n")
    (package / "classifiers" / "fc_net.py").write_text(
        "from builtins import object\nimport numpy as np\n\n" + imports + "\n\n" + net)
    if fast_layers:      # the course's file (2019's imports torch), Cython not compiled
        (package / "fast_layers.py").write_text(
            "import numpy as np\nimport torch\n"
            "try:\n    from cs231n.im2col_cython import im2col_cython\n"
            "except ImportError:\n    print('run python setup.py build_ext --inplace')\n\n\n"
            "def conv_forward_fast(x, w, b, conv_param):\n    return im2col_cython(x)\n")
    return package / "layers.py"


@pytest.mark.parametrize(("relative", "fast_layers"), [(True, False), (False, True)], ids=[
    "2019-relative-imports-namespace-classifiers-no-fast-layers",
    "2017-absolute-imports-no-init-files-fast-layers"])
def test_the_student_package_is_graded_whole(tmp_path, relative, fast_layers):
    layers = _package(tmp_path, relative, fast_layers, layers_bug="dx = dout * (x > 0)")
    result = grade(layers, "cs231n-a2", folder=tmp_path, seed=2, parallel=2)
    assert result.error is None
    assert result.origins["FullyConnectedNet.loss"] == "cs231n/classifiers/fc_net.py"
    verdicts = {f.name: f.status for f in result.functions}
    # relu_backward's bug (no mask) is the layer's: both nets call it, and still pass
    assert [n for n, s in verdicts.items() if s != "passed"] == ["relu_backward"], verdicts
    assert verdicts["FullyConnectedNet.loss"] == verdicts["TwoLayerNet.loss"] == "passed"
    # the course's fast_layers.py is never read (2019's imports torch, which a student's
    # file may not): stood in for, present or not
    assert any("cs231n.fast_layers" in w and "stood in" in w for w in result.warnings)


def _inputs(normalization=None, keep=1.0, reg=0.3, hidden=(4, 3), seed=5) -> dict:
    spec = (hidden, 3, (5,), normalization, keep, reg)
    from reference.grade.styles.cs231n_net import _case
    return _case(np.random.default_rng(seed), "FullyConnectedNet", spec).inputs


def _numpy_loss(inputs, params) -> float:
    """Softmax cross-entropy of the plain net (no norm, no dropout) plus 0.5·reg·ΣW², by
    hand."""
    h = np.asarray(inputs["X"]).reshape(len(inputs["X"]), -1)
    layers = len(inputs["hidden_dims"]) + 1
    for k in range(1, layers):
        h = np.maximum(0, h @ params[f"W{k}"] + params[f"b{k}"])
    s = h @ params[f"W{layers}"] + params[f"b{layers}"]
    s = s - s.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    data = -log_p[np.arange(len(s)), inputs["y"]].mean()
    return data + 0.5 * inputs["reg"] * sum(np.sum(params[f"W{k}"] ** 2)
                                            for k in range(1, layers + 1))


def test_the_twin_agrees_with_a_closed_form_and_central_differences():
    inputs = _inputs()
    twin = reference(inputs)
    rtol, atol = SAME_ARITHMETIC["float64"]
    np.testing.assert_allclose(twin["loss"], _numpy_loss(inputs, inputs["params"]),
                               rtol=rtol, atol=atol)
    step, (rtol, _) = 1e-5, DIRECTIONAL["float64"]
    for key in ("W3", "b1", "W1"):
        params = {k: np.array(v, copy=True) for k, v in inputs["params"].items()}
        params[key][(0,) * params[key].ndim] += step
        up = _numpy_loss(inputs, params)
        params[key][(0,) * params[key].ndim] -= 2 * step
        down = _numpy_loss(inputs, params)
        expected = (up - down) / (2 * step)
        got = twin["grads"][key][(0,) * params[key].ndim]
        assert abs(got - expected) <= rtol * max(1.0, abs(expected)), (key, got, expected)


def _class(init: str):
    ns: dict = {"np": np}
    exec(f"class Net:\n    def __init__(self, {init}):\n        pass\n", ns)
    return ns["Net"]


@pytest.mark.parametrize(("init", "norm", "keep", "expected", "convention"), [
    # 2016-17: use_batchnorm=, dropout= is the drop probability (default 0)
    ("hidden_dims, input_dim=5, num_classes=3, dropout=0, use_batchnorm=False, reg=0.0, "
     "weight_scale=1e-2, dtype=np.float32, seed=None", "batchnorm", 0.75,
     {"use_batchnorm": True, "dropout": 0.25}, DROP),
    # 2018-19: normalization=, dropout= is the keep probability (default 1)
    ("hidden_dims, input_dim=5, num_classes=3, dropout=1, normalization=None, reg=0.0, "
     "weight_scale=1e-2, dtype=np.float32, seed=None", "layernorm", 0.75,
     {"normalization": "layernorm", "dropout": 0.75}, KEEP),
    # 2020 on: dropout_keep_ratio=
    ("hidden_dims, input_dim=5, num_classes=3, dropout_keep_ratio=1, normalization=None, "
     "reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None", None, 0.6,
     {"dropout_keep_ratio": 0.6}, KEEP),
])
def test_each_version_s_constructor_is_called_in_its_convention(init, norm, keep, expected,
                                                                 convention):
    inputs = _inputs(norm, keep)
    kwargs, why, got_convention = constructor_args(_class(init), inputs)
    assert why == "" and got_convention == convention
    assert {k: kwargs[k] for k in expected} == pytest.approx(expected)
    assert kwargs["hidden_dims"] == inputs["hidden_dims"] and kwargs["dtype"] is np.float64
    assert set(kwargs) <= set(inspect.signature(_class(init).__init__).parameters)


@pytest.mark.parametrize(("init", "why"), [
    ("hidden_dims, input_dim=5, num_classes=3, dropout=0, use_batchnorm=False, reg=0.0",
     "no normalization='layernorm'"),
    ("input_size, hidden_size, output_size, std=1e-4", "not assignment 2's net"),
])
def test_a_case_the_version_cannot_build_is_not_graded(init, why):
    inputs = _inputs("layernorm")
    assert why in constructor_args(_class(init), inputs)[1]
    got = net_loss({"FullyConnectedNet": _class(init)}, inputs)
    assert "skip" in got and NET.judge(got, _case_of(inputs)) is None


def _case_of(inputs):
    from reference.grade.base import GradeCase
    return GradeCase(inputs, {})


@pytest.fixture
def answered():
    """The grader's layers answered in this process, as the parent does for the child."""
    with answered_here(NET.helpers):
        yield


def _namespace(*changes: tuple[str, str]) -> dict:
    source = (HERE / "correct.py").read_text()
    for old, new in changes:
        assert old in source
        source = source.replace(old, new, 1)
    ns: dict = {"__name__": "submission"}
    exec(compile(source, "correct.py", "exec"), ns)
    return ns


def test_a_dropout_mask_drawn_another_way_passes_the_net(answered):
    """A right dropout keeping the units whose draw is above 1 − p: the net's run as
    written differs from the course's mask, the run on the grader's layers passes."""
    ns = _namespace(("mask = (np.random.rand(*x.shape) < p) / p",
                     "mask = (np.random.rand(*x.shape) > 1 - p) / p"))
    inputs = _inputs(keep=0.6)
    got = net_loss(ns, inputs)
    case = _case_of(inputs)
    assert NET.judge({k: v for k, v in got.items() if k != "replaced"}, case) is not None
    assert NET.judge(got, case) is None


def test_the_untouched_skeleton_is_missing(answered):
    ns = _namespace(("        scores = None\n\n        caches, dropout_caches = {}, {}",
                     "        scores = None\n        if mode == 'test':\n            return scores"
                     "\n        return 0.0, {}\n        caches, dropout_caches = {}, {}"))
    found = NET.judge(net_loss(ns, _inputs()), _case_of(_inputs()))
    assert found.kind is Kind.MISSING and "skeleton" in found.diagnosis


def test_a_parameter_made_in_another_shape_is_replaced_with_a_note(answered):
    """`self.params['b1'] = 0` (a 2017 submission's): the loss is graded on the course's
    shapes, and the report says so."""
    ns = _namespace(('self.params["b1"] = np.zeros(hidden_dim)', 'self.params["b1"] = 0'))
    spec = ((4,), 3, (5,), None, 1.0, 0.3)
    from reference.grade.styles.cs231n_net import _case
    case = _case(np.random.default_rng(1), "TwoLayerNet", spec)
    remote.take_notes()
    assert NETS[1].judge(net_loss(ns, case.inputs), case) is None
    assert remote.take_notes() == ["params shape"]


def test_the_package_uploaded_to_gradescope_grades_the_nets(tmp_path):
    """The bundle picks layers.py (the file with the most graded names) and finds the nets
    in classifiers/fc_net.py: a net bug is reported at the net, in results.json."""
    import zipfile

    from reference.grade.bundle import write_bundle
    from tests.grading import options

    zpath = write_bundle(tmp_path / "autograder.zip", "cs231n-a2",
                         options(seed=4, only=["relu_forward", "FullyConnectedNet.loss"]),
                         fixed_seed=True)
    with zipfile.ZipFile(zpath) as zf:
        run = zf.read("run_autograder").decode()
    root = tmp_path / "autograder"
    _package(root / "submission", relative=True, fast_layers=False)
    fc_net = root / "submission" / "cs231n" / "classifiers" / "fc_net.py"
    fc_net.write_text(fc_net.read_text().replace("for i in range(1, L + 1):\n            W =",
                                                 "for i in range(1, L):\n            W =", 1))
    done, data = run_autograder(run, root)
    assert "cs231n/layers.py" in data["output"], data["output"]
    failed = {t["name"]: t.get("output", "") for t in data["tests"] if t["status"] == "failed"}
    assert list(failed) == ["FullyConnectedNet.loss"], data["tests"]
    assert "left out of the L2 term" in failed["FullyConnectedNet.loss"]
