"""Operating-system isolation of the student's processes, where the machine allows it.

Detected, used when available, never a reason not to grade (`active()` and the
report's `protections` say what was on). As root on Linux:

- the worker (the zygote: it never runs student code) enters new mount, network
  and IPC namespaces (`enter`): no network at all (not even 127.0.0.1: the new
  namespace's loopback is down; an empty /run, so no local service's unix
  socket either), `/` made rprivate, private tmpfs on /tmp,
  /var/tmp, /dev/shm and /run/lock, and empty mode-000 tmpfs over the hidden
  directories: the grader's packages (`reference`, `manual`), the installed
  autograd packages (torch, jax, ...; unless --allow-autograd), the
  submissions' folder and the report's folder; a /proc of its own that shows
  a user only its own processes (hidepid=2). Each graded function's process
  gets fresh tmpfs of its own (`fresh_tmp`), so no file outlives it;
- the parent puts every process of a submission into one cgroup (`Cgroup`: v1
  memory + pids controllers, or v2 memory.max / pids.max): one memory and
  process limit for the whole submission, and a kill of everything in it at the end.

Python 3.11 has no os.unshare: the syscalls go through ctypes (libc).
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import itertools
import os
import signal
import sys
import sysconfig
import time
from pathlib import Path

__all__ = [
    "NETWORK", "PRIVATE_TMP", "HIDDEN", "RUN", "PROC", "CGROUP_MEMORY", "OWN_USER", "RLIMITS",
    "PER_FUNCTION", "can_isolate", "package_dirs", "safe_to_hide", "hidden_paths", "enter",
    "kept_under", "tmp_plan", "fresh_tmp", "kill_user", "kill_users", "become_subreaper",
    "leftovers", "reap", "protect_from_oom", "Box", "active", "cgroup_controls",
]

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWIPC = 0x00020000, 0x40000000, 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 0x4000, 0x40000
TMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
TMP_OPTIONS = b"mode=1777,size=256m,nr_inodes=16384"
GRADER_PACKAGES = ("reference", "manual")
AUTOGRAD_PACKAGES = ("torch", "jax", "jaxlib", "tensorflow", "functorch", "autograd")
CGROUP_ROOT = "/sys/fs/cgroup"
PIDS_MAX = 64
CGROUP_OVERHEAD_MB = 128     # the workers themselves (Python + NumPy, never student code)

# protection names, as the reports print them
NETWORK = "no network (network namespace)"
PRIVATE_TMP = "private /tmp, /var/tmp, /dev/shm (removed after each function)"
HIDDEN = "grader, autograd packages and submissions unreadable (mount namespace)"
RUN = "local services' sockets unreachable (an empty /run)"
PROC = "other users' processes invisible in /proc (the grader's command line)"
CGROUP_MEMORY = "one memory limit for the whole submission (cgroup)"
CGROUP_PIDS = "one process limit for the whole submission (cgroup)"
OWN_USER = "a user of its own per function (no access to the grader's files)"
RLIMITS = "resource limits per process (memory, CPU time, file size)"
PER_FUNCTION = "a fresh process per graded function"

_libc = []


def libc():
    if not _libc:
        _libc.append(ctypes.CDLL(None, use_errno=True))
    return _libc[0]


def can_isolate() -> bool:
    """Can this process create namespaces and mount? (root on Linux)"""
    return (sys.platform.startswith("linux") and os.geteuid() == 0
            and os.path.exists("/proc/self/ns/net") and hasattr(libc(), "unshare"))


def _unshare(flags: int) -> bool:
    return libc().unshare(flags) == 0


def _mount(source: bytes, target: str, fstype: bytes | None, flags: int,
           data: bytes | None) -> bool:
    return libc().mount(source, os.fsencode(target), fstype, flags, data) == 0


# --- what to hide (parent side) ---------------------------------------------------------------
def package_dirs(names) -> list[str]:
    """The directories of installed packages, found without importing them."""
    out = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for location in (spec.submodule_search_locations or []) if spec else []:
            out.append(location)
    return out


@functools.lru_cache(maxsize=1)
def _essential() -> tuple[Path, ...]:
    """What the worker needs after hiding: the interpreter, its library, NumPy (the same
    for the whole process: worked out once, by a worker before its job arrives)."""
    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable)]
    paths += [p for p in sysconfig.get_paths().values() if p]
    paths += package_dirs(["numpy"])
    paths += list(TMP_DIRS) + ["/proc", "/dev", "/sys", "/usr", "/lib", "/bin", "/etc"]
    return tuple(Path(p).resolve() for p in paths)


def safe_to_hide(path, essential=None) -> bool:
    """A directory that can be covered without breaking the worker: not the root, not a
    folder holding the interpreter, its library, NumPy or the temporary folders
    (`essential`: `_essential()`, worked out now when None)."""
    try:
        p = Path(path).resolve()
    except (OSError, RuntimeError):
        return False
    if not p.is_dir() or p == Path("/"):
        return False
    essential = _essential() if essential is None else essential
    return not any(p == e or p in e.parents for e in essential)


def hidden_paths(allow_autograd: bool, extra=()) -> list[str]:
    """Directories the student's process must not read: the grader's packages, the
    autograd packages (unless allowed), and `extra` (the submissions, the report)."""
    names = GRADER_PACKAGES + (() if allow_autograd else AUTOGRAD_PACKAGES)
    essential = _essential()        # once, not once per folder (20 paths resolved each time)
    out = []
    for p in package_dirs(names) + [str(x) for x in extra]:
        if safe_to_hide(p, essential):
            r = str(Path(p).resolve())
            if r not in out:
                out.append(r)
    return out


# --- applied in the worker (child side, as root, before any student code) -----------------------
def enter(hide) -> list[str]:
    """New mount, network and IPC namespaces for this process and its children; private
    temporary folders; `hide` covered by empty unreadable tmpfs. Returns the protections
    that are on (empty when the namespaces cannot be created)."""
    if not can_isolate() or not _unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC):
        return []
    on = [NETWORK]
    if not _mount(b"none", "/", None, MS_REC | MS_PRIVATE, None):
        return on              # mounts would leak to the host: leave them alone
    # hidden first: one under /tmp is then covered by the private /tmp as well
    covered = [p for p in hide if _mount(b"oracle-hidden", p, b"tmpfs",
                                         MS_RDONLY | MS_NOSUID | MS_NODEV,
                                         b"mode=000,size=4k,nr_inodes=1")]
    # local services listen on sockets under /run (a database, D-Bus): an empty /run
    if os.path.isdir("/run") and _mount(b"oracle-run", "/run", b"tmpfs", MS_NOSUID | MS_NODEV,
                                        b"mode=755,size=1m"):
        os.mkdir("/run/lock", 0o755)
        on.append(RUN)
    if all(_tmpfs(d) for d in TMP_DIRS if os.path.isdir(d)):
        on.append(PRIVATE_TMP)
    if len(covered) == len(hide):
        on.append(HIDDEN)
    # a procfs of this namespace's own (Linux 5.8+) showing a user only its own processes:
    # the grader's command line (its paths, a --seed) is not readable from /proc
    if _mount(b"proc", "/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"hidepid=2"):
        on.append(PROC)
    return on


# the new mount API (Linux 5.2): a detached copy of a directory's mounts, moved back
# into a fresh tmpfs; the syscall numbers are the same on x86_64 and arm64
OPEN_TREE, MOVE_MOUNT = 428, 429
OPEN_TREE_CLONE, AT_RECURSIVE, MOVE_MOUNT_F_EMPTY_PATH, AT_FDCWD = 1, 0x8000, 0x4, -100


def kept_under(path: str) -> list[str]:
    """The worker's own essentials under a temporary folder about to be replaced (a
    checkout and its .venv under /tmp, as CI clones it): the outermost ones only."""
    root = Path(path).resolve()
    inside = sorted({e for e in _essential() if root in e.parents})
    return [str(e) for e in inside if not any(o in e.parents for o in inside)]


def tmp_plan() -> dict[str, list[str]]:
    """The temporary folders present and, for each, what `_tmpfs` carries over
    (`kept_under`): worked out once by the worker after `enter`, then used by every
    function's `fresh_tmp` (resolving the essentials is most of a fresh_tmp's cost)."""
    return {d: kept_under(d) for d in TMP_DIRS if os.path.isdir(d)}


def _tmpfs(path: str, keep: list[str] | None = None) -> bool:
    """A fresh tmpfs over `path`, with the worker's essentials under it carried over
    (`keep`, default `kept_under(path)`: without them the interpreter's own library would
    vanish); False when not done."""
    keep = kept_under(path) if keep is None else keep
    fds = [libc().syscall(OPEN_TREE, AT_FDCWD, os.fsencode(k), OPEN_TREE_CLONE | AT_RECURSIVE)
           for k in keep]
    try:
        if any(fd < 0 for fd in fds) or not _mount(b"oracle-tmp", path, b"tmpfs",
                                                    MS_NOSUID | MS_NODEV, TMP_OPTIONS):
            return False
        for k, fd in zip(keep, fds):
            os.makedirs(k, exist_ok=True)
            if libc().syscall(MOVE_MOUNT, fd, b"", AT_FDCWD, os.fsencode(k),
                              MOVE_MOUNT_F_EMPTY_PATH) != 0:
                return False
        return True
    finally:
        for fd in fds:
            if fd >= 0:
                os.close(fd)


def fresh_tmp(plan: dict[str, list[str]] | None = None) -> str | None:
    """In one function's process (after `enter`): a mount namespace of its own with new,
    empty temporary folders (`plan`: the worker's `tmp_plan()`, made now when None);
    returns a working directory inside /tmp (None: not done)."""
    if not _unshare(CLONE_NEWNS | CLONE_NEWIPC):
        return None
    plan = tmp_plan() if plan is None else plan
    if not all(_tmpfs(d, keep) for d, keep in plan.items()):
        return None
    work = f"/tmp/oracle-grade-{os.getpid()}"
    try:
        os.mkdir(work, 0o700)
    except OSError:
        return None
    return work


def _uids(pid: str) -> tuple[int, int] | None:
    """(real, effective) uid of a process from /proc/PID/status, read with three system
    calls (a sweep reads every process's; open() would cost twice as many)."""
    try:
        fd = os.open(f"/proc/{pid}/status", os.O_RDONLY)
    except OSError:
        return None             # gone meanwhile
    try:
        head = os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)
    at = head.find(b"\nUid:")
    fields = head[at + 5:head.find(b"\n", at + 5)].split() if at >= 0 else []
    return (int(fields[0]), int(fields[1])) if len(fields) >= 2 else None


def kill_users(uids) -> int:
    """SIGKILL every process whose real or effective uid is one of `uids` (workers' own
    users, so only students' processes: also a grandchild that left the process group
    with setsid()), in one pass over /proc. Returns how many were signalled."""
    uids, killed = set(uids), 0
    for name in os.listdir("/proc") if uids else ():
        if name.isdigit() and not uids.isdisjoint(_uids(name) or ()):
            try:
                os.kill(int(name), signal.SIGKILL)
                killed += 1
            except OSError:
                continue
    return killed


PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Have what this process's descendants leave behind reparented to it, not to init:
    a graded function's leftover processes then show as this process's children, so it
    can tell in one read whether a sweep of /proc is needed. False when not available."""
    try:
        return (sys.platform.startswith("linux")
                and libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
                and leftovers() is not None)
    except (AttributeError, OSError):
        return False


def leftovers() -> list[int] | None:
    """The children of this (single-threaded) process; None when the kernel does not say."""
    try:
        with open(f"/proc/self/task/{os.getpid()}/children") as f:
            return [int(pid) for pid in f.read().split()]
    except (OSError, ValueError):
        return None


def reap() -> None:
    """Collect the exit status of every child that has ended (reparented leftovers)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_user(uid: int) -> int:
    """`kill_users` for one uid."""
    return kill_users([uid])


# --- the cgroup of one submission (parent side) ------------------------------------------
_serial = itertools.count()


def _own(controller: str) -> str | None:
    """This process's cgroup path for a v1 controller ('memory') or v2 ('')."""
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, names, path = line.split(":", 2)
            if (controller and controller in names.split(",")) or (not controller and not names):
                return path
    except (OSError, ValueError):
        pass
    return None


def protect_from_oom(score: int) -> None:
    """The kernel's OOM killer (also the cgroup's) spares the worker, which never runs
    student code (-1000 .. 1000; a function's process sets 0 back)."""
    _write("/proc/self/oom_score_adj", score)


def _write(path: str, value) -> bool:
    try:
        with open(path, "w") as f:
            f.write(str(value))
        return True
    except OSError:
        return False


class Cgroup:
    """One memory and process limit for every process of a submission (created by the
    parent, the workers moved in before their job is sent, everything killed at the end)."""

    def __init__(self, memory_mb: int, pids: int = PIDS_MAX):
        self.dirs: list[str] = []
        self.active: list[str] = []
        if os.geteuid() != 0:
            return
        name = f"oracle-grade-{os.getpid()}-{next(_serial)}"
        limit = (memory_mb + CGROUP_OVERHEAD_MB) * 2**20
        if os.path.exists(f"{CGROUP_ROOT}/memory/cgroup.procs"):          # v1
            for controller, files in (("memory", {"memory.limit_in_bytes": limit,
                                                  "memory.memsw.limit_in_bytes": limit}),
                                      ("pids", {"pids.max": pids})):
                d = self._make(f"{CGROUP_ROOT}/{controller}", _own(controller), name)
                if d is None:
                    continue
                first = next(iter(files))
                if _write(f"{d}/{first}", files[first]):
                    for f, v in list(files.items())[1:]:
                        _write(f"{d}/{f}", v)
                    self.active.append(CGROUP_MEMORY if controller == "memory" else CGROUP_PIDS)
        elif os.path.exists(f"{CGROUP_ROOT}/cgroup.controllers"):        # v2
            d = self._make(CGROUP_ROOT, _own(""), name)
            if d is not None:
                if _write(f"{d}/memory.max", limit):
                    _write(f"{d}/memory.swap.max", 0)
                    self.active.append(CGROUP_MEMORY)
                if _write(f"{d}/pids.max", pids):
                    self.active.append(CGROUP_PIDS)
        if not self.active:
            self.remove()

    def _make(self, root: str, own: str | None, name: str) -> str | None:
        d = os.path.join(root, (own or "/").lstrip("/"), name)
        try:
            os.mkdir(d)
        except OSError:
            return None
        self.dirs.append(d)
        return d

    def add(self, pid: int) -> bool:
        """Move a process in (its children follow); False when a controller refused."""
        return all([_write(f"{d}/cgroup.procs", pid) for d in self.dirs])

    def _pids(self) -> set[int]:
        out = set()
        for d in self.dirs:
            try:
                out |= {int(x) for x in Path(f"{d}/cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                pass
        return out

    def kill(self) -> None:
        """SIGKILL everything inside (again until empty: a fork may race the first pass)."""
        for d in self.dirs:
            _write(f"{d}/cgroup.kill", 1)        # v2 (5.14+): all at once
        for _ in range(200):
            pids = self._pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.005)

    def remove(self) -> None:
        self.kill()
        for d in reversed(self.dirs):
            for _ in range(100):                  # a killed process leaves the group soon
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)
        self.dirs = []


class Box:
    """The isolation of one submission, parent side: the cgroup, what the workers hide,
    and whether they enter namespaces. `isolate=False` turns all of it off."""

    def __init__(self, *, memory_mb: int, allow_autograd: bool, hide=(), isolate: bool = True):
        self.namespaces = isolate and can_isolate()
        self.hide = hidden_paths(allow_autograd, hide) if self.namespaces else []
        self.cgroup = Cgroup(memory_mb) if isolate else None
        self.adopted = True          # every worker went into the cgroup
        self.seccomp = isolate       # `seccomp`: also without root

    def config(self) -> dict:
        """What the worker applies (part of its job)."""
        return {"namespaces": self.namespaces, "hide": self.hide, "seccomp": self.seccomp}

    def adopt(self, pid: int) -> None:
        if self.cgroup is not None and self.cgroup.dirs:
            self.adopted = self.cgroup.add(pid) and self.adopted

    def protections(self, reported) -> list[str]:
        """The worker's own report (sent before any student code runs) and the cgroup."""
        cgroup = self.cgroup.active if self.cgroup and self.adopted else []
        return list(reported) + cgroup

    def close(self) -> None:
        if self.cgroup is not None:
            self.cgroup.remove()


def active(*, isolate: bool = True) -> list[str]:
    """The protections this machine gives a submission (before grading one)."""
    on = [PER_FUNCTION, RLIMITS]
    if os.geteuid() == 0:
        on.append(OWN_USER)
    if isolate and can_isolate():
        on += [NETWORK, RUN, PRIVATE_TMP, HIDDEN, PROC]
    if isolate:
        from . import jail, pidns, seccomp  # built on this module
        on += [jail.ALLOWLIST] * jail.available() + [seccomp.SECCOMP] * seccomp.available()
        on += [pidns.PID_NAMESPACE] * (jail.available() and os.geteuid() == 0
                                       and pidns.available())
        on += cgroup_controls()
    return on


def cgroup_controls() -> list[str]:
    """What a submission's cgroup would limit on this machine (one is made and removed)."""
    probe = Cgroup(16)
    probe.remove()
    return probe.active
