"""The MongoDB adapter for tenants and users. Every query on tenant data filters by ``tenant_id``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from wschat.accounts.models import RevokedSession, Role, Tenant, TenantStatus, User
from wschat.errors import Conflict
from wschat.storage.account_documents import revoked_docs, tenant_doc, tenant_from, user_doc, user_from
from wschat.storage.mongo.database import MongoHandle, find_owned


class MongoTenantStore:
    def __init__(self, db: MongoHandle) -> None:
        self._tenants = db["tenants"]

    async def insert(self, tenant: Tenant) -> None:
        """Raises :class:`Conflict` if the slug is taken."""
        try:
            await self._tenants.insert_one(tenant_doc(tenant))
        except DuplicateKeyError as e:
            raise Conflict(f"A tenant with the slug {tenant.slug!r} exists already.") from e

    async def by_slug(self, slug: str) -> Tenant | None:
        doc = await self._tenants.find_one({"slug": slug})
        return tenant_from(doc) if doc else None

    async def by_id(self, tenant_id: str) -> Tenant | None:
        doc = await self._tenants.find_one({"_id": tenant_id})
        return tenant_from(doc) if doc else None

    async def all(self) -> list[Tenant]:
        return [tenant_from(doc) async for doc in self._tenants.find({}).sort("slug", 1)]

    async def any_exists(self) -> bool:
        return await self._tenants.find_one({}, {"_id": 1}) is not None

    async def update(
        self, tenant_id: str, changes: dict[str, Any], removals: Sequence[str] = ()
    ) -> Tenant | None:
        """Sets ``changes`` and removes ``removals`` (field names or dotted paths) in one update."""
        update: dict[str, Any] = {"$set": changes}
        if removals:
            update["$unset"] = dict.fromkeys(removals, "")
        doc = await self._tenants.find_one_and_update(
            {"_id": tenant_id}, update, return_document=ReturnDocument.AFTER
        )
        return tenant_from(doc) if doc else None

    async def set_status(self, slug: str, status: TenantStatus, now: datetime) -> Tenant | None:
        doc = await self._tenants.find_one_and_update(
            {"slug": slug},
            {"$set": {"status": status.value, "updated_at": now}},
            return_document=ReturnDocument.AFTER,
        )
        return tenant_from(doc) if doc else None


class MongoUserStore:
    def __init__(self, db: MongoHandle) -> None:
        self._users = db["users"]

    async def insert(self, user: User) -> None:
        """Raises :class:`Conflict` if the login is taken in the tenant."""
        try:
            await self._users.insert_one(user_doc(user))
        except DuplicateKeyError as e:
            raise Conflict(f"The login {user.login!r} is taken in this tenant.") from e

    async def by_id(self, tenant_id: str, user_id: str) -> User | None:
        doc = await find_owned(self._users, user_id, tenant_id)
        return user_from(doc) if doc else None

    async def by_login(self, tenant_id: str, login: str) -> User | None:
        doc = await self._users.find_one({"tenant_id": tenant_id, "login": login})
        return user_from(doc) if doc else None

    async def all(self, tenant_id: str) -> list[User]:
        cursor = self._users.find({"tenant_id": tenant_id}).sort("login", 1)
        return [user_from(doc) async for doc in cursor]

    async def count_active_admins(self, tenant_id: str) -> int:
        return await self._users.count_documents(
            {"tenant_id": tenant_id, "role": Role.ADMIN.value, "disabled": False}
        )

    async def update(self, tenant_id: str, user_id: str, changes: dict[str, Any]) -> User | None:
        doc = await self._users.find_one_and_update(
            {"_id": user_id, "tenant_id": tenant_id},
            {"$set": changes},
            return_document=ReturnDocument.AFTER,
        )
        return user_from(doc) if doc else None

    async def set_revoked_sessions(self, user: User, sessions: Iterable[RevokedSession]) -> bool:
        """Replace the user's signed-out sessions, unless they changed since ``user`` was read.

        The stored list is compared as a whole (a compare-and-set), so two sign-outs at the same moment
        cannot lose one another; False tells the caller to read the user again.
        """
        seen: Any = revoked_docs(user.revoked_sessions) or {"$in": [None, []]}
        result = await self._users.update_one(
            {"_id": user.id, "tenant_id": user.tenant_id, "revoked_sessions": seen},
            {"$set": {"revoked_sessions": revoked_docs(sessions)}},
        )
        return result.matched_count == 1

    async def delete(self, tenant_id: str, user_id: str) -> bool:
        result = await self._users.delete_one({"_id": user_id, "tenant_id": tenant_id})
        return result.deleted_count == 1
