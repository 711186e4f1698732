"""The SQLite adapter for tenants and users. Every query on tenant data is scoped to its tenant."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from wschat.accounts.models import RevokedSession, Role, Tenant, TenantStatus, User
from wschat.errors import Conflict
from wschat.storage.account_documents import revoked_docs, tenant_doc, tenant_from, user_doc, user_from
from wschat.storage.sqlite.base import SqliteStore, apply_paths, by_id, fetch_one, replace_row, set_columns
from wschat.storage.sqlite.tables import TENANTS, USERS
from wschat.storage.sqlite.values import to_json, to_time


class SqliteTenantStore(SqliteStore):
    async def insert(self, tenant: Tenant) -> None:
        row = TENANTS.encode(tenant_doc(tenant))
        try:
            await self._db.write(lambda conn: conn.execute(TENANTS.insert_sql(), row))
        except sqlite3.IntegrityError as e:
            raise Conflict(f"A tenant with the slug {tenant.slug!r} exists already.") from e

    async def by_slug(self, slug: str) -> Tenant | None:
        doc = await self._one(TENANTS, "slug = ?", (slug,))
        return tenant_from(doc) if doc else None

    async def by_id(self, tenant_id: str) -> Tenant | None:
        doc = await self._one(TENANTS, "id = ?", (tenant_id,))
        return tenant_from(doc) if doc else None

    async def all(self) -> list[Tenant]:
        return [tenant_from(doc) for doc in await self._all(TENANTS, "1 ORDER BY slug", ())]

    async def any_exists(self) -> bool:
        row = await self._db.read(lambda conn: conn.execute("SELECT 1 FROM tenants LIMIT 1").fetchone())
        return row is not None

    async def update(
        self, tenant_id: str, changes: dict[str, Any], removals: Sequence[str] = ()
    ) -> Tenant | None:
        def change(conn: sqlite3.Connection) -> Tenant | None:
            doc = by_id(conn, TENANTS, tenant_id)
            if doc is None:
                return None
            replace_row(conn, TENANTS, apply_paths(doc, changes, removals))
            stored = by_id(conn, TENANTS, tenant_id)
            return tenant_from(stored) if stored else None

        return await self._db.write(change)

    async def set_status(self, slug: str, status: TenantStatus, now: datetime) -> Tenant | None:
        def change(conn: sqlite3.Connection) -> Tenant | None:
            conn.execute(
                "UPDATE tenants SET status = ?, updated_at = ? WHERE slug = ?",
                (status.value, to_time(now), slug),
            )
            doc = fetch_one(conn, TENANTS, f"{TENANTS.select_sql()} WHERE slug = ?", (slug,))
            return tenant_from(doc) if doc else None

        return await self._db.write(change)


class SqliteUserStore(SqliteStore):
    async def insert(self, user: User) -> None:
        row = USERS.encode(user_doc(user))
        try:
            await self._db.write(lambda conn: conn.execute(USERS.insert_sql(), row))
        except sqlite3.IntegrityError as e:
            raise Conflict(f"The login {user.login!r} is taken in this tenant.") from e

    async def by_id(self, tenant_id: str, user_id: str) -> User | None:
        doc = await self._one(USERS, "id = ? AND tenant_id = ?", (user_id, tenant_id))
        return user_from(doc) if doc else None

    async def by_login(self, tenant_id: str, login: str) -> User | None:
        doc = await self._one(USERS, "tenant_id = ? AND login = ?", (tenant_id, login))
        return user_from(doc) if doc else None

    async def all(self, tenant_id: str) -> list[User]:
        return [
            user_from(doc) for doc in await self._all(USERS, "tenant_id = ? ORDER BY login", (tenant_id,))
        ]

    async def count_active_admins(self, tenant_id: str) -> int:
        sql = "SELECT count(*) FROM users WHERE tenant_id = ? AND role = ? AND disabled = 0"
        row = await self._db.read(lambda conn: conn.execute(sql, (tenant_id, Role.ADMIN.value)).fetchone())
        return int(row[0])

    async def update(self, tenant_id: str, user_id: str, changes: dict[str, Any]) -> User | None:
        def change(conn: sqlite3.Connection) -> User | None:
            doc = by_id(conn, USERS, user_id)
            if doc is None or doc["tenant_id"] != tenant_id:
                return None
            set_columns(conn, USERS, user_id, changes)
            stored = by_id(conn, USERS, user_id)
            return user_from(stored) if stored else None

        return await self._db.write(change)

    async def set_revoked_sessions(self, user: User, sessions: Iterable[RevokedSession]) -> bool:
        seen = to_json(revoked_docs(user.revoked_sessions))
        new = to_json(revoked_docs(sessions))
        sql = "UPDATE users SET revoked_sessions = ? WHERE id = ? AND tenant_id = ? AND revoked_sessions = ?"
        changed = await self._db.write(
            lambda conn: conn.execute(sql, (new, user.id, user.tenant_id, seen)).rowcount
        )
        return changed == 1

    async def delete(self, tenant_id: str, user_id: str) -> bool:
        sql = "DELETE FROM users WHERE id = ? AND tenant_id = ?"
        deleted = await self._db.write(lambda conn: conn.execute(sql, (user_id, tenant_id)).rowcount)
        return deleted == 1
