"""Sandboxed child processes running the student's code (parent side).

A `Child` is spawned early (Python and NumPy start while the parent imports
torch and builds the cases; in a batch, `Pool` has it forked by the batch's
`spawner` instead, ahead of its submission) and waits for its `Job`: the
header (the kept source, the graded functions of one submission; no case) at once, then each
function's case inputs only when that function's process announces itself.
The child is a zygote that never runs student code: it forks one process per
graded function, each announced on the result pipe, so each has its own
timeout and a crash is blamed on the function running (the zygote reports the
exit status and goes on); after a timeout, or garbage on the pipe, the runner
starts a fresh child for the functions left. A helper the probe installs
(`kit.helpers()`: a course's activation, a book's layers inside its net) is a
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

from . import codec, kit
from .isolation import kill_users
from .spawner import Forked, Spawner
from .spawner import available as spawner_available
from .worker import OUTPUT_CAP, sandbox_uid  # the cap the child writes under

__all__ = ["ROOT", "OUTPUT_CAP", "ChildResult", "drops_privileges", "Job", "Child", "Pool"]

ROOT = str(Path(__file__).resolve().parents[2])
BOOT = ("import sys; sys.path.insert(0, {root!r}); "
        "from reference.grade.worker import main; main(sys.argv[1:])")
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

    def __init__(self, *, timeout: float = 10.0, memory_mb: int = 2048, box=None,
                 spawner: Spawner | None = None):
        self.timeout, self.memory_mb = timeout, memory_mb
        self.deadline = float("inf")     # monotonic: the submission's total time (the runner's)
        self.workdir = tempfile.mkdtemp(prefix="oracle-grade-")
        self.out, self.err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        job_r, self.job_w = os.pipe()
        self.res_r, res_w = os.pipe()
        cpu = int(timeout) + 2          # per function: each one runs in a process of its own
        self.dropped = drops_privileges()
        try:
            self.proc = self._start(job_r, res_w, [memory_mb, cpu, int(self.dropped)], spawner)
        except OSError:              # no worker: nothing of this one may stay behind
            for fd in (self.job_w, self.res_r):
                os.close(fd)
            for f in (self.out, self.err):
                f.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        finally:                     # the worker's ends: only the worker holds them now
            os.close(job_r)
            os.close(res_w)
        self.join(box)
        self.job: Job | None = None
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.writer: threading.Thread | None = None
        self.lock = threading.Lock()
        self.backlog = 0                              # bytes queued, not yet written
        self.protections: list[str] | None = None     # the worker's report (P frame)
        self.pids: list[int] = []                     # the function processes announced
        self.closed = False

    def _start(self, job_r: int, res_w: int, limits: list[int], spawner: Spawner | None):
        """The worker process: forked by the batch's spawner, or started from scratch."""
        if spawner is not None:
            pid = spawner.spawn([job_r, res_w, self.out.fileno(), self.err.fileno()], limits,
                                self.workdir)
            return Forked(pid, spawner)
        argv = [str(job_r), str(res_w), *map(str, limits)]
        return subprocess.Popen(
            [sys.executable, "-I", "-c", BOOT.format(root=ROOT), *argv],
            stdin=subprocess.DEVNULL, stdout=self.out, stderr=self.err, cwd=self.workdir,
            env=clean_env(self.workdir), pass_fds=(job_r, res_w),
            start_new_session=True, close_fds=True)

    def join(self, box) -> None:
        """Into the submission's cgroup (`isolation.Box`), before any job is sent: a worker
        started ahead (`Pool`) joins when its submission takes it."""
        if box is not None:
            box.adopt(self.proc.pid)

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
        if isinstance(self.proc, Forked):
            return self.proc.exited()
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
        STARTUP_TIMEOUT + count x timeout (+ the time between functions) whatever is written
        (`FrameReader`)."""
        frames = FrameReader(self, count, on_result)
        failure = frames.run()
        self._killpg()
        self.proc.wait()
        if failure is not None:
            failure.elapsed = time.monotonic() - frames.started
            failure.returncode = self.proc.returncode
            self._output(failure, frames.marks)
        self.close()
        return None if failure is None else (frames.current, failure)

    def close(self) -> None:
        """Kill the group (if still alive) and remove the files."""
        if self.closed:
            return
        self.closed = True
        if self.dropped:  # whatever the student started under its own uid, setsid() or not
            kill_users(sandbox_uid(pid) for pid in self.pids)
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


class FrameReader:
    """The parent's reader of one child's result pipe: a state machine over the worker's
    frames (`Child.collect` says the order). `phase` is the kind of the last frame of the
    function running (`current`): B (booting: Python, NumPy, the job, the grader's
    pre-imports; no student code yet, STARTUP_TIMEOUT), then per function L (loading;
    its clock starts here), S (running), R (result sent), E (its process ended)."""

    def __init__(self, child: Child, count: int, on_result):
        self.child, self.count, self.on_result = child, count, on_result
        self.buf = bytearray()
        self.current, self.phase, self.started = 0, b"B", time.monotonic()
        self.arrived = self.started          # when the last chunk was read
        self.marks = (0, 0)                  # where the running function's output starts
        self.deadline = min(self.started + STARTUP_TIMEOUT + count * (child.timeout + 2.0),
                            child.deadline)
        self.done = self.calls = 0
        self.failure: ChildResult | None = None

    def run(self) -> ChildResult | None:
        """Read until every function has finished or one failed; the failure (or None)."""
        while self.done < self.count and self.failure is None:
            chunk = self._receive()
            if chunk:
                self.buf += chunk
                self._parse()
        return self.failure

    def _fail(self, **kw) -> None:
        """The run ends: no usable result from the function running (kw: why)."""
        self.failure = ChildResult(None, **kw)

    def _receive(self) -> bytes | None:
        """The next chunk from the pipe; None when nothing came within a quarter second (or
        the run failed: the clock ran out, the worker died, EOF)."""
        limit = STARTUP_TIMEOUT if self.phase == b"B" else self.child.timeout
        left = min(self.started + limit, self.deadline) - time.monotonic()
        res_r = self.child.res_r
        ready, _, _ = select.select([res_r], [], [], min(max(0.0, left), 0.25))
        if not ready:
            if left <= 0:
                self._fail(timed_out=True, during_load=self.phase in b"BL",
                           starting=self.phase == b"B")
                return None
            if not self.child._exited():
                return None
            # the worker died while an orphan keeps the pipe open: no EOF will come
            ready, _, _ = select.select([res_r], [], [], 0)
            if not ready:
                self._fail(during_load=self.phase in b"BL")
                return None
        chunk = os.read(res_r, 1 << 20)
        self.arrived = time.monotonic()
        if not chunk:
            self._fail(during_load=self.phase in b"BL")
        return chunk

    def _expected(self, kind: bytes, k: int) -> bool:
        """Is a frame of this kind for function k allowed now (the worker's order)?"""
        phase = self.phase
        return {b"P": phase == b"B" and self.child.protections is None and k == 0,
                b"L": phase in b"BE" and k == self.current,
                b"S": phase == b"L" and k == self.current,
                b"H": phase == b"S" and k == self.current,
                b"R": phase == b"S" and k == self.current,
                b"E": phase in b"BELSR" and k == self.current}.get(kind, False)

    def _parse(self) -> None:
        """Take every whole frame in the buffer; a frame out of order fails the run."""
        while len(self.buf) >= 5 and self.failure is None:
            kind, k = bytes(self.buf[:1]), int.from_bytes(self.buf[1:5], "little")
            if not self._expected(kind, k):
                self._fail(during_load=self.phase in b"BL", garbled=True)
            elif not self._take(kind, k):
                break

    def _take(self, kind: bytes, k: int) -> bool:
        """Consume one frame; False when it has not fully arrived yet. L, S and E have a
        fixed size; P, H and R carry an 8-byte length and a blob under their cap."""
        fixed = {b"L": (29, self._loading), b"S": (5, self._running), b"E": (13, self._ended)}
        if kind in fixed:
            need, handle = fixed[kind]
            if len(self.buf) < need:
                return False
            handle(k)
            return True
        if len(self.buf) < 13:
            return False
        size = int.from_bytes(self.buf[5:13], "little")
        if size > {b"P": 2**16, b"H": HELPER_CAP}.get(kind, RESULT_CAP):
            self._fail(garbled=True)
            return True
        if len(self.buf) < 13 + size:
            return False
        blob = bytes(self.buf[13:13 + size])
        del self.buf[:13 + size]
        {b"P": self._protections, b"H": self._helper, b"R": self._result}[kind](k, blob)
        return True

    def _loading(self, k: int) -> None:
        """L: function k's process starts loading; its clock starts, its output starts where
        the frame says, its pid is kept (for the sweep of its user), its cases are sent."""
        self.started = time.monotonic()
        buf = self.buf
        self.marks = (int.from_bytes(buf[5:13], "little"), int.from_bytes(buf[13:21], "little"))
        self.child.pids.append(int.from_bytes(buf[21:29], "little"))
        self.phase, self.calls = b"L", 0
        del buf[:29]
        self.child._put(self.child.job.cases[k])

    def _running(self, k: int) -> None:
        """S: loading is over, the function runs."""
        self.phase = b"S"
        del self.buf[:5]

    def _ended(self, k: int) -> None:
        """E: the worker reports function k's process ended (with its exit code); without a
        result before it, that is the function's failure. The next function's turn."""
        code = int.from_bytes(self.buf[5:13], "little", signed=True)
        del self.buf[:13]
        if self.phase != b"R":    # the function's process died without a result
            self.on_result(k, self.child._output(
                ChildResult(None, returncode=code, during_load=self.phase == b"L",
                            elapsed=time.monotonic() - self.started), self.marks))
            self.done += 1
        self.current, self.phase, self.started = k + 1, b"E", time.monotonic()

    def _protections(self, k: int, blob: bytes) -> None:
        """P: the protections the worker applied (before any student code)."""
        try:
            self.child.protections = [str(p) for p in codec.decode(blob)]
        except (ValueError, TypeError):
            self.child.protections = []

    def _helper(self, k: int, blob: bytes) -> None:
        """H: a helper call of the running function, answered on the job pipe (at most
        MAX_HELPER_CALLS; too much left unread fails the run); the grader's time answering
        is not the student's: the clock waits."""
        self.calls += 1
        reply = self.child.job.answer(k, blob) if self.calls <= MAX_HELPER_CALLS else \
            codec.encode({"ok": False, "type": "RuntimeError",
                          "error": f"more than {MAX_HELPER_CALLS} calls of the grader's helpers"})
        if not self.child._put(reply):
            self._fail(garbled=True)
        now = time.monotonic()
        self.started += now - self.arrived
        self.arrived = now

    def _result(self, k: int, blob: bytes) -> None:
        """R: function k's result."""
        self.on_result(k, ChildResult(blob, elapsed=time.monotonic() - self.started))
        self.done, self.phase = self.done + 1, b"R"


class Pool:
    """Workers started ahead of the submissions that will take them (batch mode).

    A worker waits for its job; the submission that takes it (`take`) moves it into its
    cgroup before sending anything, and it serves that submission only (closed after
    it, as any `Child`). At most `ahead` wait at a time, and no more are started than
    `expected` takes. Where the grader can watch a process it did not start (Linux 5.3+),
    they are forked by one spawner process (`spawner`: 0.14 s of CPU once instead of
    for every worker), in a thread of the pool's, while torch is imported (a batch's
    submissions take their workers after it, `runner`); a submission that finds none
    waiting starts its own. Elsewhere each is started from scratch, at a low
    priority (nice 19, as root only: only root may set it back), so they use idle CPU
    and do not slow the import; `take` sets the priority back to normal before the job
    is sent. What a worker allocated while waiting (its interpreter and NumPy, never
    anything of a student's) stays charged to the grader's cgroup, not the submission's."""

    def __init__(self, expected: int, *, ahead: int, timeout: float, memory_mb: int,
                 fork: bool = True):
        self.timeout, self.memory_mb = timeout, memory_mb
        self.expected, self.ahead = expected, ahead
        self.waiting: list[Child] = []
        self.cond = threading.Condition()
        self.closed = False
        self.spawner: Spawner | None = None
        self.filler: threading.Thread | None = None
        self.workdir = tempfile.mkdtemp(prefix="oracle-spawner-")
        if fork and spawner_available():
            try:
                self.spawner = Spawner(ROOT, clean_env(self.workdir), self.workdir)
            except OSError:
                self.spawner = None
        self.nice = self.spawner is None and os.geteuid() == 0
        if self.spawner is not None:
            self.filler = threading.Thread(target=self._fill_forever, daemon=True)
            self.filler.start()
        else:
            self._fill()

    def _wanted(self) -> bool:
        return not self.closed and len(self.waiting) < min(self.ahead, self.expected)

    def _fill(self) -> None:
        """Start workers from scratch until `ahead` wait (or as many as are still to be
        taken); one that cannot be started now (no process left) is started by its
        submission."""
        with self.cond:
            while self._wanted():
                try:
                    child = Child(timeout=self.timeout, memory_mb=self.memory_mb)
                except OSError:
                    return
                if self.nice:
                    _renice(child.proc.pid, PRE_STARTED_NICE)
                self.waiting.append(child)

    def _fill_forever(self) -> None:
        """The pool's thread: fork workers whenever fewer than wanted wait. A spawner
        that fails ends it: each submission then starts its own."""
        while True:
            with self.cond:
                while not self.closed and not self._wanted():
                    self.cond.wait()
                if self.closed:
                    return
            try:
                child = Child(timeout=self.timeout, memory_mb=self.memory_mb,
                              spawner=self.spawner)
            except OSError:
                return
            with self.cond:
                if self.closed:
                    child.close()
                    return
                self.waiting.append(child)
                self.cond.notify_all()

    def take(self, box=None, *, timeout: float, memory_mb: int) -> Child:
        """A worker for a submission, in its `box`: a waiting one when it was started with
        the same limits, else a fresh one; the pool starts one more for a later one."""
        with self.cond:
            self.expected = max(0, self.expected - 1)
            same = (self.timeout, self.memory_mb) == (timeout, memory_mb)
            child = self.waiting.pop(0) if self.waiting and same else None
            self.cond.notify_all()
        if child is not None and child._exited():      # died while waiting (killed?)
            child.close()
            child = None
        if child is None:
            return Child(timeout=timeout, memory_mb=memory_mb, box=box)
        if self.nice:
            _renice(child.proc.pid, 0)
        child.join(box)
        if self.filler is None:
            self._fill()
        return child

    def ready(self, count: int, timeout: float = 60.0) -> bool:
        """Wait until `count` workers wait (tests; False when they do not in `timeout`)."""
        with self.cond:
            return self.cond.wait_for(lambda: len(self.waiting) >= count or self.closed,
                                      timeout)

    def close(self) -> None:
        """Stop the workers nobody took, then the spawner."""
        with self.cond:
            self.closed = True
            waiting, self.waiting = self.waiting, []
            self.cond.notify_all()
        if self.filler is not None:
            self.filler.join(timeout=TIMEOUT_SPAWN)
        for child in waiting:
            child.close()
        if self.spawner is not None:
            self.spawner.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


TIMEOUT_SPAWN = 35.0
PRE_STARTED_NICE = 19


def _renice(pid: int, value: int) -> None:
    """The worker's priority, and its session's: with the kernel's autogroups (each
    session a group, scheduled fairly against the others) the process's own nice value
    counts only inside its session, so a new session's is set too."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, value)
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/autogroup", "w") as f:
            f.write(str(value))
    except OSError:
        pass
