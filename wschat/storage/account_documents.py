"""Tenants and users as stored documents and back (see ``documents.py``: the one shape both adapters keep)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, fields
from typing import Any

from wschat.accounts.contract import Customer, LegalHold, Lifecycle
from wschat.accounts.models import Plan, RevokedSession, Role, Tenant, TenantSettings, TenantStatus, User
from wschat.records import Document


def tenant_doc(tenant: Tenant) -> Document:
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
        "lifecycle": lifecycle_doc(tenant.lifecycle),
    }


def lifecycle_doc(lifecycle: Lifecycle) -> Document:
    hold = lifecycle.legal_hold
    return {
        "contact_email": lifecycle.contact_email,
        "contract_since": lifecycle.contract_since,
        "legal_hold": {"reason": hold.reason, "since": hold.since} if hold else None,
        "done": dict(lifecycle.done),
        "customer": asdict(lifecycle.customer) if lifecycle.customer else None,
    }


def _lifecycle(stored: Document) -> Lifecycle:
    hold = stored.get("legal_hold")
    return Lifecycle(
        contact_email=stored.get("contact_email"),
        contract_since=stored.get("contract_since"),
        legal_hold=LegalHold(reason=hold["reason"], since=hold["since"]) if hold else None,
        done=dict(stored.get("done") or {}),
        customer=Customer(**customer) if (customer := stored.get("customer")) else None,
    )


def tenant_from(doc: Document) -> Tenant:
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
        lifecycle=_lifecycle(doc.get("lifecycle") or {}),
    )


def _settings(stored: dict[str, Any]) -> TenantSettings:
    known = {f.name for f in fields(TenantSettings)}
    return TenantSettings(**{key: value for key, value in stored.items() if key in known})


def user_doc(user: User) -> Document:
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
        "revoked_sessions": revoked_docs(user.revoked_sessions),
    }


def user_from(doc: Document) -> User:
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
        updated_at=doc.get("updated_at"),
    )


def revoked_docs(sessions: Iterable[RevokedSession]) -> list[Document]:
    return [{"sid": session.session_id, "until": session.until} for session in sessions]
