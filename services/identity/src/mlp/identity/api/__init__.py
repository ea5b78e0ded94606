"""api layer of identity."""
