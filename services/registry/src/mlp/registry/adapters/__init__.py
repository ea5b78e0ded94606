"""adapters layer of registry."""
