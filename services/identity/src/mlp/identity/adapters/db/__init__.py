"""adapters/db layer of identity."""
