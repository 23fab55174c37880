"""Sandboxed child processes running the student's code (parent side).

A `Child` is spawned early (Python and NumPy start while the parent imports
torch and builds the cases) and waits for its `Job`: the header (the kept
source, the graded functions of one submission; no case) at once, then each
function's case inputs only when that function's process announces itself.
The child is a zygote that never runs student code: it forks one process per
graded function, each announced on the result pipe, so each has its own
timeout and a crash is blamed on the function running (the zygote reports the
exit status and goes on); after a timeout, or garbage on the pipe, the runner
starts a fresh child for the functions left. A helper the probe installs
(ng's sigmoid, Nielsen's backprop, Saito's layers inside TwoLayerNet) is a
proxy: its call comes to the parent as a frame, and `Job.answer` replies on
the job pipe with the grader's correct version (`kit`), only for the helpers
the running function may call. Isolation:

- a new session / process group (start_new_session), killed as a whole with
  SIGKILL on timeout and after every run (children ignoring SIGTERM and
  orphans left in the group die too);
- a clean environment, stdin closed (DEVNULL), a fresh temporary working
  directory, stdout/stderr into parent-owned files read back truncated;
- resource limits per function process before any student code: RLIMIT_AS
  (--memory-mb), RLIMIT_CPU (timeout + 2 s), RLIMIT_FSIZE, no core files;
- when the grader runs as root, each function's process switches to a user of
  its own (uid = worker.UID_BASE + its pid: no account, no files, and
  different for every live process) before loading the submission, so it can
  neither write the grader's files nor signal or trace another student's
  process; after it every process of that uid is killed (also one that left
  the process group with setsid());
- as root, `isolation`: no network, private temporary folders per function,
  the grader's and autograd packages and the submissions unreadable, one
  cgroup (memory, processes) for the whole submission;
- results come back through a pipe as codec blobs (JSON + raw array bytes, never pickle).
"""

from __future__ import annotations

import os
import queue
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

from . import codec
from .isolation import kill_user
from .worker import sandbox_uid

ROOT = str(Path(__file__).resolve().parents[2])
BOOT = ("import sys; sys.path.insert(0, {root!r}); "
        "from reference.grade.worker import main; main(sys.argv[1:])")
OUTPUT_CAP = 64 * 1024
RESULT_CAP = 32 * 2**20
HELPER_CAP = 8 * 2**20            # one helper call's arguments
MAX_HELPER_CALLS = 20_000         # per function
BACKLOG_CAP = 64 * 2**20          # answers written to the job pipe but not read yet
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
                    f"more than {RESULT_CAP // 2**20} MB, or left more than "
                    f"{BACKLOG_CAP // 2**20} MB of the grader's answers unread); the process "
                    "was stopped")
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


def clean_env(workdir: str) -> dict:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir,
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


def _read(f, cap: int, start: int = 0) -> bytes:
    f.flush()
    f.seek(start)
    return f.read(cap)


@dataclass
class Job:
    """What one worker gets: the header (kept source, functions; sent at once), each
    function's case inputs (sent when that function's process announces itself) and the
    helpers each function may ask the parent for (`kit.HELPERS` names)."""

    header: bytes
    cases: list[bytes]
    helpers: list[tuple[str, ...]]

    def answer(self, k: int, request: bytes) -> bytes:
        """The parent's answer to a helper call of function k (never pickle, never the
        graded function: only the names in helpers[k])."""
        from . import kit  # NumPy only; imported on the first call

        try:
            req = codec.decode(request)
            name, args, kwargs = req["name"], req["args"], req["kwargs"]
            reply = kit.answer(str(name), args, kwargs, self.helpers[k])
        except Exception:  # noqa: BLE001 - a forged request is the student's own failure
            reply = {"ok": False, "type": "RuntimeError", "error": "malformed helper call"}
        try:
            return codec.encode(reply)
        except Exception:  # noqa: BLE001
            return codec.encode({"ok": False, "type": "RuntimeError",
                                 "error": "the helper's answer could not be encoded"})


class Child:
    """A started worker waiting for its job (the graded functions of one submission)."""

    def __init__(self, *, timeout: float = 10.0, memory_mb: int = 2048, n_functions: int = 1,
                 box=None):
        self.timeout, self.memory_mb = timeout, memory_mb
        self.deadline = float("inf")     # monotonic: the submission's total time (the runner's)
        self.workdir = tempfile.mkdtemp(prefix="oracle-grade-")
        self.out, self.err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        job_r, self.job_w = os.pipe()
        self.res_r, res_w = os.pipe()
        cpu = int(timeout) + 2          # per function: each one runs in a process of its own
        self.dropped = drops_privileges()
        argv = [str(job_r), str(res_w), str(memory_mb), str(cpu), str(int(self.dropped))]
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", BOOT.format(root=ROOT), *argv],
            stdin=subprocess.DEVNULL, stdout=self.out, stderr=self.err, cwd=self.workdir,
            env=clean_env(self.workdir), pass_fds=(job_r, res_w),
            start_new_session=True, close_fds=True)
        if box is not None:      # in the submission's cgroup before any job is sent
            box.adopt(self.proc.pid)
        os.close(job_r)
        os.close(res_w)
        self.job: Job | None = None
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.writer: threading.Thread | None = None
        self.lock = threading.Lock()
        self.backlog = 0                              # bytes queued, not yet written
        self.protections: list[str] | None = None     # the worker's report (P frame)
        self.pids: list[int] = []                     # the function processes announced
        self.closed = False

    def send(self, job: Job) -> None:
        """Hand the job's header over; each function's cases follow when it starts. One
        writer thread (a pipe may be smaller than a message, the worker may not read)."""
        self.job = job
        self._put(job.header)

    def _put(self, blob: bytes) -> bool:
        """Queue a message; False when the worker leaves too much unread (helper answers
        it never reads must not fill the grader's memory)."""
        if self.writer is None:
            self.writer = threading.Thread(target=self._write, daemon=True)
            self.writer.start()
        with self.lock:
            if self.backlog + len(blob) > BACKLOG_CAP:
                return False
            self.backlog += len(blob) + 8
        self.queue.put(len(blob).to_bytes(8, "little") + blob)
        return True

    def _write(self) -> None:
        try:
            while (data := self.queue.get()) is not None:
                view = memoryview(data)
                while view:
                    view = view[os.write(self.job_w, view):]
                with self.lock:
                    self.backlog -= len(data)
        except OSError:
            pass
        finally:
            os.close(self.job_w)

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

    def _output(self, res: ChildResult, marks: tuple[int, int]) -> ChildResult:
        """Only what the failing function (and the loading before it) printed."""
        res.stdout = _read(self.out, OUTPUT_CAP, marks[0]).decode("utf-8", "replace")
        res.stderr = _read(self.err, OUTPUT_CAP, marks[1]).decode("utf-8", "replace")
        return res

    def collect(self, count: int, on_result) -> tuple[int, ChildResult] | None:
        """Read the frames of `count` functions, calling on_result(k, ChildResult) for each
        finished one (also one whose process crashed: the worker goes on with the next).
        Returns (k, failure) for the function running when the worker timed out, died or
        wrote garbage, or None when all finished; the child is closed.

        The student's code runs in the function's process and can write to the result
        pipe too: frames must come in the worker's order (P once before any function;
        function k: L, S, H*, R, then the worker's E; k = 0, 1, ... < count), so a forged
        frame can neither restart a clock nor stand in for another function, a helper is
        answered only for the function running, and the whole run is bounded by
        STARTUP_TIMEOUT + count x timeout (+ the time between functions) whatever is written."""
        buf = bytearray()
        # phase B (booting: Python, NumPy, the job, the grader's pre-imports; no student
        # code yet) has STARTUP_TIMEOUT; each function's clock starts at its "L" frame
        current, phase, started = 0, b"B", time.monotonic()
        marks = (0, 0)
        deadline = min(started + STARTUP_TIMEOUT + count * (self.timeout + 2.0),
                       self.deadline)
        done = calls = 0
        failure = None
        while done < count and failure is None:
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
            arrived = time.monotonic()
            if not chunk:
                failure = ChildResult(None, during_load=phase in b"BL")
                break
            buf += chunk
            while len(buf) >= 5 and failure is None:
                kind, k = bytes(buf[:1]), int.from_bytes(buf[1:5], "little")
                expected = {b"P": phase == b"B" and self.protections is None and k == 0,
                            b"L": phase in b"BE" and k == current,
                            b"S": phase == b"L" and k == current,
                            b"H": phase == b"S" and k == current,
                            b"R": phase == b"S" and k == current,
                            b"E": phase in b"BELSR" and k == current}
                if not expected.get(kind, False):
                    failure = ChildResult(None, during_load=phase in b"BL", garbled=True)
                    break
                need = {b"L": 29, b"E": 13, b"S": 5}.get(kind, 13)
                if len(buf) < need:
                    break
                if kind == b"L":         # this function's output starts where the frame says
                    started = time.monotonic()
                    marks = (int.from_bytes(buf[5:13], "little"),
                             int.from_bytes(buf[13:21], "little"))
                    self.pids.append(int.from_bytes(buf[21:29], "little"))
                    phase, calls = kind, 0
                    del buf[:29]
                    self._put(self.job.cases[k])
                    continue
                if kind == b"S":
                    phase = kind
                    del buf[:5]
                    continue
                if kind == b"E":
                    code = int.from_bytes(buf[5:13], "little", signed=True)
                    del buf[:13]
                    if phase != b"R":    # the function's process died without a result
                        on_result(k, self._output(
                            ChildResult(None, returncode=code, during_load=phase == b"L",
                                        elapsed=time.monotonic() - started), marks))
                        done += 1
                    current, phase, started = k + 1, b"E", time.monotonic()
                    continue
                size = int.from_bytes(buf[5:13], "little")
                cap = {b"P": 2**16, b"H": HELPER_CAP}.get(kind, RESULT_CAP)
                if size > cap:
                    failure = ChildResult(None, garbled=True)
                    break
                if len(buf) < 13 + size:
                    break
                blob = bytes(buf[13:13 + size])
                del buf[:13 + size]
                if kind == b"P":
                    try:
                        self.protections = [str(p) for p in codec.decode(blob)]
                    except (ValueError, TypeError):
                        self.protections = []
                elif kind == b"H":
                    calls += 1
                    if not self._put(self.job.answer(k, blob) if calls <= MAX_HELPER_CALLS
                                     else codec.encode({
                                         "ok": False, "type": "RuntimeError",
                                         "error": f"more than {MAX_HELPER_CALLS} calls of the "
                                                  "grader's helpers"})):
                        failure = ChildResult(None, garbled=True)
                    # the grader's time answering is not the student's: the clock waits
                    now = time.monotonic()
                    started += now - arrived
                    arrived = now
                else:
                    on_result(k, ChildResult(blob, elapsed=time.monotonic() - started))
                    done, phase = done + 1, b"R"
        self._killpg()
        self.proc.wait()
        if failure is not None:
            failure.elapsed = time.monotonic() - started
            failure.returncode = self.proc.returncode
            self._output(failure, marks)
        self.close()
        return None if failure is None else (current, failure)

    def close(self) -> None:
        """Kill the group (if still alive) and remove the files."""
        if self.closed:
            return
        self.closed = True
        if self.dropped:  # whatever the student started under its own uid, setsid() or not
            for pid in self.pids:
                kill_user(sandbox_uid(pid))
        self._killpg()   # only while the pid is not reaped: it cannot be reused yet
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.writer is None:
            os.close(self.job_w)
        else:
            self.queue.put(None)
        os.close(self.res_r)
        for f in (self.out, self.err):
            f.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
