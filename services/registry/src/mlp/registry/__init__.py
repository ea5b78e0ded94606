"""registry: files, CSV datasets, models and versions, fine-tuning, deployments and the inference proxy."""
