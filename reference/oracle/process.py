"""The oracle in a helper process, so that the process comparing the answers never
imports torch.

A user's pytest run with the plugin spends most of its fixed cost importing torch
(about 1.3 s, plus pytest's per-test logging work on torch's loggers). With the
oracle in its own process, pytest imports only NumPy; the helper imports torch while
pytest collects, and answers one stacked autograd call per family of cases. The
answers are the same `oracle_stacked` and `float32_noise` of `autograd`, computed
by real torch autograd in the helper.

Backends (what `run_case` asks for its family's answer):
    LOCAL                 autograd in this process (imports torch on first use)
    OracleProcess()       autograd in a helper process (`reference.oracle.process.main`)
A helper is used only for registry entries it can rebuild from a recipe: an
entry whose torch counterpart is text (every built-in), or an expression
activation (`--oracle-activation`); any other entry (a Python callable) is
answered in this process. If the helper cannot be started or dies, the answers
are computed in this process, with a warning: slower, never a different verdict.

Protocol: pickled requests on the helper's stdin, pickled replies on a private
copy of its stdout (fd 1 is redirected to stderr, so a stray print cannot corrupt
a reply):
    request  (name, args, kwargs)   name: "stacked" or "noise"; activations and the
                                    loss given as recipes (see `recipe`)
    reply    ("ok", value) | ("error", exception class name, message)
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path

from manual.activations import Activation, get_activation
from manual.errors import InputError
from manual.losses import Loss, get_loss

__all__ = ["LOCAL", "LocalOracle", "OracleProcess", "recipe", "backend_for", "enable",
           "disable"]


class LocalOracle:
    """autograd in this process; the functions are looked up when called (so a test
    may replace `reference.oracle.autograd.oracle_stacked`)."""

    def load(self) -> None:
        """Import torch now (before a timer starts, before a pool forks its workers)."""
        # here: torch costs 1.4 s (-X importtime, 2026-12-04); pytest's process never
        from . import autograd  # noqa: F401

    def stacked(self, *args, **kwargs):
        # here: torch costs 1.4 s (-X importtime, 2026-12-04); pytest's process never
        from . import autograd

        return autograd.oracle_stacked(*args, **kwargs)

    def noise(self, *args, **kwargs):
        # here: torch costs 1.4 s (-X importtime, 2026-12-04); pytest's process never
        from . import autograd

        return autograd.float32_noise(*args, **kwargs)


LOCAL = LocalOracle()


def recipe(entry) -> tuple | None:
    """How a helper process rebuilds a registry entry's torch side, or None when it
    cannot (a torch counterpart given as a Python callable)."""

    if isinstance(entry.torch, str):
        if isinstance(entry, Activation):
            return ("activation", entry.name, entry.torch, entry.elementwise)
        return ("loss", entry.name, entry.torch)
    return getattr(entry.torch, "oracle_recipe", None)


BOOT = "import sys; sys.path[:0] = {roots!r}; from reference.oracle.process import main; main()"


class OracleProcess:
    """A helper process answering `stacked` and `noise` requests (see the module
    docstring). Started by `start()` or on the first request."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._log = None
        self._owner = os.getpid()  # a forked child must not write into its parent's pipe
        self._lock = threading.Lock()  # one request at a time on the pipe
        self.broken = False

    def start(self) -> None:
        if self._proc is not None or self.broken:
            return
        # this process's `manual` and `reference` come first on the helper's path, before
        # the working directory (a user's project may have packages of the same names)
        roots = sorted({str(Path(__import__(p).__file__).resolve().parents[1])
                        for p in ("manual", "reference")})
        env = dict(os.environ)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(var, "1")
        self._log = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen([sys.executable, "-c", BOOT.format(roots=roots)],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=self._log, env=env)
        except OSError as exc:
            self._give_up(f"could not be started ({exc})")

    def stacked(self, W, b, activations, loss, X, Y, layout, reduction, **kwargs):
        """`autograd.oracle_stacked`, answered by the helper."""
        return self._call("stacked", W, b, activations, loss, X, Y, layout, reduction,
                          **kwargs)

    def noise(self, w, b, activations, loss, X, Y, layout, reduction, **kwargs):
        """`autograd.float32_noise`, answered by the helper."""
        return self._call("noise", w, b, activations, loss, X, Y, layout, reduction, **kwargs)

    def _call(self, name, *args, **kwargs):
        entries = [get_activation(a) for a in args[2]] + [get_loss(args[3])]
        recipes = [recipe(e) for e in entries]
        if os.getpid() != self._owner or None in recipes:
            return getattr(LOCAL, name)(*args, **kwargs)
        request = (name, (*args[:2], recipes[:-1], recipes[-1], *args[4:]), kwargs)
        try:
            with self._lock:
                self.start()
                if self._proc is None:
                    return getattr(LOCAL, name)(*args, **kwargs)
                reply = self._exchange(request)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            self._give_up(f"stopped answering ({type(exc).__name__}){self._stderr_tail()}")
            return getattr(LOCAL, name)(*args, **kwargs)
        if reply[0] == "ok":
            return reply[1]
        if reply[1] == "InputError":
            raise InputError(reply[2])
        raise RuntimeError(f"the oracle's helper process failed: {reply[1]}: {reply[2]}")

    def _exchange(self, request):
        """One request, its reply. Interrupted between the two (Ctrl-C, a test's timeout),
        the reply would stay in the pipe and answer the next request: the helper is then
        dropped, never used again."""
        try:
            pickle.dump(request, self._proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._proc.stdin.flush()
            return pickle.load(self._proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            raise  # the helper is gone: `_call` says why (its stderr) and drops it
        except BaseException:
            self.close()
            self.broken = True
            raise

    def _stderr_tail(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        lines = self._log.read().decode(errors="replace").strip().splitlines()
        return f": {lines[-1]}" if lines else ""

    def _give_up(self, why: str) -> None:
        warnings.warn(f"backprop-oracle: the oracle's helper process {why}; computing the "
                      f"oracle in this process instead", RuntimeWarning, stacklevel=3)
        self.close()
        self.broken = True

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


_ENABLED: OracleProcess | None = None


def enable() -> OracleProcess:
    """Answer `run_case`'s oracle requests in a helper process from now on (started
    now, so torch is imported while the caller goes on)."""
    global _ENABLED
    if _ENABLED is None:
        _ENABLED = OracleProcess()
    _ENABLED.start()
    return _ENABLED


def disable() -> None:
    """Stop the helper; answers are computed in this process again."""
    global _ENABLED
    if _ENABLED is not None:
        _ENABLED.close()
    _ENABLED = None


def backend_for() -> LocalOracle | OracleProcess:
    """The backend `run_case` uses: the helper when enabled and alive, else LOCAL."""
    if _ENABLED is not None and not _ENABLED.broken:
        return _ENABLED
    return LOCAL


# ---- the helper's side ------------------------------------------------------

_BUILT: dict[tuple, object] = {}


def _unused(*args, **kwargs):  # the NumPy side of an entry rebuilt for the oracle only
    raise RuntimeError("only the torch side of this entry exists in the oracle's helper")


def build(r: tuple):
    """The registry entry a recipe describes (cached: an expression compiles once)."""
    if r in _BUILT:
        return _BUILT[r]
    if r[0] == "activation":
        _, name, source, elementwise = r
        entry = Activation(name, _unused, _unused if elementwise else None, source,
                           vjp=None if elementwise else _unused)
    elif r[0] == "loss":
        entry = Loss(r[1], _unused, _unused, r[2], ())
    elif r[0] == "expression":
        # here: 33 ms (-X importtime, 2026-12-04), for custom entries only
        from .custom import expression_activation

        _, spec, domain, params = r
        entry = expression_activation(spec, domain=domain, params=dict(params))
    elif r[0] == "expression_loss":  # check --loss, --oracle-loss
        # here: 33 ms (-X importtime, 2026-12-04), for custom entries only
        from .custom import expression_loss

        entry = expression_loss(r[1], params=dict(r[2]))
    else:
        raise InputError(f"unknown oracle recipe {r[0]!r}")
    _BUILT[r] = entry
    return entry


def _answer(request):
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); pytest's process never
    from . import autograd

    name, args, kwargs = request
    args = (*args[:2], [build(r) for r in args[2]], build(args[3]), *args[4:])
    fn = {"stacked": autograd.oracle_stacked, "noise": autograd.float32_noise}[name]
    return fn(*args, **kwargs)


def serve(requests, replies) -> None:
    """Answer requests until the other side closes the pipe."""
    # here: torch costs 1.4 s (-X importtime, 2026-12-04); pytest's process never
    import torch  # noqa: F401  (imported before the first request arrives)

    # here: torch costs 1.4 s (-X importtime, 2026-12-04); pytest's process never
    from . import autograd  # noqa: F401

    while True:
        try:
            request = pickle.load(requests)
        except EOFError:  # the other side is done: end now, skipping torch's slow teardown
            replies.close()
            os._exit(0)
        try:
            reply = ("ok", _answer(request))
        except Exception as exc:  # every failure goes back as a reply, none ends the helper
            reply = ("error", type(exc).__name__, str(exc))
        pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()


def main() -> None:
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print goes to stderr, not into a reply
    serve(sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
