"""MongoDB access for tenants and users. Every query on tenant data filters by ``tenant_id``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from wschat.accounts.models import Plan, RevokedSession, Role, Tenant, TenantSettings, TenantStatus, User
from wschat.db import Database, Document, find_owned
from wschat.errors import Conflict


class TenantStore:
    def __init__(self, db: Database) -> None:
        self._tenants = db.tenants

    async def insert(self, tenant: Tenant) -> None:
        """Raises :class:`Conflict` if the slug is taken."""
        try:
            await self._tenants.insert_one(_tenant_doc(tenant))
        except DuplicateKeyError as e:
            raise Conflict(f"A tenant with the slug {tenant.slug!r} exists already.") from e

    async def by_slug(self, slug: str) -> Tenant | None:
        doc = await self._tenants.find_one({"slug": slug})
        return _tenant(doc) if doc else None

    async def by_id(self, tenant_id: str) -> Tenant | None:
        doc = await self._tenants.find_one({"_id": tenant_id})
        return _tenant(doc) if doc else None

    async def all(self) -> list[Tenant]:
        return [_tenant(doc) async for doc in self._tenants.find({}).sort("slug", 1)]

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
        return _tenant(doc) if doc else None

    async def set_status(self, slug: str, status: TenantStatus, now: datetime) -> Tenant | None:
        doc = await self._tenants.find_one_and_update(
            {"slug": slug},
            {"$set": {"status": status.value, "updated_at": now}},
            return_document=ReturnDocument.AFTER,
        )
        return _tenant(doc) if doc else None


class UserStore:
    def __init__(self, db: Database) -> None:
        self._users = db.users

    async def insert(self, user: User) -> None:
        """Raises :class:`Conflict` if the login is taken in the tenant."""
        try:
            await self._users.insert_one(_user_doc(user))
        except DuplicateKeyError as e:
            raise Conflict(f"The login {user.login!r} is taken in this tenant.") from e

    async def by_id(self, tenant_id: str, user_id: str) -> User | None:
        doc = await find_owned(self._users, user_id, tenant_id)
        return _user(doc) if doc else None

    async def by_login(self, tenant_id: str, login: str) -> User | None:
        doc = await self._users.find_one({"tenant_id": tenant_id, "login": login})
        return _user(doc) if doc else None

    async def all(self, tenant_id: str) -> list[User]:
        cursor = self._users.find({"tenant_id": tenant_id}).sort("login", 1)
        return [_user(doc) async for doc in cursor]

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
        return _user(doc) if doc else None

    async def set_revoked_sessions(self, user: User, sessions: Iterable[RevokedSession]) -> bool:
        """Replace the user's signed-out sessions, unless they changed since ``user`` was read.

        The stored list is compared as a whole (a compare-and-set), so two sign-outs at the same moment
        cannot lose one another; False tells the caller to read the user again.
        """
        seen: Any = _revoked_docs(user.revoked_sessions) or {"$in": [None, []]}
        result = await self._users.update_one(
            {"_id": user.id, "tenant_id": user.tenant_id, "revoked_sessions": seen},
            {"$set": {"revoked_sessions": _revoked_docs(sessions)}},
        )
        return result.matched_count == 1

    async def delete(self, tenant_id: str, user_id: str) -> bool:
        result = await self._users.delete_one({"_id": user_id, "tenant_id": tenant_id})
        return result.deleted_count == 1


def user_changes(**values: Any) -> dict[str, Any]:
    """Field values as stored (enums as their strings)."""
    return {key: getattr(value, "value", value) for key, value in values.items()}


def _tenant_doc(tenant: Tenant) -> Document:
    return {
        "_id": tenant.id,
        "slug": tenant.slug,
        "name": tenant.name,
        "plan": tenant.plan.value,
        "status": tenant.status.value,
        "created_at": tenant.created_at,
        "demo_ends_at": tenant.demo_ends_at,
        "contract_ended_at": tenant.contract_ended_at,
        "allowed_origins": list(tenant.allowed_origins),
        "settings": asdict(tenant.settings),
        "branding": dict(tenant.branding),
    }


def _tenant(doc: Document) -> Tenant:
    return Tenant(
        id=doc["_id"],
        slug=doc["slug"],
        name=doc["name"],
        plan=Plan(doc["plan"]),
        status=TenantStatus(doc["status"]),
        created_at=doc["created_at"],
        demo_ends_at=doc.get("demo_ends_at"),
        contract_ended_at=doc.get("contract_ended_at"),
        allowed_origins=tuple(doc.get("allowed_origins") or ()),
        settings=_settings(doc.get("settings") or {}),
        branding=dict(doc.get("branding") or {}),
    )


def _settings(stored: dict[str, Any]) -> TenantSettings:
    known = {f.name for f in fields(TenantSettings)}
    return TenantSettings(**{key: value for key, value in stored.items() if key in known})


def _user_doc(user: User) -> Document:
    return {
        "_id": user.id,
        "tenant_id": user.tenant_id,
        "login": user.login,
        "display_name": user.display_name,
        "role": user.role.value,
        "password_hash": user.password_hash,
        "password_version": user.password_version,
        "password_changed_at": user.password_changed_at,
        "max_chats": user.max_chats,
        "disabled": user.disabled,
        "photo_id": user.photo_id,
        "created_at": user.created_at,
        "revoked_sessions": _revoked_docs(user.revoked_sessions),
    }


def _user(doc: Document) -> User:
    return User(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        login=doc["login"],
        display_name=doc["display_name"],
        role=Role(doc["role"]),
        password_hash=doc["password_hash"],
        password_version=doc["password_version"],
        password_changed_at=doc["password_changed_at"],
        max_chats=doc["max_chats"],
        disabled=doc["disabled"],
        photo_id=doc.get("photo_id"),
        created_at=doc["created_at"],
        revoked_sessions=tuple(
            RevokedSession(entry["sid"], entry["until"]) for entry in doc.get("revoked_sessions") or ()
        ),
    )


def _revoked_docs(sessions: Iterable[RevokedSession]) -> list[Document]:
    return [{"sid": session.session_id, "until": session.until} for session in sessions]
