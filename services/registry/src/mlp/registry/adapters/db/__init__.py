"""adapters/db layer of registry."""
