"""What the canned-reply rules ask of storage. Every method takes the tenant and puts it into its query."""

from __future__ import annotations

from typing import Protocol

from wschat.canned.models import CannedReply


class ShortcutTaken(Exception):
    """Another reply of the same owner scope has this shortcut (the unique index said so)."""


class LimitReached(Exception):
    """The owner scope holds as many replies as it may."""


class StaleVersion(Exception):
    """The reply is no longer at the version the change was based on."""


class CannedReplyStore(Protocol):
    async def insert(self, reply: CannedReply, limit: int) -> None:
        """Store a new reply; raises :class:`ShortcutTaken`, or :class:`LimitReached` when its owner scope
        holds ``limit`` replies already. Nothing is stored then."""

    async def get(self, tenant_id: str, reply_id: str) -> CannedReply | None: ...

    async def visible(self, tenant_id: str, owner_id: str) -> list[CannedReply]:
        """The tenant's shared replies and ``owner_id``'s own, by shortcut (shared first on a tie)."""

    async def update(self, reply: CannedReply, version: int) -> CannedReply | None:
        """Store ``reply`` (its version one more) if the stored one is still at ``version``; None if it is
        gone. Raises :class:`StaleVersion`, :class:`ShortcutTaken`; nothing changes then."""

    async def delete(self, tenant_id: str, reply_id: str) -> bool: ...

    async def delete_of_owner(self, tenant_id: str, owner_id: str) -> int:
        """Remove every personal reply of one user (the user was deleted); returns how many."""

    async def delete_of_tenant(self, tenant_id: str) -> int:
        """Remove every reply of a tenant, shared and personal (the tenant is purged); returns how many."""
