"""domain layer of identity."""
