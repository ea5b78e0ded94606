"""api layer of registry."""
