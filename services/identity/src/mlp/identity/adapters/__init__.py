"""adapters layer of identity."""
