"""My user: profile, and account deletion."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody

from mlp.common.auth.litestar import USER_SESSION, requires_scopes
from mlp.common.auth.principal import Principal
from mlp.identity.api.views import MeView, me_view
from mlp.identity.application.accounts import Accounts

Caller = Request[Principal, Any, Any]


class ProfileUpdate(msgspec.Struct, forbid_unknown_fields=True):
    display_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    photo_url: Annotated[str, msgspec.Meta(max_length=2048, pattern=r"^https://")] | msgspec.UnsetType = msgspec.UNSET


@get("/v1/me", tags=["me"], opt=requires_scopes("profile:read"), summary="My profile")
async def get_me(request: Caller, accounts: NamedDependency[Accounts]) -> MeView:
    return me_view(await accounts.profile(request.user.user_id))


@patch("/v1/me", tags=["me"], opt=USER_SESSION, summary="Update my profile")
async def update_me(request: Caller, data: JSONBody[ProfileUpdate], accounts: NamedDependency[Accounts]) -> MeView:
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    return me_view(await accounts.update_profile(request.user.user_id, changes))


@delete("/v1/me", tags=["me"], opt=USER_SESSION, summary="Delete my account (and, across services, my data)")
async def delete_me(request: Caller, accounts: NamedDependency[Accounts]) -> None:
    await accounts.delete(request.user.user_id)
