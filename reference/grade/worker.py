"""The sandboxed child: load the submission, run one graded function's probe on each case.

Started by `sandbox.Child` as `python -I -c ... JOB_FD RESULT_FD MEMORY_MB CPU_S DROP`;
one child runs the graded functions of one submission in turn, each in a fresh
namespace (the runner restarts a child after a crash or a timeout).
Never imports torch or anything from reference.oracle: the oracle's answers
never enter this process. Order matters:

1. pre-import NumPy, the common standard library and the probe module (still
   as the starting user: after dropping privileges the interpreter's own
   library directory may not be readable);
2. read the job (plain data, codec) from JOB_FD;
3. set resource limits, drop privileges, install the import guard;
4. execute the kept top-level statements of the submission (missing course
   helper modules become stubs that raise a clear error when called);
5. call the probe on every case, catching everything, and write the encoded
   results to RESULT_FD, announcing each function first (so the parent can time
   it and blame a crash on the right function).
"""

from __future__ import annotations

import ast
import importlib
import io
import os
import resource
import signal
import sys
import traceback
import types

import numpy as np  # noqa: F401  (pre-imported for the submission)

from . import codec, policy

PRELOAD = ("numpy.random", "numpy.linalg", "math", "random", "copy", "linecache")
OPTIONAL_PRELOAD = ("scipy", "scipy.special", "h5py", "matplotlib", "matplotlib.pyplot",
                    "PIL", "sklearn", "pandas")
OUTPUT_CAP = 64 * 1024
FSIZE_CAP = 16 * 2**20
UID_BASE = 1 << 30          # + pid (at most 2**22): above every real account, below 2**31


class MissingModuleError(Exception):
    """Graded code called something from a module the grader does not have."""


class Stub(types.ModuleType):
    """Stands in for a missing module or a name imported from one."""

    __oracle_stub__ = True

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Stub(f"{self.__name__}.{attr}")

    def __call__(self, *args, **kwargs):
        root = self.__name__.split(".")[0]
        raise MissingModuleError(
            f"the code calls `{self.__name__}`, but the module `{root}` is not available to "
            "the grader (a course helper file?): define what you need in your submission")


def is_stub(obj) -> bool:
    return getattr(type(obj), "__oracle_stub__", False) is True


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


def sandbox_uid() -> int:
    """The unprivileged user (and group) this worker becomes: unique among live workers,
    also those of another grader process, since pids are."""
    return UID_BASE + os.getpid()


def _drop() -> None:
    """Become sandbox_uid(); the working directory (the only writable place) goes along."""
    if os.geteuid() != 0:
        return
    uid = sandbox_uid()
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
            ns[bound] = Stub(alias.name if alias.asname else alias.name.split(".")[0])
    elif isinstance(node, ast.ImportFrom):
        missing.append(node.module or ".")
        for alias in node.names:
            if alias.name != "*":
                ns[alias.asname or alias.name] = Stub(f"{node.module}.{alias.name}")


def compile_segments(segments) -> list[tuple[dict, object]]:
    """(segment, code object or the SyntaxError's text): compiled once per child, run per
    function (each graded function gets a fresh namespace)."""
    out = []
    for seg in segments:
        code_text = "\n" * (seg["lineno"] - 1) + seg["source"]
        try:
            out.append((seg, compile(code_text, seg["filename"], "exec")))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            out.append((seg, f"{seg['filename']}: {type(exc).__name__}: {exc}"[:300]))
    return out


def load_submission(compiled) -> tuple[dict, dict]:
    """Execute the kept statements into a fresh module namespace."""
    module = types.ModuleType("submission")
    module.__file__ = "submission.py"
    sys.modules["submission"] = module
    ns = module.__dict__
    info = {"errors": [], "missing_modules": [], "fatal": None}
    for seg, code in compiled:
        if isinstance(code, str):
            info["errors"].append(code)
            continue
        try:
            exec(code, ns)  # noqa: S102 - the sandbox's job
        except ImportError as exc:
            if seg["kind"] != "import":
                info["errors"].append(f"{seg['filename']} line {seg['lineno']}: {exc}")
            for node in ast.parse(seg["source"]).body:
                _bind_stub(ns, node, info["missing_modules"])
        except (SystemExit, KeyboardInterrupt) as exc:
            info["fatal"] = (f"the submission called exit() while loading "
                             f"({seg['filename']}, line {seg['lineno']}: {exc!r})")
            break
        except BaseException as exc:  # noqa: BLE001
            info["errors"].append(f"{seg['filename']} line {seg['lineno']}: "
                                  f"{type(exc).__name__}: {exc}"[:300])
    return ns, info


def _lookup(ns: dict, dotted: str):
    obj = ns.get(dotted.split(".")[0])
    for part in dotted.split(".")[1:]:
        if obj is None:
            break
        obj = getattr(obj, part, None)
    return None if obj is None or is_stub(obj) else obj


def _error(exc: BaseException, memory_mb: int) -> str:
    if isinstance(exc, SystemExit):
        return f"the function called exit() ({exc!r})"
    if isinstance(exc, MemoryError):
        return f"MemoryError: ran out of memory (limit {memory_mb} MB)"
    if isinstance(exc, RecursionError):
        return "RecursionError: maximum recursion depth exceeded"
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith(os.path.dirname(__file__))]
    where = f" ({frames[-1].filename}, line {frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}"[:400] + where


def run_function(fn: dict, job: dict, memory_mb: int, frame) -> dict:
    """Load the submission into a fresh namespace and run one function's probe."""
    probe = job["resolved"][fn["probe"]]
    frame(b"L")
    guard = job["guard"]
    if "compiled" not in job:          # after the limits: compiling is bounded too
        job["compiled"] = compile_segments(job["segments"])
    ns, info = load_submission(job["compiled"])
    frame(b"S")
    result = {"load": info, "cases": [], "status": "ok", "policy": guard.violations}
    if info["fatal"]:
        result["status"] = "load_error"
        return result
    for name in fn["requires"] or [fn["name"]]:
        if _lookup(ns, name) is None:
            result.update(status="missing", missing=name)
            return result
    for name, spec in fn["provided"]:
        if _lookup(ns, name) is None:
            ns[name] = job["resolved"][spec]
    for inputs in fn["cases"]:
        try:
            value = probe(ns, inputs)
            result["cases"].append({"ok": True, "value": value, "inputs_after": inputs})
        except BaseException as exc:  # noqa: BLE001 - everything the student can throw
            result["cases"].append({"ok": False, "error": _error(exc, memory_mb)})
    result["policy"] = list(guard.violations)
    return result


def main(argv: list[str]) -> None:
    """Protocol on RESULT_FD, per function k: b"L" k + the sizes of stdout and stderr
    (8 bytes each: loading starts), b"S" k (running), b"R" k + 8-byte length + codec
    blob (the result, with the captured output)."""
    job_fd, result_fd, memory_mb, cpu_s, drop = (int(x) for x in argv)
    _preload(PRELOAD)
    with os.fdopen(job_fd, "rb") as f:
        job = codec.decode(f.read())
    # resolved now: once the guard is installed the grader's modules cannot be imported
    job["resolved"] = {spec: _resolve(spec) for fn in job["functions"]
                       for spec in [fn["probe"]] + [p for _, p in fn["provided"]]}
    # what the submission imports, from the standard library and a few known
    # packages, is imported now: after dropping privileges it may be unreadable
    _preload(filter(None, (preload_name(m, job["forbidden"]) for m in job["preimport"])))
    encode, write, pack = codec.encode, os.write, int.to_bytes
    dropping = bool(drop) and os.geteuid() == 0
    _limits(memory_mb, cpu_s, dropping)
    if dropping:
        _drop()
    job["guard"] = policy.ImportGuard(tuple(job["forbidden"]))
    job["guard"].install()
    sys.stdin = None

    def send(data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[write(result_fd, view):]

    for k, fn in enumerate(job["functions"]):
        tag = pack(k, 4, "little")
        out, err = Bounded(1), Bounded(2)
        sys.stdout, sys.stderr = out, err
        def frame(kind: bytes, tag=tag) -> None:
            # an L frame carries where this function's output starts in the two files:
            # the parent may read the frame only after the function has printed
            where = b"".join(pack(os.fstat(fd).st_size, 8, "little") for fd in (1, 2)) \
                if kind == b"L" else b""
            send(kind + tag + where)

        try:
            result = run_function(fn, job, memory_mb, frame)
        except BaseException as exc:  # noqa: BLE001
            result = {"status": "worker_error", "error": _error(exc, memory_mb), "cases": []}
        result["output"] = out.text() + err.text()
        try:
            blob = encode(result)
        except BaseException as exc:  # noqa: BLE001
            blob = encode({"status": "worker_error", "cases": [],
                           "error": f"could not encode the results: {exc!r}"[:300]})
        send(b"R" + tag + pack(len(blob), 8, "little") + blob)
    os._exit(0)
