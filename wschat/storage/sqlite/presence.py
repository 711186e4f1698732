"""The SQLite adapter for agent presence, open sockets and server processes (nodes)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from wschat.chat.models import AgentStatus
from wschat.chat.presence_store import PRESENCE_FIELDS, Presence
from wschat.records import Document
from wschat.storage.documents import presence_from, socket_doc
from wschat.storage.sqlite.base import SqliteStore, fetch_all, fetch_one
from wschat.storage.sqlite.tables import PRESENCE, SOCKETS
from wschat.storage.sqlite.values import to_time

_OWNED = f"{PRESENCE.select_sql()} WHERE id = ? AND tenant_id = ?"


class SqlitePresenceStore(SqliteStore):
    # -- agent status --------------------------------------------------------------------------------------

    async def get(self, tenant_id: str, user_id: str) -> Presence | None:
        doc = await self._one(PRESENCE, "id = ? AND tenant_id = ?", (user_id, tenant_id))
        return presence_from(doc) if doc else None

    async def of_tenant(self, tenant_id: str) -> list[Presence]:
        return [presence_from(doc) for doc in await self._all(PRESENCE, "tenant_id = ?", (tenant_id,))]

    async def update(self, tenant_id: str, user_id: str, values: dict[str, object]) -> Presence:
        unknown = set(values) - PRESENCE_FIELDS
        if unknown:
            raise ValueError(f"presence has no field {sorted(unknown)}")
        columns = {name: PRESENCE.column(name) for name in values}
        params = {name: column.encode(values[name]) for name, column in columns.items()}
        params |= {"id": user_id, "tenant_id": tenant_id}
        names = ["id", "tenant_id", *columns]
        sets = ", ".join(f"{name} = excluded.{name}" for name in columns) or "id = id"
        sql = (
            f"INSERT INTO presence ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
            f" ON CONFLICT (id) DO UPDATE SET {sets} WHERE tenant_id = excluded.tenant_id"
        )

        def upsert(conn: sqlite3.Connection) -> Presence:
            conn.execute(sql, params)
            doc = fetch_one(conn, PRESENCE, _OWNED, (user_id, tenant_id))
            if doc is None:  # the id belongs to another tenant's record: nothing was changed
                raise LookupError(f"no presence {user_id} in tenant {tenant_id}")
            return presence_from(doc)

        return await self._db.write(upsert)

    async def online_disconnected_before(self, before: datetime) -> list[Presence]:
        where = "status != ? AND disconnected_at <= ?"
        docs = await self._all(PRESENCE, where, (AgentStatus.OFFLINE.value, to_time(before)))
        return [presence_from(doc) for doc in docs]

    # -- sockets -------------------------------------------------------------------------------------------

    async def add_socket(
        self,
        sid: str,
        tenant_id: str,
        owner_id: str,
        kind: str,
        node_id: str,
        now: datetime,
        *,
        password_version: str | None = None,
        session_id: str | None = None,
    ) -> None:
        row = SOCKETS.encode(
            socket_doc(
                sid,
                tenant_id,
                owner_id,
                kind,
                node_id,
                now,
                password_version=password_version,
                session_id=session_id,
            )
        )
        await self._db.write(lambda conn: conn.execute(SOCKETS.insert_sql(), row).rowcount)

    async def remove_socket(self, sid: str) -> Document | None:
        sql = f"DELETE FROM sockets WHERE id = ? RETURNING {', '.join(SOCKETS.column_names)}"
        return await self._db.write(lambda conn: fetch_one(conn, SOCKETS, sql, (sid,)))

    async def sockets_of_node(self, node_id: str, kind: str | None = None) -> list[Document]:
        if kind is None:
            return await self._all(SOCKETS, "node_id = ?", (node_id,))
        return await self._all(SOCKETS, "node_id = ? AND kind = ?", (node_id, kind))

    async def socket_count(self, tenant_id: str, owner_id: str) -> int:
        sql = "SELECT count(*) FROM sockets WHERE owner_id = ? AND tenant_id = ?"
        row = await self._db.read(lambda conn: conn.execute(sql, (owner_id, tenant_id)).fetchone())
        return int(row[0])

    async def sockets_of(self, owner_id: str, kind: str, *, session_id: str | None = None) -> list[str]:
        params: tuple[str, ...]
        if session_id is None:
            sql, params = "SELECT id FROM sockets WHERE owner_id = ? AND kind = ?", (owner_id, kind)
        else:
            sql = "SELECT id FROM sockets WHERE owner_id = ? AND kind = ? AND session_id = ?"
            params = (owner_id, kind, session_id)
        return await self._db.read(lambda conn: [row[0] for row in conn.execute(sql, params)])

    async def live_sockets(self, sids: list[str]) -> set[str]:
        if not sids:
            return set()
        sql = f"SELECT id FROM sockets WHERE id IN ({', '.join('?' * len(sids))})"
        return await self._db.read(lambda conn: {row[0] for row in conn.execute(sql, sids)})

    async def announced(self, tenant_id: str) -> bool | None:
        sql = "SELECT online FROM tenant_presence WHERE id = ?"
        row = await self._db.read(lambda conn: conn.execute(sql, (tenant_id,)).fetchone())
        return bool(row[0]) if row else None

    async def set_announced(self, tenant_id: str, online: bool) -> None:
        sql = (
            "INSERT INTO tenant_presence (id, online) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET online = excluded.online"
        )
        await self._db.write(lambda conn: conn.execute(sql, (tenant_id, int(online))).rowcount)

    async def connected_owners(self, tenant_id: str, kind: str) -> set[str]:
        sql = "SELECT DISTINCT owner_id FROM sockets WHERE tenant_id = ? AND kind = ?"
        return await self._db.read(lambda conn: {row[0] for row in conn.execute(sql, (tenant_id, kind))})

    # -- nodes ---------------------------------------------------------------------------------------------

    async def heartbeat(self, node_id: str, now: datetime) -> bool:
        def beat(conn: sqlite3.Connection) -> bool:
            seen = to_time(now)
            if conn.execute("UPDATE nodes SET seen_at = ? WHERE id = ?", (seen, node_id)).rowcount:
                return True
            conn.execute("INSERT INTO nodes (id, seen_at) VALUES (?, ?)", (node_id, seen))
            return False

        return await self._db.write(beat)

    async def forget_node(self, node_id: str) -> list[Document]:
        def forget(conn: sqlite3.Connection) -> list[Document]:
            sql = f"DELETE FROM sockets WHERE node_id = ? RETURNING {', '.join(SOCKETS.column_names)}"
            sockets = fetch_all(conn, SOCKETS, sql, (node_id,))
            conn.execute("DELETE FROM nodes WHERE id = ?", (node_id,))
            return sockets

        return await self._db.write(forget)

    async def dead_nodes(self, before: datetime) -> list[str]:
        sql = "SELECT id FROM nodes WHERE seen_at < ?"
        return await self._db.read(lambda conn: [row[0] for row in conn.execute(sql, (to_time(before),))])
