"""The published catalogue of scopes an API key can carry."""

from __future__ import annotations

SCOPE_CATALOGUE: dict[str, str] = {
    "models:read": "list and read models, versions and deployments",
    "models:write": "register, update and delete models, versions and deployments",
    "models:*": "every models scope",
    "datasets:read": "list and download files and datasets",
    "datasets:write": "upload files, create and delete datasets",
    "datasets:*": "every datasets scope",
    "tune:read": "read fine-tuning jobs",
    "tune:write": "start and cancel fine-tuning jobs",
    "tune:*": "every fine-tuning scope",
    "inference": "call deployed models through the OpenAI-compatible API",
    "evals:read": "read criteria, runs and results",
    "evals:write": "create criteria and start runs",
    "evals:*": "every evaluation scope",
    "billing:read": "read usage, invoices and alerts",
    "billing:write": "set budgets and alert webhooks",
    "usage:write": "report my own usage (custom.* metrics only; never implied by a wildcard)",
    "audit:read": "read the audit trail",
    "profile:read": "read my profile (email, name, photo)",
}
