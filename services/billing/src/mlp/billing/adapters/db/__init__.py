"""adapters/db layer of billing."""
