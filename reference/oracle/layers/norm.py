"""The torch twins of the norm family (filled in by its entries)."""
