"""``/v1/invoices``: the caller's invoices, from the cache Stripe's webhooks keep up to date."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from mlp.billing.api.views import InvoicePage, InvoiceView
from mlp.billing.application.invoices import Invoices
from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal


@get("/v1/invoices", opt=requires_scopes("billing:read"), tags=["invoices"], summary="The caller's invoices")
async def list_invoices(
    request: Request[Principal, Any, State],
    invoices: NamedDependency[Invoices],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
) -> InvoicePage:
    rows = await invoices.of_user(request.user.user_id, limit)
    return InvoicePage(data=[msgspec.convert(r, InvoiceView) for r in rows])


@get("/v1/invoices/{invoice_id:uuid}", opt=requires_scopes("billing:read"), tags=["invoices"], summary="One invoice")
async def get_invoice(
    invoice_id: FromPath[uuid.UUID], request: Request[Principal, Any, State], invoices: NamedDependency[Invoices]
) -> InvoiceView:
    return msgspec.convert(await invoices.get(request.user.user_id, invoice_id), InvoiceView)
