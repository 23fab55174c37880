"""pytest plugin (entry point `pytest11`): the oracle's options and the case matrix.

Options:
    --oracle-seed S          seed of the case stream (default 0)
    --oracle-cases N         number of cases (default: DEFAULT_MATRIX_CASES)
    --oracle-shard I/N       run only shard I of N (1-based), for CI job matrices
    --oracle-activation NAME=FORWARD:DERIVATIVE   add an expression activation (repeatable)
    --oracle-domain LO,HI / --oracle-param NAME=VALUE   its domain and named numbers
    --oracle-param ENTRY.NAME=VALUE   a registry entry's parameter (leaky_relu.slope=0.3)
    --oracle-loss NAME=COST:GRADIENT[:TARGETS]   add an expression loss (repeatable)
    --oracle-activations a,b / --oracle-losses l / --oracle-layouts rows /
    --oracle-dtypes float64  draw only from these (as `backprop-oracle check`'s filters)
    --oracle-in-process      compute the oracle in the pytest process (default: a helper)
    --oracle-layers a,b      the layers `oracle_layer_case` covers (default: all)
    --oracle-layer-cases N   cases per layer (default DEFAULT_LAYER_CASES)

A test that takes the argument `oracle_case` is run once per case, with the
case's structural id (`tanh-sigmoid-bce-columns-f64-4x3x1-m5`). Cases are
derived from the seed only, so every xdist worker collects identical ids.
They come in families sharing a structure (as in `check`), so
`reference.assert_backprop` computes the oracle once per family and worker.
A run with failures of `assert_backprop` ends with one table: failures by
equation × layer × activation.

A test that takes `oracle_layer_case` is run once per layer case (`affine-float32-s3-
batch1`), for the layers of --oracle-layers or of its `@pytest.mark.oracle_layers("affine",
...)` marker; `reference.assert_layer(case.layer, forward, backward, case)` checks one.
The layer machinery is imported only when a test asks for that fixture (or the option is
given), and its oracle runs in the pytest process.

The oracle (torch autograd) runs in a helper process, one per pytest process, so
pytest itself never imports torch (see `reference.oracle.process`);
--oracle-in-process keeps it in the pytest process.
"""

from __future__ import annotations

import os
import sys
from argparse import ArgumentTypeError

__all__ = ["DEFAULT_MATRIX_CASES", "DEFAULT_LAYER_CASES", "pytest_addoption",
           "pytest_collection_modifyitems"]

# One BLAS/OpenMP thread per process (xdist workers inherit the environment);
# set before numpy or torch are imported by anything that runs later.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest  # noqa: E402

# The project's own modules are imported inside the hooks and fixtures that use them:
# this plugin loads in every pytest session of an environment that installs it, where
# manual, the oracle's cases, check and derive cost 140-280 ms (measured 2026-12-04, 2
# loaded cores), and numpy must come after the thread settings above.

DEFAULT_MATRIX_CASES = 2600
DEFAULT_LAYER_CASES = 20
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
    group.addoption("--oracle-domain", default=None, metavar="LO,HI",
                    help="where the --oracle-activation activations are defined and their z "
                         "is drawn (default -8,8)")
    group.addoption("--oracle-param", action="append", default=[], metavar="NAME=VALUE",
                    help="a named number the --oracle-activation expressions may use, or "
                         "ENTRY.NAME=VALUE: a registry entry's parameter, e.g. "
                         "leaky_relu.slope=0.3 (repeatable)")
    group.addoption("--oracle-loss", action="append", default=[],
                    metavar="NAME=COST:GRADIENT[:TARGETS]",
                    help="add an expression-defined loss to the matrix (repeatable), as "
                         "`backprop-oracle check --loss`: the cases then use only these "
                         "losses, with --oracle-losses adding registry ones")
    _add_draw_options(group)
    group.addoption("--oracle-in-process", action="store_true", default=False,
                    help="compute the oracle (torch autograd) in the pytest process itself "
                         "instead of in a helper process (default: a helper process per "
                         "pytest process, so pytest never imports torch)")
    group.addoption("--oracle-layers", default=None, metavar="LAYERS",
                    help="comma-separated layers the oracle_layer_case fixture covers "
                         "(default: all registered layers)")
    group.addoption("--oracle-layer-cases", type=int, default=DEFAULT_LAYER_CASES,
                    help=f"oracle_layer_case cases per layer (default {DEFAULT_LAYER_CASES})")
    for name, what in (("activations", "activation"), ("losses", "loss"),
                       ("layouts", "layout"), ("dtypes", "dtype")):
        group.addoption(f"--oracle-{name}", default=None, metavar=name.upper(),
                        help=f"comma-separated {what} names to draw the cases from "
                             f"(default: all), as `backprop-oracle check --{name}`")
    try:
        from reference.grade import pytest_plugin as grade_plugin
    except ImportError:
        return
    grade_plugin.add_options(group)


def _add_draw_options(group) -> None:
    """Where an activation may stand, the targets and the reductions (as check's)."""
    for name, help_text in (
            ("output-activations", "activations the output layer may have (default: every "
                                   "one the losses accept; with --oracle-activations, those)"),
            ("hidden-activations", "activations the hidden layers may have (default: all; "
                                   "with --oracle-activations, those)"),
            ("targets", "what cross_entropy is given: onehot, soft (distributions) or both "
                        "(default: onehot, soft for a quarter of the networks)"),
            ("reductions", "batch reductions: mean, sum or both (default: sum for a fifth)")):
        group.addoption(f"--oracle-{name}", default=None, metavar=name.split("-")[0].upper(),
                        help=f"comma-separated {help_text}, as `backprop-oracle check "
                             f"--{name}`")


def _draw_filters(config, filters: dict) -> dict:
    """The run's activation filters refined by --oracle-output-/hidden-activations, and its
    targets and reductions (names checked: a usage error)."""
    from manual.activations import ACTIVATIONS
    from manual.errors import InputError
    from reference.check.verification import parse_names
    from reference.oracle.cases import REDUCTIONS, TARGET_MIXES, activation_filters

    try:
        given = {key: parse_names(config.getoption(f"oracle_{key}"), known, what,
                                  f"--oracle-{key.replace('_', '-')}")
                 for key, known, what in (("output_activations", ACTIVATIONS, "activation"),
                                          ("hidden_activations", ACTIVATIONS, "activation"),
                                          ("targets", TARGET_MIXES, "target"),
                                          ("reductions", REDUCTIONS, "reduction"))}
    except InputError as exc:
        raise pytest.UsageError(str(exc)) from None
    where = activation_filters(filters["activations"], given["output_activations"],
                               given["hidden_activations"],
                               outputs_follow=filters["outputs"] is not None)
    return {**filters, **where, "targets": given["targets"], "reductions": given["reductions"]}


def _filters(config) -> dict:
    """The case filters given on the command line, checked against the registries."""
    from manual.activations import ACTIVATIONS
    from manual.errors import InputError
    from manual.losses import LOSSES
    from reference.check.verification import parse_names
    from reference.oracle.cases import DTYPES, LAYOUTS

    try:
        out = {}
        for name, known, what in (("activations", ACTIVATIONS, "activation"),
                                  ("losses", LOSSES, "loss"), ("layouts", LAYOUTS, "layout"),
                                  ("dtypes", DTYPES, "dtype")):
            out[name] = parse_names(config.getoption(f"oracle_{name}"), known, what,
                               f"--oracle-{name}")
    except InputError as exc:
        raise pytest.UsageError(str(exc)) from None
    out["layouts"] = out["layouts"] or list(LAYOUTS)
    out["dtypes"] = out["dtypes"] or list(DTYPES)
    return out


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
    config.addinivalue_line("markers", "oracle_layers(*names): the layers this test's "
                                       "oracle_layer_case covers")
    if not 1 <= config.getoption("oracle_layer_cases") <= MAX_MATRIX_CASES:
        raise pytest.UsageError(f"--oracle-layer-cases must be between 1 and "
                                f"{MAX_MATRIX_CASES:,}")
    if config.getoption("oracle_layers") is not None:
        _layer_names(config.getoption("oracle_layers"), "--oracle-layers")
    if not 1 <= config.getoption("oracle_cases") <= MAX_MATRIX_CASES:
        raise pytest.UsageError(f"--oracle-cases must be between 1 and {MAX_MATRIX_CASES:,} "
                                f"(one test each); for more, `backprop-oracle check --cases N` "
                                f"streams them")
    if config.getoption("oracle_seed") < 0:
        raise pytest.UsageError("--oracle-seed must be a non-negative integer")
    _registry_params(config)
    _custom_losses(config)
    specs = config.getoption("oracle_activation")
    if specs:
        from manual.errors import InputError
        from reference.derive.cli import params_of, parse_param
        from reference.oracle.cases import register_custom

        try:
            params = params_of([parse_param(p) for p in config.getoption("oracle_param")])
            params = {k: v for k, v in params.items() if "." not in k}
            config._oracle_custom = register_custom(specs, config.getoption("oracle_domain"),
                                                    params)
        except (InputError, ArgumentTypeError) as exc:
            raise pytest.UsageError(f"--oracle-activation: {exc}") from None
    _filters(config)  # unknown names (custom ones are known now) are usage errors
    _family(config)  # filters that leave no combination are usage errors too


def _custom_losses(config) -> None:
    """--oracle-loss NAME=COST:GRADIENT[:TARGETS]: register the run's expression losses."""
    specs = config.getoption("oracle_loss")
    if not specs:
        return
    from manual.errors import InputError
    from reference.derive.cli import params_of, parse_param
    from reference.oracle.custom import expression_loss

    try:
        params = params_of([parse_param(p) for p in config.getoption("oracle_param")])
        params = {k: v for k, v in params.items() if "." not in k}
        config._oracle_custom_losses = [expression_loss(spec, params=params).name
                                        for spec in specs]
    except (InputError, ArgumentTypeError) as exc:
        raise pytest.UsageError(f"--oracle-loss: {exc}") from None


def _registry_params(config) -> None:
    """--oracle-param ENTRY.NAME=VALUE: set registry parameters for this run (every
    xdist worker configures, so every worker sets them)."""
    texts = [t for t in config.getoption("oracle_param") if "." in t.partition("=")[0]]
    if not texts:
        return
    from manual.errors import InputError
    from manual.params import apply_params
    from reference.derive.cli import params_of, parse_param

    try:
        config._oracle_params_previous = apply_params(params_of([parse_param(t)
                                                                 for t in texts]))
    except (InputError, ArgumentTypeError) as exc:
        raise pytest.UsageError(f"--oracle-param: {exc}") from None


def pytest_unconfigure(config) -> None:
    """Stop the oracle's helper process; unregister the run's --oracle-activation
    entries and put back the registry parameters (pytest may run again in the same
    process, e.g. under pytester)."""
    previous = getattr(config, "_oracle_params_previous", None)
    if previous:
        from manual.params import restore_params

        restore_params(previous)
    for name in getattr(config, "_oracle_custom_losses", None) or ():
        from manual.losses import LOSSES

        LOSSES.pop(name, None)

    if "reference.oracle.process" in sys.modules:
        sys.modules["reference.oracle.process"].disable()
    for name in getattr(config, "_oracle_custom", None) or ():
        from manual.activations import ACTIVATIONS

        ACTIVATIONS.pop(name, None)


def _family(config) -> tuple[dict, int]:
    """The filters with the custom activations, and the family size for this run."""
    from manual.errors import InputError
    from reference.oracle.cases import combinations, family_size

    filters = _filters(config)
    custom = getattr(config, "_oracle_custom", None)
    if custom:
        filters["activations"] = sorted(set(custom) | set(filters["activations"] or []))
    custom_losses = getattr(config, "_oracle_custom_losses", None)
    if custom_losses:
        filters["losses"] = sorted(set(custom_losses) | set(filters["losses"] or []))
    filters["outputs"] = filters["activations"] if config.getoption("oracle_activations") else None
    filters = _draw_filters(config, filters)
    try:
        family = family_size(config.getoption("oracle_cases"), len(combinations(**filters)))
    except InputError as exc:
        raise pytest.UsageError(f"backprop-oracle: {exc}") from None
    return filters, family


def oracle_cases(config) -> list:
    """The cases this run (and this shard) covers; identical on every worker."""
    from reference.oracle.cases import generate

    filters, family = _family(config)
    n = config.getoption("oracle_cases")
    cases = generate(n, config.getoption("oracle_seed"), family=family, **filters)
    shard = parse_shard(config.getoption("oracle_shard"))
    if shard:
        i, n = shard
        cases = cases[i - 1::n]
    return cases


def pytest_generate_tests(metafunc) -> None:
    if "oracle_case" in metafunc.fixturenames:
        cases = oracle_cases(metafunc.config)
        metafunc.parametrize("oracle_case", cases, ids=[c.id for c in cases])
        _start_oracle_helper(metafunc.config)
    if "oracle_layer_case" in metafunc.fixturenames:
        cases = oracle_layer_cases(metafunc.config, metafunc.definition.get_closest_marker(
            "oracle_layers"))
        metafunc.parametrize("oracle_layer_case", cases, ids=[c.id for c in cases])


def _layer_names(value, where: str) -> list[str]:
    """Layer names from a comma list (or a marker's arguments), checked; None: all."""
    from manual.errors import InputError
    from reference.check.layers import layer_names
    from reference.check.verification import parse_names

    try:
        return parse_names(value, layer_names(), "layer", where) or layer_names()
    except InputError as exc:
        raise pytest.UsageError(str(exc)) from None


def oracle_layer_cases(config, marker=None) -> list:
    """The layer cases of this run: --oracle-layer-cases per layer, seeded by
    --oracle-seed, in the --oracle-dtypes; identical on every worker."""
    from reference.check.layers import layer_cases
    from reference.oracle.cases import DTYPES

    names = (_layer_names(list(marker.args), "oracle_layers marker") if marker and marker.args
             else _layer_names(config.getoption("oracle_layers"), "--oracle-layers"))
    dtypes = _filters(config)["dtypes"] or list(DTYPES)
    n, seed = config.getoption("oracle_layer_cases"), config.getoption("oracle_seed")
    return [case for name in names for case in layer_cases(name, n, seed, dtypes)]


def _start_oracle_helper(config) -> None:
    """The oracle's answers come from a helper process (reference.oracle.process),
    started now so it imports torch while pytest collects, unless torch is already
    imported here (then the helper would only add a process) or --oracle-in-process."""
    if config.getoption("oracle_in_process") or "torch" in sys.modules:
        return
    from reference.oracle import process

    process.enable()


def pytest_report_header(config) -> list[str]:
    """What the oracle's cases are, said once at the top of a run that uses them."""
    filters = _filters(config)
    what = [f"{name} {','.join(v)}" for name, v in filters.items() if v]
    return [f"backprop-oracle: {config.getoption('oracle_cases')} oracle_case(s), seed "
            f"{config.getoption('oracle_seed')}"
            + (f", only {'; '.join(what)}" if config.getoption("oracle_activations")
               or config.getoption("oracle_losses") or len(filters["layouts"]) < 2
               or len(filters["dtypes"]) < 2 else "")
            + "; hidden layers may use any of the activations (softmax too), about 1 case in 5 "
              "uses reduction='sum' (C = Σₓ Cₓ), batches of 1 to 8", _drawn_header(config)]


def _drawn_header(config) -> str:
    from reference.oracle.cases import drawn_from, drawn_line

    return f"backprop-oracle: {drawn_line(drawn_from(_family(config)[0]))}"


def pytest_runtest_logreport(report) -> None:
    """Count the failures `reference.assert_backprop` reported (also from xdist workers:
    the report's text carries the marker line)."""
    if not report.failed or report.when != "call":
        return
    from reference.check.verification import LAYER_MARKER, MARKER

    text = getattr(report, "longreprtext", "") or ""
    for line in text.splitlines():
        if LAYER_MARKER in line:
            fields = dict(p.split("=", 1) for p in line.split(LAYER_MARKER, 1)[1].split()
                          if "=" in p)
            key = (fields.get("layer", "?"), fields.get("stage", "?"), fields.get("name", "?"))
            _LAYER_FAILURES[key] = _LAYER_FAILURES.get(key, 0) + 1
            break
        if MARKER in line:
            fields = dict(p.split("=", 1) for p in line.split(MARKER, 1)[1].split() if "=" in p)
            key = (fields.get("equation", "?"), fields.get("layer", "?"),
                   fields.get("activation", "?"))
            _FAILURES[key] = _FAILURES.get(key, 0) + 1
            break


_FAILURES: dict[tuple[str, str, str], int] = {}
_LAYER_FAILURES: dict[tuple[str, str, str], int] = {}


def pytest_terminal_summary(terminalreporter) -> None:
    """One table at the end of a run with failures: equation × layer × activation (and
    for `assert_layer`: layer × stage × first wrong array)."""
    tr = terminalreporter
    if _LAYER_FAILURES:
        tr.section("backprop-oracle: layer failures by layer, stage and first wrong array")
        tr.write_line(f"{'layer':<22} {'stage':<9} {'array':<14} {'failures':>8}")
        for (layer, stage, name), n in sorted(_LAYER_FAILURES.items(),
                                              key=lambda kv: (-kv[1], kv[0])):
            tr.write_line(f"{layer:<22} {stage:<9} {name:<14} {n:>8}")
        _LAYER_FAILURES.clear()
    if not _FAILURES:
        return
    from reference.check.verification import TABLE_TITLE, failure_table

    tr.section(f"backprop-oracle: {TABLE_TITLE}")
    for line in failure_table(_FAILURES):
        tr.write_line(line)
    _FAILURES.clear()


def pytest_collection_modifyitems(session, config, items) -> None:
    try:
        from reference.grade import pytest_plugin as grade_plugin
    except ImportError:
        return
    hook = getattr(grade_plugin, "modify_items", None)
    if hook:
        hook(session, config, items)
