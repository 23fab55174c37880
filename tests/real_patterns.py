"""Submissions as students hand them in (tests/submissions/real), as data.

`verdicts.json` beside the fixtures is the TA's table: one row per fixture, each graded
function right, wrong (with the reason) or absent. This module holds what the table cannot
say, keyed by the same rows:

- `REPORTS`: what the report says of a fixture beyond the verdicts: the notes on how the
  submission was read, a diagnosis's wording and where it points, where each function was
  found, the files graded and ignored, and which functions were supplied;
- `PLANTED`: a bug planted in a copy of a fixture, which the grader must still find (a
  pattern the grader accommodates must not hide a real mistake).

tests/test_grade_real.py runs both; the tests built from hand-written files live by concept
in tests/test_grade_loading.py, tests/test_grade_folders.py and tests/test_grade_python2.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from reference.grade.styles import get_style
from tests.grading import grade as grade_with

__all__ = ["NG_OPTIONAL", "PLANTED", "REAL", "REPORTS", "TIMEOUT", "VERDICTS", "Planted",
           "Report", "all_required_pass", "diagnoses", "grade", "graded_row", "row_id",
           "statuses"]

REAL = Path(__file__).parent / "submissions" / "real"
TIMEOUT = 5.0
NG_OPTIONAL = frozenset({"sigmoid", "relu", "sigmoid_backward", "relu_backward"})
VERDICTS = json.loads((REAL / "verdicts.json").read_text())["submissions"]


def grade(path, style, folder=None, **kw):
    return grade_with(path, style, seed=0, timeout=TIMEOUT, folder=folder, **kw)


def statuses(result) -> dict[str, str]:
    return {f.name: f.status for f in result.functions}


def diagnoses(result) -> dict[str, str]:
    """What was said of each function that did not pass (failed, or missing)."""
    return {f.name: f.finding.diagnosis for f in result.functions
            if f.status in ("failed", "missing")}


def all_required_pass(result, style):
    """Every graded function the style requires passed (optional ones may be supplied)."""
    assert result.error is None, result.error
    for f in get_style(style).functions:
        status = statuses(result)[f.name]
        assert status == "passed" or (f.optional and status == "supplied"), (
            f.name, status, result.warnings)


def row_id(entry: dict) -> str:
    return entry["path"] + (" (folder)" if entry.get("folder") else "")


def _row(path: str, folder: str | None) -> dict:
    [entry] = [e for e in VERDICTS if e["path"] == path and e.get("folder") == folder]
    return entry


@cache
def graded_row(path: str, folder: str | None = None):
    """(row of verdicts.json, the grader's result on it), graded once per test process: the
    table's test and the report's tests read the same run."""
    entry = _row(path, folder)
    result = grade(REAL / path, entry["style"], REAL / folder if folder else None)
    return entry, result


@dataclass(frozen=True)
class Report:
    """What the report of one row of verdicts.json (`path`, `folder`) says beyond the
    TA's verdicts. Every field is optional.

    notes: each a tuple of texts; the notes (warnings) holding the first hold all of them,
        and there is at least one. lacks: texts no note holds.
    diagnoses: function -> texts its diagnosis holds; a text starting with '^' begins it,
        one ending with '$' ends it. diagnosis_lacks: function -> texts it never holds.
    failing: exactly the functions that failed or are missing.
    statuses: function -> its exact status (the table's 'wrong' also accepts 'missing': a
        wrong function the student wrote must be 'failed').
    supplied: exactly the functions supplied by the course.
    origins: function -> the file it was found in.
    files / ignored: exactly the files graded / ignored; files_include / ignored_include:
        among them; files_exclude: texts no graded file's name holds.
    """

    path: str
    folder: str | None = None
    notes: tuple[tuple[str, ...], ...] = ()
    lacks: tuple[str, ...] = ()
    diagnoses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    diagnosis_lacks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    failing: frozenset[str] | None = None
    statuses: dict[str, str] = field(default_factory=dict)
    supplied: frozenset[str] | None = None
    origins: dict[str, str] = field(default_factory=dict)
    files: frozenset[str] | None = None
    files_include: frozenset[str] = frozenset()
    files_exclude: tuple[str, ...] = ()
    ignored: tuple[str, ...] | None = None
    ignored_include: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return self.path + (" (folder)" if self.folder else "")


NG_FOUR_FILES = frozenset({"main.py", "initialization.py", "forward_propagation.py",
                           "cost_function.py", "backward_propagation.py"})
NG_FOUR_ORIGINS = {"linear_backward": "backward_propagation.py",
                   "L_model_forward": "forward_propagation.py",
                   "compute_cost": "cost_function.py",
                   "initialize_parameters_deep": "initialization.py"}
PY2_NOTE = ("Python 2", "fissix")

REPORTS = [
    # Ng's course 5 in its 2018 names (the update gate u): read with the record's note, and
    # the old notebook's lstm_backward named by its diagnosis
    Report("ng_c5_v3_nbconvert/Building_a_Recurrent_Neural_Network_Step_by_Step_v3.py",
           notes=(("update gate named u", "the same gate, accepted"),),
           diagnoses={"lstm_backward": ("da_prevt not added",)},
           failing=frozenset({"lstm_backward"})),
    # a reader's repository of chapters 5 to 7 (saito-ch7 in folder mode, saito-ch6 on the
    # file alone): common/util.py and ch07's net found, the other chapters' layers named
    Report("saito_ch07_repo/common/layers.py", "saito_ch07_repo",
           origins={"im2col": "common/util.py",
                    "SimpleConvNet.gradient": "ch07/simple_convnet.py"},
           notes=(("also holds what style saito grades", "Relu"),
                  ("also holds what style saito-ch6 grades", "BatchNormalization"),
                  ("not available to the grader", "common.gradient"))),
    Report("saito_ch07_repo/common/layers.py",
           notes=(("also holds what style saito-ch7 grades", "Convolution"),)),
    # a submission is the student's files: found where they are
    Report("ng_four_files/main.py", files=NG_FOUR_FILES, origins=NG_FOUR_ORIGINS),
    Report("ng_four_files/main.py", "ng_four_files", files=NG_FOUR_FILES,
           origins=NG_FOUR_ORIGINS),
    Report("saito_ch05/ch05/two_layer_net.py",               # sys.path.append(os.pardir)
           origins={"Affine.backward": "../common/layers.py"},
           files_include=frozenset({"../common/functions.py"}),
           files_exclude=("dataset",)),                       # never imported by it
    Report("saito_ch05/common/layers.py", "saito_ch05",
           origins={"TwoLayerNet.gradient": "ch05/two_layer_net.py"},
           files_include=frozenset({"common/layers.py", "common/functions.py",
                                    "ch05/two_layer_net.py"}),
           # the training script and the MNIST downloader define nothing graded
           ignored_include=frozenset({"ch05/train_neuralnet.py", "dataset/mnist.py"})),
    Report("ng_cell_files/1-initialize-parameters-deep.py", "ng_cell_files",
           files=frozenset(p.name for p in (REAL / "ng_cell_files").glob("*.py")), ignored=(),
           origins={"linear_backward": "6-linear-backward.py"},
           notes=(("import numpy as np",),)),
    Report("saito_layer_suffix/two_layer_net.py", origins={"Sigmoid.forward": "layer.py"},
           notes=(("`ReLULayer`", "`Relu`"),), lacks=("class `sigmoid`",)),
    Report("nielsen_staticmethods/network.py", origins={"sigmoid_prime": "network.py"}),
    Report("saito_cupy_switch/ch05/two_layer_net.py",
           files_include=frozenset({"../common/np.py"})),
    Report("ng_folder_per_step/final_model/final_model.ipynb",
           origins={"relu": "../activation_function/activation_function.py"},
           lacks=("ImportError",)),
    # stand-ins only for what the course provides
    Report("ng_star_standin/step_by_step.py", supplied=NG_OPTIONAL,
           notes=(("dnn_utils_v2", "testCases_v2"),)),
    Report("nielsen_class_sigmoid/network.py",
           failing=frozenset({"Network.feedforward", "Network.backprop"}),
           diagnoses={"Network.feedforward": (
                          "NameError: name 'sigmoid' is not defined (network.py, line 20, "
                          "in feedforward)",),
                      "Network.backprop": ("(network.py, line 42, in backprop)",)}),
    # how the submission was read, said in a note
    Report("nielsen_py2/network.py",
           # eta/len(mini_batch) on lines 49 and 51; 1.0/(1.0+...) on line 93 is a float
           notes=(("Python 2", "fissix", "lines 49, 51:"),), lacks=("93",)),
    Report("nielsen_py2_parenthesized/network.py", notes=(PY2_NOTE,), lacks=("izip",)),
    Report("ng_py2_int_division/deep_nn.py",
           # -1.0 / m on line 43: a float literal, never a floor division
           notes=(("Python 2", "floor division `//` on lines 32, 81"),), lacks=("line 43",)),
    Report("nielsen_six_range/network.py", lacks=("six",)),
    Report("ng_cell_files_v8_copy/1-initialize-parameters-deep.py", "ng_cell_files_v8_copy",
           notes=(("`import copy`",),)),
    Report("saito_relu_case/layers.py", notes=(("`ReLU`", "`Relu`"),)),
    Report("saito_linear_name/layers.py", notes=(("`LinearLayer`", "`Affine`"),)),
    Report("saito_numbered_affine/layers.py", notes=(("`Affine1`",),),
           statuses={"Sigmoid.backward": "failed"}),
    Report("nielsen_instance_methods/network.py",
           notes=(("`Network.sigmoid_prime`", "instance"),)),
    Report("nielsen_module_cost_derivative/network.py",
           notes=(("module-level `cost_derivative`",),)),
    # a diagnosis says what is wrong and where
    Report("ng_names/misspelled.py", failing=frozenset({"update_parameters"}),
           diagnoses={"update_parameters": ("did you mean `update_parameter`?",)},
           diagnosis_lacks={"update_parameters": ("pandas", "may come from")}),
    Report("ng_names/maximumum.py",                 # an error raised inside NumPy
           diagnoses={"relu": ("(maximumum.py, line 18, in relu)$",)},
           diagnosis_lacks={"relu": ("__init__", "site-packages")}),
    Report("saito_forward_raises/layers.py",
           diagnoses={"Affine.forward": ("(layers.py, line 69, in forward)",),
                      "Affine.backward": ("^the forward pass (Affine.forward) raised",)}),
    Report("nielsen_activation_prime/network.py",    # sigmoid_prime(a), named as such
           statuses={"sigmoid_prime": "failed"}, diagnoses={"sigmoid_prime": ("activation",)}),
    Report("nielsen2_feedforward_lists/network2.py",
           statuses={"Network.feedforward": "failed"},
           diagnoses={"Network.feedforward": ("(activations, zs)",)}),
    # one slip charged once: the wrong function itself is failed (written, not missing)
    Report("ng_class_one_bug/static.py", statuses={"linear_backward": "failed"}),
    Report("ng_class_one_bug/instance.py", statuses={"linear_backward": "failed"}),
    Report("nielsen_method_slip/network.py", statuses={"sigmoid_prime": "failed"}),
    Report("saito_module_alias/ch05/two_layer_net.py", statuses={"Affine.backward": "failed"}),
    # the book's accommodations, each said (issue 18: `self.dw` accepted with no note)
    Report("saito_lowercase/ch05/two_layer_net.py",
           notes=(("TwoLayerNet.gradient: `self.dw` read as the book's `self.dW`",),
                  ("TwoLayerNet.gradient: params and gradients keyed 'w1'",),
                  ("`Affine(w=..., b=...)`",))),
    Report("saito_lowercase/common/layers.py", "saito_lowercase",
           notes=(("Affine.backward: `self.dw` read as the book's `self.dW`",),)),
    # issue 18: a backward whose forward is misspelled (`fowrad`) is graded on the book's state
    Report("saito_forward_typo/layers.py",
           statuses={"Sigmoid.forward": "missing", "Sigmoid.backward": "passed"},
           notes=(("Sigmoid.backward: its class has no `forward`",
                   "the state the book's forward sets"),)),
    # CS231n assignments 2 and 3 (the sweep of real layers.py and rnn_layers.py files)
    Report("cs231n_a2_contract_asserts/cs231n/layers.py", "cs231n_a2_contract_asserts",
           failing=frozenset()),
    Report("cs231n_a2_vanilla_dropout_pad_slice/cs231n/layers.py",
           "cs231n_a2_vanilla_dropout_pad_slice",
           diagnoses={"dropout_forward": ("without the 1/p",),
                      "conv_backward_naive": ("shape (",)},
           statuses={"dropout_backward": "passed", "dropout_forward": "failed"}),
    Report("cs231n_a2_2017_drop_divided_by_p/cs231n/layers.py",
           "cs231n_a2_2017_drop_divided_by_p",
           notes=(("probability of dropping a unit",),),
           failing=frozenset({"dropout_forward", "FullyConnectedNet.loss"})),  # no fc_net.py
    Report("cs231n_a2_2016_skeleton_left/cs231n/layers.py", "cs231n_a2_2016_skeleton_left",
           notes=(("db, dgamma", "keepdims=True"),),
           statuses={"dropout_forward": "missing", "dropout_backward": "missing",
                     "spatial_batchnorm_backward": "passed"},
           diagnoses={"dropout_forward": ("placeholder left at None",)}),
    Report("cs231n_a3_py2_verbose_print/cs231n/rnn_layers.py", notes=(PY2_NOTE,),
           failing=frozenset()),
    # Ng's course 4 as students hand it in: a helper's bug reported at the helper only (the
    # layer that calls it graded with the correct one too), the course's skeleton left in
    # place (2020's `= None`, 2021's commented-out body) missing, never a crash
    Report("ng_c4_bias_each_product/cnn_step_by_step.py",
           statuses={"conv_single_step": "failed", "conv_forward": "passed",
                     "conv_backward": "failed"}),
    Report("ng_c4_stride_ignored/conv_layers.py",
           diagnoses={"conv_backward": ("the stride ignored",),
                      "pool_backward": ("the stride ignored",)}),
    Report("ng_c4_v2a_skeleton/Convolution_model_Step_by_Step_v2a.ipynb",
           statuses={"conv_backward": "missing", "pool_backward": "missing",
                     "create_mask_from_window": "missing", "distribute_value": "missing",
                     "conv_forward": "failed"},
           diagnoses={"conv_backward": ("is a stub", "placeholders are still in place"),
                      "pool_backward": ("is a stub", "placeholders are still in place")}),
    Report("ng_c4_2021_commented/Convolution_model_Step_by_Step_v1.ipynb",
           failing=frozenset({"conv_backward", "pool_backward", "create_mask_from_window",
                              "distribute_value"}),
           diagnoses={"create_mask_from_window": ("is a stub", "commented out"),
                      "pool_backward": ("is a stub", "commented out")}),
    # Ng's courses 5 and 2 as read in real notebooks: each bug at its function
    Report("ng_c5_t1_and_gates/rnn_step_by_step.py",
           failing=frozenset({"rnn_backward", "lstm_cell_backward", "lstm_backward"}),
           diagnoses={"rnn_backward": ("IndexError",)}),
    Report("ng_c2w2_loop_variable/optimization_methods.py",
           diagnoses={"update_parameters_with_adam": ("bias correction ignores t",)}),
    Report("ng_c2w1_inline_gradcheck/gradient_checking.py",
           diagnoses={"gradient_check": ("did not detect a wrong gradient",)}),
]


@dataclass(frozen=True)
class Planted:
    """A bug planted in a copy of fixture folder `fixture`: `old` replaced by `new` in
    `edit`, then `graded` (relative to the copy) graded, only the functions `only` if
    given, with the copy as the student's folder if `folder`. Then `statuses` hold,
    `failing` is exactly the functions failed or missing, each diagnosis holds its text,
    and no note holds any of `lacks`."""

    id: str
    fixture: str
    style: str
    edit: str
    old: str
    new: str
    graded: str | None = None            # default: the edited file
    folder: bool = False
    only: tuple[str, ...] | None = None
    statuses: dict[str, str] = field(default_factory=dict)
    failing: frozenset[str] | None = None
    diagnoses: dict[str, str] = field(default_factory=dict)
    lacks: tuple[str, ...] = ()
    old_ends_file: bool = False          # `old` is the file's last lines


NIELSEN_CLASS_SIGMOID_PRIME = ("def sigmoid_prime(z):\n    s = 1.0 / (1.0 + np.exp(-z))\n"
                               "    return s * (1 - s)\n")

PLANTED = [
    Planted("ng-four-files-no-1/m-in-a-sibling-file", "ng_four_files", "ng",
            "backward_propagation.py", "dW = 1. / m * np.dot(dZ, A_prev.T)",
            "dW = np.dot(dZ, A_prev.T)", graded="main.py", folder=True,
            # its callers in the same file get a correct linear_backward
            failing=frozenset({"linear_backward"}),
            diagnoses={"linear_backward": "1/m is missing"}),
    Planted("saito-common-folder-transposed-dW", "saito_ch05", "saito", "common/layers.py",
            "self.dW = np.dot(self.x.T, dout)", "self.dW = np.dot(dout.T, self.x)",
            graded="ch05/two_layer_net.py", statuses={"Relu.backward": "passed"},
            diagnoses={"Affine.backward": "transposed"}),
    Planted("nielsen-py2-untransposed-weights", "nielsen_py2", "nielsen", "network.py",
            "self.weights[-l+1].transpose()", "self.weights[-l+1]",
            failing=frozenset({"Network.backprop"})),
    Planted("nielsen-helper-indented-into-the-class", "nielsen_class_sigmoid", "nielsen",
            "network.py", NIELSEN_CLASS_SIGMOID_PRIME,
            "\n".join("    " + line if line else line
                      for line in NIELSEN_CLASS_SIGMOID_PRIME.split("\n")),
            only=("sigmoid_prime",), old_ends_file=True,
            diagnoses={"sigmoid_prime": "`Network.sigmoid_prime` is defined inside the class"}),
    Planted("nielsen-matrix-update-not-divided", "nielsen_matrix", "nielsen", "network.py",
            "step = eta / len(mini_batch)", "step = eta", only=("Network.update_mini_batch",),
            diagnoses={"Network.update_mini_batch": "not divided by len(mini_batch)"}),
    Planted("saito-one-hot-softmax-not-divided", "saito_book_text", "saito", "layers.py",
            "dx = (self.y - self.t) / batch_size", "dx = self.y - self.t",
            only=("SoftmaxWithLoss.backward",),
            diagnoses={"SoftmaxWithLoss.backward": "not divided by the batch size"}),
    Planted("saito-one-hot-only-layers-gradient-sign", "saito_layer_suffix", "saito",
            "two_layer_net.py", '"W2": self.layers["Affine2"].dW',
            '"W2": -self.layers["Affine2"].dW', only=("TwoLayerNet.gradient",),
            diagnoses={"TwoLayerNet.gradient": "grads['W2'] has the wrong sign"}),
    Planted("ng-lambd-not-neutral-is-passed-on", "ng_regularized_helpers", "ng", "backward.py",
            'linear_activation_backward(dAL, caches[L - 1], "sigmoid", lambd)',
            'linear_activation_backward(dAL, caches[L - 1], "sigmoid", 0.7)',
            only=("L_model_backward",), diagnoses={"L_model_backward": "TypeError"}),
    Planted("nielsen-static-sigmoid-prime-wrong", "nielsen_staticmethods", "nielsen",
            "network.py", "return Network.sigmoid(z) * (1 - Network.sigmoid(z))",
            "return z * (1 - z)", only=("sigmoid_prime",),
            diagnoses={"sigmoid_prime": "z(1 − z)"}),
    # the update unpacking the book's way: the backprop breaks the file's own contract
    Planted("nielsen-w-first-unpacked-b-first", "nielsen_w_first", "nielsen", "network.py",
            "dnw, dnb = self.backprop(x, y)", "dnb, dnw = self.backprop(x, y)",
            only=("Network.backprop", "Network.update_mini_batch"),
            statuses={"Network.backprop": "failed", "Network.update_mini_batch": "passed"}),
    Planted("ng-bare-activation-wrong", "ng_bare_activations", "ng", "step_by_step.py",
            "    return np.maximum(0, Z)\n", "    return np.minimum(0, Z)\n",
            only=("relu", "linear_activation_forward"),
            statuses={"relu": "failed", "linear_activation_forward": "passed"}),
    Planted("nielsen-module-cost-derivative-sign", "nielsen_module_cost_derivative",
            "nielsen", "network.py", "\treturn output_activations - y\n",
            "\treturn y - output_activations\n", only=("Network.cost_derivative",),
            diagnoses={"Network.cost_derivative": "wrong sign"}),
    Planted("ng-py2-print-statement-same-floor-division", "ng_py2_int_division", "ng",
            "deep_nn.py", 'print ("W1 = " + str(params["W1"]))', 'print "W1 =", params["W1"]',
            statuses={"update_parameters": "passed"}),
    # `from __future__ import division`: range(L) fails in Python 2 as well
    Planted("ng-py2-true-division-asked-for", "ng_py2_int_division", "ng", "deep_nn.py",
            "# Week 4 functions", "from __future__ import division\n# Week 4 functions",
            statuses={"update_parameters": "failed"}, lacks=("Python 2",)),
    # the same backprop on activations with the book's sigmoid_prime(z): σ'(σ(z))
    Planted("nielsen-activation-prime-z-form", "nielsen_activation_prime", "nielsen",
            "network.py",
            'def sigmoid_prime(a):\n    """sigma\'(z) from a = sigma(z)."""\n'
            "    return a * (1.0 - a)",
            "def sigmoid_prime(z):\n    return sigmoid(z) * (1 - sigmoid(z))",
            statuses={"Network.backprop": "failed", "sigmoid_prime": "passed"}),
    Planted("nielsen-object-arrays-untransposed", "nielsen_object_arrays", "nielsen",
            "network.py",
            "delta = np.dot(self.weights[-l + 1].transpose(), delta) * sigmoid_prime(zs[-l])",
            "delta = np.dot(self.weights[-l + 1], delta) * sigmoid_prime(zs[-l])",
            statuses={"Network.backprop": "failed"}),
    # 'w1' given affine2's dw: the book's keys are read through the student's case
    Planted("saito-lowercase-grads-swapped", "saito_lowercase", "saito",
            "ch05/two_layer_net.py", '{"w1": self.layers["affine1"].dw',
            '{"w1": self.layers["affine2"].dw',
            statuses={"TwoLayerNet.gradient": "failed", "Affine.backward": "passed"}),
    Planted("nielsen-instance-sigmoid-prime-wrong", "nielsen_instance_methods", "nielsen",
            "network.py", "return self.sigmoid(z) * (1 - self.sigmoid(z))",
            "return self.sigmoid(z) * self.sigmoid(z)", statuses={"sigmoid_prime": "failed"}),
    # a dropout backward graded on its own wrong forward still fails without the mask
    Planted("cs231n-vanilla-dropout-backward-without-mask",
            "cs231n_a2_vanilla_dropout_pad_slice", "cs231n-a2", "cs231n/layers.py",
            "dx = dout * mask", "dx = dout", only=("dropout_forward", "dropout_backward"),
            statuses={"dropout_backward": "failed", "dropout_forward": "failed"}),
    # the stride asserted to fit never hides a wrong window
    Planted("cs231n-asserting-conv-window-off-by-one", "cs231n_a2_contract_asserts",
            "cs231n-a2", "cs231n/layers.py",
            "patch = padded[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]",
            "patch = padded[:, :, i:i + HH, j * stride:j * stride + WW]",
            only=("conv_forward_naive",), statuses={"conv_forward_naive": "failed"}),
    # a skeleton's test-mode branch filled in with a wrong train branch is graded
    Planted("cs231n-skeleton-dropout-backward-half-written", "cs231n_a2_2016_skeleton_left",
            "cs231n-a2", "cs231n/layers.py",
            "    pass\n  elif mode == 'test':\n    dx = dout",
            "    dx = dout * 2.0\n  elif mode == 'test':\n    dx = dout",
            only=("dropout_backward",), statuses={"dropout_backward": "failed"}),
    # Python 2 read after `if verbose:` never hides a wrong gate
    Planted("cs231n-py2-lstm-forget-gate-from-prev-h", "cs231n_a3_py2_verbose_print",
            "cs231n-a3", "cs231n/rnn_layers.py", "df = dc * prev_c", "df = dc * prev_h",
            only=("lstm_step_backward",), statuses={"lstm_step_backward": "failed"}),
    # a typo in code the student wrote is its own error, never the skeleton's stub
    Planted("ng-c4-2021-typo-is-no-stub", "ng_c4_2021_commented", "ng-c4w1",
            "Convolution_model_Step_by_Step_v1.ipynb", "A[i, h, w, c] = np.max(window)",
            "A[i, h, w, c] = np.max(windw)", only=("pool_forward",),
            statuses={"pool_forward": "failed"}, diagnoses={"pool_forward": "windw"}),
    # the bias fixed in conv_single_step, planted wrong in conv_forward: found there
    Planted("ng-c4-bias-twice-in-the-layer", "ng_c4_bias_each_product", "ng-c4w1",
            "cnn_step_by_step.py", "W[:, :, :, c], b[:, :, :, c])\n",
            "W[:, :, :, c], b[:, :, :, c]) + b[0, 0, 0, c]\n",
            only=("conv_forward",), statuses={"conv_forward": "failed"}),
    # the (1, 1, 1) store accommodated as NumPy 1 ran it: a wrong value stored so is found
    Planted("ng-c4-float64-store-still-checked", "ng_c4_float64_store", "ng-c4w1",
            "conv_model.py", "return np.float64(np.sum(s) + b)",
            "return np.float64(np.sum(s) - b)", only=("conv_single_step", "conv_forward"),
            statuses={"conv_single_step": "failed", "conv_forward": "passed"}),
    # a real pool_backward read dA at the window's input corner: found where a stride > 1
    # moves the window (with stride 1 and one window it reads the right entry)
    Planted("ng-c4-pool-backward-dA-at-the-input-corner", "ng_c4_float64_store", "ng-c4w1",
            "conv_model.py", "mask * dA[i, h, w, c]", "mask * dA[i, top, left, c]",
            only=("pool_backward",), statuses={"pool_backward": "failed"}),
]
