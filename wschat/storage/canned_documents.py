"""Canned replies as stored documents and back, the shape both adapters keep.

``owner_key`` is the owner's user id, or ``""`` for the tenant's shared replies: always a string, so that
the unique index on (tenant_id, owner_key, shortcut) holds on FerretDB too (where missing fields are all
distinct).
"""

from __future__ import annotations

from wschat.canned.models import CannedReply
from wschat.records import Document

SHARED = ""


def reply_doc(reply: CannedReply) -> Document:
    return {
        "_id": reply.id,
        "tenant_id": reply.tenant_id,
        "owner_key": reply.owner_id or SHARED,
        "title": reply.title,
        "shortcut": reply.shortcut,
        "text": dict(reply.text),
        "version": reply.version,
        "created_at": reply.created_at,
        "updated_at": reply.updated_at,
    }


def reply_from(doc: Document) -> CannedReply:
    return CannedReply(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        owner_id=doc["owner_key"] or None,
        title=doc["title"],
        shortcut=doc["shortcut"],
        text=dict(doc["text"]),
        version=doc["version"],
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
    )


def by_shortcut(replies: list[CannedReply]) -> list[CannedReply]:
    """Sorted by shortcut, the shared reply before a personal one of the same shortcut."""
    return sorted(replies, key=lambda r: (r.shortcut, r.owner_id is not None, r.id))
