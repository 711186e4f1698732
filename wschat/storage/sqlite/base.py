"""What every SQLite store shares: reading documents of one table, and changing fields of a row."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from wschat.records import Document
from wschat.storage.sqlite.connections import Connections
from wschat.storage.sqlite.tables import Table


class SqliteStore:
    def __init__(self, db: Connections) -> None:
        self._db = db

    async def _one(
        self, table: Table, where: str, params: Sequence[Any] | Mapping[str, Any]
    ) -> Document | None:
        sql = f"{table.select_sql()} WHERE {where}"
        return await self._db.read(lambda conn: fetch_one(conn, table, sql, params))

    async def _all(
        self, table: Table, where: str, params: Sequence[Any] | Mapping[str, Any]
    ) -> list[Document]:
        sql = f"{table.select_sql()} WHERE {where}"
        return await self._db.read(lambda conn: fetch_all(conn, table, sql, params))


def fetch_one(
    conn: sqlite3.Connection, table: Table, sql: str, params: Sequence[Any] | Mapping[str, Any]
) -> Document | None:
    row = conn.execute(sql, params).fetchone()
    return table.decode(row) if row is not None else None


def fetch_all(
    conn: sqlite3.Connection, table: Table, sql: str, params: Sequence[Any] | Mapping[str, Any]
) -> list[Document]:
    return [table.decode(row) for row in conn.execute(sql, params)]


def by_id(conn: sqlite3.Connection, table: Table, row_id: str) -> Document | None:
    return fetch_one(conn, table, f"{table.select_sql()} WHERE id = ?", (row_id,))


def set_columns(conn: sqlite3.Connection, table: Table, row_id: str, values: Mapping[str, Any]) -> bool:
    """Sets top-level fields of one row (names checked against the table); True if the row exists."""
    if not values:
        return by_id(conn, table, row_id) is not None
    columns = {name: table.column(name) for name in values}
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    params = {name: column.encode(values[name]) for name, column in columns.items()}
    params["_row_id"] = row_id
    return conn.execute(f"UPDATE {table.name} SET {assignments} WHERE id = :_row_id", params).rowcount == 1


def apply_paths(doc: Document, changes: Mapping[str, Any], removals: Sequence[str] = ()) -> Document:
    """``doc`` with dotted-path changes applied (``{"settings.auto_assign": False}``), as MongoDB's
    ``$set``/``$unset`` would; run inside the writer's transaction, that is one atomic update."""
    for path, value in changes.items():
        *parents, name = path.split(".")
        _holder(doc, parents)[name] = value
    for path in removals:
        *parents, name = path.split(".")
        _holder(doc, parents).pop(name, None)
    return doc


def _holder(doc: Document, parents: list[str]) -> Document:
    holder = doc
    for parent in parents:
        inner = holder.get(parent)
        if not isinstance(inner, dict):
            inner = {}
            holder[parent] = inner
        holder = inner
    return holder


def replace_row(conn: sqlite3.Connection, table: Table, doc: Document) -> None:
    row = table.encode(doc)
    assignments = ", ".join(f"{name} = :{name}" for name in row if name != "id")
    conn.execute(f"UPDATE {table.name} SET {assignments} WHERE id = :id", row)


def claim_and_apply(
    claims: Table,
    claim: Document,
    table: Table,
    row_id: str,
    tenant_id: str,
    epoch: int,
    state: Mapping[str, Any],
    superseded: type[Exception],
) -> Callable[[sqlite3.Connection], Document]:
    """A writer job for a claimed state change: insert ``claim`` into ``claims`` (its epoch is unique per
    record), then move the row from ``epoch`` to the next with ``state``; raises ``superseded`` if either
    finds that someone came first (the job's savepoint then undoes both). Returns the row as stored."""
    columns = {name: table.column(name) for name in state}
    assignments = "".join(f"{name} = :{name}, " for name in columns)
    params = {name: column.encode(state[name]) for name, column in columns.items()}
    params |= {"_id": row_id, "_tenant": tenant_id, "_epoch": epoch}
    update = (
        f"UPDATE {table.name} SET {assignments}epoch = epoch + 1"
        " WHERE id = :_id AND tenant_id = :_tenant AND epoch = :_epoch"
    )
    claim_row = claims.encode(claim)
    select = f"{table.select_sql()} WHERE id = ? AND tenant_id = ?"

    def job(conn: sqlite3.Connection) -> Document:
        try:
            conn.execute(claims.insert_sql(), claim_row)
        except sqlite3.IntegrityError as e:
            raise superseded() from e
        if conn.execute(update, params).rowcount != 1:
            raise superseded()
        doc = fetch_one(conn, table, select, (row_id, tenant_id))
        assert doc is not None
        return doc

    return job
