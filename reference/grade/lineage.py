"""Whose process is it? The parent's check before it records a pid for its cleanup.

A function's process announces its pid in its "L" frame, and after the run the
parent kills every process of the user that pid stands for. The student's code
can write that frame too: a forged one naming another student's process made the
grader kill it. A pid is recorded only when the kernel says the process is a
child of this submission's own worker (the zygote that forked it), read from
/proc/PID/stat: never on the frame's word alone.
"""

from __future__ import annotations

import os

__all__ = ["parent_of", "is_child"]


def parent_of(pid: int) -> int | None:
    """The parent pid of a live process (None when gone or unreadable)."""
    if not 0 < pid < 2**22:
        return None
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read(4096)
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses
    fields = stat[stat.rfind(b")") + 1:].split()
    try:
        return int(fields[1])
    except (IndexError, ValueError):
        return None


def is_child(pid: int, parent: int) -> bool:
    """Is `pid` a live child of `parent`? (True where the kernel cannot say, no /proc:
    there the parent never kills by user either, since it cannot switch users)"""
    if not os.path.exists("/proc/self/stat"):
        return True
    return parent_of(pid) == parent
