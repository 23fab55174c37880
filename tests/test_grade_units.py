"""Unit tests of the grader's parts that need no sandbox: diagnoses, loader, codec, policy."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from reference.grade import codec, loader, policy
from reference.oracle.diagnose import (
    close,
    diagnose_array,
    diagnose_init,
    diagnose_keys,
    diagnose_mutation,
)

RNG = np.random.default_rng(0)
EXP = RNG.standard_normal((3, 3))
COL = RNG.standard_normal((3, 1))


@pytest.mark.parametrize("got, expected, kw, text", [
    (None, EXP, {}, "is missing"),
    ("abc", EXP, {}, "not a numeric array"),
    (EXP * 4, EXP, {"scale_m": 4}, "the 1/m is missing"),
    (EXP / 4, EXP, {"scale_m": 4}, "an extra 1/m"),
    (-EXP, EXP, {}, "wrong sign"),
    (EXP.T, EXP, {}, "transposed"),
    (EXP[:, :2].T, EXP[:, :2], {}, "transposed"),
    (COL.ravel(), COL, {}, "rank-1"),
    (np.ones((1, 5)), COL, {}, "wrong axis"),
    (np.ones((3, 5)), COL, {}, "not summed over the examples"),
    (np.float64(1.0), COL, {}, "summed over all axes"),
    (np.full((3, 3), np.nan), EXP, {}, "NaN: numerically unstable"),
    (EXP + 1, EXP, {"mistakes": [("σ'(a) used", EXP + 1)]}, "σ'(a) used"),
    (EXP + 1, EXP, {}, "is wrong at index"),
    (np.ones(3), np.float64(2.0), {}, "single number"),
])
def test_diagnose_array_names_the_mistake(got, expected, kw, text):
    finding = diagnose_array(got, expected, equation="BP4", name="dW", **kw)
    assert finding is not None and text in finding.diagnosis
    assert finding.equation == "BP4"


def test_diagnose_array_accepts_float32_and_scalars():
    assert diagnose_array(EXP.astype(np.float32), EXP, equation="BP4") is None
    assert diagnose_array(np.array([[2.0]]), 2.0, equation="cost") is None
    assert not close(EXP + 1e-3, EXP)


def test_keys_mutation_and_init():
    assert "dW2" in diagnose_keys({"dW1": 1}, ["dW1", "dW2"], equation="BP4", name="g").diagnosis
    assert diagnose_keys({"dW1": 1}, ["dW1"], equation="BP4", name="g") is None
    a = np.ones(3)
    assert "in place" in diagnose_mutation({"dA": a}, {"dA": a * 0}, equation="api",
                                           name="f").diagnosis
    assert diagnose_mutation({"dA": a}, {"dA": a.copy()}, equation="api", name="f") is None
    good = {"W1": RNG.standard_normal((4, 3)) * 0.01, "b1": np.zeros((4, 1))}
    assert diagnose_init(good, [3, 4]) is None
    assert "symmetry" in diagnose_init({**good, "W1": np.zeros((4, 3))}, [3, 4]).diagnosis


def test_loader_keeps_only_definitions(tmp_path):
    src = ("import numpy as np\nfrom dnn_utils import *\nX = load()\nLR = 0.1\nplt.show()\n"
           "EPS = np.finfo(float).eps * LR\nP = L_layer_model(X, LR)\nQ = np.array(fit(X))\n"
           "def f(x):\n    return x\nclass C:\n    pass\nimport os; os.system('x')\n"
           "try:\n    import h5py\nexcept ImportError:\n    pass\n"
           "if __name__ == '__main__':\n    f(1)\n")
    path = tmp_path / "s.py"
    path.write_text(src)
    loaded = loader.load(path)
    kept = [s.source for s in loaded.segments]
    assert kept[:2] == ["import numpy as np", "from dnn_utils import *"]
    assert "LR = 0.1" in kept and "import os" in kept and "EPS = np.finfo(float).eps * LR" in kept
    assert not any("load()" in s or "show" in s or "system" in s or "__main__" in s
                   or "L_layer_model" in s or "fit(" in s for s in kept)
    assert any(s.startswith("def f") for s in kept) and any(s.startswith("try:") for s in kept)


def test_loader_notebook_magics_and_bad_cells(tmp_path):
    nb = {"cells": [
        {"cell_type": "code", "source": ["%matplotlib inline\n", "!pip install x\n",
                                         "import numpy as np\n"]},
        {"cell_type": "markdown", "source": ["def not_code(): pass"]},
        {"cell_type": "code", "source": "%%time\ndef timed():\n    pass\n"},
        {"cell_type": "code", "source": "%%writefile x.py\ndef written():\n    pass\n"},
        {"cell_type": "code", "source": "%%writefile notes.txt\ndef not_python():\n    pass\n"},
        {"cell_type": "code", "source": "%%bash\nls\n"},
        {"cell_type": "code", "source": "def broken(:\n"},
        {"cell_type": "code", "source": "def g():\n    return 1\ng()\n"}]}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb))
    loaded = loader.load(path)
    assert loaded.error is None
    assert [s.source.split("(")[0] for s in loaded.segments] == [
        "import numpy as np", "def timed", "def written", "def g"]   # x.py: the student's
    assert any("syntax error" in w for w in loaded.warnings)
    (tmp_path / "bad.py").write_text("def f(:\n")
    assert "syntax error" in loader.load(tmp_path / "bad.py").error


def test_codec_rebuilds_plain_arrays_only():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    value = {"a": (np.arange(4.0).view(Liar), [1, 2.5]), "o": object(),
             "s": np.array(["x"]), 3: None}
    back = codec.decode(codec.encode(value), as_float=True)
    assert type(back["a"][0]) is np.ndarray and back["a"][0].dtype == np.float64
    assert isinstance(back["o"], codec.Opaque) and isinstance(back["s"], codec.Opaque)
    assert back[3] is None and back["a"][1] == [1, 2.5]
    assert isinstance(codec.decode(codec.encode((1, 2))), tuple)


def test_policy_scan_and_guard():
    import ast

    tree = ast.parse("import numpy\ndef f():\n    import torch.nn\n"
                     "x = __import__('jax')\nfrom manual import Network\n")
    found = policy.scan([tree])
    assert len(found) == 3 and "torch.nn" in found[0] and "manual" in found[2]
    assert len(policy.scan([tree], allow_autograd=True)) == 1
    guard = policy.ImportGuard(("definitely_forbidden_pkg",))
    with pytest.raises(ImportError):
        guard.find_spec("definitely_forbidden_pkg.sub")
    assert guard.violations and guard.find_spec("numpy") is None


def _tampered(blob: bytes, edit) -> bytes:
    """The blob with its header rewritten by edit(header dict)."""
    start = len(codec.MAGIC) + 8
    size = int.from_bytes(blob[len(codec.MAGIC):start], "little")
    head = json.loads(blob[start:start + size])
    edit(head)
    new = json.dumps(head).encode()
    return codec.MAGIC + len(new).to_bytes(8, "little") + new + blob[start + size:]


@pytest.mark.parametrize("edit", [
    lambda h: h["arrays"][0].__setitem__(0, "|O"),              # object dtype: never built
    lambda h: h["arrays"][0].__setitem__(0, "[('a', '<f8')]"),  # structured dtype
    lambda h: h["arrays"][0].__setitem__(1, [1000, 1000]),      # more data than the blob has
    lambda h: h["arrays"][0].__setitem__(2, 10**9),             # offset outside the blob
    lambda h: h["arrays"][0].__setitem__(1, [-1, -3]),          # negative shape
    lambda h: h["tree"]["__dict__"][0][1].__setitem__("__nd__", 7),   # no such array
])
def test_codec_refuses_a_forged_blob(edit):
    """A student process controls its own result blob: a forged header gives an Opaque
    marker, never an object, never memory outside the blob."""
    blob = _tampered(codec.encode({"a": np.arange(6.0).reshape(2, 3)}), edit)
    back = codec.decode(blob, as_float=True)
    assert isinstance(back["a"], codec.Opaque)


def test_codec_rejects_what_is_not_a_blob_and_caps_strings():
    with pytest.raises(ValueError):
        codec.decode(b"\x93NUMPY pickle or anything else")
    with pytest.raises(ValueError):                     # a header longer than the blob
        codec.decode(codec.MAGIC + (10**6).to_bytes(8, "little") + b"{}")
    back = codec.decode(codec.encode({"s" * 10**6: "x" * 10**6, "b": np.bool_(True)}))
    (key, value), = [(k, v) for k, v in back.items() if k != "b"]
    assert len(key) <= codec.MAX_STRING + 1 and len(value) <= codec.MAX_STRING + 1
    assert back["b"] == np.array(True)


def test_loader_too_large_or_unreadable(tmp_path, monkeypatch):
    from manual.errors import InputError

    nb = tmp_path / "big.ipynb"
    nb.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "x = 1\n" * 100}]}))
    monkeypatch.setattr(loader, "MAX_NOTEBOOK_BYTES", 100)
    assert "larger than" in loader.load(nb).error       # the student's problem: a zero report
    monkeypatch.setattr(loader, "MAX_NOTEBOOK_BYTES", 10**8)
    assert loader.load(nb).error is None
    with pytest.raises(InputError, match="cannot read"):  # the grader's problem: exit 2
        loader.load(tmp_path / "absent.py")


def test_results_json_is_strict_json_even_with_nan_and_inf():
    """Gradescope parses results.json strictly: no NaN/Infinity tokens anywhere."""
    from reference.grade import report
    from reference.grade.base import Finding, GradeCase
    from reference.grade.results import FunctionResult, SubmissionResult

    bad = np.array([[np.nan, np.inf], [-np.inf, 1.0]])
    case = GradeCase({"Z": bad, "m": np.float64(np.nan)}, {}, (1,), "Z with NaN")
    finding = Finding("BP1", "dZ contains NaN", {"got": np.float64(np.nan), "where": bad})
    fr = FunctionResult("relu_backward", 1.0, 0.0, "failed", finding, case, 1)
    result = SubmissionResult("s.py", "ng", 0, [fr])
    text = json.dumps(report.gradescope(result), allow_nan=False)
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    (test,) = data["tests"]
    assert test["extra_data"]["detail"]["got"] == "nan"
    assert test["extra_data"]["minimal_failing_case"]["inputs"]["Z"][0] == ["nan", "inf"]


@pytest.mark.parametrize("module, now", [
    ("numpy.linalg", "numpy.linalg"), ("os.path", "os.path"), ("xml.dom", "xml.dom"),
    ("test.autotest", None),            # imports CPython's whole test suite and runs it
    ("idlelib.idle", None),             # starts IDLE
    ("venv.__main__", None),            # runs `python -m venv` with the worker's argv
    ("numpy.f2py.__main__", None), ("unittest.__main__", None),
    ("this", None), ("torch", None), ("reference.oracle", None), ("dnn_utils", None),
    ("matplotlib.pyplot", "matplotlib.pyplot"), ("numpy..linalg", None),
])
def test_only_library_code_is_preloaded_before_the_limits(module, now):
    """The worker imports what the submission imports before dropping privileges and
    setting limits: that must never run code a student can choose."""
    from reference.grade.worker import preload_name

    assert preload_name(module, policy.forbidden(False)) == now


# --- initialization: centered and scaled (issue 10, pattern 8) ------------------------------
def _init(draw, dims=(64, 32, 16, 1), seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = draw(rng, dims[l], dims[l - 1])
        params[f"b{l}"] = np.zeros((dims[l], 1))
    return params


ACCEPTED = {
    "randn * 0.01": lambda r, n, p: r.standard_normal((n, p)) * 0.01,
    "randn / sqrt(n_prev)": lambda r, n, p: r.standard_normal((n, p)) / np.sqrt(p),
    "He sqrt(2/n_prev)": lambda r, n, p: r.standard_normal((n, p)) * np.sqrt(2 / p),
    "Glorot sqrt(2/(n+n_prev))": lambda r, n, p: r.standard_normal((n, p)) * np.sqrt(2 / (n + p)),
    "uniform(-1, 1) * 0.01": lambda r, n, p: r.uniform(-1, 1, (n, p)) * 0.01,
    "randn * 0.05": lambda r, n, p: r.standard_normal((n, p)) * 0.05,
}
REFUSED = {
    "rand unscaled": (lambda r, n, p: r.random((n, p)), "np.random.rand draws uniformly"),
    "rand * 0.01": (lambda r, n, p: r.random((n, p)) * 0.01, "not centered at 0"),
    "randn + 0.01": (lambda r, n, p: r.standard_normal((n, p)) * 0.01 + 0.01,
                     "not centered at 0 (mean"),
    "randn unscaled": (lambda r, n, p: r.standard_normal((n, p)), "too large"),
    "randn * 0.001": (lambda r, n, p: r.standard_normal((n, p)) * 0.001, "too small"),
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_init_accepts_every_course_scale_on_many_seeds(name):
    """No false alarm over 200 seeds (the thresholds sit 6 to 8 standard errors out)."""
    for seed in range(200):
        assert diagnose_init(_init(ACCEPTED[name], seed=seed), [64, 32, 16, 1]) is None, seed


@pytest.mark.parametrize("name", REFUSED)
def test_init_refuses_non_centered_or_unscaled_draws(name):
    draw, text = REFUSED[name]
    for seed in range(20):
        found = diagnose_init(_init(draw, seed=seed), [64, 32, 16, 1])
        assert found is not None and found.equation == "init" and text in found.diagnosis, seed
        assert "W1" in found.diagnosis      # judged on the 64x32 layer (2048 draws)


def test_init_statistics_wait_for_enough_draws():
    """A small layer is judged on its shapes and symmetry only: 15 uniform draws say
    little, and the course's small test cases would otherwise fail by chance."""
    small = _init(lambda r, n, p: r.random((n, p)) * 0.01, dims=(5, 3, 1))
    assert diagnose_init(small, [5, 3, 1]) is None


def test_standins_provide_what_the_course_documents():
    """Issue 10, pattern 2: what `from X import *` gives in the course, from its contract."""
    import types

    from reference.grade import standins

    def star(name):
        module = types.ModuleType(name)
        standins.fill(module)
        return {k: getattr(module, k) for k in module.__all__}

    z = np.array([[-2.0, 0.0, 3.0]])
    got = star("dnn_utils_v2")
    assert got["np"] is np and set(got) == {"np", "sigmoid", "relu", "sigmoid_backward",
                                            "relu_backward"}
    A, cache = got["sigmoid"](z)
    assert np.allclose(A, 1 / (1 + np.exp(-z))) and cache is not None
    assert np.allclose(got["relu"](z)[0], [[0, 0, 3]])
    s = 1 / (1 + np.exp(-z))
    assert np.allclose(got["sigmoid_backward"](np.ones_like(z), z), s * (1 - s))
    assert np.allclose(got["relu_backward"](np.full_like(z, 5.0), z), [[0, 0, 5]])
    assert set(star("testCases_v4a")) == {"np"}          # test-case builders are not stood in
    assert np.allclose(star("planar_utils")["sigmoid"](z), s)
    test_cases = types.ModuleType("testCases")
    standins.fill(test_cases)
    with pytest.raises(standins.MissingModuleError, match="not available to the grader"):
        test_cases.linear_forward_test_case()
    assert standins.is_course_helper("dnn_app_utils_v3") and not standins.is_course_helper("loss")


def _f():
    return None


def test_a_missing_module_and_a_course_helper_not_stood_in_are_one_class():
    """What the grader lacks is one `standins.Missing`, whether the module is missing
    (the worker binds it for a failed import) or the course's helper is not stood in."""
    import ast
    import types

    from reference.grade import standins, worker

    ns: dict = {}
    worker._bind_stub(ns, ast.parse("from helpers import plot").body[0], [])
    test_cases = types.ModuleType("testCases")
    standins.fill(test_cases)
    course = test_cases.linear_forward_test_case
    for stub in (ns["plot"], ns["plot"].show, course):
        assert type(stub) is standins.Missing and standins.is_stub(stub)
        assert stub(_f) is _f                        # a decorator gives the function back
    with pytest.raises(standins.MissingModuleError, match=r"\(a course helper file\?\)"):
        ns["plot"].show(1)
    with pytest.raises(standins.MissingModuleError, match="only what the course documents"):
        course(1)


def test_importing_the_oracle_imports_torch_with_its_objects_frozen():
    """`import_oracle` must import torch itself (the `reference.oracle` package alone
    imports none) and freeze its objects, so the collector never scans them again while
    grading (a full collection over them stalled every helper call for 75 ms)."""
    code = ("import gc, sys; import reference.oracle; "
            "from reference.grade.cases import import_oracle; "
            "assert 'torch' not in sys.modules; import_oracle(); "
            "print('torch' in sys.modules, gc.get_freeze_count() > 50_000, gc.isenabled())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True"]


def test_reading_every_style_and_the_layer_twins_imports_no_torch():
    """The grader reads its styles (and `also_holds` every style's names) before the
    children start; torch is imported while they start (`import_oracle`). A twin that
    looked up a torch function when registered (`F.max_pool2d`) made reading the layer
    styles pay torch's whole import first."""
    code = ("import sys; import reference.oracle.layers; "
            "from reference.grade.styles import STYLES, get_style; "
            "[get_style(s) for s in STYLES]; "
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout[:300]


@pytest.mark.parametrize("name", ["ng", "saito", "nielsen", "remote"])
def test_probe_modules_import_numpy_and_the_standard_library_only(name):
    """Probes run in the student's process: NumPy and the standard library (dis reads a
    method's bytecode), never torch, the oracle or the grader; the books' records (plain
    data: `book` and `books`, which import the standard library and each other only)."""
    import ast
    import importlib
    import sys
    from pathlib import Path

    def imported(module_name):
        module = importlib.import_module(module_name)
        tree = ast.parse(Path(module.__file__).read_text())
        mods = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                for a in n.names}
        return mods | {n.module.split(".")[0] for n in ast.walk(tree)
                       if isinstance(n, ast.ImportFrom) and n.module}

    mods = imported(f"reference.grade.probes.{name}")
    assert mods - {"numpy", "__future__", "remote", "book", "books"} <= set(
        sys.stdlib_module_names)
    assert not mods & {"torch", "reference", "manual"}
    records = ["reference.grade.book", "reference.grade.books"] + [
        f"reference.grade.books.{b}" for b in ("ng", "saito", "nielsen")]
    for record in records:
        assert imported(record) - {"__future__", "book"} <= set(sys.stdlib_module_names)
