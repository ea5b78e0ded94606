"""api layer of evaluation."""
