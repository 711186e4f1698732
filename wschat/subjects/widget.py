"""The visitor's own data, without an account: ``GET /api/widget/<slug>/my-data`` (download) and
``POST /api/widget/<slug>/my-data/erase``, authenticated by the widget's visitor token in
``Authorization: Bearer …`` and called cross-origin from the tenant's website, as the session is."""

from __future__ import annotations

from quart import Blueprint, Response, request

from wschat.accounts.models import Tenant
from wschat.boundary.http import json_response, read_json, service
from wschat.chat.conversations import ChatService
from wschat.errors import AuthInvalid
from wschat.subjects.models import ExportQuery, OwnEraseRequest
from wschat.subjects.routes import download, erased_wire
from wschat.subjects.service import SubjectService
from wschat.visitors.models import Visitor
from wschat.visitors.routes import allowed_tenant, preflight, with_cors
from wschat.visitors.service import VisitorService
from wschat.wire import parse

blueprint = Blueprint("my_data", __name__, url_prefix="/api/widget")


@blueprint.route("/<slug>/my-data", methods=["OPTIONS"])
@blueprint.route("/<slug>/my-data/erase", methods=["OPTIONS"])
async def my_data_preflight(slug: str) -> Response:
    return await preflight(slug, methods="GET, POST", headers="Authorization, Content-Type")


@blueprint.get("/<slug>/my-data")
async def my_data(slug: str) -> Response:
    """Everything stored about this browser's visitor (JSON, or ``?format=html|zip``)."""
    tenant, visitor = await _visitor(slug)
    query = parse(ExportQuery, request.args.to_dict())
    subjects = service(SubjectService)
    await subjects.check_own(visitor)
    made = await subjects.own_export(tenant, visitor)
    return await download(made, query.format, "my-chat-data")


@blueprint.post("/<slug>/my-data/erase")
async def erase_my_data(slug: str) -> Response:
    """``{"mode": "delete"}``: an open chat is ended first, then the visitor and all of theirs deleted."""
    tenant, visitor = await _visitor(slug)
    await read_json(OwnEraseRequest)
    chat = service(ChatService)
    subjects = service(SubjectService)
    await subjects.check_own(visitor)
    subjects.check_erasable(tenant)
    if (current := await chat.current(visitor)) is not None:
        await chat.end(visitor, current.id)
    return json_response({"erased": erased_wire(await subjects.own_erase(tenant, visitor))})


async def _visitor(slug: str) -> tuple[Tenant, Visitor]:
    tenant = await allowed_tenant(slug)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthInvalid("This chat session is unknown. Please reload the page.")
    return tenant, await service(VisitorService).authenticate(tenant, token)


@blueprint.after_request
async def _cors(response: Response) -> Response:
    return with_cors(response, expose="Content-Disposition")  # the download's file name
