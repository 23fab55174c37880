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

    import reference.check

    class FirstSlice(Exception):
        pass

    def first_slice(args):
        raise FirstSlice

    monkeypatch.setattr(reference.check, "_run_slice", first_slice)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    vm_size = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (vm_size + 2**30, hard))
    try:
        with pytest.raises(FirstSlice):
            reference.check.run_check(10**20, jobs=1)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
