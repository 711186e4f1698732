"""The audit log for a tenant's admins: ``GET /api/audit`` (a page, filtered) and ``GET /api/audit.csv``
(everything the filter matches, streamed) (docs/protocol.md, "The audit log")."""

from __future__ import annotations

from quart import Blueprint, Response, request

from wschat.accounts.signed_in import current_principal
from wschat.audit.models import AuditQuery
from wschat.audit.service import AuditService
from wschat.boundary.http import json_response, service
from wschat.wire import parse

blueprint = Blueprint("audit", __name__, url_prefix="/api")


@blueprint.get("/audit")
async def entries() -> Response:
    """The audit log, newest first, filtered by action (or ``family.*``), actor, target and time."""
    principal = await current_principal()
    query = parse(AuditQuery, request.args.to_dict())
    found, cursor = await service(AuditService).page(principal, query)
    return json_response({"entries": [entry.to_wire() for entry in found], "next": cursor})


@blueprint.get("/audit.csv")
async def download() -> Response:
    """Every entry the filter matches as CSV, newest first, streamed (the filter's errors come first)."""
    principal = await current_principal()
    query = parse(AuditQuery, request.args.to_dict())
    audit = service(AuditService)
    found = audit.check(principal, query)
    response = Response(audit.csv(principal.tenant.id, found), content_type="text/csv; charset=utf-8")
    name = f"wschat-audit-{principal.tenant.slug}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
