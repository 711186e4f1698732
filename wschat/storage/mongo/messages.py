"""The MongoDB adapter for messages. Every query filters by ``tenant_id``.

``seq`` is allocated by inserting with the next number and letting the unique index (conversation_id, seq)
refuse a number someone else took; (conversation_id, client_id) makes a resent message a no-op. Never a
read-modify-write counter, which FerretDB's SQLite backend would not make atomic.

The common case costs one insert: each process remembers the last seq of the conversations it wrote to,
and when another process took the next one (a visitor and an agent on different processes), the one after
it is tried before anything is read. Only a refusal that is not that (a resent ``client_id``, or a seq far
behind) is looked into: MongoDB names the key in the error; where the server does not (FerretDB), the second
refusal in a row is.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pymongo.errors import DuplicateKeyError

from wschat.chat.models import Message, Visibility
from wschat.storage.documents import message_doc, message_from, transition_id
from wschat.storage.mongo.database import MongoHandle

#: What a transition's marker message's client_id starts with (wschat/chat/markers.py).
MARKER_PREFIX = "sys:"
#: Conversations whose last seq this process remembers (saves a query per message).
LAST_SEQ_CACHE = 10_000
MAX_ATTEMPTS = 100


class MongoMessageStore:
    def __init__(self, db: MongoHandle) -> None:
        self._messages = db["messages"]
        self._transitions = db["transitions"]
        self._last_seq: OrderedDict[str, int] = OrderedDict()

    async def append(
        self, tenant_id: str, conversation_id: str, client_id: str, build: Callable[[int], Message]
    ) -> tuple[Message, bool]:
        """Store ``build(next seq)``: (it, True); for a known client_id: (the earlier one, False)."""
        guessed = False  # the seq tried is the one after a taken one, not after the stored last
        for _ in range(MAX_ATTEMPTS):
            seq = await self._next_seq(tenant_id, conversation_id)
            message = build(seq)
            try:
                await self._messages.insert_one(message_doc(message))
            except DuplicateKeyError as error:
                taken = _taken_key(error)
                if taken != "client_id" and not guessed:
                    # Most likely another process stored the seq this one remembered as next (the visitor
                    # writes through one process, the agent through another): try the one after it before
                    # paying for a look-up.
                    self._remember(conversation_id, seq)
                    guessed = True
                    continue
                # Not a seq (or a second refusal in a row): a resend, or this process is far behind.
                self._last_seq.pop(conversation_id, None)
                guessed = False
                if taken != "seq":
                    earlier = await self.by_client_id(tenant_id, conversation_id, client_id)
                    if earlier is not None:
                        return earlier, False
                continue
            self._remember(conversation_id, seq)
            if client_id.startswith(MARKER_PREFIX):
                await self._aftermath_done(conversation_id, client_id)
            return message, True
        raise RuntimeError(f"could not allocate a seq in {conversation_id}")

    async def _aftermath_done(self, conversation_id: str, client_id: str) -> None:
        """A transition's marker message is written: its aftermath is complete. Recorded on the transition
        (found by its ``_id``), so that the repair pass need not look for the marker among the messages."""
        epoch = client_id.rpartition(":")[2]
        if not epoch.isdigit():
            return
        transition_key = transition_id(conversation_id, int(epoch))
        transition = await self._transitions.find_one({"_id": transition_key}, {"marker": 1})
        if transition is not None and transition.get("marker") == client_id:
            await self._transitions.update_one({"_id": transition_key}, {"$set": {"done": True}})

    async def by_client_id(self, tenant_id: str, conversation_id: str, client_id: str) -> Message | None:
        doc = await self._messages.find_one(
            {"tenant_id": tenant_id, "conversation_id": conversation_id, "client_id": client_id}
        )
        return message_from(doc) if doc else None

    async def after(
        self, tenant_id: str, conversation_id: str, after_seq: int, limit: int, *, agents: bool
    ) -> list[Message]:
        """Up to ``limit`` messages with a seq above ``after_seq``, oldest first."""
        query = _conversation_query(tenant_id, conversation_id, agents) | {"seq": {"$gt": after_seq}}
        cursor = self._messages.find(query).sort("seq", 1).limit(limit)
        return [message_from(doc) async for doc in cursor]

    async def before(
        self, tenant_id: str, conversation_id: str, before_seq: int | None, limit: int, *, agents: bool
    ) -> list[Message]:
        """Up to ``limit`` messages with a seq below ``before_seq`` (None: any), newest first.

        On MongoDB the (conversation_id, seq) index answers the seq range and the order, so a page costs its
        own length however long the conversation is. (The embedded FerretDB reads the collection for any
        filter but ``_id``, here as for every other query of this store.)
        """
        query = _conversation_query(tenant_id, conversation_id, agents)
        if before_seq is not None:
            query["seq"] = {"$lt": before_seq}
        cursor = self._messages.find(query).sort("seq", -1).limit(limit)
        return [message_from(doc) async for doc in cursor]

    async def last_seq(self, tenant_id: str, conversation_id: str) -> int:
        doc = await self._messages.find_one(
            {"tenant_id": tenant_id, "conversation_id": conversation_id}, {"seq": 1}, sort=[("seq", -1)]
        )
        return int(doc["seq"]) if doc else 0

    async def _next_seq(self, tenant_id: str, conversation_id: str) -> int:
        last = self._last_seq.get(conversation_id)
        if last is None:
            last = await self.last_seq(tenant_id, conversation_id)
        return last + 1

    def _remember(self, conversation_id: str, seq: int) -> None:
        self._last_seq[conversation_id] = seq
        self._last_seq.move_to_end(conversation_id)
        while len(self._last_seq) > LAST_SEQ_CACHE:
            self._last_seq.popitem(last=False)


def _taken_key(error: DuplicateKeyError) -> str | None:
    """Which unique key an insert hit: ``seq``, ``client_id``, or None where the server does not say
    (MongoDB names it in ``keyPattern``; FerretDB does not)."""
    pattern = (error.details or {}).get("keyPattern") or {}
    for key in ("client_id", "seq"):
        if key in pattern:
            return key
    return None


def _conversation_query(tenant_id: str, conversation_id: str, agents: bool) -> dict[str, Any]:
    query: dict[str, Any] = {"tenant_id": tenant_id, "conversation_id": conversation_id}
    if not agents:
        query["visibility"] = Visibility.ALL.value
    return query
