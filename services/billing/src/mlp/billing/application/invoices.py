"""Reading the invoice cache (written only by Stripe's webhooks)."""

from __future__ import annotations

import uuid
from typing import Any

from mlp.billing.application.ports import Transactions
from mlp.billing.domain.errors import NotFound


class Invoices:
    def __init__(self, transactions: Transactions) -> None:
        self._tx = transactions

    async def of_user(self, user_id: uuid.UUID, limit: int) -> list[dict[str, Any]]:
        async with self._tx() as tx:
            return await tx.invoices.of_user(user_id, limit)

    async def get(self, user_id: uuid.UUID, invoice_id: uuid.UUID) -> dict[str, Any]:
        async with self._tx() as tx:
            found = await tx.invoices.get(user_id, invoice_id)
        if found is None:
            raise NotFound("not-found", "no such invoice")
        return found
