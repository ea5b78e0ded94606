"""domain layer of evaluation."""
