"""MLflow-compatible model registry (REST API 2.0): a second driving adapter over the same use cases."""
