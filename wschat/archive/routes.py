"""The archive's endpoints: ``GET /api/archive`` (a page of past chats), ``GET /api/archive/<id>`` (one,
whole), the exports and the list of those made (docs/protocol.md, "Archive")."""

from __future__ import annotations

from quart import Blueprint, Response, request

from wschat.accounts.signed_in import current_principal
from wschat.archive.export import ArchiveExport, ExportFormat, ExportQuery, export_wire
from wschat.archive.models import ArchiveQuery, ExportsQuery
from wschat.archive.service import ArchiveService, entry_wire
from wschat.boundary.http import json_response, service
from wschat.wire import parse

blueprint = Blueprint("archive", __name__, url_prefix="/api/archive")


@blueprint.get("")
async def search() -> Response:
    """Past conversations matching the filter, newest first; ``next`` is the cursor of the next page."""
    principal = await current_principal()
    query = parse(ArchiveQuery, request.args.to_dict())
    found, cursor = await service(ArchiveService).search(principal, query)
    return json_response({"conversations": [entry_wire(entry) for entry in found], "next": cursor})


_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.JSONL: "application/x-ndjson"}


@blueprint.get("/export")
async def export() -> Response:
    """The current filter's conversations as CSV or JSONL, streamed (admins; every export is audited)."""
    principal = await current_principal()
    query = parse(ExportQuery, request.args.to_dict())
    exporter = service(ArchiveExport)
    found = exporter.check(principal, query)
    response = Response(exporter.stream(principal, query, found), content_type=_TYPES[query.format])
    name = f"wschat-archive-{principal.tenant.slug}.{query.format.value}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/exports")
async def exports() -> Response:
    """The exports made, newest first: the audit log's ``archive.exported`` (admins)."""
    principal = await current_principal()
    query = parse(ExportsQuery, request.args.to_dict())
    entries, cursor = await service(ArchiveService).exports(principal, query)
    return json_response({"exports": [export_wire(e) for e in entries], "next": cursor})


@blueprint.get("/<conversation_id>")
async def open_one(conversation_id: str) -> Response:
    """One past conversation: transcript, visitor, pages, calls and what happened to it."""
    principal = await current_principal()
    return json_response(await service(ArchiveService).open(principal, conversation_id))
