"""domain layer of registry."""
