"""The sandboxed child: load the submission, run one graded function's probe on each case.

Started by `sandbox.Child` as `python -I -c ... JOB_FD RESULT_FD MEMORY_MB CPU_S DROP`.
This process is a zygote: it never runs student code. It forks one process per
graded function, so nothing of another function or case is in memory while a
function runs. Never imports torch, the oracle or the grader's correct helpers
(`kit`): the helpers a probe installs are proxies answered by the parent
(`probes.remote`). Order matters:

1. pre-import NumPy, the common standard library and the probe modules (still
   as the starting user: after dropping privileges the interpreter's own
   library directory may not be readable);
2. read the job header (plain data, codec: the kept source, the functions, no
   cases) from JOB_FD;
3. as root, enter new namespaces (`isolation.enter`: no network, private
   temporary folders, the grader's and autograd packages and the submissions
   hidden) and report the protections on (P);
4. per function, fork: fresh temporary folders, announce (L), receive that
   function's cases only now, set resource limits, drop privileges (a uid per
   function), install the import guard, execute the kept top-level statements
   (missing course helper modules become stubs that raise a clear error when
   called), call the probe on every case (S), catching everything, and write
   the encoded results (R); the zygote reaps it, sweeps its uid and reports its
   exit status (E), so a crash is blamed on the right function.
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import io
import os
import resource
import signal
import sys
import traceback
import types

import numpy as np  # noqa: F401  (pre-imported for the submission)

from . import codec, isolation, jail, oldnumpy, pidns, policy, seccomp, standins
from .probes import remote

__all__ = [
    "OUTPUT_CAP", "UID_BASE", "MissingModuleError", "preload_name", "sandbox_uid", "SourceFinder",
    "main",
]

PRELOAD = ("numpy.random", "numpy.linalg", "math", "random", "copy", "linecache")
OPTIONAL_PRELOAD = ("scipy", "scipy.special", "h5py", "matplotlib", "matplotlib.pyplot",
                    "PIL", "sklearn", "pandas")
OUTPUT_CAP = 64 * 1024
FSIZE_CAP = 16 * 2**20
UID_BASE = 1 << 30          # + pid (at most 2**22): above every real account, below 2**31


MissingModuleError, Missing = standins.MissingModuleError, standins.Missing


class Bounded(io.TextIOBase):
    """A stdout/stderr keeping the first OUTPUT_CAP characters of one function's output."""

    def __init__(self, fd: int):
        self.fd = fd                # also written through, for the report after a crash
        self.parts: list[str] = []
        self.n = 0

    def writable(self) -> bool:
        return True

    def write(self, s) -> int:
        s = str(s)
        if self.n < OUTPUT_CAP:
            chunk = s[:OUTPUT_CAP - self.n]
            self.parts.append(chunk)
            try:
                os.write(self.fd, chunk.encode("utf-8", "replace"))
            except OSError:
                pass
        self.n += len(s)
        return len(s)

    def text(self) -> str:
        tail = "\n[output truncated]\n" if self.n > OUTPUT_CAP else ""
        return "".join(self.parts) + tail

    def flush(self) -> None:
        pass


def _resolve(spec: str):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _preload(names) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - absent optional modules are fine
            pass


# standard library packages that do something when imported (print, open a browser,
# start IDLE: idlelib.idle, run CPython's test suite: test.autotest)
NEVER_PRELOAD = {"antigravity", "this", "__hello__", "__phello__", "test", "idlelib",
                 "turtledemo", "tkinter", "turtle"}


def preload_name(module: str, forbidden) -> str | None:
    """The module to import now, as the starting user and without limits, for one the
    submission imports, or None: only library code that does nothing but define things
    (standard library, NumPy, a few known packages, the autograd libraries when allowed),
    never a `__main__` (`venv.__main__` creates environments from the worker's argv)."""
    parts = module.split(".")
    top = parts[0]
    if "__main__" in parts or top in forbidden or top in NEVER_PRELOAD or not all(parts):
        return None
    if (top in sys.stdlib_module_names or top == "numpy" or module in OPTIONAL_PRELOAD
            or top in policy.AUTOGRAD):
        return module
    return None


def _limits(memory_mb: int, cpu_s: int, dropping: bool) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    pairs = [(resource.RLIMIT_AS, memory_mb * 2**20), (resource.RLIMIT_CPU, cpu_s),
             (resource.RLIMIT_FSIZE, FSIZE_CAP), (resource.RLIMIT_CORE, 0)]
    if dropping:
        pairs.append((resource.RLIMIT_NPROC, 256))
    for which, value in pairs:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def sandbox_uid(pid: int | None = None) -> int:
    """The unprivileged user (and group) a function's process becomes: unique among live
    processes, also those of another grader process, since pids are."""
    return UID_BASE + (os.getpid() if pid is None else pid)


def _drop(uid: int) -> None:
    """Become `uid` (sandbox_uid() of the function's process, as the parent knows it); the
    working directory (the only writable place) goes along."""
    if os.geteuid() != 0:
        return
    os.chown(".", uid, uid)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def _bind_stub(ns: dict, node: ast.stmt, missing: list) -> None:
    """A failed import: bind stubs for the names it would have bound."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            missing.append(alias.name)
            bound = alias.asname or alias.name.split(".")[0]
            ns[bound] = Missing(alias.name if alias.asname else alias.name.split(".")[0])
    elif isinstance(node, ast.ImportFrom):
        missing.append(node.module or ".")
        for alias in node.names:
            if alias.name != "*":
                ns[alias.asname or alias.name] = Missing(f"{node.module}.{alias.name}")


# the labels of the student's files ("submission.py", "common/layers.py", "nb.ipynb cell 4"):
# a traceback is located at the innermost frame in one of them
STUDENT_FILES: set[str] = set()


def compile_segments(segments) -> list[tuple[dict, object]]:
    """(segment, code object or the SyntaxError's text): compiled once by the worker, run
    in each function's process (each graded function gets a fresh namespace)."""
    out = []
    for seg in segments:
        STUDENT_FILES.add(seg["filename"])
        code_text = "\n" * (seg["lineno"] - 1) + seg["source"]
        try:
            tree = oldnumpy.rewrite(ast.parse(code_text, seg["filename"]))
            if seg.get("python2"):      # converted from Python 2: `/` as Python 2 divided
                tree = oldnumpy.python2_divisions(tree)
            out.append((seg, compile(tree, seg["filename"], "exec")))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            out.append((seg, f"{seg['filename']}: {type(exc).__name__}: {exc}"[:300]))
    return out


class SourceFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the student's modules, sent by the parent as kept segments (the child needs
    no file on disk), by module name: `import loss`, `from common.layers import *` (the
    `sys.path.append(os.pardir)` idiom), `from .x import y` inside a package; and stand-ins
    (`standins`) for the course's helper modules the student's folder lacks."""

    def __init__(self):
        self.modules: dict[str, dict] = {}
        self.info: dict = {}

    def find_spec(self, fullname, path=None, target=None):
        seg = self.modules.get(fullname)
        if seg is not None:
            return importlib.machinery.ModuleSpec(fullname, self, origin=seg["filename"],
                                                  is_package=bool(seg["package"]))
        # a course module inside the student's package too (`<package>.<course module>`)
        if standins.is_course_helper(fullname.rpartition(".")[2]):
            return importlib.machinery.ModuleSpec(fullname, self, origin="stand-in")
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        module.__oracle_served__ = True        # the probes' mark of a module served here
        seg = self.modules.get(module.__name__)
        if seg is None:
            standins.fill(module)
            self.info.setdefault("standins", []).append(module.__name__)
            return
        module.__file__ = seg["filename"]
        if "_compiled" not in seg:
            seg["_compiled"] = compile_segments(seg["segments"])
        _run_segments(seg["_compiled"], module.__dict__, self.info)
        if standins.is_course_helper(module.__name__.rpartition(".")[2]):
            _course_provided(module)

    def install(self, modules: dict[str, dict], info: dict) -> None:
        """Serve `modules` from now on (fresh module objects: the old ones are dropped)."""
        for name in list(sys.modules):
            if name in self.modules or name in modules \
                    or standins.is_course_helper(name.rpartition(".")[2]):
                del sys.modules[name]
        self.modules, self.info = modules, info
        if self not in sys.meta_path:
            # after the import guard: a student file named torch.py is still refused
            at = next((k + 1 for k, f in enumerate(sys.meta_path)
                       if isinstance(f, policy.ImportGuard)), 0)
            sys.meta_path.insert(at, self)


FINDER = SourceFinder()


def _course_provided(module) -> None:
    """The course's own file, found in the student's folder (`dnn_app_utils_v3.py` has the
    course's L_model_forward): usable by the student's code, never graded as theirs."""
    for obj in list(vars(module).values()):
        members = vars(obj).values() if isinstance(obj, type) else [obj]
        for fn in members:
            if isinstance(fn, types.FunctionType) and fn.__module__ == module.__name__:
                fn.__oracle_standin__ = True
        if isinstance(obj, type) and obj.__module__ == module.__name__:
            try:
                obj.__oracle_standin__ = True
            except (TypeError, AttributeError):
                pass


def _run_segments(compiled, ns: dict, info: dict) -> bool:
    """Execute kept statements into `ns`; False when the code called exit()."""
    oldnumpy.bind(ns)           # float(b) of b (1, 1, 1): see `compile_segments`
    for seg, code in compiled:
        if seg["kind"] not in ("import", "code"):
            continue
        if isinstance(code, str):
            info["errors"].append(code)
            continue
        try:
            exec(code, ns)  # noqa: S102 - the sandbox's job
        except ImportError as exc:
            if seg["kind"] != "import" or not isinstance(exc, ModuleNotFoundError):
                info["errors"].append(f"{seg['filename']} line {_line(exc, seg)}: "
                                      f"{type(exc).__name__}: {exc}"[:300])
            missing = info["missing_modules"] if isinstance(exc, ModuleNotFoundError) else []
            for node in ast.parse(seg["source"]).body:
                _bind_stub(ns, node, missing)
        except (SystemExit, KeyboardInterrupt) as exc:
            info["fatal"] = (f"the submission called exit() while loading "
                             f"({seg['filename']}, line {seg['lineno']}: {exc!r})")
            return False
        except BaseException as exc:  # noqa: BLE001
            info["errors"].append(f"{seg['filename']} line {_line(exc, seg)}: "
                                  f"{type(exc).__name__}: {exc}"[:300])
    return True


def _line(exc: BaseException, seg: dict) -> int:
    """The student's line an exception came from (innermost frame in their files)."""
    frames = _student_frames(exc)
    return frames[-1].lineno if frames else seg["lineno"]


def _bind(ns: dict, seg: dict, info: dict) -> None:
    """A graded name defined elsewhere than the graded file (a sibling module, or a class
    of another case): bound into the graded namespace, unless the graded file has it."""
    name = seg["name"]
    if name in ns and not _unusable(ns[name]):
        return
    try:
        owner = importlib.import_module(seg["module"]) if seg["module"] else None
    except BaseException as exc:  # noqa: BLE001 - the module's own error is the student's
        info["errors"].append(f"importing {seg['module']}: {type(exc).__name__}: {exc}"[:300])
        return
    obj = _lookup(vars(owner) if owner is not None else ns, seg["attr"])  # also "Cls.meth"
    if obj is not None and seg.get("instance"):      # `def sigmoid_prime(self, z)`
        obj = _on_instance(vars(owner) if owner is not None else ns, seg["attr"], obj)
    if obj is not None:
        ns[name] = obj


def _on_instance(ns: dict, dotted: str, method):
    """A method taking self, bound to an instance made without __init__ (the book's
    module-level function as a method uses no state: one that does raises, as graded)."""
    cls = _lookup(ns, dotted.rpartition(".")[0])
    try:
        return method.__get__(cls.__new__(cls))
    except Exception:  # noqa: BLE001 - a class that cannot be made: the name stays missing
        return None


def load_submission(compiled) -> tuple[dict, dict]:
    """Execute the kept statements into a fresh module namespace (and the student's other
    modules, on import, into fresh modules)."""
    module = types.ModuleType("submission")
    module.__file__ = "submission.py"
    sys.modules["submission"] = module
    ns = module.__dict__
    info = {"errors": [], "missing_modules": [], "fatal": None, "standins": []}
    FINDER.install({seg["module"]: seg for seg, _ in compiled if seg["kind"] == "module"},
                   info)
    for seg, _ in compiled:
        if seg["kind"] == "package":       # the graded file's package: `from .x import y`
            ns["__package__"] = seg["package"]
    if _run_segments(compiled, ns, info):
        for seg, _ in compiled:
            if seg["kind"] == "bind":
                _bind(ns, seg, info)
    return ns, info


def _unusable(obj) -> bool:
    """A stub for a missing module, or a stand-in for a course helper: not the student's."""
    return standins.is_stub(obj) or getattr(obj, "__oracle_standin__", False) is True


def _lookup(ns: dict, dotted: str):
    obj = ns.get(dotted.split(".")[0])
    for part in dotted.split(".")[1:]:
        if obj is None:
            break
        obj = getattr(obj, part, None)
    return None if obj is None or _unusable(obj) else obj


def _student_frames(exc: BaseException) -> list:
    return [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in STUDENT_FILES]


def _error(exc: BaseException, memory_mb: int) -> str:
    """The error and where it happened: the innermost frame in the student's files (never
    NumPy's or the grader's), with the function it is in."""
    if isinstance(exc, SystemExit):
        return f"the function called exit() ({exc!r})"
    if isinstance(exc, MemoryError):
        return f"MemoryError: ran out of memory (limit {memory_mb} MB)"
    if isinstance(exc, RecursionError):
        return "RecursionError: maximum recursion depth exceeded"
    frames = _student_frames(exc)
    where = ""
    if frames:
        f = frames[-1]
        inside = f", in {f.name}" if f.name != "<module>" else ""
        where = f" ({f.filename}, line {f.lineno}{inside})"
    return f"{type(exc).__name__}: {exc}"[:400] + where


def _raised_in(exc: BaseException) -> str:
    """The function of the student's innermost frame the error was raised in ("" when
    none, or for the errors `_error` names without a place): the parent tells a backward
    that failed in the forward it needs by it, never by reading the text."""
    if isinstance(exc, (SystemExit, MemoryError, RecursionError)):
        return ""
    frames = _student_frames(exc)
    return frames[-1].name if frames and frames[-1].name != "<module>" else ""


def run_function(fn: dict, cases: list, compiled, guard, memory_mb: int, frame) -> dict:
    """Load the submission into a fresh namespace and run one function's probe on its cases."""
    ns, info = load_submission(compiled)
    frame(b"S")
    result = {"load": info, "cases": [], "status": "ok", "policy": guard.violations}
    if info["fatal"]:
        result["status"] = "load_error"
        return result
    for name in fn["requires"] or [fn["name"]]:
        if _lookup(ns, name) is None:
            result.update(status="missing", missing=name)
            return result
    probe = fn["resolved"]
    for inputs in cases:
        try:
            value = probe(ns, inputs)
            result["cases"].append({"ok": True, "value": value, "inputs_after": inputs})
        except BaseException as exc:  # noqa: BLE001 - everything the student can throw
            result["cases"].append({"ok": False, "error": _error(exc, memory_mb),
                                    "raised_in": _raised_in(exc)})
    result["policy"] = list(guard.violations) + policy.loaded(fn["forbidden"])
    result["notes"] = remote.take_notes()      # the book's accommodations the probe applied
    return result


def _recv(fd: int) -> bytes:
    """One message from the parent on the job pipe: 8-byte length, then the blob."""
    def exactly(n: int) -> bytes:
        parts, got = [], 0
        while got < n:
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError("the grader closed the job pipe")
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)
    return exactly(int.from_bytes(exactly(8), "little"))


def _sender(fd: int):
    """A function writing a whole message to the result pipe (a pipe may take less);
    os.write is bound now, before any student code could replace it."""
    write = os.write

    def send(data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[write(fd, view):]
    return send


def _helper_caller(send, tag: bytes, job_fd: int, encode):
    """The proxies' way to the parent: a helper call goes out as an H frame, the answer
    comes back on the job pipe (`kit.answer`)."""
    def call(name: str, args, kwargs):
        blob = encode({"name": name, "args": list(args), "kwargs": dict(kwargs)})
        send(b"H" + tag + len(blob).to_bytes(8, "little") + blob)
        return remote.raise_for(codec.decode(_recv(job_fd)))
    return call


def _fresh_workdir(job: dict, dropping: bool) -> None:
    """The function's own temporary folder (when the job asks for private ones), private
    file modes and (as root) the OOM score set back to 0, which the worker (spared by the
    OOM killer) passed on to this process."""
    work = isolation.fresh_tmp(job["tmp_plan"]) if job["private_tmp"] else None
    if work:
        os.chdir(work)
        os.environ["HOME"] = os.environ["TMPDIR"] = work
    os.umask(0o077)
    if dropping:
        isolation.protect_from_oom(0)


def _announce(send, tag: bytes, pid: int) -> None:
    """L: where this function's output starts in the two files, and this process's pid
    (its user, for the parent's sweep): sent before any student code runs."""
    send(b"L" + tag + b"".join(os.fstat(fd).st_size.to_bytes(8, "little") for fd in (1, 2))
         + pid.to_bytes(8, "little"))


def _confine(memory_mb: int, cpu_s: int, uid: int | None, job: dict, call):
    """Before any student code: the resource limits, (as root) the user `uid` of its own,
    the import guard, the helper proxies, no stdin. Returns the installed guard."""
    _limits(memory_mb, cpu_s, uid is not None)
    if uid is not None:
        _drop(uid)
    if job.get("seccomp"):
        seccomp.install()
    guard = policy.ImportGuard(tuple(job["forbidden"]), job["forbidden_dirs"])
    guard.install()
    remote.connect(call)
    sys.stdin = None
    return guard


def _result_blob(result: dict, encode) -> bytes:
    """The encoded result (`encode`: codec.encode, bound before any student code); a
    worker error when it cannot be encoded."""
    try:
        return encode(result)
    except BaseException as exc:  # noqa: BLE001
        return encode({"status": "worker_error", "cases": [],
                       "error": f"could not encode the results: {exc!r}"[:300]})


def _function(k: int, fn: dict, job: dict, fds: tuple[int, int], memory_mb: int, cpu_s: int,
              dropping: bool) -> None:
    """One graded function, in a process of its own forked from the worker: announce it
    (L), receive its cases, set the limits, drop privileges, load and run. Never returns."""
    job_fd, result_fd = fds
    encode, tag = codec.encode, k.to_bytes(4, "little")
    send = _sender(result_fd)

    def frame(kind: bytes) -> None:
        send(kind + tag)

    try:
        # pid 1 of a pid namespace of its own: its host pid is the one the parent knows
        host = pidns.enter() if job.get("pid_namespace") else os.getpid()
        _fresh_workdir(job, dropping)
        _announce(send, tag, host)
        uid = sandbox_uid(host) if dropping else None
        cases = codec.decode(_recv(job_fd))
        guard = _confine(memory_mb, cpu_s, uid, job, _helper_caller(send, tag, job_fd, encode))
        out, err = Bounded(1), Bounded(2)
        sys.stdout, sys.stderr = out, err
        try:
            result = run_function(fn, cases, job["compiled"], guard, memory_mb, frame)
        except BaseException as exc:  # noqa: BLE001
            result = {"status": "worker_error", "error": _error(exc, memory_mb), "cases": []}
        del cases
        result["output"] = out.text() + err.text()
        blob = _result_blob(result, encode)
        send(b"R" + tag + len(blob).to_bytes(8, "little") + blob)
    finally:
        os._exit(0)


def _sweep(pid: int, dropping: bool, subreaper: bool) -> None:
    """After a function's process: kill whatever its user started, setsid() or not. As a
    subreaper the worker sees any survivor among its own children, so /proc is swept only
    when there is one (the sweep cost about 1 ms per function, survivors are rare)."""
    if dropping and (not subreaper or isolation.leftovers() != []):
        isolation.kill_user(sandbox_uid(pid))
    if subreaper:
        isolation.reap()


def _protect(job: dict, dropping: bool) -> list[str]:
    """The worker's own protections, before any function's process: namespaces, the
    allow-listed root, a pid namespace per function, seccomp for each, the OOM score.
    Marks in `job` what each function's process does; returns what is on."""
    config = job.get("isolate") or {}
    on = [isolation.PER_FUNCTION, isolation.RLIMITS] + ([isolation.OWN_USER] if dropping else [])
    if config.get("namespaces"):
        on += isolation.enter(config.get("hide") or [])
        on += jail.enter_root(job["forbidden"]) if isolation.NETWORK in on else []
    # a pid namespace per function, inside the allow-listed root (its /proc is replaced)
    job["pid_namespace"] = jail.ALLOWLIST in on and dropping and pidns.available()
    on += [pidns.PID_NAMESPACE] if job["pid_namespace"] else []
    job["seccomp"] = bool(config.get("seccomp")) and seccomp.available()
    on += [seccomp.SECCOMP] if job["seccomp"] else []
    if dropping:
        isolation.protect_from_oom(-1000)
    job["private_tmp"] = isolation.PRIVATE_TMP in on
    job["tmp_plan"] = isolation.tmp_plan() if job["private_tmp"] else {}
    return on


def main(argv: list[str]) -> None:
    """The worker (a zygote: it never runs student code). Protocol on RESULT_FD: b"P" 0 +
    8-byte length + codec list (the protections applied, before any student code); then
    per function k, from a process forked for it: b"L" k + the sizes of stdout and stderr
    + its pid (8 bytes each: loading starts; the parent answers with the cases on JOB_FD),
    b"S" k (running), any number of b"H" k + 8-byte length + codec request (a helper call,
    answered on JOB_FD), b"R" k + 8-byte length + codec blob (the result); then from the
    worker b"E" k + 8-byte signed exit status of that process."""
    job_fd, result_fd, memory_mb, cpu_s, drop = (int(x) for x in argv)
    _preload(PRELOAD)
    oldnumpy.install()          # np.float, ragged np.array: as the student's NumPy ran them
    isolation.tmp_plan()        # its paths resolved now, while waiting (a pre-started worker)
    job = codec.decode(_recv(job_fd))
    # resolved now: once the guard is installed the grader's modules cannot be imported
    for fn in job["functions"]:
        fn["resolved"] = _resolve(fn["probe"])
        fn["forbidden"] = frozenset(job["forbidden"])
    # what the submission imports, from the standard library and a few known
    # packages, is imported now: after dropping privileges it may be unreadable
    _preload(filter(None, (preload_name(m, job["forbidden"]) for m in job["preimport"])))
    dropping = bool(drop) and os.geteuid() == 0
    job["forbidden_dirs"] = [(top, d) for top in job["forbidden"]
                             for d in isolation.package_dirs([top])]
    report = codec.encode(_protect(job, dropping))
    os.write(result_fd, b"P" + bytes(4) + len(report).to_bytes(8, "little") + report)
    # compiled once for every function's process (the parent parsed the same source, as
    # bounded: compiling runs none of it); each process executes it in a fresh namespace
    job["compiled"] = compile_segments(job["segments"])
    subreaper = isolation.become_subreaper()
    for k, fn in enumerate(job["functions"]):
        if job["pid_namespace"] and not pidns.prepare():
            raise OSError("a pid namespace for the next function could not be made")
        pid = os.fork()
        if pid == 0:
            _function(k, fn, job, (job_fd, result_fd), memory_mb, cpu_s, dropping)
        _, status = os.waitpid(pid, 0)
        _sweep(pid, dropping, subreaper)
        code = os.waitstatus_to_exitcode(status)
        os.write(result_fd, b"E" + k.to_bytes(4, "little") + code.to_bytes(8, "little",
                                                                          signed=True))
    os._exit(0)
