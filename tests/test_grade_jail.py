"""Issue 19, holes 1 and 2: the student's filesystem is an allow-list, and the student's
process can neither create namespaces nor mount nor trace (seccomp)."""

from __future__ import annotations

import ast
import errno
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

from reference.grade import jail, pidns, seccomp
from reference.grade.sandbox import ROOT
from tests.grading import grade as grade_submission

HERE = Path(__file__).parent / "submissions" / "ng"
CORRECT = (HERE / "correct.py").read_text()
needs_jail = pytest.mark.skipif(not jail.available(),
                                reason="the allow-listed root needs root, Linux namespaces")
needs_seccomp = pytest.mark.skipif(not seccomp.available(),
                                   reason="seccomp filters need Linux on x86_64 or aarch64")


def _grade(path, name):
    result = grade_submission(path, "ng", only=[name], timeout=10.0)
    (fr,) = result.functions
    return result, fr


@pytest.fixture
def planted():
    """A copy of the grader where a Gradescope bundle unpacks (/autograder/...) and a
    second virtualenv with a (fake) torch in /opt: visible to anyone on the host."""
    tag = f"oracle-test-{os.getpid()}"
    made_autograder = not os.path.exists("/autograder")
    bundle = Path("/autograder") / tag
    venv = Path("/opt") / tag
    try:
        shutil.copytree(Path(ROOT) / "reference", bundle / "reference")
        torch = venv / "lib" / f"python3.{sys.version_info.minor}" / "site-packages" / "torch"
        torch.mkdir(parents=True)
        (torch / "__init__.py").write_text("def autograd_here():\n    return True\n")
        yield bundle, torch
    finally:
        shutil.rmtree(bundle, ignore_errors=True)
        shutil.rmtree(venv, ignore_errors=True)
        if made_autograder:
            shutil.rmtree("/autograder", ignore_errors=True)


@needs_jail
def test_another_copy_of_the_grader_and_a_second_torch_do_not_exist_for_the_student(planted):
    bundle, torch = planted
    # the host sees both, where the hostile file looks for them
    assert str(bundle / "reference" / "grade" / "kit.py") in glob.glob(
        "/autograder/*/reference/grade/kit.py")
    assert str(torch / "__init__.py") in glob.glob(
        "/opt/*/lib/python3*/site-packages/torch/__init__.py")
    result, fr = _grade(HERE / "hostile_other_grader.py", "linear_backward")
    assert "FOUND" not in fr.output, fr.output
    assert fr.status == "failed" and "no answer found" in fr.finding.diagnosis
    assert result.score == 0 and jail.ALLOWLIST in result.protections


def _submission(tmp_path, body: str) -> Path:
    """correct.py whose linear_forward first runs `body` (indented 4)."""
    text = CORRECT.replace("    Z = np.dot(W, A) + b\n",
                           "".join(f"    {line}\n" for line in body.splitlines())
                           + "    Z = np.dot(W, A) + b\n", 1)
    path = tmp_path / "lister.py"
    path.write_text(text)
    return path


def _printed(output: str, label: str):
    """The Python value the student's code printed after `label` (plain literals)."""
    return ast.literal_eval(output.split(label + " ", 1)[1].split("\n", 1)[0])


@needs_jail
def test_the_student_sees_only_the_allow_list(tmp_path):
    path = _submission(tmp_path, (
        "import os, sys\n"
        "print('ROOT', sorted(os.listdir('/')))\n"
        f"print('CHECKOUT', os.path.exists({ROOT!r} + '/reference'), "
        "os.path.exists('/etc/passwd'))\n"
        f"print('BESIDE', sorted(os.listdir({ROOT!r})) if os.path.isdir({ROOT!r}) else [])\n"
        "site = [p for p in sys.path if p.endswith('site-packages')]\n"
        "print('SITE', sorted(n for p in site if os.path.isdir(p) for n in os.listdir(p)))\n"
        "print('HOME', os.path.exists(os.path.expanduser('~root/.bashrc')))\n"))
    result, fr = _grade(path, "linear_forward")
    assert fr.status == "passed", fr.finding
    top = set(_printed(fr.output, "ROOT"))
    assert not top & {"etc", "home", "opt", "autograder", "var", "srv", "mnt", "boot"}, top
    assert "CHECKOUT False False" in fr.output and "HOME False" in fr.output
    # a virtualenv inside the checkout (the README's .venv) leaves the checkout's folder as
    # a path to the interpreter: nothing of the project in it
    assert set(_printed(fr.output, "BESIDE")) <= {".venv"}, fr.output
    site = set(_printed(fr.output, "SITE"))
    allowed = set(jail.ALLOWED_PACKAGES)
    assert site and all(n.split(".")[0] in allowed for n in site), site
    assert "numpy" in site and not {"torch", "reference", "manual", "jax"} & site


@needs_seccomp
def test_the_student_cannot_unshare_mount_or_ptrace():
    result, fr = _grade(HERE / "hostile_escape_calls.py", "linear_forward")
    assert fr.status == "passed", (fr.finding, fr.output)
    for call in ("unshare", "mount", "umount", "ptrace"):
        assert f"REFUSED {call} EPERM" in fr.output, fr.output
    assert seccomp.SECCOMP in result.protections


def test_the_allow_list_holds_numpy_and_never_the_grader_nor_torch():
    layout = jail.plan(("torch", "jax", "manual", "reference"))
    binds = layout["base"] + layout["inner"]
    numpy_dir = os.path.realpath(os.path.dirname(numpy.__file__))
    assert any(numpy_dir == b or numpy_dir.startswith(b + "/") for b in binds)
    # the grader's packages: no bind holds them or lies in them (a virtualenv inside the
    # checkout, as the README makes it, puts numpy's folder under the checkout's)
    for part in ("reference", "manual"):
        grader = os.path.join(os.path.realpath(ROOT), part)
        assert not any(b == grader or b.startswith(grader + "/") or grader.startswith(b + "/")
                       for b in binds), part
    assert not any("/torch" in b or "site-packages" == os.path.basename(b) for b in binds)
    assert os.path.realpath(sys.executable) in binds


def test_packages_inside_the_standard_librarys_site_packages_are_bound_over_its_cover(
        monkeypatch, tmp_path):
    """Gradescope's images install NumPy into the interpreter's own site-packages: that
    folder is covered by an empty one, and NumPy bound again inside it."""
    stdlib = tmp_path / "lib" / "python3"
    (stdlib / "site-packages" / "numpy").mkdir(parents=True)
    (stdlib / "site-packages" / "torch").mkdir()
    monkeypatch.setattr(jail, "_stdlib", lambda: [str(stdlib)])
    monkeypatch.setattr(jail, "_packages",
                        lambda forbidden: [str(stdlib / "site-packages" / "numpy")])
    layout = jail.plan(("torch",))
    real = os.path.realpath(stdlib)
    assert real in layout["base"]
    assert layout["empty"] == [os.path.join(real, "site-packages")]
    assert os.path.join(real, "site-packages", "numpy") in layout["inner"]
    assert not any("torch" in p for p in layout["base"] + layout["inner"])


# --- the filter, run on a small classic-BPF interpreter written from the kernel's docs -------
def _run_bpf(ops, nr: int, arch: int, arg0: int = 0) -> int:
    """What the kernel's seccomp returns for one call (the 32-bit loads seccomp uses)."""
    words = {0: nr, 4: arch, 16: arg0 & 0xFFFFFFFF}
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = ops[pc]
        if code == 0x20:                        # BPF_LD | BPF_W | BPF_ABS
            acc, pc = words[k], pc + 1
        elif code == 0x06:                      # BPF_RET | BPF_K
            return k
        else:
            taken = {0x15: acc == k, 0x35: acc >= k, 0x45: bool(acc & k)}[code]
            pc += 1 + (jt if taken else jf)


@pytest.mark.parametrize("machine", sorted(seccomp.ARCHES))
def test_the_filter_refuses_namespaces_mounts_and_ptrace_and_allows_the_rest(machine):
    ops = seccomp.program(machine)
    arch, numbers = seccomp.ARCHES[machine]
    eperm, allow = 0x00050000 | errno.EPERM, 0x7FFF0000
    for name in ("unshare", "setns", "mount", "umount2", "pivot_root", "ptrace"):
        assert _run_bpf(ops, numbers[name], arch) == eperm, name
    clone = numbers["clone"]
    assert _run_bpf(ops, clone, arch, 0x10000000) == eperm          # CLONE_NEWUSER
    assert _run_bpf(ops, clone, arch, 0x00020000 | 0x11) == eperm   # CLONE_NEWNS
    assert _run_bpf(ops, clone, arch, 0x003D0F00) == allow          # a thread (glibc's flags)
    assert _run_bpf(ops, clone, arch, 0x01200011) == allow          # fork()
    assert _run_bpf(ops, numbers["clone3"], arch) == 0x00050000 | errno.ENOSYS
    for nr in (0, 1, 3, 9, 63, 64):                                 # read, write, mmap, ...
        if nr not in numbers.values():
            assert _run_bpf(ops, nr, arch) == allow
    assert _run_bpf(ops, 0, 0x40000003) == eperm                    # another ABI (i386)
    if machine == "x86_64":
        assert _run_bpf(ops, 0x40000000 | 1, arch) == eperm          # x32


@needs_jail
def test_the_root_built_over_an_interpreters_own_site_packages_holds_only_the_allowed():
    """The layout above, built for real in a mount namespace of its own: inside the
    covered site-packages only the allowed package exists."""
    fake = Path(f"/var/tmp/oracle-jail-test-{os.getpid()}")
    site = fake / "lib" / "python3" / "site-packages"
    try:
        for name in ("numpy", "torch", "reference"):
            (site / name).mkdir(parents=True)
            (site / name / "__init__.py").write_text("")
        code = (
            "import os, sys\n"
            "from reference.grade import isolation as iso, jail, policy\n"
            f"fake, site = {str(fake / 'lib' / 'python3')!r}, {str(site)!r}\n"
            "stdlib, packages = jail._stdlib, jail._packages\n"
            "jail._stdlib = lambda: stdlib() + [fake]\n"
            "jail._packages = lambda f: packages(f) + [site + '/numpy']\n"
            "assert iso._unshare(iso.CLONE_NEWNS)\n"
            "assert iso._mount(b'none', '/', None, iso.MS_REC | iso.MS_PRIVATE, None)\n"
            "assert iso._tmpfs('/tmp')\n"  # the worker's essentials kept (a clone in /tmp)
            "print(jail.enter_root(policy.forbidden(False)) == [jail.ALLOWLIST])\n"
            "print(sorted(os.listdir(site)), os.path.exists(os.path.join(site, 'numpy',"
            " '__init__.py')))\n")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "PYTHONPATH": ROOT})
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == ["True", "['numpy'] True"]
    finally:
        shutil.rmtree(fake, ignore_errors=True)


@needs_jail
def test_the_student_has_a_pid_namespace_of_its_own(tmp_path):
    """Issue 19: /proc of the student's own pid namespace. Its process is pid 1 there, /proc
    lists no one else's process, its first child is pid 2, and a child it leaves behind
    with setsid() does not outlive the function."""
    path = _submission(tmp_path, (
        "import os, time\n"
        "print('PID', os.getpid())\n"
        "print('PROCS', sorted(int(n) for n in os.listdir('/proc') if n.isdigit()))\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    try:\n"
        "        os.setsid()\n"
        "        import ctypes\n"
        "        ctypes.CDLL(None).prctl(15, b'pidns-orphan', 0, 0, 0)\n"   # PR_SET_NAME
        "        time.sleep(30)\n"
        "    finally:\n"
        "        os._exit(0)\n"
        "print('CHILD', child)\n"))
    result, fr = _grade(path, "linear_forward")
    assert fr.status == "passed", fr.finding
    assert pidns.PID_NAMESPACE in result.protections
    assert _printed(fr.output, "PID") == 1
    assert _printed(fr.output, "PROCS") == [1]
    assert _printed(fr.output, "CHILD") == 2            # the first pid after its own
    assert "pidns-orphan" not in [_comm(p) for p in os.listdir("/proc") if p.isdigit()]


def _comm(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


@needs_jail
def test_asking_whether_pid_namespaces_work_leaves_the_askers_forks_alone():
    """`pidns.available` (the report's list of protections asks it in the grader's own
    process) tries a namespace with a throwaway child: afterwards this process's children
    are born in its own namespace. Before, every later fork failed with ENOMEM (the
    namespace's pid 1 had exited), which broke the test run that asked."""
    assert pidns.available()
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and int(done.stdout) > 1
