"""Issue 19, hole 4: what a submission costs to parse is bounded before parsing starts.
The hostile notebooks and Python 2 files are made here (megabytes: not kept in the
catalog's folders); the limits are prescan's, the honest files of the catalog pass."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from reference.grade import loader, prescan

SUBMISSIONS = Path(__file__).parent / "submissions"
MB = 2**20


def _peak(fn):
    """fn()'s result and the most memory Python held while it ran."""
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_notebook_of_empty_objects_is_refused_before_it_is_parsed(tmp_path):
    """6 MB of `{}` (1 GB once parsed and validated, issue 19): refused, in the memory
    of the text itself."""
    path = tmp_path / "empty_objects.ipynb"
    path.write_text('{"cells": [], "x": [' + ",".join(["{}"] * (2 * MB)) + "]}")
    loaded, peak = _peak(lambda: loader.load(path))
    assert "JSON values" in loaded.error and "not a notebook" in loaded.error
    assert peak < 8 * path.stat().st_size


def test_an_honest_notebook_is_read_as_before():
    loaded = loader.load(SUBMISSIONS / "ng" / "ok_notebook.ipynb")
    assert loaded.error is None and loaded.segments
    text = (SUBMISSIONS / "ng" / "ok_notebook.ipynb").read_text()
    prescan.notebook(text)          # far under the limit
    values = text.count("{") + text.count("[") + text.count(",")
    assert values * 20 < prescan.MAX_NOTEBOOK_VALUES


def test_a_huge_python2_file_is_not_converted(tmp_path):
    """Python 2 of 0.9 MB cost fissix 43 s and 600 MB: past the budget, no conversion
    (its Python 3 syntax error is reported instead)."""
    body = "def f(x):\n    print 'x', x\n    return x\n\n"
    path = tmp_path / "huge_py2.py"
    path.write_text(body * (prescan.MAX_PYTHON2_CHARS // len(body) + 100))
    loaded = loader.load(path)
    assert not any("fissix" in w for w in loaded.warnings)
    assert loaded.error and "syntax error" in loaded.error.lower()


def test_the_python2_budget_is_per_submission():
    prescan.begin()
    assert prescan.python2("x" * prescan.MAX_PYTHON2_CHARS)
    assert not prescan.python2("x")
    prescan.begin()
    assert prescan.python2("x")


@pytest.mark.parametrize("folder", ["nielsen_py2", "nielsen2_py2"])
def test_nielsens_python2_files_are_still_converted(folder):
    (path,) = sorted((SUBMISSIONS / "real" / folder).glob("network*.py"))
    loaded = loader.load(path)
    assert loaded.error is None
    assert any("fissix" in w for w in loaded.warnings), loaded.warnings


def test_a_notebook_at_the_limit_is_refused_and_under_it_is_not():
    under = json.dumps({"cells": [], "x": [[]] * (prescan.MAX_NOTEBOOK_VALUES // 4)})
    prescan.notebook(under)
    over = json.dumps({"cells": [], "x": [[]] * prescan.MAX_NOTEBOOK_VALUES})
    with pytest.raises(ValueError, match="JSON values"):
        prescan.notebook(over)


def test_commas_and_brackets_inside_strings_are_not_values():
    """A cell that printed a long list: its output is one string, not 300,000 values."""
    printed = "[" + ", ".join(["0.5"] * 300_000) + "]"
    nb = json.dumps({"cells": [{"cell_type": "code", "source": "x = 1\n", "metadata": {},
                                "execution_count": 1, "outputs": [
                                    {"output_type": "stream", "name": "stdout",
                                     "text": [printed, 'a "quoted" [x, y]']}]}],
                     "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    prescan.notebook(nb)
    with pytest.raises(ValueError):
        prescan.notebook(nb.replace('"x = 1\\n"', "[" + "0," * 300_000 + "0]", 1))
