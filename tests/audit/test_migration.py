"""One log: the export records of before the audit log become its ``archive.exported`` entries, on SQLite by
schema step 12 (a file of version 11 that holds exports) and on MongoDB when the database is opened (once,
also after a move that was cut short)."""

from __future__ import annotations

import json
import secrets
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from wschat.audit.store import AuditFilter
from wschat.database_url import DatabaseUrl
from wschat.records import Document
from wschat.storage import open_database
from wschat.storage.sqlite import schema
from wschat.storage.sqlite.database import prepare

_EXPORT = (
    "INSERT INTO export_audit (id, tenant_id, user_id, user_name, format, filter, rows, at)"
    " VALUES (?, 'ten_1', ?, ?, ?, ?, ?, ?)"
)
_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _file_at_version_11(path: Path) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for step in schema.MIGRATIONS[:11]:
            for statement in step:
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 11")
        conn.execute(
            "INSERT INTO tenants (id, slug, name, plan, status, created_at) VALUES ('ten_1', 'acme', "
            "'Acme', 'contract', 'active', 1)"
        )
        micros = int(_AT.timestamp() * 1_000_000)
        conn.execute(
            _EXPORT,
            ("exp_1", "usr_0123456789abcdef", "Anna", "csv", json.dumps({"q": "Lieferung"}), 3, micros),
        )
        conn.execute(_EXPORT, ("exp_2", "operator", "operator (wschat export)", "jsonl", "{}", 7, micros + 1))


async def test_step_12_makes_the_export_records_entries_of_the_audit_log(tmp_path: Path) -> None:
    path = tmp_path / "wschat.db"
    _file_at_version_11(path)

    prepare(path)

    with closing(sqlite3.connect(path)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert "export_audit" not in tables
    db = await open_database(DatabaseUrl.parse(f"sqlite://{path}"))
    try:
        entries = await db.stores.audit.page("ten_1", AuditFilter(action="archive.exported"), 10)
    finally:
        await db.close()
    assert [_shown(e) for e in entries] == [
        ("exp_2", "operator", "operator", "", {"format": "jsonl", "filter": {}, "rows": 7}),
        (
            "exp_1",
            "admin",
            "usr_0123456789abcdef",
            "Anna",
            {"format": "csv", "filter": {"q": "Lieferung"}, "rows": 3},
        ),
    ]
    assert entries[1]["at"] == _AT
    assert {(e["target_kind"], e["target_id"], e["family"]) for e in entries} == {
        ("tenant", "ten_1", "archive")
    }


async def test_mongodb_export_records_move_into_the_audit_log_once(mongodb_uri: str) -> None:
    name = f"test_{secrets.token_hex(6)}"
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongodb_uri, tz_aware=True)
    old = [
        {
            "_id": "exp_1",
            "tenant_id": "ten_1",
            "user_id": "usr_0123456789abcdef",
            "user_name": "Anna",
            "format": "csv",
            "filter": {"q": "Lieferung"},
            "rows": 3,
            "at": _AT,
        },
        {
            "_id": "exp_2",
            "tenant_id": "ten_1",
            "user_id": "operator",
            "user_name": "operator (wschat export)",
            "format": "jsonl",
            "filter": {},
            "rows": 7,
            "at": _AT.replace(second=1),
        },
    ]
    try:
        await client[name]["export_audit"].insert_many([dict(doc) for doc in old])
        await _open_and_close(mongodb_uri, name)
        assert "export_audit" not in await client[name].list_collection_names()
        # A move cut short after some entries were written: the next start finishes it without doubles.
        await client[name]["export_audit"].insert_many([dict(doc) for doc in old])
        await client[name]["audit_log"].delete_one({"_id": "exp_2"})
        entries = await _open_and_close(mongodb_uri, name)
        await _open_and_close(mongodb_uri, name)  # and a start with nothing to move changes nothing
        assert [_shown(e) for e in entries] == [
            ("exp_2", "operator", "operator", "", {"format": "jsonl", "filter": {}, "rows": 7}),
            (
                "exp_1",
                "admin",
                "usr_0123456789abcdef",
                "Anna",
                {"format": "csv", "filter": {"q": "Lieferung"}, "rows": 3},
            ),
        ]
        assert await client[name]["audit_log"].count_documents({}) == 2
        assert "export_audit" not in await client[name].list_collection_names()
    finally:
        await client.drop_database(name)
        await client.close()


async def _open_and_close(uri: str, name: str) -> list[Document]:
    db = await open_database(DatabaseUrl.parse(uri), mongo_database=name)
    try:
        return await db.stores.audit.page("ten_1", AuditFilter(), 10)
    finally:
        await db.close()


def _shown(entry: dict[str, Any]) -> tuple[Any, ...]:
    return (entry["_id"], entry["actor_kind"], entry["actor_id"], entry["actor_name"], entry["details"])
