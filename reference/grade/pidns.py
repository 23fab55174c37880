"""A pid namespace of each function's own, as bubblewrap's and nsjail's `--unshare-pid`.

In the allow-listed root (`jail`) the student's /proc is a procfs with hidepid=2: a user
sees only its own processes, but under the grader's pids. Here the worker, before it
forks a graded function's process, makes that process's pid namespace (`prepare`: the
kernel puts only the caller's next child in it, as its pid 1); the function's process
reads its host pid from the worker's procfs, then mounts a procfs of its own namespace
on /proc in a mount namespace of its own (`enter`), before anything of the student's
runs. The host pid is what it announces to the parent in the "L" frame and what its
user is made of (`worker.sandbox_uid`), so the parent's sweep and `lineage` see what they
saw before. No extra process: the worker switches its children's namespace back to its
own (setns) and makes the next one for each function.

What it adds (defence in depth, the cgroup and the per-user sweep already end
everything): no host pid exists for the student (os.getpid() is 1, /proc lists only the
function's own processes), and when its process exits the kernel kills every process
left in the namespace, orphans and setsid() grandchildren included. As pid 1 it ignores
signals it has no handler for sent from inside (`os.kill(os.getpid(), SIGKILL)` does
nothing, `kill(-1)` finds no one); the parent's SIGKILL from outside ends it as before.

The seccomp filter installed later refuses creating or joining namespaces, so the
student cannot leave or make another. Where the kernel refuses (no root, no namespaces),
nothing changes and the report does not list the protection (`available`, probed once
per worker).
"""

from __future__ import annotations

import os

from . import isolation

__all__ = ["PID_NAMESPACE", "CLONE_NEWPID", "available", "prepare", "restore", "enter"]

PID_NAMESPACE = "a pid namespace of its own per function (no host pid, /proc of its own)"
CLONE_NEWPID = 0x20000000
_OWN: list[int] = []          # the worker's own pid namespace (an fd, opened once)


def restore() -> bool:
    """This process's children are born in its own pid namespace again (after `prepare`:
    once the namespace's pid 1 has exited, any later fork would fail with ENOMEM)."""
    if not _OWN:
        _OWN.append(os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC))
    return isolation.libc().setns(_OWN[0], CLONE_NEWPID) == 0


def prepare() -> bool:
    """In the worker, before forking a function's process: its next child is pid 1 of a new
    pid namespace (its children's namespace set back to its own first: the kernel makes a
    new one only from there). False when the kernel refuses."""
    return restore() and isolation._unshare(CLONE_NEWPID)


def enter() -> int:
    """In the function's process (pid 1 of its namespace, still root), before anything of
    the student's: its host pid, read from the worker's procfs; then a mount namespace of
    its own with a procfs of the new pid namespace on /proc (hidepid=2, as the worker's).
    If the mount is refused the worker's /proc stays, which shows no one else's process."""
    host = int(os.readlink("/proc/self"))
    for fd in _OWN:
        os.close(fd)
    if isolation._unshare(isolation.CLONE_NEWNS):
        isolation._mount(b"proc", "/proc", b"proc", isolation.MS_NOSUID | isolation.MS_NODEV
                         | isolation.MS_NOEXEC, b"hidepid=2")
    return host


def available() -> bool:
    """Whether the namespaces work here (root, pid namespaces, a procfs mountable inside),
    tried once with a throwaway child; this process's later children are born in its own
    namespace as before (any process may ask: the grader's parent, a test)."""
    try:
        pid = os.fork() if prepare() else -1
    except OSError:
        pid = -1
    if pid == 0:
        try:
            host = enter()
            # /proc/self names pid 1 only in a procfs of the new namespace
            os._exit(0 if host > 1 and os.readlink("/proc/self") == "1" else 1)
        finally:
            os._exit(1)
    restore()
    if pid < 0:
        return False
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0
