"""Layers of the recurrent family (filled in by its entries)."""
