"""Deny by default, on the real apps: every route of the four services declares who may call it,
and every route that is not public refuses a caller without credentials (401)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fakes import FakeFirebase
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from mlp.billing.app import create_app as billing_app
from mlp.billing.settings import BillingSettings
from mlp.common.auth.litestar import declares_access, public_path_pattern
from mlp.evaluation.app import create_app as evaluation_app
from mlp.evaluation.settings import EvaluationSettings
from mlp.identity.app import create_app as identity_app
from mlp.identity.settings import IdentitySettings
from mlp.registry.app import create_app as registry_app
from mlp.registry.settings import RegistrySettings

NOWHERE = "http://127.0.0.1:9"
AppFactory = Callable[[str], Litestar]

APPS: dict[str, AppFactory] = {
    "identity": lambda url: identity_app(
        IdentitySettings(database_url=url, log_level="WARNING", environment="development"), firebase=FakeFirebase()
    ),
    "registry": lambda url: registry_app(RegistrySettings(database_url=url, identity_url=NOWHERE, log_level="WARNING")),
    "evaluation": lambda url: evaluation_app(
        EvaluationSettings(database_url=url, identity_url=NOWHERE, log_level="WARNING")
    ),
    "billing": lambda url: billing_app(BillingSettings(database_url=url, identity_url=NOWHERE, log_level="WARNING")),
}
PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


def concrete(path: str) -> str:
    """A request path for a route template: a fresh UUID, 1 or ``x`` for each parameter."""
    values = {"uuid": str(uuid.uuid4()), "int": "1"}
    return PARAM.sub(lambda m: values.get(m.group(2) or "str", "x"), path)


def protected_endpoints(app: Litestar) -> list[tuple[str, str]]:
    """(method, path) of every route handler that is not public, checked to declare its access."""
    public = public_path_pattern()
    found = []
    for route in app.routes:
        assert isinstance(route, HTTPRoute), f"unexpected route kind at {route.path}"
        for handler in route.route_handlers:
            methods = set(handler.http_methods) - {"OPTIONS"}  # Litestar's own OPTIONS handlers
            if not methods or public.match(route.path) or handler.opt.get("public"):
                continue
            assert declares_access(handler.opt), f"{route.path} declares no access requirement"
            found += [(method, concrete(route.path)) for method in sorted(methods)]
    return found


@pytest.fixture(params=sorted(APPS))
async def service(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=APPS[request.param](database_url)) as client:
        yield client


async def test_every_protected_route_refuses_a_caller_without_credentials(
    service: AsyncTestClient[Litestar],
) -> None:
    endpoints = protected_endpoints(service.app)
    assert endpoints, "each service has at least one protected route"
    answers: dict[tuple[str, str], Any] = {}
    for method, path in endpoints:
        response = await service.request(method, path, json={} if method in ("POST", "PUT", "PATCH") else None)
        answers[(method, path)] = response.status_code
    assert set(answers.values()) == {401}, answers
