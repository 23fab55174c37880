"""Saito's chapters 6 and 7 (saito-ch6, saito-ch7): what the catalog templates do not pin.

- the grader's im2col is the definition (a loop over windows) and its col2im that
  im2col's adjoint, ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩;
- batch norm's ε is read from the student's code (a constant, a default, an attribute);
- a backward whose forward raises or is missing is graded on the book's state, and passes
  when it is right there;
- a reader's `common/` package with ch07/simple_convnet.py, uploaded to Gradescope: the
  layers find common/util.py's im2col/col2im, and a col2im bug fails col2im only;
- inverted dropout gets full marks with a note saying why it is no bug.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from reference.grade.probes.saito_layers import layer_backward, student_eps
from reference.grade.styles import get_style
from reference.grade.styles.saito_ch7_kit import col2im, im2col
from reference.oracle.tolerances import SAME_ARITHMETIC
from tests.grading import answered_here, grade, run_autograder

HERE = Path(__file__).parent / "submissions"


def _naive_im2col(x, fh, fw, stride, pad):
    """The definition, entry by entry: row (n, oy, ox), column (c, fy, fx)."""
    N, C, H, W = x.shape
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    oh, ow = (H + 2 * pad - fh) // stride + 1, (W + 2 * pad - fw) // stride + 1
    rows = []
    for n in range(N):
        for oy in range(oh):
            for ox in range(ow):
                rows.append([img[n, c, oy * stride + fy, ox * stride + fx]
                             for c in range(C) for fy in range(fh) for fx in range(fw)])
    return np.array(rows)


@pytest.mark.parametrize("shape, fh, fw, stride, pad", [
    ((2, 3, 5, 7), 3, 2, 1, 0), ((1, 2, 6, 4), 2, 3, 2, 1), ((3, 1, 7, 7), 3, 3, 3, 2),
    ((2, 2, 4, 5), 1, 1, 2, 0), ((1, 1, 3, 3), 3, 3, 1, 1)])
def test_im2col_is_the_definition_and_col2im_its_adjoint(shape, fh, fw, stride, pad):
    rng = np.random.default_rng(sum(shape) + fh + stride)
    x = rng.standard_normal(shape)
    col = im2col(x, fh, fw, stride, pad)
    np.testing.assert_array_equal(col, _naive_im2col(x, fh, fw, stride, pad))
    y = rng.standard_normal(col.shape)
    back = col2im(y, shape, fh, fw, stride, pad)
    assert back.shape == shape
    rtol, atol = SAME_ARITHMETIC["float64"]
    np.testing.assert_allclose(np.sum(col * y), np.sum(x * back), rtol=rtol, atol=atol)


class _Eps:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5):
        self.eps = eps

    def forward(self, x, train_flg=True):
        return x / np.sqrt(x.var(axis=0) + 10e-7)


def test_batchnorm_eps_is_read_from_the_students_code():
    assert student_eps(_Eps) == [1e-6, 1e-5]          # the constant and the default
    obj = _Eps(None, None, eps=1e-3)
    assert 1e-3 in student_eps(_Eps, obj)             # the attribute, as constructed


@pytest.fixture
def connected():
    """The helpers answered in-process, as the worker answers them from the parent."""
    with answered_here():
        yield


def _graded(style: str, name: str):
    fn = next(f for f in get_style(style).functions if f.name == name)
    return fn, fn.cases(np.random.default_rng(0), 4)


def test_a_backward_whose_forward_raises_is_graded_on_the_books_state(connected):
    ns = {}
    exec(compile((HERE / "saito-ch7" / "correct.py").read_text(), "correct.py", "exec"), ns)

    def forward(self, x):
        raise ValueError("not yet")
    ns["Convolution"].forward = forward             # the backward is right as written
    fn, cases = _graded("saito-ch7", "Convolution.backward")
    for case in cases:
        got = layer_backward(ns, fn.child_inputs(case))
        assert "blocked" in got and "raised ValueError" in got["blocked"]
        assert fn.judge(got, case) is None, case.description


def test_a_common_package_uploaded_to_gradescope(tmp_path):
    """ch07/simple_convnet.py and common/{layers,util,functions}.py, col2im overwriting:
    the bundle picks common/layers.py, finds the rest, and only col2im fails."""
    from reference.grade.bundle import write_bundle
    from tests.grading import options

    zpath = write_bundle(tmp_path / "autograder.zip", "saito-ch7", options(seed=2),
                         fixed_seed=True)
    with zipfile.ZipFile(zpath) as zf:
        run = zf.read("run_autograder").decode()
    root = tmp_path / "autograder"
    _split(HERE / "saito-ch7" / "correct.py", root / "submission")
    done, data = run_autograder(run, root)
    assert "common/layers.py" in data["output"], data["output"]
    assert data["max_score"] == len(get_style("saito-ch7").functions)
    assert [t["name"] for t in data["tests"] if t["status"] == "failed"] == ["col2im"]


def _split(correct: Path, root: Path, util: bool = True) -> None:
    """The catalog's one-file solution as a reader's repository lays it out, with
    col2im overwriting overlapping windows (`=` for `+=`); without common/util.py when
    not `util` (the book hands it over)."""
    src = correct.read_text()
    at = {k: src.index(k) for k in ("def softmax", "def im2col", "class Relu",
                                    "class SimpleConvNet")}
    head = "import numpy as np\n\n\n"
    (root / "common").mkdir(parents=True)
    (root / "ch07").mkdir()
    (root / "common" / "__init__.py").write_text("")
    (root / "common" / "functions.py").write_text(head + src[at["def softmax"]:
                                                             at["def im2col"]])
    if util:
        (root / "common" / "util.py").write_text(head + src[at["def im2col"]:at["class Relu"]]
                                                 .replace("stride] += col", "stride] = col"))
    (root / "common" / "layers.py").write_text(
        head + "from common.functions import *\nfrom common.util import im2col, col2im\n\n\n"
        + src[at["class Relu"]:at["class SimpleConvNet"]])
    (root / "ch07" / "simple_convnet.py").write_text(
        "import sys, os\nsys.path.append(os.pardir)\nfrom collections import OrderedDict\n"
        + head + "from common.layers import *\n\n\n" + src[at["class SimpleConvNet"]:])


def test_the_books_util_left_out_is_supplied(tmp_path):
    """common/layers.py importing common/util.py, which the student did not hand in (the
    book provides it): im2col and col2im are supplied, the layers graded with the
    grader's."""
    _split(HERE / "saito-ch7" / "correct.py", tmp_path, util=False)
    result = grade(tmp_path / "common" / "layers.py", "saito-ch7", folder=tmp_path, seed=1)
    assert result.error is None
    assert {f.name: f.status for f in result.functions} == {
        "im2col": "supplied", "col2im": "supplied", "Convolution.forward": "passed",
        "Convolution.backward": "passed", "Pooling.forward": "passed",
        "Pooling.backward": "passed", "SimpleConvNet.gradient": "passed"}


def test_inverted_dropout_passes_with_a_note():
    result = grade(HERE / "saito-ch6" / "variant_inverted_dropout.py", "saito-ch6", seed=3)
    assert result.error is None
    assert all(f.status == "passed" for f in result.functions)
    assert any("inverted dropout" in n and "rescaled" in n for n in result.warnings), \
        result.warnings


def test_a_file_holding_another_chapters_layers_says_so():
    """common/layers.py with chapters 5 and 6: graded as saito-ch6, it names the saito
    style's layers it also holds (graded only when that style is named)."""
    result = grade(HERE / "saito-ch6" / "correct.py", "saito-ch6", seed=0,
                   only=("Dropout.forward",))
    note = next(n for n in result.warnings if "also holds what style saito grades" in n)
    assert "(Affine, Relu" in note and "--style saito " in note
