"""pytest plugin (entry point `pytest11`): the oracle's options and the case matrix.

Options:
    --oracle-seed S          seed of the case stream (default 0)
    --oracle-cases N         number of cases (default: DEFAULT_MATRIX_CASES)
    --oracle-shard I/N       run only shard I of N (1-based), for CI job matrices
    --oracle-activation NAME=FORWARD:DERIVATIVE   add an expression activation (repeatable)

A test that takes the argument `oracle_case` is run once per case, with the
case's structural id (`tanh-sigmoid-bce-columns-f64-4x3x1-m5`). Cases are
derived from the seed only, so every xdist worker collects identical ids.
"""

from __future__ import annotations

import os

# One BLAS/OpenMP thread per process (xdist workers inherit the environment);
# set before numpy or torch are imported by anything that runs later.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest  # noqa: E402

DEFAULT_MATRIX_CASES = 2600
MAX_MATRIX_CASES = 100_000  # one test item each: pytest holds them all in memory at once


def pytest_addoption(parser) -> None:
    group = parser.getgroup("backprop-oracle")
    group.addoption("--oracle-seed", type=int, default=0, help="seed of the oracle case stream")
    group.addoption("--oracle-cases", type=int, default=DEFAULT_MATRIX_CASES,
                    help=f"number of oracle cases (default {DEFAULT_MATRIX_CASES})")
    group.addoption("--oracle-shard", default=None, metavar="I/N",
                    help="run only shard I of N (1-based) of the oracle cases")
    group.addoption("--oracle-activation", action="append", default=[],
                    metavar="NAME=FORWARD:DERIVATIVE",
                    help="add an expression-defined activation to the matrix (repeatable)")
    try:
        from reference.grade import pytest_plugin as grade_plugin
    except ImportError:
        return
    grade_plugin.add_options(group)


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """"2/4" -> (2, 4); None -> None. Raises pytest.UsageError on anything else."""
    if text is None:
        return None
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise pytest.UsageError(f"--oracle-shard expects I/N, e.g. 1/4, got {text!r}") from None
    if not 1 <= i <= n:
        raise pytest.UsageError(f"--oracle-shard {text}: need 1 <= I <= N")
    return i, n


def pytest_configure(config) -> None:
    parse_shard(config.getoption("oracle_shard"))
    if not 1 <= config.getoption("oracle_cases") <= MAX_MATRIX_CASES:
        raise pytest.UsageError(f"--oracle-cases must be between 1 and {MAX_MATRIX_CASES:,} "
                                f"(one test each); for more, `backprop-oracle check --cases N` "
                                f"streams them")
    if config.getoption("oracle_seed") < 0:
        raise pytest.UsageError("--oracle-seed must be a non-negative integer")
    specs = config.getoption("oracle_activation")
    if specs:
        from manual.errors import InputError
        from reference.cases import register_custom

        try:
            config._oracle_custom = register_custom(specs)
        except InputError as exc:
            raise pytest.UsageError(f"--oracle-activation: {exc}") from None


def oracle_cases(config) -> list:
    """The cases this run (and this shard) covers; identical on every worker."""
    from reference.cases import generate

    custom = getattr(config, "_oracle_custom", None)
    cases = generate(config.getoption("oracle_cases"), config.getoption("oracle_seed"),
                     activations=custom)
    shard = parse_shard(config.getoption("oracle_shard"))
    if shard:
        i, n = shard
        cases = cases[i - 1::n]
    return cases


def pytest_generate_tests(metafunc) -> None:
    if "oracle_case" in metafunc.fixturenames:
        cases = oracle_cases(metafunc.config)
        metafunc.parametrize("oracle_case", cases, ids=[c.id for c in cases])


def pytest_collection_modifyitems(session, config, items) -> None:
    try:
        from reference.grade import pytest_plugin as grade_plugin
    except ImportError:
        return
    hook = getattr(grade_plugin, "modify_items", None)
    if hook:
        hook(session, config, items)
