"""Layers of the norm family (filled in by its entries)."""
