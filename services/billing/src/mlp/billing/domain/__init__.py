"""domain layer of billing."""
