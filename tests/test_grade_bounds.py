"""Issue 19, holes 3, 5 and 6: the grader's own side is bounded. A helper request is
counted before it is decoded, the grader's CPU answering helpers is the student's time,
and the cleanup kills only processes the grader's own worker started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from reference.grade import budget, codec, lineage
from reference.grade.sandbox import Job
from reference.grade.worker import UID_BASE
from tests.grading import grade as grade_submission

from .test_grade_jail import HERE

MB = 2**20


def _shared_request(times: int, mb: int = 4) -> bytes:
    """A helper request whose `times` arguments all point at the same `mb` MB of bytes."""
    head = json.dumps({"tree": {"__dict__": [["name", "ng.linear_forward"],
                                             ["args", [{"__nd__": 0}] * times],
                                             ["kwargs", {"__dict__": []}]]},
                       "arrays": [["<f8", [mb * MB // 8], 0, mb * MB]]}).encode()
    return codec.MAGIC + len(head).to_bytes(8, "little") + head + bytes(mb * MB)


def test_shared_entries_are_counted_each_time_before_anything_is_built():
    blob = _shared_request(300)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="more than"):
            budget.decode(blob)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * len(blob)              # 300 copies would be 1200 MB
    # the count itself: 3 references to one 1 MB entry are 3 MB (float64: the same)
    head = json.loads(_shared_request(3, 1)[len(codec.MAGIC) + 8:].split(b"\0", 1)[0])
    assert budget.produced(head, 10 * MB) == 3 * MB
    with pytest.raises(ValueError):
        budget.produced(head, 3 * MB - 1)


def test_an_honest_request_decodes_as_before():
    args = [np.ones((3, 2)), np.ones((4, 3)), np.ones((4, 1))]
    blob = codec.encode({"name": "ng.linear_forward", "args": args, "kwargs": {}})
    got = budget.decode(blob)
    np.testing.assert_array_equal(got["args"][1], args[1])


def test_the_grader_refuses_a_request_of_shared_entries_in_bounded_memory():
    job = Job(b"", [], [("ng.linear_forward",)])
    tracemalloc.start()
    try:
        reply = codec.decode(job.answer(0, _shared_request(300)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reply["ok"] is False and reply["error"] == "malformed helper call"
    assert peak < 64 * MB


def test_a_function_pointing_300_times_at_the_same_bytes_is_answered_with_a_refusal():
    result = grade_submission(HERE / "hostile_shared_entries.py", "ng",
                              only=["linear_activation_forward"], timeout=10.0)
    (fr,) = result.functions
    assert "malformed helper call" in fr.output, fr.output
    assert fr.status == "passed", fr.finding        # its own computation is right


def test_the_graders_cpu_answering_helpers_counts_against_the_timeout():
    """20 products of 1024 x 1024 integer matrices computed by the grader (about a second
    of its CPU each; the function's own work is milliseconds): timed out after the
    function's timeout, not only once the submission's --max-seconds ran out."""
    result = grade_submission(HERE / "hostile_helper_clock.py", "ng",
                              only=["linear_activation_forward"], timeout=3.0)
    (fr,) = result.functions
    assert fr.status == "failed" and "timed out after 3 s" in fr.finding.diagnosis


def test_only_a_child_of_the_given_parent_is_its_child():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert lineage.parent_of(child.pid) == os.getpid()
        assert lineage.is_child(child.pid, os.getpid())
        assert not lineage.is_child(os.getpid(), os.getpid())
        assert not lineage.is_child(2**40, os.getpid())          # not a pid at all
    finally:
        child.kill()
        child.wait()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root gives students users of their own")
def test_a_forged_frame_cannot_make_the_grader_kill_another_students_process(tmp_path):
    """Another student's function process (uid UID_BASE + its pid, as the worker makes
    them), named in a forged "L" frame before the pipe is garbled: it lives on."""
    victim = subprocess.Popen(["sleep", "60"],
                              preexec_fn=lambda: os.setuid(UID_BASE + os.getpid()))
    try:
        path = tmp_path / "forger.py"
        path.write_text((HERE / "hostile_forged_pid.py").read_text().replace(
            "VICTIM = 1 ", f"VICTIM = {victim.pid} ", 1))
        result = grade_submission(path, "ng", timeout=5.0, parallel=1,
                                  only=["linear_forward", "linear_activation_forward"])
        assert result.score == 0 and "result channel" in (result.error or ""), result.error
        with pytest.raises(subprocess.TimeoutExpired):
            victim.wait(timeout=0.5)                               # still alive
    finally:
        victim.kill()
        victim.wait()
