"""adapters/db layer of evaluation."""
