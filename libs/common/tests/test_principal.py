"""Scopes: exact, wildcard per family, and nothing broader than granted."""

import uuid

import pytest

from mlp.common.auth.principal import Principal, scope_grants


@pytest.mark.parametrize(
    ("granted", "wanted", "expected"),
    [
        ("models:read", "models:read", True),
        ("models:read", "models:write", False),
        ("datasets:*", "datasets:write", True),
        ("datasets:*", "datasetsx:write", False),
        ("datasets:*", "models:read", False),
        ("*", "billing:read", True),
        ("inference", "inference", True),
        ("*", "usage:write", False),  # opt-in: a session's * does not report usage
        ("usage:*", "usage:write", False),
        ("usage:write", "usage:write", True),
    ],
)
def test_scope_grants(granted: str, wanted: str, expected: bool) -> None:
    assert scope_grants(granted, wanted) is expected


def test_missing_scopes_lists_what_is_not_granted() -> None:
    principal = Principal(user_id=uuid.uuid4(), scopes=("models:read", "evals:*"))
    assert principal.missing_scopes(("models:read", "evals:run", "billing:read")) == ("billing:read",)


def test_service_principal_has_nil_user() -> None:
    service = Principal.for_service("billing")
    assert service.kind == "service"
    assert service.user_id.int == 0
