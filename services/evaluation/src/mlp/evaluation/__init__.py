"""evaluation: criteria, evaluation runs executed by workers, per-row results and aggregates."""
