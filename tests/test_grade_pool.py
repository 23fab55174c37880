"""Workers started ahead for a batch (`sandbox.Pool`): each serves one submission only,
joins its cgroup and runs at normal priority before any job reaches it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from reference.grade import isolation, spawner
from reference.grade.sandbox import PRE_STARTED_NICE, Child, Pool, clean_env
from tests.grading import grade

HERE = Path(__file__).parent / "submissions" / "ng"
LIMITS = {"timeout": 5.0, "memory_mb": 1024}


FORK = [pytest.param(True, id="forked"), pytest.param(False, id="started")]


@pytest.fixture
def pools():
    made: list = []

    def make(expected: int, ahead: int, fork: bool = True) -> Pool:
        made.append(Pool(expected, ahead=ahead, fork=fork, **LIMITS))
        assert made[-1].ready(min(expected, ahead))
        return made[-1]

    yield make
    for pool in made:
        pool.close()


@pytest.mark.parametrize("fork", FORK)
def test_the_pool_starts_no_more_workers_than_will_be_taken(pools, fork):
    pool = pools(3, ahead=2, fork=fork)
    first = [c.proc.pid for c in pool.waiting]
    assert len(first) == 2
    taken = [pool.take(**LIMITS)]
    assert taken[0].proc.pid == first[0]          # a waiting worker, not a new one
    assert pool.ready(2)                          # one more started for the third take
    taken += [pool.take(**LIMITS), pool.take(**LIMITS)]
    late = pool.take(**LIMITS)                    # more takes than expected: a fresh one
    pool.close()
    pids = [c.proc.pid for c in taken + [late]]
    assert len(set(pids)) == 4                    # never the same worker twice
    assert pids[:3] == first + [pids[2]] and pids[2] not in first
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


@pytest.mark.parametrize("fork", FORK)
def test_a_worker_that_died_while_waiting_is_replaced(pools, fork):
    pool = pools(1, ahead=1, fork=fork)
    dead = pool.waiting[0]
    os.kill(dead.proc.pid, signal.SIGKILL)
    dead.proc.wait()
    assert dead.proc.returncode == -signal.SIGKILL      # also through the spawner
    child = pool.take(**LIMITS)
    try:
        assert child is not dead and dead.closed
        assert child.proc.poll() is None
    finally:
        child.close()


@pytest.mark.parametrize("fork", FORK)
def test_close_stops_the_workers_nobody_took(pools, fork):
    pool = pools(4, ahead=3, fork=fork)
    waiting = list(pool.waiting)
    pool.close()
    assert pool.waiting == [] and all(c.closed for c in waiting)
    assert all(c.proc.returncode is not None for c in waiting)     # reaped: gone
    child = pool.take(**LIMITS)                   # after close: a fresh one, none started
    child.close()
    assert pool.waiting == []


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may set a priority back to normal")
def test_a_waiting_worker_runs_at_low_priority_and_a_taken_one_at_normal(pools):
    """Workers started from scratch (no spawner) use idle CPU while they start."""
    pool = pools(2, ahead=2, fork=False)
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


@pytest.mark.parametrize("fork", FORK)
def test_submissions_graded_from_a_pool_get_a_worker_each_and_full_protections(pools, fork):
    pool = pools(2, ahead=2, fork=fork)
    taken: list[Child] = []
    take = pool.take

    def spy(*args, **kw):
        taken.append(take(*args, **kw))
        return taken[-1]

    pool.take = spy
    results = [grade(HERE / "correct.py", "ng", parallel=1, pool=pool,
                                **LIMITS) for _ in range(2)]
    plain = grade(HERE / "correct.py", "ng", parallel=1, **LIMITS)
    assert all(r.passed for r in results), [r.functions for r in results]
    assert len(taken) == 2 and taken[0].proc.pid != taken[1].proc.pid
    assert all(c.closed for c in taken)                 # closed after its submission
    assert results[0].protections == results[1].protections == plain.protections


needs_spawner = pytest.mark.skipif(not spawner.available(), reason="needs pidfd_open (Linux 5.3+)")


@needs_spawner
def test_a_forked_worker_starts_as_a_started_one_does(pools):
    """Its own session, its own working directory, a clean environment, stdin closed, no
    descriptor but its two pipes and its output files: not the spawner's socket (the
    student's processes are forked from it)."""
    pool = pools(1, ahead=1)
    child = pool.waiting[0]
    pid = child.proc.pid
    assert isinstance(child.proc, spawner.Forked)
    assert os.getsid(pid) == pid and os.getpgid(pid) == pid
    assert int(Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[1]) == \
        pool.spawner.proc.pid                                  # the spawner's child
    assert os.readlink(f"/proc/{pid}/cwd") == child.workdir
    env = dict(kv.split("=", 1) for kv in
               Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in kv)
    assert set(env) == set(clean_env(child.workdir))   # nothing of the grader's environment
    fds = {int(fd): os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    assert fds[0] == os.devnull
    assert not [t for t in fds.values() if t.startswith("socket:")], fds
    assert len(fds) == 5, fds                   # stdin, stdout, stderr, the two pipes


@needs_spawner
def test_a_student_in_a_forked_worker_sees_what_one_in_a_started_worker_sees(pools, tmp_path):
    """The same environment, no stdin, a fresh working directory; as root, kill(-1) from
    the student's process reaches neither the spawner nor a worker waiting in the pool."""
    import re

    pool = pools(2, ahead=2)
    other = pool.waiting[1]
    source = (HERE / "correct.py").read_text()
    body = ("import os, signal\nprint('ENV', sorted(os.environ))\n"
            "print('STDIN', repr(os.read(0, 100)))\nprint('CWD', os.getcwd())\n"
            "try:\n"
            "    os.kill(-1, signal.SIGKILL) if os.geteuid() else None\n"
            # in a pid namespace of its own there is no one else to signal
            "except ProcessLookupError:\n"
            "    print('NO ONE TO KILL')\n")
    path = tmp_path / "probe_me.py"
    path.write_text(source.replace("    Z = np.dot(W, A) + b\n", "".join(
        f"    {line}\n" for line in body.splitlines()) + "    Z = np.dot(W, A) + b\n", 1))
    result = grade(path, "ng", only=["linear_forward"], pool=pool, **LIMITS)
    (fr,) = result.functions
    assert fr.status == "passed", fr.finding
    env = re.search(r"ENV (\[.*?\])", fr.output).group(1)
    assert env == repr(sorted(clean_env("x"))), env
    assert "STDIN b''" in fr.output
    cwd = re.search(r"CWD (\S+)", fr.output).group(1)
    assert "oracle-grade-" in cwd and "spawner" not in cwd
    assert pool.spawner.proc.poll() is None and other.proc.poll() is None


@needs_spawner
def test_a_forked_worker_holds_no_more_of_the_grader_than_a_started_one(pools, tmp_path):
    """The grader's modules in the student's process: those of a started worker, plus the
    spawner's own (which holds no answer: no correct helper, no oracle, no case)."""
    import re

    source = (HERE / "correct.py").read_text()
    path = tmp_path / "probe_me.py"
    path.write_text(source.replace("    Z = np.dot(W, A) + b\n", (
        "    import sys\n    print('MODS', sorted(m for m in sys.modules "
        "if m.startswith(('reference', 'torch', 'manual'))))\n    Z = np.dot(W, A) + b\n"), 1))
    seen = []
    for pool in (pools(1, ahead=1), None):
        result = grade(path, "ng", only=["linear_forward"], pool=pool, **LIMITS)
        (fr,) = result.functions
        assert fr.status == "passed", fr.finding
        seen.append(set(eval(re.search(r"MODS (\[.*?\])", fr.output).group(1))))
    forked, started = seen
    assert forked - started <= {"reference.grade.spawner"}, forked ^ started
    assert not {m for m in forked if "kit" in m or "oracle" in m or "styles" in m
                or m.startswith(("torch", "manual"))}, forked


@needs_spawner
def test_a_dead_spawner_leaves_each_submission_its_own_worker(pools):
    pool = pools(3, ahead=1)
    pool.spawner.proc.kill()
    pool.spawner.proc.wait()
    first = pool.take(**LIMITS)                   # forked before: still good
    second = pool.take(**LIMITS)                  # none could be forked: started afresh
    try:
        assert isinstance(first.proc, spawner.Forked)
        assert not isinstance(second.proc, spawner.Forked) and second.proc.poll() is None
    finally:
        first.close()
        second.close()


def test_submissions_graded_side_by_side_build_each_functions_cases_once(monkeypatch):
    """Two grading threads asking for the same cases at once: one builds them, the other
    waits and gets copies (before, both built them in the batch's first seconds)."""
    import threading
    import time

    from reference.grade import cases
    from reference.grade.styles import get_style

    style = get_style("ng")
    fn = style.functions[0]
    calls = []
    build = cases.build_cases

    def slow_build(f, seed, n):
        calls.append(f.name)
        time.sleep(0.3)                 # long enough for the other thread to ask meanwhile
        return build(f, seed, n)

    monkeypatch.setattr(cases, "build_cases", slow_build)
    cases._cached_cases.cache_clear()
    got = []
    threads = [threading.Thread(target=lambda: got.append(cases.cases_for(style, fn, 987, 2)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cases._cached_cases.cache_clear()
    assert calls == [fn.name]
    assert len(got) == 2 and got[0] is not got[1] and got[0][0] is not got[1][0]


HOSTILE = ["helper_theft", "frame_inputs", "guard_disable", "grader_import", "reads_files",
           "network", "orphan", "leftover_files", "fork_memory", "segfault", "os_exit",
           "exit_at_import", "frame_forger", "forged_results", "monkeypatch_numpy",
           "torch_dynamic", "torch_import", "input_zeroing", "huge_return"]


@needs_spawner
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_submission_gets_the_same_verdict_from_a_forked_worker(pools, name):
    """The hostile catalog, graded by a worker the spawner forked and by one started
    from scratch: the same verdict for every function, the same protections."""
    path = HERE / f"hostile_{name}.py"
    pool = pools(1, ahead=1)
    forked = grade(path, "ng", parallel=1, pool=pool, **LIMITS)
    started = grade(path, "ng", parallel=1, **LIMITS)
    assert [(f.name, f.status) for f in forked.functions] == \
        [(f.name, f.status) for f in started.functions]
    assert (forked.error is None) == (started.error is None), (forked.error, started.error)
    assert forked.protections == started.protections
