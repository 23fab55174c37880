"""Probes: NumPy-only functions run inside the sandboxed child, `probe(ns, inputs) -> dict`.

They call the student's function on plain inputs and return its raw result;
all interpretation happens in the parent. Never import torch or the oracle here.
"""
