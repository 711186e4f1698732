"""What one closed chat (or one offline message) adds to its day's figures: pure rules, no storage.

A chat belongs to the day it started (UTC, docs/reports.md *Days*). It was **answered** if an agent ever
took it (accepted or was assigned it), **missed** if it closed without one; an offline message is neither.
Its figures go to the tenant's row and, for an answered chat, to the row of the agent who held it last
(who ended it, or from whom it went back to the queue): "their own" chats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from wschat.chat.models import Conversation
from wschat.records import Document
from wschat.reports import figures
from wschat.reports.figures import Counts

#: Longest page path kept; longer ones are cut (a path is a label in a table, not a link).
PATH_LENGTH = 300


@dataclass(frozen=True)
class CallSpan:
    """A call of the chat: when it was connected and when it ended (None: never connected)."""

    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class ChatFacts:
    """One chat's share of its day: the tenant's counts, the agent's (if answered), the start page."""

    day: date
    counts: Counts
    agent_id: str | None = None
    agent_counts: Counts = field(default_factory=dict)
    page: str | None = None


def day_of(at: datetime) -> date:
    """The report day of a moment: its UTC date (tenants have no time zone setting)."""
    return at.astimezone(UTC).date()


def page_path(url: str) -> str | None:
    """The path of a page URL without query string or fragment (they may carry personal data)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    return (path or "/")[:PATH_LENGTH]


def facts_of(
    conversation: Conversation,
    history: Sequence[Document],
    first_answer_at: datetime | None,
    calls: Iterable[CallSpan],
    *,
    start_page: str | None,
    first_chat_of_day: bool,
) -> ChatFacts:
    """The figures of a closed conversation, from its transitions (oldest first), the time of the first
    agent message visitors saw, its calls and the page its visitor was on when it started."""
    day = day_of(conversation.created_at)
    if conversation.origin == "offline_form":
        return ChatFacts(day, {"offline": 1})
    counts: Counts = {f"{figures.HOUR}:{conversation.created_at.astimezone(UTC).hour}": 1}
    if first_chat_of_day:
        counts["chatted"] = 1
    assigned = [t for t in history if (t.get("state") or {}).get("agent_id")]
    if not assigned:
        counts["missed"] = 1
        return ChatFacts(day, counts, page=start_page)
    taken_at: datetime = assigned[0]["at"]
    counts["answered"] = 1
    counts[figures.key(figures.WAIT, _seconds(conversation.created_at, taken_at))] = 1
    if first_answer_at is not None:
        counts[figures.key(figures.FIRST_RESPONSE, _seconds(conversation.created_at, first_answer_at))] = 1
    if conversation.closed_at is not None:
        counts[figures.key(figures.DURATION, _seconds(taken_at, conversation.closed_at))] = 1
    if transfers := sum(1 for t in history if t.get("kind") == "transfer"):
        counts["transfers"] = transfers
    counts |= _calls(calls)
    agent_counts = {k: v for k, v in counts.items() if k != "chatted"}
    return ChatFacts(day, counts, str(assigned[-1]["state"]["agent_id"]), agent_counts, start_page)


def _calls(calls: Iterable[CallSpan]) -> Counts:
    """Calls that were connected, and their whole seconds."""
    held = [c for c in calls if c.started_at is not None and c.ended_at is not None]
    if not held:
        return {}
    seconds = sum(int(_seconds(c.started_at, c.ended_at)) for c in held if c.started_at and c.ended_at)
    return {"calls": len(held), "call_seconds": seconds}


def _seconds(since: datetime, until: datetime) -> float:
    return max(0.0, (until - since).total_seconds())
