"""Workers forked from a started interpreter instead of each starting its own (batch mode).

Starting a worker (`python -I -c ...`: the interpreter, NumPy, the grader's
child-side modules) costs 0.14 s of CPU, a third of what a clean submission
costs in a batch. The spawner is a process started once per batch, like a
worker (same clean environment, its own session, as the grader's user) that
imports what a worker imports and then only forks: each fork becomes one
worker, exactly as `sandbox.Child` would have started it, and runs
`worker.main`. The spawner never runs student code and never receives a job:
what it holds (NumPy and the grader's child-side modules, nothing of a
submission) is what every worker holds anyway.

Protocol on a SOCK_SEQPACKET socket (one message each way per request):

- b"S" + JSON {"argv": [memory_mb, cpu_s, drop], "workdir": str}, with 4 file
  descriptors (the job pipe's read end, the result pipe's write end, stdout,
  stderr): fork a worker; reply b"P" + its pid (8 bytes) once it is set up:
  a session of its own, the socket closed, the descriptors in place (stdout,
  stderr; stdin is /dev/null), in its working directory. It then runs
  `worker.main` with the pipes.
- b"W" + pid (8 bytes): the worker has been killed; reap it and reply b"C" +
  its exit code (8 bytes, signed). Until then it stays unreaped, so its pid,
  and so its process group's id, cannot be reused while the grader may still
  signal the group.
- end of file: the spawner exits (workers not reaped are then init's).

The grader watches a worker through a pidfd (`Forked`): it sees the exit
without being the parent.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading

# the spawner process imports what every worker needs once, before it forks them (the
# grader's process has both already: `sandbox` imports them)
from . import isolation, worker

__all__ = ["BOOT", "Forked", "Spawner", "available", "serve"]

BOOT = ("import sys; sys.path.insert(0, {root!r}); "
        "from reference.grade.spawner import serve; serve(int(sys.argv[1]))")
TIMEOUT = 30.0          # seconds the grader waits for the spawner's answer


def available() -> bool:
    """Can the grader watch a process it did not start? (pidfd_open: Linux 5.3+)"""
    if not (sys.platform.startswith("linux") and hasattr(os, "pidfd_open")
            and hasattr(socket, "send_fds")):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


# --- the spawner process ------------------------------------------------------------------
def _become_worker(sock: socket.socket, fds: list[int], request: dict, ready: int) -> None:
    """In the fork: a worker as `sandbox.Child` starts one (`ready` is closed once it is
    set up: its own session, and so process group, its descriptors, its working
    directory). Never returns."""
    try:
        os.setsid()
        sock.close()
        job_r, res_w, out, err = fds
        null = os.open(os.devnull, os.O_RDONLY)
        for fd, target in ((null, 0), (out, 1), (err, 2)):
            os.dup2(fd, target)
        for fd in (null, out, err):
            if fd > 2:
                os.close(fd)
        workdir = str(request["workdir"])
        os.chdir(workdir)
        os.environ["HOME"] = os.environ["TMPDIR"] = workdir
        os.close(ready)
        worker.main([str(job_r), str(res_w), *(str(int(x)) for x in request["argv"])])
    finally:
        os._exit(70)


def _spawn(sock: socket.socket, data: bytes, fds: list[int]) -> bytes:
    """Fork a worker; its pid is sent only once the worker is set up, leading a process
    group of its own (the grader kills a worker by its group)."""
    try:
        request = json.loads(data[1:])
        if len(fds) != 4:
            raise ValueError("four descriptors expected")
        wait, ready = os.pipe()
        pid = os.fork()
    except (ValueError, OSError) as exc:
        return b"X" + str(exc).encode()[:200]
    if pid == 0:
        os.close(wait)
        _become_worker(sock, fds, request, ready)
    os.close(ready)
    os.read(wait, 1)            # end of file: the worker is set up (or has died)
    os.close(wait)
    return b"P" + pid.to_bytes(8, "little")


def _reap(data: bytes) -> bytes:
    try:
        _, status = os.waitpid(int.from_bytes(data[1:9], "little"), 0)
        code = os.waitstatus_to_exitcode(status)
    except (ChildProcessError, ValueError):
        code = -1
    return b"C" + code.to_bytes(8, "little", signed=True)


def serve(fd: int) -> None:
    """The spawner: import what a worker needs, then fork workers on request."""
    worker._preload(worker.PRELOAD)
    isolation.tmp_plan()            # its paths resolved once, for every worker
    sock = socket.socket(fileno=fd)
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 4)
        except OSError:
            break
        if not data:
            break
        reply = _spawn(sock, data, fds) if data[:1] == b"S" else _reap(data)
        for received in fds:
            os.close(received)
        sock.send(reply)
    os._exit(0)


# --- the grader's side --------------------------------------------------------------------
class Spawner:
    """The grader's handle on its spawner process (started at once, ready ~0.15 s later)."""

    def __init__(self, root: str, env: dict, workdir: str):
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(TIMEOUT)
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", BOOT.format(root=root), str(theirs.fileno())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=workdir, env=env, pass_fds=(theirs.fileno(),), start_new_session=True,
            close_fds=True)
        theirs.close()
        self.lock = threading.Lock()

    def _ask(self, message: bytes, fds=()) -> bytes:
        with self.lock:
            socket.send_fds(self.sock, [message], list(fds))
            reply = self.sock.recv(1024)
        if not reply:
            raise OSError("the spawner is gone")
        return reply

    def spawn(self, fds, argv, workdir: str) -> int:
        """A new worker's pid (OSError when the spawner cannot make one)."""
        reply = self._ask(b"S" + json.dumps({"argv": list(argv), "workdir": workdir}).encode(),
                          fds)
        if reply[:1] != b"P":
            raise OSError(f"the spawner could not start a worker: {reply[1:].decode()!r}")
        return int.from_bytes(reply[1:9], "little")

    def reap(self, pid: int) -> int | None:
        """The exit code of a worker that has exited (None when the spawner cannot say)."""
        try:
            reply = self._ask(b"W" + pid.to_bytes(8, "little"))
        except OSError:
            return None
        return int.from_bytes(reply[1:9], "little", signed=True) if reply[:1] == b"C" else None

    def close(self) -> None:
        self.sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Forked:
    """What `sandbox.Child` uses of a Popen (pid, returncode, poll, wait), for a worker
    the spawner forked: its exit seen through a pidfd, its status from the spawner."""

    def __init__(self, pid: int, spawner: Spawner):
        self.pid, self.spawner = pid, spawner
        self.returncode: int | None = None
        self.pidfd = os.pidfd_open(pid)      # the spawner has not reaped it: still this one

    def exited(self) -> bool:
        return self.returncode is not None or bool(select.select([self.pidfd], [], [], 0)[0])

    def poll(self) -> int | None:
        return self.wait(0) if self.exited() else None

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            if not select.select([self.pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired("worker", timeout)
            code = self.spawner.reap(self.pid)
            self.returncode = -9 if code is None else code
            os.close(self.pidfd)
        return self.returncode
