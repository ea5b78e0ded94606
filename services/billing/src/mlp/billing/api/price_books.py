"""Price books: operators (platform services) set them; a user reads the ones that apply to them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Request, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from mlp.billing.api.views import PriceBookPage, PriceBookView, PriceItemView, TierView
from mlp.billing.application.price_books import PriceBooks
from mlp.billing.domain.price_books import PriceBook
from mlp.billing.domain.pricing import PriceItem, Tier
from mlp.common.auth.litestar import SERVICE_ONLY, requires_scopes
from mlp.common.auth.principal import Principal

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
Moment = Annotated[datetime, msgspec.Meta(tz=True)]
"""A time with its zone (a naive time would not compare with the others)."""


class TierIn(msgspec.Struct, frozen=True, kw_only=True):
    up_to: Decimal | None = None
    unit_price: Decimal
    flat_fee: Decimal = Decimal(0)


class PriceItemIn(msgspec.Struct, frozen=True, kw_only=True):
    metric: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    model: Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
    unit_price: Decimal | None = None
    package_size: Decimal | None = None
    tiers: Annotated[list[TierIn], msgspec.Meta(max_length=32)] = msgspec.field(default_factory=list)
    free_quantity: Decimal = Decimal(0)


class PriceBookIn(msgspec.Struct, frozen=True, kw_only=True):
    name: Name
    currency: Currency
    user_id: uuid.UUID | None = None
    effective_from: Moment | None = None
    effective_to: Moment | None = None
    items: Annotated[list[PriceItemIn], msgspec.Meta(max_length=64)]


class PriceBookEnd(msgspec.Struct, frozen=True, kw_only=True):
    effective_to: Moment


def _item(i: PriceItemIn) -> PriceItem:
    tiers = tuple(Tier(t.up_to, t.unit_price, t.flat_fee) for t in i.tiers)
    return PriceItem(i.metric, i.model, i.unit_price, i.package_size, tiers, i.free_quantity)


def book_view(book: PriceBook) -> PriceBookView:
    return PriceBookView(
        id=book.id,
        name=book.name,
        currency=book.currency,
        user_id=book.user_id,
        effective_from=book.effective_from,
        effective_to=book.effective_to,
        items=[
            PriceItemView(
                metric=i.metric,
                model=i.model,
                unit_price=i.unit_price,
                package_size=i.package_size,
                tiers=[TierView(up_to=t.up_to, unit_price=t.unit_price, flat_fee=t.flat_fee) for t in i.tiers],
                free_quantity=i.free_quantity,
            )
            for i in book.items
        ],
    )


@post("/v1/price-books", opt=SERVICE_ONLY, tags=["pricing"], summary="Create a price book (default, or one user's)")
async def create_price_book(data: JSONBody[PriceBookIn], price_books: NamedDependency[PriceBooks]) -> PriceBookView:
    book = await price_books.create(
        data.name, data.currency, data.user_id, data.effective_from, data.effective_to, [_item(i) for i in data.items]
    )
    return book_view(book)


@patch("/v1/price-books/{book_id:uuid}", opt=SERVICE_ONLY, tags=["pricing"], summary="End a price book")
async def end_price_book(
    book_id: FromPath[uuid.UUID], data: JSONBody[PriceBookEnd], price_books: NamedDependency[PriceBooks]
) -> PriceBookView:
    return book_view(await price_books.end(book_id, data.effective_to))


@get(
    "/v1/price-books",
    opt=requires_scopes("billing:read"),
    tags=["pricing"],
    summary="The books that price the caller's usage: the default ones and the caller's own",
)
async def list_price_books(
    request: Request[Principal, Any, State], price_books: NamedDependency[PriceBooks]
) -> PriceBookPage:
    books = await price_books.visible_to(request.user.user_id)
    return PriceBookPage(data=[book_view(b) for b in books])
