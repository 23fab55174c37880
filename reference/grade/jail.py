"""The student's filesystem as an allow-list: a minimal root of read-only binds (root, Linux).

Applied by the worker (the zygote, which never runs student code) right after
`isolation.enter` has given it new mount, network and IPC namespaces, and before
any function's process is forked. In the manner of bubblewrap and nsjail (read,
not copied): a fresh tmpfs becomes the new root; into it go, each as a read-only
bind at the same path it has on the host,

- the Python interpreter and its standard library (never that library's own
  site-packages: an empty read-only folder stands in its place);
- the numerical packages students may import (`ALLOWED_PACKAGES` that are
  installed, with the `*.libs` folders of shared libraries beside them), never
  the grader's own packages nor an autograd library;
- the system's shared-library folders (`/usr/lib/<multiarch>`, and each shared
  library this process has mapped that lies elsewhere);
- a minimal /dev (null, zero, full, random, urandom; /dev/fd), a /proc that shows a
  user only its own processes, and private writable /tmp and /dev/shm;

then `pivot_root` into it and the old root is detached. Nothing else of the host
exists for the student: no other virtualenv or checkout, no /autograder, no home
directory, no /work, no /etc. The student's code reaches the grader as kept
segments (`loader`), so its folder, with the other submissions in it, is not bound.

Python 3.11 has no os.unshare or os.pivot_root: the system calls go through ctypes.
"""

from __future__ import annotations

import ctypes
import glob
import importlib.util
import os
import sys
import sysconfig

from . import isolation, policy

__all__ = ["ALLOWLIST", "ALLOWED_PACKAGES", "plan", "enter_root", "available"]

# protection name, as the reports print it
ALLOWLIST = ("an allow-listed filesystem (only the interpreter, its library, NumPy, SciPy and "
             "the course's numerical packages exist, read-only)")

ALLOWED_PACKAGES = ("numpy", "scipy", "matplotlib", "mpl_toolkits", "PIL", "h5py", "sklearn",
                    "pandas", "dateutil", "pytz", "tzdata", "six", "cycler", "kiwisolver",
                    "pyparsing", "contourpy", "fontTools", "packaging", "joblib",
                    "threadpoolctl")
DEVICES = ("null", "zero", "full", "random", "urandom")
MS_BIND, MS_REMOUNT, MS_REC = 0x1000, 0x20, 0x4000
RO = isolation.MS_RDONLY | isolation.MS_NOSUID | isolation.MS_NODEV
MNT_DETACH = 2
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
NEW_ROOT = "/tmp/.oracle-root"


def available() -> bool:
    """Can the worker build the root here? (root on Linux, a known architecture)"""
    return isolation.can_isolate() and os.uname().machine in SYS_PIVOT_ROOT


def _module_paths(name: str) -> list[str]:
    """A top-level module's files: a package's folders, or a single module's file."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return list(spec.submodule_search_locations)
    return [spec.origin] if spec.origin and os.path.isabs(spec.origin) else []


def _packages(forbidden) -> list[str]:
    """The allowed packages installed, with the `*.libs` folders beside them."""
    out = []
    for name in ALLOWED_PACKAGES:
        if name in forbidden:
            continue
        for path in _module_paths(name):
            out.append(path)
            out += glob.glob(os.path.join(os.path.dirname(path), "*.libs"))
    return out


def _mapped_libraries() -> list[str]:
    """The shared libraries this process has mapped (the interpreter's own, NumPy's BLAS)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split(None, 5)[5].strip() for line in f if line.count(" ") >= 5}
    except (OSError, IndexError):
        return []
    return sorted(p for p in paths if p.startswith("/") and ".so" in os.path.basename(p)
                  and os.path.isfile(p))


def _stdlib() -> list[str]:
    """The standard library's folders (the one of pure modules, lib-dynload), never a
    virtualenv's lib folder (its site-packages is everything installed)."""
    paths = [sysconfig.get_paths()["stdlib"]]
    paths += [p for p in sys.path if os.path.basename(p) == "lib-dynload"]
    return [p for p in dict.fromkeys(paths) if p and os.path.isdir(p)]


def _links(path: str) -> dict[str, str]:
    """The symbolic links on the way from `path` to the file it names (the virtualenv's
    `python` -> `python3` -> the interpreter), each with its target."""
    out: dict[str, str] = {}
    for _ in range(16):
        if not os.path.islink(path) or path in out:
            break
        out[path] = os.readlink(path)
        path = os.path.join(os.path.dirname(path), out[path])
    return out


def _inside(path: str, folders) -> bool:
    return any(path == f or path.startswith(f + "/") for f in folders)


def plan(forbidden=()) -> dict[str, list]:
    """What the new root holds (worked out before it is built): `base` (read-only binds
    at the same path: the standard library, the system's libraries, the interpreter),
    `empty` (an empty folder over the standard library's site-packages), `inner`
    (read-only binds made after those: the allowed packages, wherever they are, also
    inside that site-packages, and the mapped libraries nothing else holds), `links`
    (symbolic links to recreate: the interpreter's path, /lib, /bin)."""
    real = [os.path.realpath(p) for p in _stdlib()]
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    libs = [d for d in (f"/usr/lib/{multiarch}", f"/lib/{multiarch}", "/usr/lib64")
            if multiarch and os.path.isdir(d) and not os.path.islink(d)]
    base = _outermost(real + [os.path.realpath(d) for d in libs]
                      + [os.path.realpath(sys.executable)])
    empty = [os.path.join(p, "site-packages") for p in real
             if os.path.isdir(os.path.join(p, "site-packages"))]
    packages = _outermost(os.path.realpath(p) for p in _packages(set(forbidden)))
    mapped = [p for p in map(os.path.realpath, _mapped_libraries())
              if not _inside(p, packages) and (_inside(p, empty) or not _inside(p, base))]
    links = _links(sys.executable)
    for p in ("/lib", "/lib64", "/bin"):
        links.update(_links(p))
    return {"base": base, "empty": empty, "inner": packages + sorted(set(mapped)),
            "links": sorted(links.items())}


def _outermost(paths) -> list[str]:
    """Unique paths, none inside another (a folder already bound carries what is in it)."""
    unique = sorted(set(paths))
    return [p for p in unique if not any(p.startswith(o + "/") for o in unique if o != p)]


def _mount(source, target: str, fstype, flags: int, data=None) -> bool:
    src = os.fsencode(source) if isinstance(source, str) else source
    return isolation._mount(src, target, fstype, flags, data)


def _target(path: str, is_dir: bool) -> str:
    """The mount point for `path` inside the new root (made, with its parents)."""
    target = NEW_ROOT + path
    os.makedirs(target if is_dir else os.path.dirname(target), mode=0o755, exist_ok=True)
    if not is_dir and not os.path.exists(target):
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
    return target


def _bind(path: str, flags: int = RO) -> bool:
    """A read-only (`flags`) bind of `path` at the same path in the new root; not recursive:
    nothing mounted below `path` on the host comes along."""
    target = _target(path, os.path.isdir(path))
    return (_mount(path, target, None, MS_BIND) and
            _mount(b"none", target, None, MS_BIND | MS_REMOUNT | flags))


def _dev() -> bool:
    """A minimal /dev: the harmless character devices, /dev/fd, and a place for /dev/shm."""
    ok = all(_bind(f"/dev/{d}", isolation.MS_NOSUID | isolation.MS_NOEXEC)
             for d in DEVICES if os.path.exists(f"/dev/{d}"))
    os.makedirs(NEW_ROOT + "/dev/shm", mode=0o1777, exist_ok=True)
    for name, to in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                     ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(to, f"{NEW_ROOT}/dev/{name}")
    return ok


def _proc() -> bool:
    """A procfs of its own that shows a user only its own processes; else the worker's."""
    target = _target("/proc", True)
    return (_mount(b"proc", target, b"proc", isolation.MS_NOSUID | isolation.MS_NODEV
                   | isolation.MS_NOEXEC, b"hidepid=2")
            or _mount(b"/proc", target, None, MS_BIND | MS_REC))


def _build(layout: dict) -> bool:
    """The new root's contents, under NEW_ROOT (already a tmpfs)."""
    if not _mount(b"oracle-tmp", _target("/tmp", True), b"tmpfs",
                  isolation.MS_NOSUID | isolation.MS_NODEV, isolation.TMP_OPTIONS):
        return False
    if not all(_bind(p) for p in layout["base"]):
        return False
    # the empty folders stay writable until the packages inside them have their mount points
    if not all(_mount(b"oracle-empty", NEW_ROOT + p, b"tmpfs", isolation.MS_NOSUID
                      | isolation.MS_NODEV, b"mode=755,size=1m") for p in layout["empty"]):
        return False
    if not all(_bind(p) for p in layout["inner"]):
        return False
    if not all(_mount(b"none", NEW_ROOT + p, None, MS_REMOUNT | RO) for p in layout["empty"]):
        return False
    for link, to in layout["links"]:
        if not os.path.lexists(NEW_ROOT + link):
            os.makedirs(os.path.dirname(NEW_ROOT + link), exist_ok=True)
            os.symlink(to, NEW_ROOT + link)
    return _dev() and _proc()


def _pivot() -> bool:
    """pivot_root into NEW_ROOT; the old root detached and its mount point removed."""
    old = NEW_ROOT + "/.old-root"
    os.mkdir(old, 0o700)
    libc = isolation.libc()
    libc.syscall.restype = ctypes.c_long
    if libc.syscall(SYS_PIVOT_ROOT[os.uname().machine], os.fsencode(NEW_ROOT),
                    os.fsencode(old)) != 0:
        return False
    os.chdir("/")
    if libc.umount2(b"/.old-root", MNT_DETACH) != 0:
        return False
    os.rmdir("/.old-root")
    # the root itself read-only: the student writes only in its private temporary folders
    return _mount(b"none", "/", None, MS_BIND | MS_REMOUNT | isolation.MS_RDONLY
                  | isolation.MS_NOSUID | isolation.MS_NODEV)


def enter_root(forbidden=()) -> list[str]:
    """In the worker, after `isolation.enter` (a mount namespace of its own, "/" private):
    build the root and pivot into it. Returns [ALLOWLIST] when done, [] when not (then the
    deny-list of `isolation.enter` is what holds). Once a pivot has started, failing half
    way must not leave a worker that grades: OSError is raised then."""
    if not available() or not set(policy.AUTOGRAD) <= set(forbidden):
        return []               # --allow-autograd: torch and its dependencies stay visible
    layout = plan(forbidden)
    os.makedirs(NEW_ROOT, mode=0o755, exist_ok=True)
    if not _mount(b"oracle-root", NEW_ROOT, b"tmpfs", isolation.MS_NOSUID | isolation.MS_NODEV,
                  b"mode=755,size=1m"):
        return []
    try:
        built = _build(layout)
    except OSError:
        built = False
    if not built:
        isolation.libc().umount2(os.fsencode(NEW_ROOT), MNT_DETACH)
        return []
    if not _pivot():
        raise OSError("pivot_root into the allow-listed root failed half way")
    return [ALLOWLIST]
