"""Workers started ahead for a batch (`sandbox.Pool`): each serves one submission only,
joins its cgroup and runs at normal priority before any job reaches it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reference.grade import isolation
from reference.grade.runner import grade_submission
from reference.grade.sandbox import PRE_STARTED_NICE, Child, Pool

HERE = Path(__file__).parent / "submissions" / "ng"
LIMITS = {"timeout": 5.0, "memory_mb": 1024}


@pytest.fixture
def pools():
    made: list = []

    def make(expected: int, ahead: int) -> Pool:
        made.append(Pool(expected, ahead=ahead, **LIMITS))
        return made[-1]

    yield make
    for pool in made:
        pool.close()


def test_the_pool_starts_no_more_workers_than_will_be_taken(pools):
    pool = pools(3, ahead=2)
    first = [c.proc.pid for c in pool.waiting]
    assert len(first) == 2
    taken = [pool.take(**LIMITS)]
    assert taken[0].proc.pid == first[0]          # a waiting worker, not a new one
    assert len(pool.waiting) == 2                 # one more started for the third take
    taken += [pool.take(**LIMITS), pool.take(**LIMITS)]
    assert pool.waiting == []
    late = pool.take(**LIMITS)                    # more takes than expected: a fresh one
    assert pool.waiting == []
    pids = [c.proc.pid for c in taken + [late]]
    assert len(set(pids)) == 4                    # never the same worker twice
    for child in taken + [late]:
        child.close()


def test_a_submission_with_other_limits_gets_a_fresh_worker(pools):
    pool = pools(2, ahead=1)
    waiting = pool.waiting[0]
    child = pool.take(timeout=7.0, memory_mb=1024)
    try:
        assert child is not waiting and isinstance(child, Child)
        assert child.timeout == 7.0 and pool.waiting == [waiting]
    finally:
        child.close()


def test_a_worker_that_died_while_waiting_is_replaced(pools):
    import signal

    pool = pools(1, ahead=1)
    dead = pool.waiting[0]
    os.kill(dead.proc.pid, signal.SIGKILL)
    dead.proc.wait()
    child = pool.take(**LIMITS)
    try:
        assert child is not dead and dead.closed
        assert child.proc.poll() is None
    finally:
        child.close()


def test_close_stops_the_workers_nobody_took(pools):
    pool = pools(4, ahead=3)
    waiting = list(pool.waiting)
    pool.close()
    assert pool.waiting == [] and all(c.closed for c in waiting)
    assert all(c.proc.returncode is not None for c in waiting)     # reaped: gone
    child = pool.take(**LIMITS)                   # after close: a fresh one, none started
    child.close()
    assert pool.waiting == []


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may set a priority back to normal")
def test_a_waiting_worker_runs_at_low_priority_and_a_taken_one_at_normal(pools):
    pool = pools(2, ahead=2)
    waiting = pool.waiting[1]
    assert os.getpriority(os.PRIO_PROCESS, waiting.proc.pid) == PRE_STARTED_NICE
    child = pool.take(**LIMITS)
    try:
        assert os.getpriority(os.PRIO_PROCESS, child.proc.pid) == 0
        group = Path(f"/proc/{child.proc.pid}/autogroup")
        if group.exists():          # the kernel's autogroups: the session's nice value
            assert group.read_text().split()[-1] == "0"
            assert Path(f"/proc/{waiting.proc.pid}/autogroup").read_text().split()[-1] == \
                str(PRE_STARTED_NICE)
    finally:
        child.close()


@pytest.mark.skipif(not isolation.cgroup_controls(), reason="no cgroup to join (needs root)")
def test_a_taken_worker_is_in_its_submissions_cgroup_before_any_job(pools):
    pool = pools(1, ahead=1)
    box = isolation.Box(memory_mb=1024, allow_autograd=False)
    try:
        child = pool.take(box, **LIMITS)
        try:
            assert child.job is None                           # nothing sent yet
            mine = Path(f"/proc/{child.proc.pid}/cgroup").read_text()
            assert all(Path(d).name in mine for d in box.cgroup.dirs), mine
        finally:
            child.close()
    finally:
        box.close()


def test_submissions_graded_from_a_pool_get_a_worker_each_and_full_protections(pools):
    pool = pools(2, ahead=2)
    taken: list[Child] = []
    take = pool.take

    def spy(*args, **kw):
        taken.append(take(*args, **kw))
        return taken[-1]

    pool.take = spy
    results = [grade_submission(HERE / "correct.py", "ng", parallel=1, pool=pool,
                                **LIMITS) for _ in range(2)]
    plain = grade_submission(HERE / "correct.py", "ng", parallel=1, **LIMITS)
    assert all(r.passed for r in results), [r.functions for r in results]
    assert len(taken) == 2 and taken[0].proc.pid != taken[1].proc.pid
    assert all(c.closed for c in taken)                 # closed after its submission
    assert results[0].protections == results[1].protections == plain.protections


def test_submissions_graded_side_by_side_build_each_functions_cases_once(monkeypatch):
    """Two grading threads asking for the same cases at once: one builds them, the other
    waits and gets copies (before, both built them in the batch's first seconds)."""
    import threading
    import time

    from reference.grade import runner
    from reference.grade.styles import get_style

    style = get_style("ng")
    fn = style.functions[0]
    calls = []
    build = runner.build_cases

    def slow_build(f, seed, n):
        calls.append(f.name)
        time.sleep(0.3)                 # long enough for the other thread to ask meanwhile
        return build(f, seed, n)

    monkeypatch.setattr(runner, "build_cases", slow_build)
    runner._cached_cases.cache_clear()
    got = []
    threads = [threading.Thread(target=lambda: got.append(runner.cases_for(style, fn, 987, 2)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    runner._cached_cases.cache_clear()
    assert calls == [fn.name]
    assert len(got) == 2 and got[0] is not got[1] and got[0][0] is not got[1][0]
