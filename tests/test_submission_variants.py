"""The generated catalog variants match their generator, so the two cannot drift apart.

Each style's make_variants.py rewrites its one-change variants from correct.py. Run in a
copy of the folder with only correct.py and the generator left in it, it must recreate
committed files byte for byte (and no file that is not committed).
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.grade_catalog import CATALOGS, SUBMISSIONS

GENERATED = sorted(s for s, c in CATALOGS.items() if "make_variants.py" in c.helpers)


def test_the_catalogs_written_by_hand_are_few():
    """A catalog without a generator (ng-c4w1's few hand-written files) is the exception:
    the large ones are generated, so a fix in correct.py reaches every variant."""
    by_hand = sorted(set(CATALOGS) - set(GENERATED))
    assert by_hand == ["ng-c4w1"], by_hand


@pytest.mark.parametrize("style", GENERATED)
def test_make_variants_regenerates_the_committed_files(style, tmp_path):
    folder = SUBMISSIONS / style
    for name in ("correct.py", "make_variants.py"):
        shutil.copy(folder / name, tmp_path / name)
    subprocess.run([sys.executable, "make_variants.py"], cwd=tmp_path, check=True, timeout=60)
    generated = sorted({p.name for p in tmp_path.iterdir() if p.is_file()}
                       - {"correct.py", "make_variants.py"})
    assert generated, f"{style}: make_variants.py wrote nothing"
    missing = [n for n in generated if not (folder / n).exists()]
    assert not missing, f"{style}: generated but not committed: {missing}"
    drifted = [n for n in generated if (tmp_path / n).read_bytes() != (folder / n).read_bytes()]
    assert not drifted, f"{style}: committed files differ from make_variants.py's output: {drifted}"
