"""Isolation of the student's process: user, environment, stdin, files, orphans, imports."""

from __future__ import annotations

import glob
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from reference.grade import isolation
from reference.grade.sandbox import ROOT
from reference.grade.worker import UID_BASE
from tests.grading import grade

HERE = Path(__file__).parent / "submissions" / "ng"
CORRECT = (HERE / "correct.py").read_text()


def _submission(tmp_path, body: str) -> Path:
    """correct.py whose linear_forward first runs `body` (indented 4)."""
    text = CORRECT.replace("    Z = np.dot(W, A) + b\n",
                           "".join(f"    {line}\n" for line in body.splitlines())
                           + "    Z = np.dot(W, A) + b\n", 1)
    path = tmp_path / "probe_me.py"
    path.write_text(text)
    return path


def _dies(pid: int, cmdline: bytes) -> bool:
    """The process was SIGKILLed: it is gone, a zombie, or its pid was reused, once the
    kernel has finished tearing it down (a loaded machine may take a moment)."""
    for _ in range(100):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes() != cmdline:
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def _grade(path, name="linear_forward", **kw):
    result = grade(path, "ng", only=[name], timeout=5.0, **kw)
    (fr,) = result.functions
    return result, fr


def test_child_environment_is_clean_and_stdin_closed(tmp_path, monkeypatch):
    monkeypatch.setenv("ORACLE_TEST_SECRET", "s3cr3t")
    path = _submission(tmp_path, "import os, sys\nprint('ENV', sorted(os.environ))\n"
                                 "print('STDIN', repr(os.read(0, 100)))\n"
                                 "print('CWD', os.getcwd())\nopen('scratch.txt', 'w').write('ok')")
    result, fr = _grade(path)
    assert fr.status == "passed", fr.finding
    assert "s3cr3t" not in fr.output and "ORACLE_TEST_SECRET" not in fr.output
    assert "STDIN b''" in fr.output
    cwd = re.search(r"CWD (\S+)", fr.output).group(1)
    assert "oracle-grade-" in cwd and not os.path.exists(cwd)   # fresh, and removed


@pytest.mark.skipif(os.geteuid() != 0, reason="privileges are dropped only when run as root")
def test_student_runs_unprivileged_and_cannot_write_grader_files(tmp_path):
    target = Path(ROOT) / "reference" / "grade" / "pwned_by_student.txt"
    path = _submission(tmp_path, f"import os\nprint('UID', os.geteuid())\n"
                                 f"open({str(target)!r}, 'w').write('x')")
    result, fr = _grade(path)
    assert fr.status == "failed" and "PermissionError" in fr.finding.diagnosis
    assert not target.exists()
    uid = int(re.search(r"UID (\d+)", fr.output).group(1))
    assert uid >= UID_BASE


@pytest.mark.skipif(os.geteuid() != 0, reason="privileges are dropped only when run as root")
def test_a_student_cannot_kill_another_students_process(tmp_path):
    """Batch mode grades several submissions at once: kill(-1) (every process the caller
    may signal) must not reach another student's process."""
    killer = _submission(tmp_path, "import os, signal, time\ntime.sleep(0.5)\n"
                                   "os.kill(-1, signal.SIGKILL)")
    (tmp_path / "killer.py").write_text(killer.read_text())
    patient = _submission(tmp_path, "import time\ntime.sleep(0.3)")   # 8 cases: 2.4 s
    results = {}

    def grade_one(name, path):
        results[name] = grade(path, "ng", only=["linear_forward"], timeout=20.0)

    threads = [threading.Thread(target=grade_one, args=("killer", tmp_path / "killer.py")),
               threading.Thread(target=grade_one, args=("patient", patient))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["killer"].error is None
    assert results["patient"].functions[0].status == "passed", results["patient"].functions


def test_orphan_processes_are_killed():
    result, fr = _grade(HERE / "hostile_orphan.py", "update_parameters")
    assert fr.status == "passed", fr.finding
    pids = [int(p) for p in re.findall(r"ORPHAN (\d+)", fr.output)]
    assert pids
    for pid in pids:
        assert _dies(pid, b"sleep\x00313\x00")


def test_huge_output_is_truncated():
    result, fr = _grade(HERE / "hostile_huge_output.py", "L_model_forward")
    assert fr.status == "passed"
    assert fr.output.endswith("[output truncated]") and len(fr.output) < 70_000


def test_a_crash_fails_only_its_function_and_the_rest_is_graded():
    result = grade(HERE / "hostile_segfault.py", "ng", timeout=5.0, parallel=1)
    status = {f.name: f.status for f in result.functions}
    assert status.pop("linear_forward") == "failed"
    assert set(status.values()) == {"passed"}


def test_same_seed_same_verdict_other_seed_other_cases():
    a = grade(HERE / "bug_transposed.py", "ng", seed=7, only=["linear_backward"])
    b = grade(HERE / "bug_transposed.py", "ng", seed=7, only=["linear_backward"])
    fa, fb = a.functions[0], b.functions[0]
    assert fa.finding == fb.finding and fa.case.description == fb.case.description
    assert a.seed == 7


def test_worker_never_imports_torch_or_the_oracle():
    code = (f"import sys; sys.path.insert(0, {ROOT!r}); import reference.grade.worker, "
            "reference.grade.probes.ng; print(sorted(m for m in sys.modules "
            "if m.startswith(('torch', 'reference.oracle'))))")
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_allow_autograd_lifts_the_policy(tmp_path):
    path = _submission(tmp_path, "import torch\nt = torch.from_numpy(W) @ torch.from_numpy(A)\n"
                                 "return (t + torch.from_numpy(b)).numpy(), (A, W, b)")
    refused = grade(path, "ng", only=["linear_forward"])
    assert "autograd libraries are not allowed" in refused.error and refused.score == 0
    result = grade(path, "ng", allow_autograd=True, only=["linear_forward"],
                              timeout=30.0)
    assert result.error is None
    assert result.functions[0].status == "passed", result.functions[0].finding


def test_a_crash_with_an_orphan_holding_the_pipe_is_a_crash_and_the_orphan_dies(tmp_path):
    path = _submission(tmp_path, "import os, ctypes\npid = os.fork()\nif pid == 0:\n"
                                 "    os.execv('/bin/sleep', ['sleep', '315'])\n"
                                 "print('ORPHAN', pid, flush=True)\nctypes.string_at(0)")
    result, fr = _grade(path)
    assert "SIGSEGV" in fr.finding.diagnosis          # not a timeout
    pid = int(re.search(r"ORPHAN (\d+)", fr.output).group(1))   # output up to the crash
    assert _dies(pid, b"sleep\x00315\x00")


def test_timeout_kills_a_grandchild_that_ignores_sigterm(tmp_path):
    path = _submission(tmp_path, "import os, signal\npid = os.fork()\nif pid == 0:\n"
                                 "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                 "    os.execv('/bin/sleep', ['sleep', '317'])\n"
                                 "print('STUBBORN', pid, flush=True)\nwhile True:\n    pass")
    result = grade(path, "ng", only=["linear_forward"], timeout=1.0)
    (fr,) = result.functions
    assert fr.status == "failed" and "timed out after 1 s" in fr.finding.diagnosis
    pid = int(re.search(r"STUBBORN (\d+)", fr.output).group(1))
    assert _dies(pid, b"sleep\x00317\x00")


def test_import_policy_holds_when_the_submission_removes_the_finder(tmp_path):
    """The static scan cannot see a computed name, and the meta-path finder can be taken
    out of sys.meta_path; the audit hook (which cannot be removed) still refuses."""
    path = _submission(tmp_path, "import sys\nsys.meta_path[:] = [f for f in sys.meta_path "
                                 "if type(f).__name__ != 'ImportGuard']\n"
                                 "mod = __import__(''.join(['to', 'rch']))\nprint('GOT', mod)")
    result = grade(path, "ng", only=["linear_forward"], timeout=30.0)
    assert "GOT" not in result.functions[0].output
    assert "imports `torch`" in result.error and result.score == 0


def test_the_clock_of_a_function_starts_when_its_child_is_ready():
    """A child that gets its job late (a loaded machine, slow case building) is not timed
    out: starting up is not the student's time."""
    from reference.grade import cases, loader, orchestrate
    from reference.grade.sandbox import Child
    from reference.grade.styles import get_style

    fn = next(f for f in get_style("ng").functions if f.name == "linear_forward")
    job = orchestrate.job_for([fn], [cases.build_cases(fn, 0, 1)],
                              loader.load(HERE / "correct.py"), False)
    child = Child(timeout=1.0)
    late = threading.Timer(2.0, child.send, [job])      # later than the function's timeout
    late.start()
    got = []
    try:
        failed = child.collect(1, lambda k, res: got.append(res))
    finally:
        late.cancel()
        child.close()
    assert failed is None and len(got) == 1 and got[0].blob


def test_a_failing_function_shows_its_own_output_only(tmp_path):
    """One process grades several functions in turn: after a timeout, the report shows
    what the failing function printed, not what the functions before it printed."""
    path = _submission(tmp_path, "print('LINEAR-FORWARD-STARTS', flush=True)\nwhile True:\n"
                                 "    pass")
    path.write_text(path.read_text().replace("def sigmoid(Z):\n",
                                             "def sigmoid(Z):\n    print('SIGMOID-NOISE')\n", 1))
    result = grade(path, "ng", only=["sigmoid", "linear_forward"], parallel=1,
                              timeout=1.0)
    sig, lin = result.functions
    assert sig.status == "passed" and "SIGMOID-NOISE" in sig.output
    assert lin.status == "failed" and "timed out" in lin.finding.diagnosis
    assert "LINEAR-FORWARD-STARTS" in lin.output and "SIGMOID-NOISE" not in lin.output


def test_output_before_a_timeout_is_kept_when_the_grader_reads_late(tmp_path, monkeypatch):
    """Under load the grader may read the worker's "function k starts" frame only after
    the function has printed. Where its output starts must come from the worker, not
    from the file's size when the grader happens to read the frame (the race lost the
    printed pid in a loaded CI run)."""
    from reference.grade import sandbox

    real = sandbox.Child.collect

    def late(self, *args, **kwargs):
        time.sleep(1.0)  # the worker runs ahead: loads, prints, loops
        return real(self, *args, **kwargs)

    monkeypatch.setattr(sandbox.Child, "collect", late)
    path = _submission(tmp_path, "print('BEFORE THE LOOP', flush=True)\nwhile True:\n    pass")
    result = grade(path, "ng", only=["linear_forward"], timeout=2.0)
    (fr,) = result.functions
    assert fr.status == "failed" and "timed out" in fr.finding.diagnosis
    assert "BEFORE THE LOOP" in fr.output


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give the student a uid of its own")
def test_a_grandchild_that_leaves_the_process_group_is_killed_by_its_uid(tmp_path):
    """setsid() takes a process out of the group the timeout kills; as root every
    student process runs under the worker's own uid, and that uid is swept."""
    path = _submission(tmp_path, "import os\npid = os.fork()\nif pid == 0:\n    os.setsid()\n"
                                 "    os.execv('/bin/sleep', ['sleep', '319'])\n"
                                 "print('ESCAPED', pid, flush=True)\nwhile True:\n    pass")
    result = grade(path, "ng", only=["linear_forward"], timeout=1.0)
    (fr,) = result.functions
    assert fr.status == "failed" and "timed out" in fr.finding.diagnosis
    pid = int(re.search(r"ESCAPED (\d+)", fr.output).group(1))
    assert _dies(pid, b"sleep\x00319\x00")


# --- issue 11: nothing in the student's process answers the graded function ---------------
def test_the_student_process_never_holds_the_correct_helpers():
    """The worker and the probes import neither the grader's correct pieces (`kit`) nor
    the styles; a probe's helpers are proxies answered by the parent."""
    code = (f"import sys; sys.path.insert(0, {ROOT!r}); import reference.grade.worker, "
            "reference.grade.probes.ng, reference.grade.probes.nielsen, "
            "reference.grade.probes.saito as s; print(sorted(m for m in sys.modules if "
            "m.startswith(('reference.grade.kit', 'reference.grade.styles', "
            "'reference.oracle.diagnose')))); print(type(s.LAYERS['Affine'].backward).__name__,"
            " s.HELPERS['softmax'].__code__.co_names)")
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    modules, proxy = out.stdout.splitlines()
    assert modules == "[]"
    assert "exp" not in proxy and "max" not in proxy      # a proxy, not a softmax


def test_the_parent_answers_only_the_helpers_the_running_function_may_call():
    from reference.grade import codec
    from reference.grade.sandbox import Job
    from reference.grade.styles import ng_kit

    job = Job(b"", [], [(), ("ng.linear_backward",)])
    dZ, A, W, b = np.ones((1, 2)), np.ones((3, 2)), np.ones((1, 3)), np.zeros((1, 1))
    request = codec.encode({"name": "ng.linear_backward", "args": [dZ, (A, W, b)],
                            "kwargs": {}})
    refused = codec.decode(job.answer(0, request))   # linear_backward itself: never
    assert not refused["ok"] and "does not provide" in refused["error"]
    answered = codec.decode(job.answer(1, request))  # a function that calls it: answered
    assert answered["ok"]
    for got, exp in zip(answered["value"], ng_kit.linear_backward(dZ, (A, W, b))):
        np.testing.assert_array_equal(got, exp)
    assert not codec.decode(job.answer(1, b"not a codec blob"))["ok"]


def test_each_function_gets_only_its_own_inputs():
    """linear_activation_backward's cases hold dZ (its answer's heart) for the checks;
    the student's process gets dA, cache and activation only."""
    from reference.grade.styles import get_style

    fn = next(f for f in get_style("ng").functions if f.name == "linear_activation_backward")
    case = runner_cases(fn)[0]
    assert "dZ" in case.inputs and set(fn.child_inputs(case)) == {"dA", "cache", "activation"}
    forward = next(f for f in get_style("ng").functions if f.name == "L_model_forward")
    assert set(forward.child_inputs(runner_cases(forward)[0])) == {"X", "parameters"}


def runner_cases(fn):
    from reference.grade.cases import build_cases

    return build_cases(fn, 0, 1)


# --- issue 11: operating-system isolation (root) ---------------------------------------------
needs_isolation = pytest.mark.skipif(not isolation.can_isolate(),
                                     reason="namespaces and mounts need root on Linux")


@needs_isolation
def test_no_network_not_even_the_loopback():
    listener = socket.socket()
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 47391))
    except OSError:
        pytest.skip("port 47391 is taken on this machine")
    listener.listen(4)
    listener.setblocking(False)
    try:
        result, fr = _grade(HERE / "hostile_network.py")
        with pytest.raises(BlockingIOError):
            listener.accept()                    # nobody connected
    finally:
        listener.close()
    assert fr.status == "failed" and "Network is unreachable" in fr.finding.diagnosis
    assert isolation.NETWORK in result.protections


def test_what_the_worker_needs_under_a_private_folder_is_carried_over(monkeypatch):
    """A checkout and its .venv under /tmp (as CI clones it): the private /tmp must keep
    them, the outermost only."""
    monkeypatch.setattr(isolation, "_essential", lambda: [
        Path("/tmp/ci/.venv"), Path("/tmp/ci/.venv/lib/site-packages"), Path("/tmp"),
        Path("/usr/lib"), Path("/tmpfoo/x")])
    assert isolation.kept_under("/tmp") == ["/tmp/ci/.venv"]
    assert isolation.kept_under("/var/tmp") == []


def test_the_workers_plan_says_what_each_private_folder_keeps(monkeypatch):
    """Worked out once by the worker (`tmp_plan`), used by every function's fresh_tmp."""
    monkeypatch.setattr(isolation, "_essential", lambda: [
        Path("/tmp/ci/.venv"), Path("/tmp/ci/.venv/lib"), Path("/usr/lib")])
    plan = isolation.tmp_plan()
    assert plan["/tmp"] == ["/tmp/ci/.venv"]
    assert set(plan) == {d for d in isolation.TMP_DIRS if os.path.isdir(d)}
    assert all(keep == [] for d, keep in plan.items() if d != "/tmp")


@needs_isolation
def test_a_functions_private_tmp_follows_the_workers_plan():
    """fresh_tmp(plan) resolves nothing again (the plan was made by the worker): what the
    plan keeps under /tmp (a venv, as CI clones it) stays readable, anything else written
    there before is gone."""
    code = ("import os; from reference.grade import isolation; "
            "isolation.enter([]); plan = isolation.tmp_plan(); "
            "os.makedirs('/tmp/kept'); open('/tmp/kept/mark', 'w').write('here'); "
            "open('/tmp/gone', 'w').write('x'); plan['/tmp'] = ['/tmp/kept']; "
            "isolation.kept_under = isolation._essential = None; "   # must not be called
            "work = isolation.fresh_tmp(plan); "
            "print(work == f'/tmp/oracle-grade-{os.getpid()}', open('/tmp/kept/mark').read(), "
            "sorted(os.listdir('/tmp')) == sorted(['kept', os.path.basename(work)]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": ROOT})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "here", "True"]


@needs_isolation
def test_a_venv_under_tmp_stays_readable_behind_the_private_tmp(tmp_path):
    """Found by CI's fresh clone under /tmp: the private /tmp hid the interpreter's own
    environment, so the torch it hides (and much else) was simply gone."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    code = ("import os, sys; from reference.grade import isolation; "
            "on = isolation.enter([]); "
            "print(isolation.PRIVATE_TMP in on, sorted(os.listdir(sys.prefix)))")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": ROOT})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(" ", 1) == ["True", str(sorted(os.listdir(venv))) + "\n"]


@needs_isolation
def test_files_do_not_outlive_the_run():
    result, fr = _grade(HERE / "hostile_leftover_files.py")
    assert fr.status == "passed", fr.finding
    assert "WROTE /tmp" in fr.output and "WROTE /dev/shm" in fr.output
    for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):
        assert not os.path.exists(f"{folder}/oracle-hostile-leftover.bin"), folder
    cwd = re.search(r"WROTE (/tmp/oracle-grade-\S+)", fr.output).group(1)
    assert not os.path.exists(cwd)
    assert isolation.PRIVATE_TMP in result.protections


@needs_isolation
def test_the_grader_torch_and_other_students_files_are_unreadable():
    """The grader's source (its correct helpers), another submission in the same folder
    and torch's package: none is readable from the student's process."""
    result, fr = _grade(HERE / "hostile_reads_files.py", "linear_backward")
    assert result.score == 0 and "no answer found" in fr.finding.diagnosis
    assert "READ" not in fr.output
    assert isolation.HIDDEN in result.protections


@pytest.mark.skipif(not isolation.cgroup_controls(), reason="no writable cgroup (root, "
                    "cgroup v1 memory/pids or v2 memory.max)")
def test_one_memory_limit_for_the_whole_submission():
    """Three forked processes of 400 MB each stay under the per-process limit (768 MB)
    but not under the submission's (768 MB + the workers' overhead): the cgroup kills."""
    path = HERE / "hostile_fork_memory.py"
    free = grade(path, "ng", only=["linear_backward"], memory_mb=768,
                            timeout=30.0, isolate=False)
    ok = free.functions[0]
    assert ok.status == "passed", (ok.finding, ok.output)   # the fixture works without it
    boxed = grade(path, "ng", only=["linear_backward"], memory_mb=768,
                             timeout=30.0)
    (fr,) = boxed.functions
    assert fr.status == "failed" and "-9" in fr.output, (fr.finding, fr.output)
    assert isolation.CGROUP_MEMORY in boxed.protections
    assert not _cgroups_left()


def _cgroups_left() -> list[str]:
    return [p for p in glob.glob("/sys/fs/cgroup/**/oracle-grade-*", recursive=True)
            if f"oracle-grade-{os.getpid()}-" in p]


def test_protections_are_reported_and_can_be_turned_off():
    on = grade(HERE / "correct.py", "ng", only=["linear_forward"])
    off = grade(HERE / "correct.py", "ng", only=["linear_forward"], isolate=False)
    assert on.passed and off.passed
    assert isolation.PER_FUNCTION in on.protections and isolation.RLIMITS in on.protections
    assert set(off.protections) <= set(on.protections)
    assert isolation.NETWORK not in off.protections and isolation.CGROUP_MEMORY not in \
        off.protections
    if isolation.can_isolate():
        assert {isolation.NETWORK, isolation.PRIVATE_TMP, isolation.HIDDEN} <= set(on.protections)
    assert set(on.protections) <= set(isolation.active())
    assert not _cgroups_left()
    from reference.grade import report

    assert f"protections: {isolation.PER_FUNCTION}" in report.text(on)
    assert report.gradescope(on)["extra_data"]["protections"] == on.protections


def test_a_function_gets_its_cases_only_when_it_starts(tmp_path):
    """The job pipe holds nothing for later functions while one runs: each function's
    cases are sent when its own process announces itself."""
    path = _submission(tmp_path, "import os, sys\nfd = int(sys.argv[1])\n"
                                 "os.set_blocking(fd, False)\ntry:\n"
                                 "    print('PENDING', len(os.read(fd, 1 << 20)))\n"
                                 "except BlockingIOError:\n    print('PENDING 0')\n"
                                 "os.set_blocking(fd, True)")
    result = grade(path, "ng", only=["linear_forward", "L_model_backward",
                                                "update_parameters"], parallel=1, timeout=5.0)
    lin = next(f for f in result.functions if f.name == "linear_forward")
    assert lin.status == "passed", lin.finding
    assert set(re.findall(r"PENDING (\d+)", lin.output)) == {"0"}


def test_nothing_a_function_keeps_reaches_the_next_one(tmp_path):
    """One process per function: what sigmoid's process stores (a module attribute, the
    inputs it saw) is gone when linear_forward runs."""
    path = _submission(tmp_path, "import math\nprint('STASHED', hasattr(math, 'stash'))")
    path.write_text(path.read_text().replace(
        "def sigmoid(Z):\n", "def sigmoid(Z):\n    import math\n    math.stash = Z\n", 1))
    result = grade(path, "ng", only=["sigmoid", "linear_forward"], parallel=1,
                              timeout=5.0)
    sig, lin = result.functions
    assert sig.status == lin.status == "passed"
    assert "STASHED False" in lin.output and "STASHED True" not in lin.output


def test_what_is_hidden_never_includes_the_interpreter_or_numpy():
    import numpy

    assert not isolation.safe_to_hide("/")
    assert not isolation.safe_to_hide(sys.prefix)
    assert not isolation.safe_to_hide(os.path.dirname(numpy.__file__))
    assert not isolation.safe_to_hide(Path(sys.prefix).parent)     # holds the interpreter
    hidden = isolation.hidden_paths(False, [ROOT, "/no/such/folder"])
    assert str(Path(ROOT, "reference").resolve()) in hidden
    assert str(Path(ROOT, "manual").resolve()) in hidden
    assert all(Path(p).is_dir() for p in hidden)
    torch_dirs = isolation.package_dirs(["torch"])
    assert torch_dirs and set(torch_dirs) <= set(hidden)
    assert not set(torch_dirs) & set(isolation.hidden_paths(True))   # --allow-autograd


def test_the_job_header_holds_no_case():
    """What the worker (and so every function's process) gets at once: sources and
    names; each function's case inputs are separate messages, trimmed to fn.inputs."""
    from reference.grade import codec, loader, orchestrate
    from reference.grade.cases import build_cases
    from reference.grade.styles import get_style

    fns = [f for f in get_style("ng").functions if f.name in ("L_model_forward",
                                                              "L_model_backward")]
    cases = [build_cases(f, 0, 1) for f in fns]
    job = orchestrate.job_for(fns, cases, loader.load(HERE / "correct.py"), False)
    header = codec.decode(job.header)
    assert b"__nd__" not in job.header and all(set(f) == {"name", "probe", "requires"}
                                                for f in header["functions"])
    forward = codec.decode(job.cases[0])
    assert [set(c) for c in forward] == [{"X", "parameters"}] * len(cases[0])
    assert job.helpers[0] == fns[0].helpers and "ng.L_model_forward" not in job.helpers[0]


def test_the_grader_computes_helpers_only_for_bounded_arguments():
    from reference.grade import kit

    allowed = ("ng.linear_forward",)
    small = kit.answer("ng.linear_forward", [np.ones((3, 2)), np.ones((4, 3)),
                                             np.ones((4, 1))], {}, allowed)
    assert small["ok"] and small["value"][0].shape == (4, 2)
    # an outer product of two long vectors would be 10^10 entries in the grader
    huge = kit.answer("ng.linear_forward", [np.ones((1, 10**5)), np.ones((10**5, 1)),
                                            np.zeros((1, 1))], {}, allowed)
    assert not huge["ok"] and "too large" in huge["error"]


def test_unread_helper_answers_cannot_fill_the_graders_memory(tmp_path):
    """Requests sent straight into the result pipe, whose answers are never read: the
    grader stops the process once 64 MB of answers wait, instead of queueing them all."""
    flood = ("import json, os, sys\nfd = int(sys.argv[2])\n"
             "head = json.dumps({'tree': {'__dict__': [['name', 'ng.sigmoid'], ['args', "
             "[{'__nd__': 0}]], ['kwargs', {'__dict__': []}]]}, 'arrays': [['<f8', "
             "[1024, 128], 0, 2**20]]}).encode()\n"
             "blob = b'BPORACLE1\\n' + len(head).to_bytes(8, 'little') + head + bytes(2**20)\n"
             "frame = b'H' + bytes(4) + len(blob).to_bytes(8, 'little') + blob\n"
             "for _ in range(200):\n    os.write(fd, frame)")
    path = _submission(tmp_path, "x = 1")
    path.write_text(path.read_text().replace(
        "def linear_activation_forward(A_prev, W, b, activation):\n",
        "def linear_activation_forward(A_prev, W, b, activation):\n"
        + "".join(f"    {line}\n" for line in flood.splitlines()), 1))
    result = grade(path, "ng", only=["linear_activation_forward"], timeout=20.0)
    (fr,) = result.functions
    assert fr.status == "failed" and "answers unread" in fr.finding.diagnosis


@needs_isolation
def test_the_graders_processes_are_invisible_in_proc(tmp_path):
    """/proc/<grader>/cmdline would show the grader's paths (and a --seed)."""
    path = _submission(tmp_path, "import os\nfor p in os.listdir('/proc'):\n"
                                 "    if p.isdigit():\n        try:\n"
                                 "            print('SEEN', p, open(f'/proc/{p}/cmdline', 'rb')"
                                 ".read()[:80])\n        except OSError:\n            pass\n"
                                 "print('SELF', os.getpid())")
    result, fr = _grade(path)
    assert fr.status == "passed", fr.finding
    seen = re.findall(r"SEEN (\d+) (.*)", fr.output)
    own = re.search(r"SELF (\d+)", fr.output).group(1)
    assert {pid for pid, _ in seen} == {own}    # only its own process: not the grader's
    assert not any("pytest" in cmd for _, cmd in seen), seen
    assert isolation.PROC in result.protections


def test_grading_works_without_any_of_roots_protections(monkeypatch):
    """What a machine without root gets (no user switch, no namespaces, no cgroup): the
    same verdicts, and only the per-process protections reported."""
    from reference.grade import sandbox

    monkeypatch.setattr(sandbox, "drops_privileges", lambda: False)
    clean = grade(HERE / "correct.py", "ng", isolate=False)
    assert clean.passed and clean.score == clean.max_score
    assert set(clean.protections) == {isolation.PER_FUNCTION, isolation.RLIMITS}
    crash = grade(HERE / "hostile_segfault.py", "ng", isolate=False, timeout=5.0,
                             only=["linear_forward", "linear_backward"], parallel=1)
    status = {f.name: f.status for f in crash.functions}
    assert status == {"linear_forward": "failed", "linear_backward": "passed"}
    assert "SIGSEGV" in crash.functions[0].finding.diagnosis


@needs_isolation
def test_local_services_unix_sockets_are_unreachable(tmp_path):
    """A local service (a database) listening on a world-writable socket under /run."""
    where = f"/run/oracle-test-{os.getpid()}.sock"
    service = socket.socket(socket.AF_UNIX)
    service.bind(where)
    os.chmod(where, 0o777)
    service.listen(4)
    service.setblocking(False)
    try:
        path = _submission(tmp_path, f"import socket\ns = socket.socket(socket.AF_UNIX)\n"
                                     f"try:\n    s.connect({where!r})\n    print('CONNECTED')\n"
                                     "except OSError as exc:\n    print('REFUSED', exc)")
        result, fr = _grade(path)
        with pytest.raises(BlockingIOError):
            service.accept()
    finally:
        service.close()
        os.unlink(where)
    assert fr.status == "passed" and "REFUSED" in fr.output and "CONNECTED" not in fr.output
    assert isolation.RUN in result.protections


def test_an_emptied_guard_and_a_computed_name_still_give_no_autograd():
    """Issue 11 item 3: the guard found and emptied (sys.meta_path; gc is refused), then
    importlib.import_module("tor" + "ch"): no gradient comes from torch, and the
    submission is refused (as root the package folder is also hidden: an empty module)."""
    result = grade(HERE / "hostile_guard_disable.py", "ng", timeout=10.0,
                              only=["linear_backward"])
    (fr,) = result.functions
    assert "imports `torch`" in result.error and result.score == 0
    assert "AUTOGRAD-OK" not in fr.output and "gc refused" in fr.output
    assert fr.status == "not graded" and fr.score == 0


def test_the_graders_time_answering_helpers_is_not_the_students(monkeypatch):
    """L_model_forward asks the grader for linear_activation_forward once per layer: a
    slow answer (a loaded grader) must not time the student's function out."""
    from reference.grade import sandbox

    real = sandbox.Job.answer

    def slow(self, k, request):
        time.sleep(0.15)
        return real(self, k, request)

    monkeypatch.setattr(sandbox.Job, "answer", slow)
    result = grade(HERE / "correct.py", "ng", only=["L_model_forward"],
                              timeout=1.0)
    (fr,) = result.functions
    assert fr.status == "passed", fr.finding     # 12 answers: 1.8 s of the grader's time


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can start processes under other uids")
def test_one_sweep_kills_every_listed_user_and_no_other():
    """The parent's sweep after a worker: every function's user in one pass over /proc
    (it scanned /proc once per function), and nobody else."""
    base = UID_BASE + (1 << 22) + os.getpid() % 1000 * 3     # above every worker's uid
    procs = [subprocess.Popen(["sleep", "30"], preexec_fn=lambda u=base + k: os.setuid(u))
             for k in range(3)]
    try:
        time.sleep(0.2)
        assert isolation.kill_users([base, base + 1]) == 2
        assert [p.wait(timeout=10) for p in procs[:2]] == [-9, -9]
        assert procs[2].poll() is None
    finally:
        for p in procs:
            p.kill()
            p.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_CHILD_SUBREAPER is Linux")
def test_a_survivor_of_a_function_shows_as_the_workers_child():
    """The worker sweeps /proc after a function only when something survived it: as a
    subreaper it sees a grandchild whose parent exited among its own children."""
    code = ("import os, time; from reference.grade import isolation\n"
            "assert isolation.become_subreaper()\n"
            "print(isolation.leftovers())\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    if os.fork() == 0:\n"
            "        time.sleep(30)\n"
            "    os._exit(0)\n"
            "os.waitpid(pid, 0)\n"
            "left = isolation.leftovers()\n"
            "print(len(left))\n"
            "for p in left: os.kill(p, 9)\n"
            "time.sleep(0.1); isolation.reap(); print(isolation.leftovers())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": ROOT})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["[]", "1", "[]"]
