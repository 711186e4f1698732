"""Data-subject requests for a tenant's admins: ``/api/subjects`` (find), ``…/<visitor_id>/export``,
``…/<visitor_id>/erase`` and the request log ``/api/subjects/requests`` (docs/protocol.md, "Data-subject
requests")."""

from __future__ import annotations

import asyncio
from typing import Any

from quart import Blueprint, Response, request

from wschat.accounts.signed_in import current_principal
from wschat.boundary.http import json_response, read_json, service
from wschat.subjects.erasure import Erased
from wschat.subjects.export import SubjectExport
from wschat.subjects.models import (
    EraseRequest,
    ExportFormat,
    ExportQuery,
    FindQuery,
    LogRequest,
    Rectification,
    RequestsQuery,
    Restriction,
)
from wschat.subjects.service import SubjectService
from wschat.visitors.models import Visitor
from wschat.wire import parse

blueprint = Blueprint("subjects", __name__, url_prefix="/api/subjects")


@blueprint.get("")
async def find() -> Response:
    """The tenant's visitors matching one of email, phone, name, visitor_id or conversation_id."""
    principal = await current_principal()
    query = parse(FindQuery, request.args.to_dict())
    found = await service(SubjectService).find(principal, query)
    return json_response({"subjects": [subject_wire(v) for v in found]})


@blueprint.get("/requests")
async def requests() -> Response:
    """The request log, newest first, each with its deadline and state."""
    principal = await current_principal()
    subjects = service(SubjectService)
    found, cursor = await subjects.requests(principal, parse(RequestsQuery, request.args.to_dict()))
    now = subjects.clock()
    return json_response({"requests": [r.to_wire(now) for r in found], "next": cursor})


@blueprint.post("/requests")
async def log_request() -> Response:
    """A request received that stays open until it is answered (an objection, a request by letter)."""
    principal = await current_principal()
    subjects = service(SubjectService)
    made = await subjects.log_request(principal, await read_json(LogRequest))
    return json_response({"request": made.to_wire(subjects.clock())}, 201)


@blueprint.post("/requests/<request_id>/done")
async def finish_request(request_id: str) -> Response:
    principal = await current_principal()
    subjects = service(SubjectService)
    done = await subjects.finish_request(principal, request_id)
    return json_response({"request": done.to_wire(subjects.clock())})


@blueprint.patch("/<visitor_id>")
async def rectify(visitor_id: str) -> Response:
    """Correct the person's name, alias or contact data; the fields sent are set, null clears one."""
    principal = await current_principal()
    body = await read_json(Rectification)
    return json_response(
        {"subject": subject_wire(await service(SubjectService).rectify(principal, visitor_id, body))}
    )


@blueprint.put("/<visitor_id>/restriction")
async def restriction(visitor_id: str) -> Response:
    """``{"restricted": true | false}``: restrict the processing of the person's data, or lift it."""
    principal = await current_principal()
    body = await read_json(Restriction)
    changed = await service(SubjectService).restrict(principal, visitor_id, body.restricted)
    return json_response({"subject": subject_wire(changed)})


@blueprint.get("/<visitor_id>/export")
async def export(visitor_id: str) -> Response:
    """Everything stored about the visitor as JSON, a readable HTML page, or both in a ZIP file."""
    principal = await current_principal()
    query = parse(ExportQuery, request.args.to_dict())
    made = await service(SubjectService).export(principal, visitor_id)
    return await download(made, query.format, f"wschat-data-{visitor_id}")


@blueprint.post("/<visitor_id>/erase")
async def erase(visitor_id: str) -> Response:
    """``{"mode": "delete" | "anonymise"}``: the visitor erased; what went, as counts per table."""
    principal = await current_principal()
    body = await read_json(EraseRequest)
    return json_response(
        {"erased": erased_wire(await service(SubjectService).erase(principal, visitor_id, body.mode))}
    )


def subject_wire(visitor: Visitor) -> dict[str, Any]:
    return {
        "id": visitor.id,
        "display_name": visitor.display_name,
        "name": visitor.name,
        "alias": visitor.alias,
        "contact": visitor.contact_wire(),
        "country": visitor.country,
        "restricted": visitor.restricted,
        "first_seen": visitor.first_seen.isoformat(),
        "last_seen": visitor.last_seen.isoformat(),
    }


def erased_wire(erased: Erased) -> dict[str, Any]:
    return {"mode": erased.mode.value, "counts": dict(sorted(erased.counts.items()))}


_TYPES = {
    ExportFormat.JSON: "application/json",
    ExportFormat.HTML: "text/html; charset=utf-8",
    ExportFormat.ZIP: "application/zip",
}


async def download(made: SubjectExport, kind: ExportFormat, name: str) -> Response:
    """The export as an attachment, never cached; the HTML page under a policy that loads nothing."""
    if kind is ExportFormat.ZIP:
        body: bytes | str = await asyncio.to_thread(made.zip_bytes)
    elif kind is ExportFormat.HTML:
        body = made.html_page()
    else:
        body = made.json_bytes()
    response = Response(body, content_type=_TYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{kind.value}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
