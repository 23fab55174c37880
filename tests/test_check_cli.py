"""`backprop-oracle check`: its JSON contract, its table, and its exit codes."""

import json

import pytest

import manual.network
from reference.cli import main
from tests.test_planted_bugs import bp2_without_sigma_prime


def test_json_contract(cli):
    r = cli("check", "--cases", "60", "--seed", "3", "--format", "json", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["cases"] == 60 and out["failures"] == 0 and out["failures_detail"] == []
    assert set(out["by_equation"]) == {"BP1", "BP2", "BP3", "BP4"}
    assert all(0 <= v["max_rel_err"] < 1e-3 for v in out["by_equation"].values())
    # per dtype: float64 agrees within its own tolerance (rtol 1e-9), float32 within float32's
    by_dtype = out["by_dtype"]
    assert set(by_dtype) == {"float64", "float32"}
    assert sum(d["cases"] for d in by_dtype.values()) == 60
    assert max(by_dtype["float64"]["max_rel_err"].values()) < 1e-9
    assert max(by_dtype["float32"]["max_rel_err"].values()) < 1e-2


def test_text_table_has_a_row_per_activation_and_loss(cli):
    r = cli("check", "--cases", "40", "--activations", "tanh,softmax", "--losses", "quadratic")
    assert r.returncode == 0, r.stderr
    assert "40 cases (seed 0), 0 disagreement(s)" in r.stdout
    rows = {tuple(line.split()[:2]) for line in r.stdout.splitlines()[3:]}
    assert ("tanh", "quadratic") in rows and ("softmax", "quadratic") in rows
    assert ("all", "float64") in rows and ("all", "float32") in rows


def test_a_wrong_equation_gives_exit_1_and_names_it(monkeypatch, capsys):
    monkeypatch.setattr(manual.network, "bp2", bp2_without_sigma_prime)
    code = main(["check", "--cases", "80", "--jobs", "1", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["failures"] > 0
    assert {f["equation"] for f in out["failures_detail"]} == {"BP2"}
    assert all(f["case"] for f in out["failures_detail"])


def test_same_seed_same_report(cli):
    a = json.loads(cli("check", "--cases", "30", "--seed", "9", "--format", "json").stdout)
    b = json.loads(cli("check", "--cases", "30", "--seed", "9", "--format", "json").stdout)
    for key in ("cases", "failures", "by_equation", "by_activation_loss"):
        assert a[key] == b[key]


def test_a_huge_case_count_streams_instead_of_filling_memory(monkeypatch):
    """`--cases 10**20` was killed by the OOM killer: every slice of the run was listed
    up front. Slices are drawn as the run goes; under a 1 GB headroom the first one
    starts (and here stops the run) long before memory runs out."""
    import resource

    import reference.check.runner

    class FirstSlice(Exception):
        pass

    def first_slice(args):
        raise FirstSlice

    monkeypatch.setattr(reference.check.runner, "_run_slice", first_slice)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    vm_size = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (vm_size + 2**30, hard))
    try:
        with pytest.raises(FirstSlice):
            reference.check.runner.run_check(10**20, jobs=1)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_more_jobs_than_slices_start_no_idle_processes(monkeypatch):
    """--jobs is capped at the number of slices of the run (a pool of 200 processes for
    three slices forked 197 copies of torch for nothing)."""
    import reference.check.runner

    started = []

    class SerialPool:
        def __init__(self, jobs, initializer=None):
            started.append(jobs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def imap(self, fn, items):
            return map(fn, items)

    class Context:
        Pool = SerialPool

    monkeypatch.setattr(reference.check.runner, "_run_slice", lambda args: [])
    monkeypatch.setattr(reference.check.runner.multiprocessing, "get_context",
                        lambda kind: Context())
    reference.check.runner.run_check(3 * 256, jobs=200)
    assert started == [3]


def test_non_finite_oracle_gradients_are_bad_input_not_a_disagreement(monkeypatch, capsys):
    """NaN against NaN is no verdict on manual: the run stops with exit 2 and one line,
    instead of exit 1 and "expected nan, got nan" failures."""
    import numpy as np

    import reference.oracle.autograd

    real = reference.oracle.autograd.oracle_stacked

    def overflowing(*args, **kwargs):
        out = real(*args, **kwargs)
        out.dW[0] = out.dW[0] * np.nan
        return out

    monkeypatch.setattr(reference.oracle.autograd, "oracle_stacked", overflowing)
    code = main(["check", "--cases", "5", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "the oracle's gradients are not finite" in err
    assert len(err.strip().splitlines()) == 1


def test_each_case_is_counted_once_in_the_table(cli):
    """A case was counted under its hidden and its output activation: row counts summed
    to more than the total, and a broken hidden activation showed on every output."""
    out = json.loads(cli("check", "--cases", "80", "--seed", "1", "--format", "json").stdout)
    rows = out["by_activation_loss"]
    assert sum(r["cases"] for r in rows) == out["cases"] == 80
    assert len({(r["hidden"], r["output"], r["loss"]) for r in rows}) == len(rows)


def test_a_broken_hidden_activation_fails_only_its_own_rows(monkeypatch, capsys):
    import numpy as np

    from manual.activations import ACTIVATIONS

    tanh = ACTIVATIONS["tanh"]
    monkeypatch.setitem(ACTIVATIONS, "tanh", __import__("dataclasses").replace(
        tanh, derivative=lambda z, a: np.ones_like(z)))
    code = main(["check", "--cases", "200", "--jobs", "1", "--format", "json",
                 "--activations", "tanh,identity", "--losses", "quadratic"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    for r in out["by_activation_loss"]:
        if r["failures"]:
            assert "tanh" in (r["hidden"], r["output"])
    assert not any(r["failures"] for r in out["by_activation_loss"]
                   if r["hidden"] in ("identity", "-") and r["output"] == "identity")


def test_a_filter_that_leaves_nothing_says_which_output_the_loss_needs(cli):
    r = cli("check", "--activations", "tanh", "--losses", "bce")
    assert r.returncode == 2
    assert "bce needs a sigmoid output" in r.stderr


def test_the_failure_list_ends_with_how_many_more(monkeypatch, capsys):
    monkeypatch.setattr(manual.network, "bp2", bp2_without_sigma_prime)
    code = main(["check", "--cases", "200", "--jobs", "1"])
    out = capsys.readouterr().out
    assert code == 1
    fails = [line for line in out.splitlines() if line.startswith("FAIL ")]
    total = int(out.split(" cases (seed 0), ")[1].split(" ")[0])
    assert len(fails) == 20 < total
    lines = out.splitlines()  # the dense list ends its table (the layer table follows)
    after = lines[lines.index(fails[-1]) + 1]
    assert after.startswith(f"... and {total - 20:,} more failure(s)")
    # each failure names the layer's activation and what the index means
    assert all(") at (" in line and "[unit " in line for line in fails)


def _table(out: str) -> dict[tuple[str, str, str], int]:
    """The failure table at the end of check's text: (equation, layer, activation) -> n."""
    lines = out.splitlines()
    start = lines.index("failures by equation, layer and activation:") + 2
    rows = {}
    for line in lines[start:]:
        if line.startswith("all "):
            rows["all"] = int(line.split()[-1])
            break
        eq, layer, act, n = line.split()
        rows[(eq, layer, act)] = int(n)
    return rows


def test_the_text_ends_with_the_failure_table_and_max_failures_lists_all(monkeypatch, cli):
    """BP2 without σ' (planted in manual): every failure is a BP2 of a hidden layer, so the
    table's rows are (BP2, l, the hidden activation) and they add up to the total."""
    monkeypatch.setattr(manual.network, "bp2", bp2_without_sigma_prime)
    r = cli("check", "--cases", "200", "--jobs", "1", "--max-failures", "all",
            "--arch", "dense")
    assert r.returncode == 1, r.stderr
    total = int(r.stdout.split(" cases (seed 0), ")[1].split(" ")[0])
    fails = [line for line in r.stdout.splitlines() if line.startswith("FAIL ")]
    assert len(fails) == total and "more failure(s)" not in r.stdout
    table = _table(r.stdout)
    assert table.pop("all") == total == sum(table.values())
    assert {eq for eq, _, _ in table} == {"BP2"}
    # the plugin's table, from the same rows
    from reference.check.verification import failure_table
    assert failure_table(dict(table))[0] in r.stdout


def test_max_failures_bounds_the_text_and_the_json(monkeypatch, cli):
    monkeypatch.setattr(manual.network, "bp2", bp2_without_sigma_prime)
    common = ("check", "--cases", "120", "--jobs", "1", "--max-failures", "3", "--arch", "dense")
    text = cli(*common)
    assert len([x for x in text.stdout.splitlines() if x.startswith("FAIL ")]) == 3
    out = json.loads(cli(*common, "--format", "json").stdout)
    assert len(out["failures_detail"]) == 3 < out["failures"]
    assert sum(r["failures"] for r in out["failures_by_equation_layer"]) == out["failures"]
    assert cli("check", "--max-failures", "some").returncode == 2
