"""What a deleted agent's records become: the rules that take their name and photo out of a conversation.

What they wrote stays: their messages keep the sender kind ``agent`` and their id, without a name or a
photo (clients show "Former agent"). Every other copy of their name in the conversation goes, each found
by their id, never by the name, so that a colleague called alike keeps theirs:

- a system message names them in its ``data`` where its transition (the message's ``client_id`` is the
  transition's ``marker``) or its call (``data.call_id``) says it was them, or they sent it (a transfer
  note); that field becomes ``""``, and an English text that begins with the name begins with
  :data:`FORMER_AGENT` instead (clients word system messages from ``data``, in the reader's language);
- the transitions: who made one (``by``), who closed (``state.closed_by``), the text of their close;
- the conversation's ``closed_by``; the calls' participants, and the participants in the calls' transitions;
- the transcripts they forwarded (``by_name``).

Pure: documents in, :class:`~wschat.agent_data.store.Change` out; applying a result twice changes nothing.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from wschat.agent_data.store import Change, ConversationRecords
from wschat.chat.models import Message, SenderKind
from wschat.records import Document

#: What the server's English texts say instead of a deleted agent's name.
FORMER_AGENT = "A former agent"

#: System messages whose (English) text begins with the name held in one of their data fields.
_SUBJECT = {
    "assigned": "agent",
    "requeued": "agent",
    "transferred": "to",
    "closed_by_agent": "agent",
    "call_started": "by",
}
#: Which data field of a transition's marker message names whom, per kind of transition.
_BY_KIND = {
    "auto": (("agent", "state.agent_id"),),
    "accept": (("agent", "state.agent_id"),),
    "requeue": (("agent", "from_agent_id"),),
    "transfer": (("from", "from_agent_id"), ("to", "to_agent_id")),
    "close": (("agent", "by.id"),),
}


def record_changes(agent_id: str, records: ConversationRecords) -> list[Change]:
    """The agent's name and photo out of the conversation, its transitions, calls and transcripts."""
    changes: list[Change] = []
    conversation = records.conversation
    if conversation is not None and _names(conversation.get("closed_by"), agent_id):
        closed_by = _unnamed(conversation["closed_by"])
        changes.append(Change("conversations", conversation["_id"], {"closed_by": closed_by}))
    changes += [c for t in records.transitions if (c := _transition(agent_id, t)) is not None]
    for call in records.calls:
        participants = call.get("participants")
        if isinstance(participants, list) and _in_call(participants, agent_id):
            changes.append(Change("calls", call["_id"], {"participants": _without(participants, agent_id)}))
    for step in records.call_transitions:
        state = step.get("state") or {}
        participants = state.get("participants")
        if isinstance(participants, list) and _in_call(participants, agent_id):
            unnamed = {**state, "participants": _without(participants, agent_id)}
            changes.append(Change("call_transitions", step["_id"], {"state": unnamed}))
    for sent in records.transcripts:
        if sent.get("by_id") == agent_id and sent.get("kind") == "agent" and sent.get("by_name"):
            changes.append(Change("transcripts", sent["_id"], {"by_name": ""}))
    return changes


def mentions(agent_id: str, records: ConversationRecords) -> dict[str, set[str]]:
    """The data fields that name the agent, per system message (by ``client_id``, the transitions'
    markers) and per call they started (by ``call:<id>``)."""
    found: dict[str, set[str]] = {}
    for transition in records.transitions:
        marker = transition.get("marker")
        fields = {
            name
            for name, path in _BY_KIND.get(transition.get("kind", ""), ())
            if _at(transition, path) == agent_id
        }
        if isinstance(marker, str) and fields:
            found.setdefault(marker, set()).update(fields)
    for call in records.calls:
        if call.get("started_by") == "agent" and call.get("started_by_id") == agent_id:
            found[f"call:{call['_id']}"] = {"by"}
    return found


def message_changes(agent_id: str, named: dict[str, set[str]], messages: list[Message]) -> list[Change]:
    """The agent's name and photo out of these messages (``named`` from :func:`mentions`)."""
    changes: list[Change] = []
    for message in messages:
        fields: dict[str, Any] = {}
        sender = message.sender
        own = sender.kind is SenderKind.AGENT and sender.id == agent_id
        if own and (sender.display_name or sender.photo_url is not None):
            fields["sender"] = sender.to_doc() | {"display_name": "", "photo_url": None}
        keys = set(named.get(message.client_id, ()))
        if message.event == "call_started":
            keys |= named.get(f"call:{message.data.get('call_id')}", set())
        if own and message.event == "transfer_note":
            keys.add("by")
        data, text = _unnamed_data(message, keys)
        if data != message.data:
            fields["data"] = data
        if text != message.text:
            fields["text"] = text
        if fields:
            changes.append(Change("messages", message.id, fields))
    return changes


def _unnamed_data(message: Message, keys: set[str]) -> tuple[dict[str, Any], str]:
    data, text = dict(message.data), message.text
    for key in keys:
        name = data.get(key)
        if not isinstance(name, str) or not name:
            continue
        data[key] = ""
        if _SUBJECT.get(message.event or "") == key and text.startswith(name):
            text = FORMER_AGENT + text[len(name) :]
    return data, text


def _transition(agent_id: str, transition: Document) -> Change | None:
    fields: dict[str, Any] = {}
    by = transition.get("by")
    if _names(by, agent_id):
        fields["by"] = _unnamed(by)
        text, name = transition.get("text"), by.get("display_name") or ""
        if isinstance(text, str) and name and text.startswith(name):
            fields["text"] = FORMER_AGENT + text[len(name) :]
    state = transition.get("state") or {}
    if _names(state.get("closed_by"), agent_id):
        fields["state"] = {**state, "closed_by": _unnamed(state["closed_by"])}
    return Change("transitions", transition["_id"], fields) if fields else None


def _names(party: Any, agent_id: str) -> TypeGuard[Document]:
    """Whether ``party`` (a stored Party) is the agent and still shows a name or photo."""
    return (
        isinstance(party, dict)
        and party.get("kind") == SenderKind.AGENT.value
        and party.get("id") == agent_id
        and bool(party.get("display_name") or party.get("photo_url") is not None)
    )


def _unnamed(party: Document) -> Document:
    return {**party, "display_name": "", "photo_url": None}


def _in_call(participants: list[Any], agent_id: str) -> bool:
    return any(_is_them(p, agent_id) and p.get("display_name") for p in participants)


def _without(participants: list[Any], agent_id: str) -> list[Any]:
    return [{**p, "display_name": ""} if _is_them(p, agent_id) else p for p in participants]


def _is_them(participant: Any, agent_id: str) -> bool:
    return (
        isinstance(participant, dict)
        and participant.get("side") == "agent"
        and participant.get("id") == agent_id
    )


def _at(doc: Document, path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
