"""One case of one layer under test against its torch twin: the engine lives on the
oracle's floor (`reference.oracle.layer_run`), where the grader's layer styles use it too;
this name stays for `check`'s callers."""

from __future__ import annotations

from ..oracle.layer_run import LayerResult, describe_index, layer_tolerance, run_layer_case

__all__ = ["LayerResult", "run_layer_case", "layer_tolerance", "describe_index"]
