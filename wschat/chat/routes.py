"""The agents' endpoints for transcripts (forward a conversation's transcript by e-mail, list the
transcripts sent of it: ``/api/conversations/{id}/transcripts``) and offline messages (``/api/offline``:
the open items, an answer by e-mail, done)."""

from __future__ import annotations

from quart import Blueprint, Response, request

from wschat.accounts.signed_in import current_principal
from wschat.boundary.http import json_response, read_json, service
from wschat.chat.offline import OfflineAnswer, OfflineService, TodoQuery
from wschat.chat.transcripts import TranscriptForward, TranscriptService
from wschat.wire import parse

blueprint = Blueprint("conversations", __name__, url_prefix="/api")


@blueprint.post("/conversations/<conversation_id>/transcripts")
async def forward(conversation_id: str) -> Response:
    """Queue the transcript to one address, with an optional note; recorded with the conversation."""
    principal = await current_principal()
    record = await service(TranscriptService).forward(
        principal, conversation_id, await read_json(TranscriptForward)
    )
    return json_response({"transcript": record.to_wire()}, 202)


@blueprint.get("/conversations/<conversation_id>/transcripts")
async def sent(conversation_id: str) -> Response:
    """Every transcript sent of the conversation (the visitor's copies and agents' forwards), oldest first."""
    records = await service(TranscriptService).sent_of(await current_principal(), conversation_id)
    return json_response({"transcripts": [record.to_wire() for record in records]})


@blueprint.get("/offline")
async def offline_items() -> Response:
    """Offline messages still to answer, oldest first, by pages; and how many are open."""
    principal = await current_principal()
    query = parse(TodoQuery, request.args.to_dict())
    items, after, count = await service(OfflineService).todo(principal, query)
    return json_response({"items": items, "next_after": after, "open": count})


@blueprint.post("/offline/<item_id>/answer")
async def offline_answer(item_id: str) -> Response:
    """The agent's answer, stored on the item and queued by e-mail to the visitor."""
    principal = await current_principal()
    item = await service(OfflineService).answer(principal, item_id, await read_json(OfflineAnswer))
    return json_response({"item": item}, 202)


@blueprint.post("/offline/<item_id>/done")
async def offline_done(item_id: str) -> Response:
    """Mark the item done: who, when."""
    item = await service(OfflineService).done(await current_principal(), item_id)
    return json_response({"item": item})
