"""The SQLite adapter for pending sign-ups: the address is unique, so one sign-up per address wins."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from wschat.signup.models import Signup
from wschat.storage.signup_documents import signup_doc, signup_from
from wschat.storage.sqlite.base import SqliteStore, fetch_one
from wschat.storage.sqlite.tables import SIGNUPS
from wschat.storage.sqlite.values import to_time


class SqliteSignupStore(SqliteStore):
    async def insert(self, signup: Signup) -> bool:
        row = SIGNUPS.encode(signup_doc(signup))
        sql = SIGNUPS.insert_sql() + " ON CONFLICT (email) DO NOTHING"
        return await self._db.write(lambda conn: conn.execute(sql, row).rowcount) == 1

    async def get(self, signup_id: str) -> Signup | None:
        doc = await self._one(SIGNUPS, "id = ?", (signup_id,))
        return signup_from(doc) if doc else None

    async def by_email(self, email: str) -> Signup | None:
        doc = await self._one(SIGNUPS, "email = ?", (email,))
        return signup_from(doc) if doc else None

    async def set_mail(self, signup_id: str, mail_id: str) -> None:
        sql = "UPDATE signups SET mail_id = ? WHERE id = ?"
        await self._db.write(lambda conn: conn.execute(sql, (mail_id, signup_id)).rowcount)

    async def take(self, signup_id: str) -> Signup | None:
        def job(conn: sqlite3.Connection) -> Signup | None:
            doc = fetch_one(conn, SIGNUPS, f"{SIGNUPS.select_sql()} WHERE id = ?", (signup_id,))
            if doc is None:
                return None
            conn.execute("DELETE FROM signups WHERE id = ?", (signup_id,))
            if doc["mail_id"] is not None:
                conn.execute("DELETE FROM outbox_transitions WHERE mail_id = ?", (doc["mail_id"],))
                conn.execute("DELETE FROM outbox WHERE id = ?", (doc["mail_id"],))
            return signup_from(doc)

        return await self._db.write(job)

    async def expired(self, now: datetime, limit: int) -> list[str]:
        sql = "SELECT id FROM signups WHERE expires_at <= ? ORDER BY expires_at LIMIT ?"
        rows = await self._db.read(lambda conn: conn.execute(sql, (to_time(now), limit)).fetchall())
        return [row[0] for row in rows]
