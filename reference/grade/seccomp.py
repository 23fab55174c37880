"""no_new_privs and a seccomp filter for a graded function's process (Linux x86_64, aarch64).

Installed by the function's process after it has made its private temporary
folders and dropped to its own user, just before the student's code is loaded.
The filter (classic BPF, written here as data, in the manner of bubblewrap's and
nsjail's policies: read, not copied) refuses with EPERM what a student never needs
and what would undo the isolation from inside:

- creating or joining namespaces: unshare, setns, clone with a CLONE_NEW* flag
  (`unshare -Urm` works for any user when user namespaces are on), and clone3
  (its flags are in memory the filter cannot read: ENOSYS, so the C library falls
  back to clone, as under Docker's default profile);
- mounting in every form: mount, umount2, pivot_root, chroot and the new mount API
  (open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr);
- ptrace and reading or writing other processes' memory (process_vm_readv/writev);
- kernel keyrings, bpf, perf_event_open, userfaultfd, module loading, kexec.

A system call of another ABI (32-bit x86 through int 0x80, x32) is refused as a whole.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys

__all__ = ["SECCOMP", "REFUSED", "available", "program", "install"]

# protection name, as the reports print it
SECCOMP = ("no new privileges, and a seccomp filter refusing namespaces, mounts and ptrace")

REFUSED = ("unshare", "setns", "ptrace", "mount", "umount2", "pivot_root", "chroot",
           "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
           "mount_setattr", "process_vm_readv", "process_vm_writev", "keyctl", "add_key",
           "request_key", "bpf", "perf_event_open", "userfaultfd", "init_module",
           "finit_module", "delete_module", "kexec_load")

ARCHES = {
    "x86_64": (0xC000003E, {
        "clone": 56, "clone3": 435, "unshare": 272, "setns": 308, "ptrace": 101,
        "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "open_tree": 428,
        "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
        "mount_setattr": 442, "process_vm_readv": 310, "process_vm_writev": 311,
        "keyctl": 250, "add_key": 248, "request_key": 249, "bpf": 321,
        "perf_event_open": 298, "userfaultfd": 323, "init_module": 175,
        "finit_module": 313, "delete_module": 176, "kexec_load": 246, "seccomp": 317}),
    "aarch64": (0xC00000B7, {
        "clone": 220, "clone3": 435, "unshare": 97, "setns": 268, "ptrace": 117,
        "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51, "open_tree": 428,
        "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
        "mount_setattr": 442, "process_vm_readv": 270, "process_vm_writev": 271,
        "keyctl": 219, "add_key": 217, "request_key": 218, "bpf": 280,
        "perf_event_open": 241, "userfaultfd": 282, "init_module": 105,
        "finit_module": 273, "delete_module": 106, "kexec_load": 104, "seccomp": 277}),
}
X32_BIT = 0x40000000
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
CLONE_NEW_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 \
    | 0x20000000 | 0x40000000

# classic BPF (linux/filter.h, linux/seccomp.h)
LD_ABS_W, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
NR, ARCH, ARG0 = 0, 4, 16            # offsets in struct seccomp_data (ARG0: its low 32 bits)
ALLOW, ERRNO = 0x7FFF0000, 0x00050000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC = 1, 1


def available() -> bool:
    """Can a filter be installed here? (Linux on a known architecture)"""
    return sys.platform.startswith("linux") and os.uname().machine in ARCHES


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> tuple[int, int, int, int]:
    return (code, jt, jf, k)


def program(machine: str) -> list[tuple[int, int, int, int]]:
    """The filter for `machine`, as (code, jt, jf, k) instructions: refuse a foreign ABI,
    each REFUSED call with EPERM, clone with a namespace flag with EPERM, clone3 with
    ENOSYS; allow everything else."""
    arch, numbers = ARCHES[machine]
    eperm, enosys = ERRNO | errno.EPERM, ERRNO | errno.ENOSYS
    ops = [_op(LD_ABS_W, ARCH), _op(JEQ, arch, jt=1), _op(RET, eperm), _op(LD_ABS_W, NR)]
    if machine == "x86_64":
        ops += [_op(JGE, X32_BIT, jf=1), _op(RET, eperm)]
    for name in REFUSED:
        ops += [_op(JEQ, numbers[name], jf=1), _op(RET, eperm)]
    ops += [_op(JEQ, numbers["clone3"], jf=1), _op(RET, enosys)]
    ops += [_op(JEQ, numbers["clone"], jf=3), _op(LD_ABS_W, ARG0),
            _op(JSET, CLONE_NEW_FLAGS, jf=1), _op(RET, eperm)]
    ops.append(_op(RET, ALLOW))
    return ops


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def install() -> bool:
    """no_new_privs, then the filter, for this process and every thread and child it
    starts later (all threads now, where the kernel can). False when not installed."""
    if not available():
        return False
    machine = os.uname().machine
    ops = program(machine)
    table = (_Filter * len(ops))(*(_Filter(*op) for op in ops))
    prog = _Program(len(ops), ctypes.cast(table, ctypes.POINTER(_Filter)))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    number = ARCHES[machine][1]["seccomp"]
    if libc.syscall(number, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC,
                    ctypes.byref(prog)) == 0:
        return True
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0

