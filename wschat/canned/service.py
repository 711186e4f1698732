"""The canned-reply rules: who may read, create, change and delete which replies.

Everyone reads the tenant's shared replies and their own. Admins keep the shared ones; every user keeps
their own. Another user's personal reply, or another tenant's reply, is NOT_FOUND (its existence is not
told); a shared reply that an agent tries to change is FORBIDDEN.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from wschat.accounts.models import Principal
from wschat.canned.models import MAX_PERSONAL, MAX_SHARED, CannedReply, ReplyCreate, ReplyUpdate
from wschat.canned.store import CannedReplyStore, LimitReached, ShortcutTaken, StaleVersion
from wschat.clock import Clock, new_id
from wschat.errors import DuplicateShortcut, Forbidden, NotFound, VersionConflict
from wschat.errors import LimitReached as LimitReachedError

log = logging.getLogger(__name__)


class CannedReplyService:
    def __init__(self, store: CannedReplyStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def visible(self, principal: Principal) -> list[CannedReply]:
        """The tenant's shared replies and the user's own, by shortcut."""
        return await self._store.visible(principal.tenant.id, principal.user.id)

    async def create(self, principal: Principal, spec: ReplyCreate) -> CannedReply:
        """Raises FORBIDDEN (an agent creating a shared reply), DUPLICATE_SHORTCUT, LIMIT_REACHED."""
        shared = spec.scope == "shared"
        if shared and not principal.is_admin:
            raise Forbidden("Only admins may keep the shared replies.")
        now = self._clock()
        reply = CannedReply(
            id=new_id("cnr"),
            tenant_id=principal.tenant.id,
            owner_id=None if shared else principal.user.id,
            title=spec.title,
            shortcut=spec.shortcut,
            text=spec.text.to_doc(),
            version=1,
            created_at=now,
            updated_at=now,
        )
        limit = MAX_SHARED if shared else MAX_PERSONAL
        try:
            await self._store.insert(reply, limit)
        except ShortcutTaken:
            raise _duplicate(reply.shortcut) from None
        except LimitReached:
            raise LimitReachedError(
                f"There are {limit} {'shared' if shared else 'personal'} replies already, the most there may "
                "be; delete one first.",
                details={"limit": limit},
            ) from None
        log.info("canned reply %s (%s) created in tenant %s", reply.id, reply.scope, principal.tenant.slug)
        return reply

    async def update(self, principal: Principal, reply_id: str, change: ReplyUpdate) -> CannedReply:
        """Raises NOT_FOUND, FORBIDDEN, VERSION_CONFLICT (changed meanwhile), DUPLICATE_SHORTCUT."""
        reply = await self._keepable(principal, reply_id)
        changed = replace(
            reply,
            title=change.title,
            shortcut=change.shortcut,
            text=change.text.to_doc(),
            version=change.version + 1,
            updated_at=self._clock(),
        )
        try:
            stored = await self._store.update(changed, change.version)
        except StaleVersion:
            raise VersionConflict(details={"version": reply.version}) from None
        except ShortcutTaken:
            raise _duplicate(changed.shortcut) from None
        if stored is None:
            raise NotFound("There is no such reply.")
        return stored

    async def delete(self, principal: Principal, reply_id: str) -> None:
        """Raises NOT_FOUND, FORBIDDEN."""
        reply = await self._keepable(principal, reply_id)
        if not await self._store.delete(reply.tenant_id, reply.id):
            raise NotFound("There is no such reply.")
        log.info("canned reply %s deleted in tenant %s", reply.id, principal.tenant.slug)

    async def forget_owner(self, tenant_id: str, user_id: str) -> None:
        """A deleted user's own replies go with them."""
        count = await self._store.delete_of_owner(tenant_id, user_id)
        log.info("%d canned replies of deleted user %s removed", count, user_id)

    async def forget_tenant(self, tenant_id: str) -> None:
        """A purged tenant's replies, shared and personal, go with it."""
        await self._store.delete_of_tenant(tenant_id)

    async def _keepable(self, principal: Principal, reply_id: str) -> CannedReply:
        reply = await self._store.get(principal.tenant.id, reply_id) if len(reply_id) <= 64 else None
        if reply is None or (reply.owner_id is not None and reply.owner_id != principal.user.id):
            raise NotFound("There is no such reply.")
        if reply.owner_id is None and not principal.is_admin:
            raise Forbidden("Only admins may change the shared replies.")
        return reply


def _duplicate(shortcut: str) -> DuplicateShortcut:
    return DuplicateShortcut(
        f"Another reply already has the shortcut /{shortcut}.", details={"shortcut": shortcut}
    )
