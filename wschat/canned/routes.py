"""Canned replies over HTTP: ``/api/canned-replies`` (list, create) and ``/api/canned-replies/<id>``
(change, delete)."""

from __future__ import annotations

from quart import Blueprint, Response

from wschat.accounts.signed_in import current_principal
from wschat.boundary.http import json_response, read_json, service
from wschat.canned.models import ReplyCreate, ReplyUpdate
from wschat.canned.service import CannedReplyService

blueprint = Blueprint("canned", __name__, url_prefix="/api/canned-replies")


@blueprint.get("")
async def list_replies() -> Response:
    """The tenant's shared replies and the user's own."""
    replies = await service(CannedReplyService).visible(await current_principal())
    return json_response({"replies": [reply.to_wire() for reply in replies]})


@blueprint.post("")
async def create_reply() -> Response:
    principal = await current_principal()
    reply = await service(CannedReplyService).create(principal, await read_json(ReplyCreate))
    return json_response({"reply": reply.to_wire()}, 201)


@blueprint.put("/<reply_id>")
async def update_reply(reply_id: str) -> Response:
    principal = await current_principal()
    reply = await service(CannedReplyService).update(principal, reply_id, await read_json(ReplyUpdate))
    return json_response({"reply": reply.to_wire()})


@blueprint.delete("/<reply_id>")
async def delete_reply(reply_id: str) -> Response:
    await service(CannedReplyService).delete(await current_principal(), reply_id)
    return Response(status=204)
