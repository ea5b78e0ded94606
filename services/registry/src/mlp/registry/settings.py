"""registry's settings, read from ``REGISTRY_*`` (then unprefixed) environment variables."""

from __future__ import annotations

from typing import ClassVar

from mlp.common.runtime.settings import ServiceSettings, load_settings

DEVELOPMENT_CREDENTIAL_KEY = "bWxwLWRldmVsb3BtZW50LW9ubHktbm90LXNlY3JldCE="
"""A Fernet key for development only (it is public): production sets ``REGISTRY_CREDENTIAL_KEYS``."""


class RegistrySettings(ServiceSettings, frozen=True, kw_only=True):
    peer_url_fields: ClassVar[tuple[str, ...]] = ("identity_url", "billing_url", "trainer_url")
    port: int = 8002
    # files and storage
    data_dir: str = ".data/registry"
    """Root of the local blob storage (``storage_backend=local``)."""
    storage_backend: str = "local"
    """``local`` (files under ``data_dir``) or ``s3`` (an S3-compatible bucket)."""
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    """Empty for AWS itself; the URL of MinIO, R2, moto, ... otherwise."""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_part_size_bytes: int = 16 * 1024 * 1024
    max_upload_bytes: int = 512 * 1024 * 1024
    storage_quota_bytes: int = 10 * 1024 * 1024 * 1024
    """Bytes of files one user may store."""
    max_page_size: int = 1000
    # CSV datasets
    csv_max_columns: int = 1000
    csv_max_field_chars: int = 1024 * 1024
    csv_max_rows: int = 10_000_000
    csv_max_problems: int = 50
    csv_max_compression_ratio: int = 100
    csv_max_inflated_bytes: int = 4 * 1024 * 1024 * 1024
    csv_inline_max_bytes: int = 8 * 1024 * 1024
    """CSV files up to this size become a dataset in the request; larger ones in the worker."""
    dataset_max_versions: int = 100
    """Versions one dataset may have (each holds a copy of its rows); the next is a 409."""
    csv_ingest_concurrency: int = 1
    """Large CSV ingestions one worker runs at once (each is CPU-bound: scale workers, not this)."""
    model_page_size_max: int = 1000
    """Largest page of models or versions one call returns (native ``limit``, MLflow ``max_results``)."""
    # deployments and the inference proxy
    credential_keys: str = DEVELOPMENT_CREDENTIAL_KEY
    """Fernet keys (comma-separated, the first encrypts) for upstream credentials at rest."""
    deployment_connect_timeout_seconds: float = 5.0
    deployment_timeout_seconds: float = 60.0
    deployment_max_timeout_seconds: float = 600.0
    deployment_cache_seconds: float = 2.0
    """How long a replica trusts what it read about a deployment on the inference path."""
    deployment_probe_interval_seconds: float = 30.0
    upstream_max_connections: int = 200
    """Pooled connections per upstream origin."""
    upstream_max_total_connections: int = 1000
    """Pooled connections to all upstreams together."""
    upstream_idle_seconds: float = 15.0
    """An upstream connection unused this long is closed."""
    inference_max_attempts: int = 3
    """Attempts one call makes: its deployment, then its fallbacks in order (before a byte was relayed)."""
    inference_attempts_seconds: float = 90.0
    """No fallback is tried once a call is this old; each attempt's timeouts are cut to the time left."""
    inference_log_batch_size: int = 100
    inference_log_capacity: int = 10_000
    inference_log_capacity_bytes: int = 64 * 1024 * 1024
    """Request and answer bytes the log may hold while their tokens wait to be counted."""
    trusted_upstream_hosts: str = ""
    """Comma-separated host names of providers whose reported token usage bills as it is (over HTTPS),
    e.g. ``api.openai.com``. Any other upstream's tokens are counted by the platform."""
    inference_log_flush_seconds: float = 0.5
    # fine-tuning
    tune_min_examples: int = 10
    """Fewest training examples a fine-tuning job accepts."""
    tune_max_example_chars: int = 64_000
    """Longest training example (characters of its cells) a fine-tuning job accepts."""
    tune_max_file_bytes: int = 64 * 1024 * 1024
    """Largest JSONL training file a fine-tuning job reads (datasets have no such limit)."""
    trainer_url: str = "http://127.0.0.1:8090"
    """Base URL of the OpenAI-compatible fine-tuning API that trains (``/v1/fine_tuning/jobs`` under it)."""
    trainer_api_key: str = ""
    tune_poll_seconds: float = 10.0
    """How often the worker asks the trainer about a running job."""
    retention_inference_requests_days: float = 90.0
    """The inference log (the usage it billed is in billing, which keeps its own)."""

    def development_only(self) -> list[str]:
        refused = super().development_only()
        if DEVELOPMENT_CREDENTIAL_KEY in self.credential_keys.split(","):
            refused.append("CREDENTIAL_KEYS holds the public development key: set a secret one")
        return refused


def registry_settings() -> RegistrySettings:
    return load_settings(RegistrySettings, "registry")
