"""The conversations an agent is named in, each once, page by page, from a position that can be stored.

Three ways find them, one after the other (:class:`~wschat.agent_data.store.Way`): the transitions that gave
them a chat, the transitions they made, the transcripts they forwarded. A conversation found more than
once (assigned twice; held and closed) is given at one record only — the first of the first way that finds
it — decided from the conversation's own few records, so that no set of seen ids grows with the walk.
"""

from __future__ import annotations

from dataclasses import dataclass

from wschat.agent_data.store import AgentDataStore, ConversationRecords, Trace, Way
from wschat.records import Document

#: Records read per page of a walk.
PAGE = 50


@dataclass(frozen=True)
class Position:
    way: Way = Way.HELD
    after: str | None = None


@dataclass(frozen=True)
class Found:
    conversation_id: str
    records: ConversationRecords


class AgentChats:
    def __init__(self, store: AgentDataStore, *, page: int = PAGE) -> None:
        self.store = store
        self.page_size = page

    async def page(self, tenant_id: str, user_id: str, at: Position) -> tuple[list[Found], Position | None]:
        """The conversations found in one page of records from ``at``, and where the next page starts
        (None: the walk is done)."""
        traces = await self.store.traces(tenant_id, user_id, at.way, at.after, self.page_size)
        found = []
        for trace in traces:
            records = await self.store.records_of(tenant_id, trace.conversation_id)
            if records.conversation is not None and _first(at.way, trace, records, user_id):
                found.append(Found(trace.conversation_id, records))
        if len(traces) == self.page_size:
            return found, Position(at.way, traces[-1].cursor)
        ways = list(Way)
        following = ways.index(at.way) + 1
        return found, Position(ways[following]) if following < len(ways) else None


def _first(way: Way, trace: Trace, records: ConversationRecords, user_id: str) -> bool:
    """Whether ``trace`` is the record at which the walk gives its conversation."""
    held = [t for t in records.transitions if (t.get("state") or {}).get("agent_id") == user_id]
    acted = [t for t in records.transitions if _by(t) == user_id]
    if way is Way.HELD:
        return _is_earliest(trace, held)
    if way is Way.ACTED:
        return not held and _is_earliest(trace, acted)
    sent = sorted(
        (t for t in records.transcripts if t.get("by_id") == user_id), key=lambda t: (t["at"], t["_id"])
    )
    return not held and not acted and bool(sent) and sent[0]["_id"] == trace.record_id


def _by(transition: Document) -> object:
    """Who made the transition, where it names a party (an offline item's ``done`` names only an id)."""
    by = transition.get("by")
    return by.get("id") if isinstance(by, dict) else None


def _is_earliest(trace: Trace, transitions: list[Document]) -> bool:
    return bool(transitions) and min(transitions, key=lambda t: t["epoch"])["_id"] == trace.record_id
