"""The SQLite adapter for appointments (wschat/appointments/store.py).

A booking is one write transaction: the appointment's row, then a claim per cell; a claim whose key is
stored already fails the insert (the primary key), and the transaction's savepoint undoes the whole
booking. Cancelling claims the change, marks the row and deletes its cells in one transaction too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from wschat.appointments.store import Taken, claim_rows
from wschat.records import Document
from wschat.storage.sqlite.appointment_tables import (
    APPOINTMENT_CLAIMS,
    APPOINTMENT_HOURS,
    APPOINTMENT_SETTINGS,
    APPOINTMENT_TYPES,
    APPOINTMENTS,
)
from wschat.storage.sqlite.base import SqliteStore, fetch_all, fetch_one
from wschat.storage.sqlite.deletion import marks
from wschat.storage.sqlite.tables import Table
from wschat.storage.sqlite.values import to_time


def _upsert(table: Table) -> str:
    names = [c for c in table.column_names if c != "id"]
    updates = ", ".join(f"{n} = excluded.{n}" for n in names)
    return f"{table.insert_sql()} ON CONFLICT (id) DO UPDATE SET {updates}"


class SqliteAppointmentStore(SqliteStore):
    async def put_type(self, doc: Document) -> None:
        await self._put(APPOINTMENT_TYPES, doc)

    async def type_of(self, tenant_id: str, type_id: str) -> Document | None:
        return await self._one(APPOINTMENT_TYPES, "id = ? AND tenant_id = ?", (type_id, tenant_id))

    async def types(self, tenant_id: str) -> list[Document]:
        return await self._all(APPOINTMENT_TYPES, "tenant_id = ? ORDER BY created_at, id", (tenant_id,))

    async def delete_type(self, tenant_id: str, type_id: str) -> bool:
        sql = "DELETE FROM appointment_types WHERE id = ? AND tenant_id = ?"
        return await self._db.write(lambda conn: conn.execute(sql, (type_id, tenant_id)).rowcount) == 1

    async def put_hours(self, doc: Document) -> None:
        await self._put(APPOINTMENT_HOURS, doc)

    async def hours(self, tenant_id: str, agent_ids: Sequence[str]) -> list[Document]:
        if not agent_ids:
            return []
        where = f"tenant_id = ? AND agent_id IN ({marks(agent_ids)})"
        return await self._all(APPOINTMENT_HOURS, where, (tenant_id, *agent_ids))

    async def put_settings(self, doc: Document) -> None:
        await self._put(APPOINTMENT_SETTINGS, doc)

    async def settings(self, tenant_id: str) -> Document | None:
        return await self._one(APPOINTMENT_SETTINGS, "id = ? AND tenant_id = ?", (tenant_id, tenant_id))

    async def _put(self, table: Table, doc: Document) -> None:
        row, sql = table.encode(doc), _upsert(table)
        tenant = doc["tenant_id"]

        def put(conn: sqlite3.Connection) -> None:
            # An id stored for another tenant is never overwritten (ids are random; this is a guard).
            held = conn.execute(f"SELECT tenant_id FROM {table.name} WHERE id = ?", (doc["_id"],)).fetchone()
            if held is not None and held[0] != tenant:
                raise ValueError("the id belongs to another tenant")
            conn.execute(sql, row)

        await self._db.write(put)

    async def book(self, doc: Document, cells: Sequence[datetime]) -> None:
        row = APPOINTMENTS.encode(doc)
        claims = [APPOINTMENT_CLAIMS.encode(claim) for claim in claim_rows(doc, cells)]

        def book(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(APPOINTMENTS.insert_sql(), row)
                conn.executemany(APPOINTMENT_CLAIMS.insert_sql(), claims)
            except sqlite3.IntegrityError as e:
                raise Taken() from e

        await self._db.write(book)

    async def appointment(self, tenant_id: str, appointment_id: str) -> Document | None:
        return await self._one(APPOINTMENTS, "id = ? AND tenant_id = ?", (appointment_id, tenant_id))

    async def cancel(
        self, tenant_id: str, appointment_id: str, sequence: int, changes: Document
    ) -> Document | None:
        values = {name: APPOINTMENTS.column(name).encode(value) for name, value in changes.items()}
        assignments = "".join(f"{name} = :{name}, " for name in values)
        update = (
            f"UPDATE appointments SET {assignments}status = 'cancelled', sequence = sequence + 1,"
            " remind_at = NULL"
            " WHERE id = :_id AND tenant_id = :_tenant AND status = 'booked' AND sequence = :_sequence"
        )
        params: dict[str, Any] = values | {"_id": appointment_id, "_tenant": tenant_id, "_sequence": sequence}
        release = (
            "DELETE FROM appointment_claims WHERE tenant_id = ? AND appointment_id = ? AND at IS NOT NULL"
        )
        select = f"{APPOINTMENTS.select_sql()} WHERE id = ? AND tenant_id = ?"

        def cancel(conn: sqlite3.Connection) -> Document | None:
            if conn.execute(update, params).rowcount != 1:
                return None
            conn.execute(release, (tenant_id, appointment_id))
            return fetch_one(conn, APPOINTMENTS, select, (appointment_id, tenant_id))

        return await self._db.write(cancel)

    async def move(self, before: Document, changes: Document, cells: Sequence[datetime]) -> Document | None:
        tenant_id, appointment_id = before["tenant_id"], before["_id"]
        values = {name: APPOINTMENTS.column(name).encode(value) for name, value in changes.items()}
        assignments = "".join(f"{name} = :{name}, " for name in values)
        update = (
            f"UPDATE appointments SET {assignments}sequence = sequence + 1"
            " WHERE id = :_id AND tenant_id = :_tenant AND status = 'booked' AND sequence = :_sequence"
        )
        params = values | {"_id": appointment_id, "_tenant": tenant_id, "_sequence": before["sequence"]}
        wanted = {row["_id"]: row for row in claim_rows(before | changes, cells)}
        held_sql = (
            "SELECT id FROM appointment_claims WHERE tenant_id = ? AND appointment_id = ? AND at IS NOT NULL"
        )
        select = f"{APPOINTMENTS.select_sql()} WHERE id = ? AND tenant_id = ?"

        def move(conn: sqlite3.Connection) -> Document | None:
            if conn.execute(update, params).rowcount != 1:
                return None
            held = {row[0] for row in conn.execute(held_sql, (tenant_id, appointment_id))}
            new = [APPOINTMENT_CLAIMS.encode(row) for key, row in wanted.items() if key not in held]
            try:
                conn.executemany(APPOINTMENT_CLAIMS.insert_sql(), new)
            except sqlite3.IntegrityError as e:
                raise Taken() from e  # the whole transaction is undone
            gone = sorted(held - set(wanted))
            if gone:
                conn.execute(
                    f"DELETE FROM appointment_claims WHERE tenant_id = ? AND id IN ({marks(gone)})",
                    (tenant_id, *gone),
                )
            return fetch_one(conn, APPOINTMENTS, select, (appointment_id, tenant_id))

        return await self._db.write(move)

    async def repair(self, before: datetime, limit: int) -> int:
        return 0  # every booking and change is one transaction: none is left halfway

    async def taken(
        self, tenant_id: str, agent_ids: Sequence[str], since: datetime, until: datetime
    ) -> dict[str, list[datetime]]:
        found: dict[str, list[datetime]] = {agent: [] for agent in agent_ids}
        if not agent_ids:
            return found
        sql = (
            "SELECT agent_id, at, id, tenant_id, appointment_id FROM appointment_claims"
            f" WHERE tenant_id = ? AND agent_id IN ({marks(agent_ids)}) AND at >= ? AND at < ?"
        )
        params = (tenant_id, *agent_ids, to_time(since), to_time(until))
        rows = await self._db.read(lambda conn: fetch_all(conn, APPOINTMENT_CLAIMS, sql, params))
        for claim in rows:
            found[claim["agent_id"]].append(claim["at"])
        return found

    async def between(
        self, tenant_id: str, since: datetime, until: datetime, agent_id: str | None = None
    ) -> list[Document]:
        params: list[Any] = [tenant_id]
        if agent_id is not None:
            params.append(agent_id)
        among = " AND agent_id = ?" if agent_id is not None else ""
        sql = f"tenant_id = ?{among} AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, id"
        return await self._all(APPOINTMENTS, sql, (*params, to_time(since), to_time(until)))

    async def due_reminders(self, now: datetime, limit: int) -> list[Document]:
        where = "remind_at IS NOT NULL AND remind_at <= ? ORDER BY remind_at LIMIT ?"
        return await self._all(APPOINTMENTS, where, (to_time(now), limit))

    async def reminded(self, tenant_id: str, appointment_id: str) -> bool:
        sql = (
            "UPDATE appointments SET remind_at = NULL"
            " WHERE id = ? AND tenant_id = ? AND remind_at IS NOT NULL AND status = 'booked'"
        )
        return await self._db.write(lambda conn: conn.execute(sql, (appointment_id, tenant_id)).rowcount) == 1

    async def of_visitor(self, tenant_id: str, visitor_id: str) -> list[Document]:
        return await self._all(
            APPOINTMENTS, "tenant_id = ? AND visitor_id = ? ORDER BY starts_at", (tenant_id, visitor_id)
        )

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[Document]:
        where = "tenant_id = ? AND conversation_id = ? ORDER BY starts_at"
        return await self._all(APPOINTMENTS, where, (tenant_id, conversation_id))

    async def delete_of_visitor(self, tenant_id: str, visitor_id: str) -> int:
        sql = "SELECT id FROM appointments WHERE tenant_id = ? AND visitor_id = ?"
        return await self._db.write(
            lambda conn: delete_appointments(conn, tenant_id, sql, (tenant_id, visitor_id))
        )

    async def delete_ended_before(self, tenant_id: str, before: datetime, limit: int) -> int:
        sql = "SELECT id FROM appointments WHERE tenant_id = ? AND ends_at < ? ORDER BY ends_at LIMIT ?"
        params = (tenant_id, to_time(before), limit)
        return await self._db.write(lambda conn: delete_appointments(conn, tenant_id, sql, params))


def delete_appointments(conn: sqlite3.Connection, tenant_id: str, sql: str, params: Sequence[Any]) -> int:
    """The appointments ``sql`` selects (by id), with their claims, inside the caller's transaction."""
    ids = [row[0] for row in conn.execute(sql, params)]
    if not ids:
        return 0
    among = marks(ids)
    conn.execute(
        f"DELETE FROM appointment_claims WHERE tenant_id = ? AND appointment_id IN ({among})",
        (tenant_id, *ids),
    )
    return int(conn.execute(f"DELETE FROM appointments WHERE id IN ({among})", ids).rowcount)
