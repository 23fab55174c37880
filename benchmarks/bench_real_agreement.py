"""Agreement with a TA's function-by-function verdicts on submissions as students hand them in.

Grades every fixture listed in tests/submissions/real/verdicts.json (the TA's
verdict table: each graded function right, wrong or absent) and prints, per
submission, the functions where the grader and the TA disagree, then the
function-verdict agreement, the false alarms (a right function marked failed or
missing, or a submission refused that a TA would grade) and the missed bugs (a
wrong function passed).

    python benchmarks/bench_real_agreement.py [--table FILE] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "tests" / "submissions" / "real" / "verdicts.json"

# TA verdict -> the grader statuses that agree with it
AGREES = {"right": {"passed"}, "wrong": {"failed", "missing"}, "absent": {"missing", "supplied"}}


def ta_verdict(entry: dict, name: str) -> str:
    if name in entry.get("wrong", {}):
        return "wrong"
    return "absent" if name in entry.get("absent", ()) else "right"


def compare(entry: dict, statuses: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """[(function, TA verdict, grader status, kind)] with kind agree / false alarm / missed
    bug / other (an absent function graded, a right one 'supplied')."""
    out = []
    for name, status in statuses.items():
        verdict = ta_verdict(entry, name)
        if status in AGREES[verdict]:
            kind = "agree"
        elif verdict == "right" and status in ("failed", "missing", "not graded"):
            kind = "false alarm"
        elif verdict == "wrong" and status in ("passed", "supplied"):
            kind = "missed bug"
        else:
            kind = "other"
        out.append((name, verdict, status, kind))
    return out


def grade_entry(entry: dict, base: Path, seed: int, timeout: float) -> dict[str, str]:
    from reference.grade.options import GradeOptions, Limits
    from reference.grade.runner import grade_submission

    folder = base / entry["folder"] if entry.get("folder") else None
    result = grade_submission(base / entry["path"], entry["style"],
                              GradeOptions(seed=seed, limits=Limits(timeout=timeout)),
                              folder=folder)
    return {f.name: f.status for f in result.functions}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--table", type=Path, default=TABLE)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--verbose", action="store_true", help="every function, not only disagreements")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    table = json.loads(args.table.read_text())
    counts = {"agree": 0, "false alarm": 0, "missed bug": 0, "other": 0}
    for entry in table["submissions"]:
        rows = compare(entry, grade_entry(entry, args.table.parent, args.seed, args.timeout))
        bad = [r for r in rows if r[3] != "agree"]
        label = entry["path"] + (f" (folder {entry['folder']})" if entry.get("folder") else "")
        print(f"{label:60s} {len(rows) - len(bad)}/{len(rows)} agree")
        for name, verdict, status, kind in rows if args.verbose else bad:
            print(f"    {kind:11s} {name}: TA {verdict}, grader {status}")
        for *_, kind in rows:
            counts[kind] += 1
    total = sum(counts.values())
    pct = 100.0 * counts["agree"] / total if total else 100.0
    print(f"{len(table['submissions'])} submissions, {total} function verdicts: "
          f"{pct:.1f}% agree, {counts['false alarm']} false alarm(s), "
          f"{counts['missed bug']} missed bug(s), {counts['other']} other")
    return {"agreement": pct, **counts, "functions": total}


if __name__ == "__main__":
    main()
