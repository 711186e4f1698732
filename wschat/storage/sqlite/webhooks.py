"""The SQLite adapter for webhook endpoints and deliveries (wschat/webhooks/store.py).

Every statement is answered through an index of the webhooks step (``tests/storage/test_webhook_plans.py``):
the worker's pending deliveries through the partial ``webhook_deliveries_due``, the console's pages through
``webhook_deliveries_tenant`` / ``_endpoint`` keyset by ``(created_at, id)``.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from wschat.storage.sqlite.base import SqliteStore, fetch_all, replace_row
from wschat.storage.sqlite.tables import WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS
from wschat.storage.sqlite.values import to_time
from wschat.storage.webhook_documents import (
    delivery_doc,
    delivery_from,
    delivery_state,
    endpoint_doc,
    endpoint_from,
)
from wschat.webhooks.models import Delivery, Endpoint

# Spelled as in the partial index webhook_deliveries_due, so that SQLite answers the query from it.
_DUE = "status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?"
_ORDER = " ORDER BY created_at DESC, id DESC LIMIT ?"
_OLDER = (
    "DELETE FROM webhook_deliveries WHERE rowid IN"
    " (SELECT rowid FROM webhook_deliveries WHERE created_at < ? ORDER BY created_at LIMIT ?)"
)


class SqliteEndpointStore(SqliteStore):
    async def insert(self, endpoint: Endpoint) -> None:
        row = WEBHOOK_ENDPOINTS.encode(endpoint_doc(endpoint))
        await self._db.write(lambda conn: conn.execute(WEBHOOK_ENDPOINTS.insert_sql(), row).rowcount)

    async def get(self, tenant_id: str, endpoint_id: str) -> Endpoint | None:
        doc = await self._one(WEBHOOK_ENDPOINTS, "id = ? AND tenant_id = ?", (endpoint_id, tenant_id))
        return endpoint_from(doc) if doc else None

    async def of_tenant(self, tenant_id: str) -> list[Endpoint]:
        where = "tenant_id = ? ORDER BY created_at, id"
        return [endpoint_from(doc) for doc in await self._all(WEBHOOK_ENDPOINTS, where, (tenant_id,))]

    async def replace(self, endpoint: Endpoint) -> bool:
        doc = endpoint_doc(endpoint)

        def store(conn: sqlite3.Connection) -> bool:
            found = "SELECT 1 FROM webhook_endpoints WHERE id = ? AND tenant_id = ?"
            if conn.execute(found, (endpoint.id, endpoint.tenant_id)).fetchone() is None:
                return False
            replace_row(conn, WEBHOOK_ENDPOINTS, doc)
            return True

        return await self._db.write(store)

    async def delete(self, tenant_id: str, endpoint_id: str) -> bool:
        # Its deliveries go with it (ON DELETE CASCADE, through webhook_deliveries_endpoint).
        sql = "DELETE FROM webhook_endpoints WHERE id = ? AND tenant_id = ?"
        return await self._db.write(lambda conn: conn.execute(sql, (endpoint_id, tenant_id)).rowcount) == 1


class SqliteDeliveryStore(SqliteStore):
    async def insert(self, delivery: Delivery) -> bool:
        row = WEBHOOK_DELIVERIES.encode(delivery_doc(delivery))
        sql = WEBHOOK_DELIVERIES.insert_sql(skip_known_id=True)
        return await self._db.write(lambda conn: conn.execute(sql, row).rowcount) == 1

    async def get(self, tenant_id: str, delivery_id: str) -> Delivery | None:
        doc = await self._one(WEBHOOK_DELIVERIES, "id = ? AND tenant_id = ?", (delivery_id, tenant_id))
        return delivery_from(doc) if doc else None

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        docs = await self._all(WEBHOOK_DELIVERIES, _DUE, (to_time(now), limit))
        return [delivery_from(doc) for doc in docs]

    async def update(self, delivery: Delivery) -> bool:
        state = delivery_state(delivery)
        columns = {name: WEBHOOK_DELIVERIES.column(name) for name in state}
        assignments = ", ".join(f"{name} = :{name}" for name in columns)
        params = {name: column.encode(state[name]) for name, column in columns.items()}
        params |= {"_id": delivery.id, "_tenant": delivery.tenant_id}
        sql = f"UPDATE webhook_deliveries SET {assignments} WHERE id = :_id AND tenant_id = :_tenant"
        return await self._db.write(lambda conn: conn.execute(sql, params).rowcount) == 1

    async def page(
        self, tenant_id: str, endpoint_id: str | None, before: Delivery | None, limit: int
    ) -> list[Delivery]:
        where, params = "tenant_id = ?", list[object]([tenant_id])
        if endpoint_id is not None:
            where += " AND endpoint_id = ?"
            params.append(endpoint_id)
        if before is not None:
            where += " AND (created_at, id) < (?, ?)"
            params += [to_time(before.created_at), before.id]
        sql = f"{WEBHOOK_DELIVERIES.select_sql()} WHERE {where}{_ORDER}"
        docs = await self._db.read(lambda conn: fetch_all(conn, WEBHOOK_DELIVERIES, sql, [*params, limit]))
        return [delivery_from(doc) for doc in docs]

    async def delete_older(self, before: datetime, limit: int) -> int:
        params = (to_time(before), limit)
        return await self._db.write(lambda conn: conn.execute(_OLDER, params).rowcount)

    async def forget_visitor(self, tenant_id: str, visitor_id: str) -> int:
        sql = "DELETE FROM webhook_deliveries WHERE tenant_id = ? AND visitor_id = ?"
        return await self._db.write(lambda conn: conn.execute(sql, (tenant_id, visitor_id)).rowcount)

    async def depth(self) -> dict[str, int]:
        def count(conn: sqlite3.Connection) -> dict[str, int]:
            total, tried = conn.execute(_DEPTH).fetchone()
            return {"queued": total - (tried or 0), "retrying": tried or 0}

        return await self._db.read(count)


#: Through ``webhook_deliveries_due``, which holds the pending deliveries only (every one has a next try).
_DEPTH = (
    "SELECT count(*), sum(attempts > 0) FROM webhook_deliveries"
    " WHERE status = 'pending' AND next_attempt_at IS NOT NULL"
)
