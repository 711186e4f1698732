"""Exports of the archive's current filter: CSV (one row per conversation) and JSONL (one conversation per
line, with its messages, page trail and calls). Both stream: a page of conversations at a time, each
conversation's messages in batches, so memory stays bounded however much is exported. Admins only; each
export leaves an entry ``archive.exported`` in the audit log (who, filter, format, rows, when) as its stream
ends, and for each conversation it sent a copy record (``TranscriptKind.EXPORT``), which the conversation's
archive detail lists."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson

from wschat.accounts.models import Principal
from wschat.archive.models import ArchiveQuery
from wschat.archive.service import ArchiveService, outcome_of
from wschat.archive.store import ArchiveEntry, ArchiveFilter
from wschat.audit.models import Action, Actor, AuditEntry, Target, TargetKind, actor_of
from wschat.chat.models import SenderKind
from wschat.chat.transcript_store import TranscriptKind, TranscriptRecord, TranscriptStore
from wschat.clock import Clock, new_id
from wschat.errors import Forbidden
from wschat.spreadsheet import csv_line

#: Conversations read per page while exporting.
EXPORT_PAGE = 200
CSV_COLUMNS = (
    "id",
    "created_at",
    "closed_at",
    "agents",
    "visitor_name",
    "visitor_email",
    "visitor_phone",
    "country",
    "outcome",
    "message_count",
    "first_response_seconds",
    "duration_seconds",
)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


class ExportQuery(ArchiveQuery):
    """``GET /api/archive/export``: the archive's filter (its cursor and limit are not used) and a format."""

    format: ExportFormat = ExportFormat.CSV


class ArchiveExport:
    def __init__(self, archive: ArchiveService) -> None:
        self.archive = archive

    def check(self, principal: Principal, query: ExportQuery) -> ArchiveFilter:
        """The filter to export. Raises Forbidden (not an admin) and what the archive's filter raises."""
        if not principal.is_admin:
            raise Forbidden("Only an admin may export the archive.")
        return self.archive.check_filter(principal, query)

    def stream(self, principal: Principal, query: ExportQuery, found: ArchiveFilter) -> AsyncIterator[bytes]:
        """The export's bytes, a conversation at a time; the audit log's entry is written at the end."""
        return self.stream_as(principal.tenant.id, actor_of(principal), query, found)

    async def stream_as(
        self, tenant_id: str, actor: Actor, query: ExportQuery, found: ArchiveFilter
    ) -> AsyncIterator[bytes]:
        """As :meth:`stream`, for whoever ``actor`` names (the CLI: the operator)."""
        rows = 0
        copies = _Copies(self.archive.transcripts, tenant_id, actor, query.format, self.archive.audit.clock)
        try:
            if query.format is ExportFormat.CSV:
                yield csv_line(CSV_COLUMNS)
            async for entry in self._entries(tenant_id, found):
                rows += 1
                if query.format is ExportFormat.CSV:
                    yield csv_line(await self._csv_row(entry))
                else:
                    yield await self._json_line(entry)
                await copies.sent(entry.conversation.id)
        finally:
            # Also when the download was cut short: what was sent, was disclosed.
            await copies.flush()
            await self._audit(tenant_id, actor, query, rows)

    async def _entries(self, tenant_id: str, found: ArchiveFilter) -> AsyncIterator[ArchiveEntry]:
        while True:
            page = await self.archive.archive.page(tenant_id, found, EXPORT_PAGE)
            for entry in page:
                yield entry
            last = page[-1].conversation if page else None
            if len(page) < EXPORT_PAGE or last is None or last.closed_at is None:
                return
            found = replace(found, after=(last.closed_at, last.id))

    async def _csv_row(self, entry: ArchiveEntry) -> list[str]:
        c = entry.conversation
        summary = await self.archive.summary(c)
        visitor = entry.visitor or {}
        contact = visitor.get("contact") or {}
        first = await self._first_response(entry)
        closed = c.closed_at or c.created_at
        return [
            c.id,
            c.created_at.isoformat(),
            _iso(c.closed_at),
            "; ".join(a["display_name"] or a["id"] for a in summary["agents"]),
            visitor.get("alias") or visitor.get("name") or contact.get("name") or "",
            contact.get("email") or "",
            contact.get("phone") or "",
            visitor.get("country") or "",
            outcome_of(c).value,
            str(entry.message_count),
            "" if first is None else str(int((first - c.created_at).total_seconds())),
            str(int((closed - c.created_at).total_seconds())),
        ]

    async def _first_response(self, entry: ArchiveEntry) -> datetime | None:
        async for message in self.archive.transcript(entry.conversation):
            if message.sender.kind is SenderKind.AGENT:
                return message.created_at
        return None

    async def _json_line(self, entry: ArchiveEntry) -> bytes:
        detail = await self.archive.detail(entry.conversation)
        # orjson, as every JSON answer of the API: message data may hold times
        return orjson.dumps(detail) + b"\n"

    async def _audit(self, tenant_id: str, actor: Actor, query: ExportQuery, rows: int) -> None:
        shown = query.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"cursor", "limit"})
        details = {"format": query.format.value, "filter": shown, "rows": rows}
        target = Target(TargetKind.TENANT, tenant_id)
        await self.archive.audit.record(tenant_id, actor, Action.ARCHIVE_EXPORTED, target, details)


class _Copies:
    """Each conversation an export sent, recorded as a copy of it (what the archive's detail shows as done
    with it), written a page at a time."""

    def __init__(
        self, store: TranscriptStore, tenant_id: str, actor: Actor, fmt: ExportFormat, clock: Clock
    ) -> None:
        self._store = store
        self._tenant_id = tenant_id
        # An admin's user id, or "operator" for the command line (the console names it).
        self._by_id = actor.id
        self._by_name = actor.name
        self._format = fmt.value
        self._clock = clock
        self._pending: list[str] = []

    async def sent(self, conversation_id: str) -> None:
        self._pending.append(conversation_id)
        if len(self._pending) >= EXPORT_PAGE:
            await self.flush()

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        at = self._clock()
        kind, by = TranscriptKind.EXPORT, (self._by_id, self._by_name)
        records = [
            TranscriptRecord(new_id("trs"), self._tenant_id, c, kind, self._format, at, *by) for c in pending
        ]
        await self._store.insert_many(records)


def export_wire(entry: AuditEntry) -> dict[str, Any]:
    """An ``archive.exported`` entry of the audit log as ``GET /api/archive/exports`` has shown exports."""
    details = entry.details
    return {
        "id": entry.id,
        "user_id": entry.actor.id,
        "user_name": entry.actor.name or entry.actor.kind.value,
        "format": details.get("format"),
        "filter": details.get("filter") or {},
        "rows": details.get("rows", 0),
        "at": entry.at.isoformat(),
    }


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""
