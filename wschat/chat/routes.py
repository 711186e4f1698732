"""The agents' transcript endpoints: forward a conversation's transcript by e-mail, and list the
transcripts sent of it (``/api/conversations/{id}/transcripts``)."""

from __future__ import annotations

from quart import Blueprint, Response

from wschat.accounts.signed_in import current_principal
from wschat.boundary.http import json_response, read_json, service
from wschat.chat.transcripts import TranscriptForward, TranscriptService

blueprint = Blueprint("conversations", __name__, url_prefix="/api/conversations")


@blueprint.post("/<conversation_id>/transcripts")
async def forward(conversation_id: str) -> Response:
    """Queue the transcript to one address, with an optional note; recorded with the conversation."""
    principal = await current_principal()
    record = await service(TranscriptService).forward(
        principal, conversation_id, await read_json(TranscriptForward)
    )
    return json_response({"transcript": record.to_wire()}, 202)


@blueprint.get("/<conversation_id>/transcripts")
async def sent(conversation_id: str) -> Response:
    """Every transcript sent of the conversation (the visitor's copies and agents' forwards), oldest first."""
    records = await service(TranscriptService).sent_of(await current_principal(), conversation_id)
    return json_response({"transcripts": [record.to_wire() for record in records]})
