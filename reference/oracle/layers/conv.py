"""The torch twins of the conv family (filled in by its entries)."""
