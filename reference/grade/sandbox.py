"""Sandboxed child processes running the student's code (parent side).

A `Child` is spawned early (Python and NumPy start while the parent imports
torch and builds the cases) and waits for its job on a pipe: the graded
functions of one submission, run in turn, each announced on the result pipe,
so each has its own timeout and a crash is blamed on the function running;
the runner then starts a fresh child for the functions left. Isolation:

- a new session / process group (start_new_session), killed as a whole with
  SIGKILL on timeout and after every run (children ignoring SIGTERM and
  orphans left in the group die too);
- a clean environment, stdin closed (DEVNULL), a fresh temporary working
  directory, stdout/stderr into parent-owned files read back truncated;
- resource limits set by the worker before any student code: RLIMIT_AS
  (--memory-mb), RLIMIT_CPU (timeout + 2 s), RLIMIT_FSIZE, no core files;
- when the grader runs as root, the worker switches to a user of its own
  (uid = worker.UID_BASE + its pid: no account, no files, and different for
  every live worker) before loading the submission, so it can neither write
  the grader's files nor signal or trace another student's process; after
  the run every process of that uid is killed (also one that left the
  process group with setsid());
- results come back through a pipe as codec blobs (JSON + raw array bytes, never pickle).
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .worker import UID_BASE

ROOT = str(Path(__file__).resolve().parents[2])
BOOT = ("import sys; sys.path.insert(0, {root!r}); "
        "from reference.grade.worker import main; main(sys.argv[1:])")
OUTPUT_CAP = 64 * 1024
RESULT_CAP = 32 * 2**20
STARTUP_TIMEOUT = 120.0


@dataclass
class ChildResult:
    """What one graded function's run produced: a result blob, or why not."""

    blob: bytes | None
    returncode: int | None = None
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""
    during_load: bool = False          # the failure happened while loading the submission
    starting: bool = False             # the worker never got as far as the submission
    garbled: bool = False              # the result pipe carried something the worker never sends
    elapsed: float | None = None       # seconds from the function's "L" frame to its end

    def failure(self, timeout: float, memory_mb: int) -> str | None:
        """Why the child produced no usable result (None when it did)."""
        where = " while loading the submission" if self.during_load else ""
        if self.timed_out and self.starting:
            return (f"the grading process did not start within {STARTUP_TIMEOUT:g} s "
                    "(is the machine overloaded?)")
        if self.timed_out:
            return (f"timed out after {timeout:g} s{where} (an infinite loop? the process "
                    "group was killed)")
        if self.garbled:
            return (f"the code wrote into the grader's result channel{where} (or returned "
                    f"more than {RESULT_CAP // 2**20} MB); the process was stopped")
        if self.blob:
            return None
        rc = self.returncode
        if rc is not None and rc < 0:
            name = signal.Signals(-rc).name if -rc in signal.valid_signals() else str(-rc)
            hint = {"SIGSEGV": "a segmentation fault", "SIGXCPU": "the CPU time limit",
                    "SIGKILL": f"killed (memory limit {memory_mb} MB or CPU limit?)"}
            return f"the process crashed with {name}{where} ({hint.get(name, 'a signal')})"
        return (f"the process exited with code {rc}{where} before returning results "
                "(did the code call os._exit() or exit()?)")


def drops_privileges() -> bool:
    """Does the student process switch to an unprivileged user? (only root can switch)"""
    return os.geteuid() == 0


def kill_user(uid: int) -> int:
    """SIGKILL every process whose real or effective uid is `uid` (a worker's own user,
    so only the student's processes: also a grandchild that left the process group
    with setsid()). Returns how many were signalled."""
    killed = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", "rb") as f:
                uids = next(line for line in f if line.startswith(b"Uid:")).split()[1:3]
            if uid in (int(uids[0]), int(uids[1])):
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
        except (OSError, StopIteration, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read
    return killed


def clean_env(workdir: str) -> dict:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir,
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


def _read(f, cap: int, start: int = 0) -> bytes:
    f.flush()
    f.seek(start)
    return f.read(cap)


class Child:
    """A started worker waiting for its job (the graded functions of one submission)."""

    def __init__(self, *, timeout: float = 10.0, memory_mb: int = 2048, n_functions: int = 1):
        self.timeout, self.memory_mb = timeout, memory_mb
        self.deadline = float("inf")     # monotonic: the submission's total time (the runner's)
        self.workdir = tempfile.mkdtemp(prefix="oracle-grade-")
        self.out, self.err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        job_r, self.job_w = os.pipe()
        self.res_r, res_w = os.pipe()
        cpu = int(timeout * n_functions) + 2
        self.dropped = drops_privileges()
        argv = [str(job_r), str(res_w), str(memory_mb), str(cpu), str(int(self.dropped))]
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", BOOT.format(root=ROOT), *argv],
            stdin=subprocess.DEVNULL, stdout=self.out, stderr=self.err, cwd=self.workdir,
            env=clean_env(self.workdir), pass_fds=(job_r, res_w),
            start_new_session=True, close_fds=True)
        os.close(job_r)
        os.close(res_w)
        self.sent = False
        self.closed = False

    def send(self, blob: bytes) -> None:
        """Hand the job over (from a thread: the pipe may be smaller than the job)."""
        def write():
            try:
                with os.fdopen(self.job_w, "wb") as pipe:
                    pipe.write(blob)
            except OSError:
                pass
        self.sent = True
        threading.Thread(target=write, daemon=True).start()

    def _exited(self) -> bool:
        """Has the worker exited? (without reaping it: its pid keeps the group id reserved
        until _killpg has run)."""
        try:
            info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        return info is not None

    def _killpg(self) -> None:
        if self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def collect(self, count: int, on_result) -> tuple[int, ChildResult] | None:
        """Read the frames of `count` functions, calling on_result(k, ChildResult) for each
        finished one. Returns (k, failure) for the function running when the child
        timed out, crashed or exited, or None when all finished; the child is closed.

        The student's code runs in the child and can write to the result pipe too: frames
        must come in the worker's order (function k: L, S, R; k = 0, 1, ... < count), so a
        forged frame can neither restart a clock nor stand in for another function, and
        the whole run is bounded by STARTUP_TIMEOUT + count x timeout whatever is written."""
        buf = bytearray()
        # phase B (booting: Python, NumPy, the job, the grader's pre-imports; no student
        # code yet) has STARTUP_TIMEOUT; each function's clock starts at its "L" frame
        current, phase, started = 0, b"B", time.monotonic()
        marks = (0, 0)
        deadline = min(started + STARTUP_TIMEOUT + count * self.timeout, self.deadline)
        done = 0
        failure = None
        while done < count:
            limit = STARTUP_TIMEOUT if phase == b"B" else self.timeout
            now = time.monotonic()
            left = min(started + limit, deadline) - now
            ready, _, _ = select.select([self.res_r], [], [], min(max(0.0, left), 0.25))
            if not ready:
                if left <= 0:
                    failure = ChildResult(None, timed_out=True, during_load=phase in b"BL",
                                          starting=phase == b"B")
                    break
                if not self._exited():
                    continue
                # the worker died while an orphan keeps the pipe open: no EOF will come
                ready, _, _ = select.select([self.res_r], [], [], 0)
                if not ready:
                    failure = ChildResult(None, during_load=phase in b"BL")
                    break
            chunk = os.read(self.res_r, 1 << 20)
            if not chunk:
                failure = ChildResult(None, during_load=phase in b"BL")
                break
            buf += chunk
            while len(buf) >= 5:
                kind, k = bytes(buf[:1]), int.from_bytes(buf[1:5], "little")
                expected = {b"L": phase in b"BR", b"S": phase == b"L", b"R": phase == b"S"}
                if k != current or not expected.get(kind, False):
                    failure = ChildResult(None, during_load=phase in b"BL", garbled=True)
                    break
                if kind == b"L":         # this function's output starts where the frame says
                    if len(buf) < 21:
                        break
                    started = time.monotonic()
                    marks = (int.from_bytes(buf[5:13], "little"),
                             int.from_bytes(buf[13:21], "little"))
                    phase = kind
                    del buf[:21]
                    continue
                if kind == b"S":
                    phase = kind
                    del buf[:5]
                    continue
                if len(buf) < 13:
                    break
                size = int.from_bytes(buf[5:13], "little")
                if size > RESULT_CAP:
                    failure = ChildResult(None, garbled=True)
                    break
                if len(buf) < 13 + size:
                    break
                on_result(k, ChildResult(bytes(buf[13:13 + size]),
                                         elapsed=time.monotonic() - started))
                del buf[:13 + size]
                done, phase = done + 1, b"R"
                current, started = k + 1, time.monotonic()
            if failure is not None:
                break
        self._killpg()
        self.proc.wait()
        if failure is not None:
            failure.elapsed = time.monotonic() - started
            failure.returncode = self.proc.returncode
            # only what the failing function (and the loading before it) printed
            failure.stdout = _read(self.out, OUTPUT_CAP, marks[0]).decode("utf-8", "replace")
            failure.stderr = _read(self.err, OUTPUT_CAP, marks[1]).decode("utf-8", "replace")
        self.close()
        return None if failure is None else (current, failure)

    def close(self) -> None:
        """Kill the group (if still alive) and remove the files."""
        if self.closed:
            return
        self.closed = True
        if self.dropped:  # whatever the student started under its own uid, setsid() or not
            kill_user(UID_BASE + self.proc.pid)
        if not self.sent:
            try:
                os.close(self.job_w)
            except OSError:
                pass
        self._killpg()   # only while the pid is not reaped: it cannot be reused yet
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        os.close(self.res_r)
        for f in (self.out, self.err):
            f.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
