"""api layer of billing."""
