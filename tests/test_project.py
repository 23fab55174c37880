"""The project's promises about itself: README commands, CI script, architecture rules."""

import ast
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_first_screen_has_the_two_setup_commands():
    setup, tests = _readme_commands()[:2]
    assert setup.startswith("python3 -m venv .venv") and "backprop-oracle check" in setup
    assert "pytest" in tests
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:25])
    assert setup in first_screen and tests in first_screen


def test_ci_runs_the_readme_commands_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    for command in _readme_commands()[:2]:
        assert command in ci.splitlines(), command
    assert "set -euo pipefail" in ci  # pytest's exit 5 (no tests) must fail CI


def test_torch_is_pinned_to_the_cpu_build_on_disk():
    """One exact version (a range would let pip take a multi-GB CUDA build), and the torch
    that version installed here is the CPU build."""
    import tomllib
    import torch
    from packaging.requirements import Requirement

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    [req] = [r for r in map(Requirement, deps) if r.name == "torch"]
    [spec] = req.specifier
    assert spec.operator == "==" and "*" not in spec.version
    assert torch.__version__.split("+")[0] == spec.version
    assert torch.version.cuda is None and not torch.cuda.is_available()


def test_manual_never_imports_torch():
    for path in (ROOT / "manual").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in {"torch", "reference"}, f"{path}: {name}"


def test_console_script_runs_the_main_job_and_exits_0(cli_process):
    """The installed `backprop-oracle` script, in a real process (other CLI tests call main)."""
    r = cli_process("check", "--cases", "40", "--seed", "1", "--format", "json", script=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["cases"] == 40


def test_python_m_reference_bad_input_is_one_line_and_exit_2(cli_process):
    r = cli_process("check", "--activations", "tanhh")
    assert r.returncode == 2 and r.stdout == ""
    [line] = r.stderr.strip().splitlines()
    assert line.startswith("backprop-oracle check: error:") and "unknown activation 'tanhh'" in line


def test_version_is_the_installed_distribution(cli_process):
    from importlib.metadata import version

    r = cli_process("--version", script=True)
    assert r.returncode == 0 and r.stdout.strip() == f"backprop-oracle {version('backprop-oracle')}"


def test_nothing_refers_outside_the_repository():
    """The design lives in docs/DESIGN.md; no file points to notes kept elsewhere."""
    import subprocess

    found = subprocess.run(["git", "grep", "-n", "-e", "../" + "shared", "--", ".",
                            ":!tests/submissions"], cwd=ROOT, capture_output=True, text=True)
    assert found.stdout == "", found.stdout
    assert (ROOT / "docs" / "DESIGN.md").is_file()
    for path in [ROOT / "README.md", *ROOT.glob("reference/**/*.py"), *ROOT.glob("manual/*.py")]:
        text = path.read_text()
        assert "DESIGN.md" not in text.replace("docs/DESIGN.md", ""), path


DOCS = ["README.md", "CHANGELOG.md", "docs/*.md"]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return kept.replace(" ", "-")


def test_the_slug_is_githubs():
    assert _slug("Checking your own implementation") == "checking-your-own-implementation"
    assert _slug("`backprop-oracle check`") == "backprop-oracle-check"
    assert _slug("Scores and statuses (ng, saito)") == "scores-and-statuses-ng-saito"


def test_every_link_in_the_documentation_leads_somewhere():
    """README, CHANGELOG and docs/ link to each other by relative paths and anchors: each
    names a file of the repository, and a heading in it when it has an anchor."""
    pages = sorted({p for pattern in DOCS for p in ROOT.glob(pattern)})
    assert {"README.md", "CHANGELOG.md"} <= {p.name for p in pages}
    broken = []
    for page in pages:
        text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue                                     # http:, https:, mailto:
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.is_relative_to(ROOT) or not linked.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and anchor not in {_slug(h) for h in re.findall(
                    r"^#+ (.*)$", linked.read_text(), re.M)}:
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == [], broken


MAX_FUNCTION_LINES = 50


def _long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function longer than `limit` lines, counted
    from its `def` to its last line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                found.append((node.name, node.lineno, length))
    return found


def test_the_length_rule_counts_from_def_to_the_last_line():
    body = "\n".join(f"    x{i} = {i}" for i in range(49))
    assert _long_functions(f"def ok():\n{body}\n") == []                  # 50 lines
    assert _long_functions(f"@staticmethod\ndef long():\n{body}\n    return 0\n") \
        == [("long", 2, 51)]


def test_no_function_in_reference_or_manual_is_over_50_lines():
    offenders = [f"{path.relative_to(ROOT)}:{line} {name} ({length} lines)"
                 for part in ("reference", "manual")
                 for path in sorted((ROOT / part).rglob("*.py"))
                 for name, line, length in _long_functions(path.read_text())]
    assert offenders == [], "split these at their seams: " + ", ".join(offenders)


def _wide_functions(source: str, most: int):
    """(name, line, count) of each function taking more than `most` parameters (self and
    cls not counted; *args and **kwargs not counted)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            names = [a.arg for a in args.posonlyargs + args.args] + [
                a.arg for a in args.kwonlyargs]
            count = len(names) - (names[:1] in (["self"], ["cls"]))
            if count > most:
                yield node.name, node.lineno, count


def test_the_width_rule_counts_keywords_and_not_self():
    source = "class A:\n    def f(self, a, b, *, c, d, e, f, g, h, i): pass\n" \
             "def g(a, b, c, d, e, f, g, h): pass\n"
    assert [(n, c) for n, _, c in _wide_functions(source, 8)] == [("f", 9)]


def test_no_function_in_the_grader_takes_over_8_parameters():
    """Options travel as one frozen object (GradeOptions, Limits), never field by field."""
    offenders = [f"{path.relative_to(ROOT)}:{line} {name} ({count} parameters)"
                 for path in sorted((ROOT / "reference" / "grade").rglob("*.py"))
                 for name, line, count in _wide_functions(path.read_text(), 8)]
    assert offenders == [], "pass an options object: " + ", ".join(offenders)


def test_every_benchmark_imports_and_has_a_main():
    """The benchmarks run outside the suite: an import they make that a refactoring
    moved (bench_check imported the oracle's private helpers from a module that became a
    package) would otherwise be found only by the next person measuring."""
    import importlib.util
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        for path in sorted((ROOT / "benchmarks").glob("bench_*.py")):
            spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            assert callable(getattr(module, "main", None)), path.name
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_the_console_script_writes_everything_before_its_quick_exit(cli_process, tmp_path):
    """entry() ends with os._exit (the interpreter's teardown with torch loaded cost 0.4 s):
    what the command printed, to a pipe, and the report it wrote are complete, and the
    exit status is the command's."""
    r = cli_process("check", "--cases", "300", "--format", "json", script=True)
    assert r.returncode == 0 and json.loads(r.stdout)["cases"] == 300
    r = cli_process("check", "--activations", "tanhh", script=True)
    assert r.returncode == 2 and r.stderr.startswith("backprop-oracle check: error:")


def test_every_grading_style_is_named_where_instructors_look():
    """A style added to the registry is named in the README's grading section and in the
    command synopsis of docs/grading.md (both listed the styles by hand and fell behind)."""
    from reference.grade.styles import STYLES

    readme = (ROOT / "README.md").read_text()
    grading = readme.split("## Grading student submissions", 1)[1].split("\n## ", 1)[0]
    synopsis = (ROOT / "docs" / "grading.md").read_text().split("--style {", 1)[1]
    listed = set(synopsis.split("}", 1)[0].split(","))
    assert listed == set(STYLES), sorted(set(STYLES) ^ listed)
    assert [s for s in STYLES if f"`{s}`" not in grading] == []
