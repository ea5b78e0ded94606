"""adapters layer of evaluation."""
