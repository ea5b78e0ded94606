"""adapters layer of billing."""
