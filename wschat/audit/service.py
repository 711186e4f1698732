"""The audit log's rules: every feature records what it did once it has succeeded (an action refused
records nothing); the tenant's admins read it, filtered, newest first, a page or a CSV file at a time
(docs/privacy.md, *The audit log*)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from wschat.accounts.models import Principal
from wschat.audit.models import Action, Actor, AuditEntry, AuditQuery, Target, family_of
from wschat.audit.store import AuditFilter, AuditStore
from wschat.clock import Clock, aware, new_id
from wschat.cursors import Cursors
from wschat.errors import Forbidden, InvalidRange
from wschat.spreadsheet import csv_line

#: Entries read per query while a CSV file is written.
CSV_PAGE = 500
CSV_COLUMNS = (
    "at",
    "action",
    "actor_kind",
    "actor_id",
    "actor_name",
    "target_kind",
    "target_id",
    "details",
)
_CURSOR = "audit"


class AuditService:
    def __init__(self, store: AuditStore, clock: Clock, cursors: Cursors) -> None:
        self.store = store
        self.clock = clock
        self.cursors = cursors

    async def record(
        self,
        tenant_id: str,
        actor: Actor,
        action: Action,
        target: Target | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry, stamped now. Call it after the action succeeded, never before."""
        entry = AuditEntry(new_id("aud"), tenant_id, self.clock(), action.value, actor, target, details or {})
        await self.store.append(entry.to_doc())
        return entry

    async def read(self, tenant_id: str, found: AuditFilter, limit: int) -> list[AuditEntry]:
        """Entries of the tenant as the store finds them (a caller that checked its reader already)."""
        return [AuditEntry.from_doc(doc) for doc in await self.store.page(tenant_id, found, limit)]

    def check(self, admin: Principal, query: AuditQuery) -> AuditFilter:
        """The store's filter for ``query``. Raises Forbidden (not an admin), InvalidRange ('to' not after
        'from'), InvalidCursor."""
        if not admin.is_admin:
            raise Forbidden("Only an admin may read the audit log.")
        since, until = aware(query.since), aware(query.until)
        if since is not None and until is not None and until <= since:
            raise InvalidRange("The range ends before it starts: 'to' must be after 'from'.")
        action = query.action
        family = family_of(action) if action is not None and action.endswith(".*") else None
        return AuditFilter(
            action=None if family else action,
            family=family,
            actor_id=query.actor_id,
            target_id=query.target_id,
            since=since,
            until=until,
            before=self.cursors.read(_CURSOR, query.cursor) if query.cursor else None,
        )

    async def page(self, admin: Principal, query: AuditQuery) -> tuple[list[AuditEntry], str | None]:
        """One page of the tenant's log and the cursor of the next (None on the last page). Raises as
        :meth:`check`."""
        found = await self.read(admin.tenant.id, self.check(admin, query), query.limit)
        last = found[-1] if len(found) == query.limit else None
        return found, self.cursors.make(_CURSOR, last.at, last.id) if last else None

    async def csv(self, tenant_id: str, found: AuditFilter) -> AsyncIterator[bytes]:
        """Every entry ``found`` matches as CSV, newest first, read a page at a time (memory stays flat)."""
        yield csv_line(CSV_COLUMNS)
        while batch := await self.read(tenant_id, found, CSV_PAGE):
            for entry in batch:
                yield csv_line(_row(entry))
            if len(batch) < CSV_PAGE:
                return
            found = replace(found, before=(batch[-1].at, batch[-1].id))


def _row(entry: AuditEntry) -> list[str]:
    target = entry.target
    return [
        entry.at.isoformat(),
        entry.action,
        entry.actor.kind.value,
        entry.actor.id,
        entry.actor.name,
        target.kind.value if target else "",
        target.id if target else "",
        json.dumps(entry.details, sort_keys=True, ensure_ascii=False, default=str),
    ]
