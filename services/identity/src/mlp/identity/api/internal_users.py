"""``GET /internal/v1/users/{user_id}``: a user's contact email, for the platform's own services.

Billing names a user's Stripe customer with it. It is the platform's own need, not a user's
request a service carries out, so it takes a service token (no delegated user scope); a deleted or
unknown user is a 404.
"""

from __future__ import annotations

import uuid

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath

from mlp.common.auth.litestar import SERVICE_ONLY
from mlp.identity.application.accounts import Accounts


class UserContactView(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    email: str | None


@get("/internal/v1/users/{user_id:uuid}", tags=["internal"], opt=SERVICE_ONLY, summary="A user's contact email")
async def user_contact(user_id: FromPath[uuid.UUID], accounts: NamedDependency[Accounts]) -> UserContactView:
    user = await accounts.profile(user_id)
    return UserContactView(id=user.id, email=user.email)
