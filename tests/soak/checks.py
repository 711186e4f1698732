"""What must hold after a soak, read from the database and compared with what every client shows.

Each check returns anomalies: one line each, saying what is wrong and where. None is the only good result.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.soak.clients import Agent, Sent, View, Visitor
from tests.support import stored
from wschat.storage import Database


@dataclass
class Stored:
    """The tenant's state as the database has it."""

    messages: dict[str, dict[int, dict[str, Any]]]  # conversation id → seq → message
    conversations: dict[str, dict[str, Any]]
    presence: dict[str, dict[str, Any]]  # user id → presence record
    sockets: list[dict[str, Any]]
    nodes: dict[str, datetime]  # node id → last heartbeat

    @classmethod
    async def read(cls, db: Database, tenant_id: str) -> Stored:
        messages: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        for message in await stored(db, "messages", tenant_id=tenant_id):
            messages[message["conversation_id"]][message["seq"]] = message
        conversations = {c["_id"]: c for c in await stored(db, "conversations", tenant_id=tenant_id)}
        presence = {p["_id"]: p for p in await stored(db, "presence", tenant_id=tenant_id)}
        sockets = await stored(db, "sockets", tenant_id=tenant_id)
        nodes = {n["_id"]: _aware(n["seen_at"]) for n in await stored(db, "nodes")}
        return cls(dict(messages), conversations, presence, sockets, nodes)

    def live_nodes(self, now: datetime) -> set[str]:
        """Processes that beat within the last 15 s (housekeeping beats every 5 s)."""
        return {node for node, seen in self.nodes.items() if now - seen < timedelta(seconds=15)}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def lost_or_doubled(db_state: Stored, acked: list[Sent]) -> list[str]:
    """Every acked message is stored once, with the seq and text its ack gave; no text is stored twice."""
    anomalies = []
    for sent in acked:
        message = db_state.messages.get(sent.conversation_id, {}).get(sent.seq)
        if message is None or message["client_id"] != sent.client_id or message["text"] != sent.text:
            anomalies.append(f"acked message lost: {sent}")
    for conversation_id, by_seq in db_state.messages.items():
        texts = Counter(m["text"] for m in by_seq.values() if m["sender"]["kind"] != "system")
        anomalies += [f"doubled in {conversation_id}: {t!r} ×{n}" for t, n in texts.items() if n > 1]
    return anomalies


def _compare(who: str, conversation_id: str, shown: View, expected: dict[int, dict[str, Any]]) -> list[str]:
    wanted = {seq: m["text"] for seq, m in expected.items()}
    missing = sorted(set(wanted) - set(shown))
    phantom = sorted(set(shown) - set(wanted))
    different = sorted(seq for seq in set(shown) & set(wanted) if shown[seq] != wanted[seq])
    if not (missing or phantom or different):
        return []
    named = [
        f"{seq} ({expected[seq]['client_id']} at {expected[seq]['created_at']:%H:%M:%S.%f})"
        for seq in missing
    ]
    return [f"{who}, {conversation_id}: missing seq {named}, not stored {phantom}, other text {different}"]


def visitor_screens(db_state: Stored, visitors: list[Visitor]) -> list[str]:
    """A widget shows its open chat as stored (every message the visitor may see), and nothing of an earlier
    chat that is not stored so."""
    anomalies = []
    for visitor in visitors:
        for conversation_id, shown in visitor.views.items():
            visible = {
                seq: m
                for seq, m in db_state.messages.get(conversation_id, {}).items()
                if m["visibility"] == "all"
            }
            if conversation_id != visitor.conversation_id:
                visible = {seq: m for seq, m in visible.items() if seq in shown}
            found = _compare(f"visitor {visitor.n}", conversation_id, shown, visible)
            anomalies += found + [f"    {line}" for line in visitor.client.trace[-25:] if found]
        open_ones = [
            c["_id"]
            for c in db_state.conversations.values()
            if c["status"] != "closed" and c["_id"] in visitor.views
        ]
        if open_ones and visitor.conversation_id not in open_ones:
            anomalies.append(f"visitor {visitor.n} shows {visitor.conversation_id}, open is {open_ones}")
    return anomalies


def agent_screens(db_state: Stored, agents: list[Agent]) -> list[str]:
    """A console shows exactly the active chats assigned to its user, each from the first message it has up to
    the newest stored one, as stored; and nothing of earlier chats that is not stored so."""
    anomalies = []
    for agent in agents:
        assigned = {
            c["_id"]
            for c in db_state.conversations.values()
            if c["status"] == "active" and c.get("agent_id") == agent.user_id
        }
        if assigned != set(agent.held):
            anomalies.append(
                f"agent {agent.login} shows chats {sorted(agent.held)}, is assigned {sorted(assigned)}"
            )
        for conversation_id, shown in agent.held.items():
            messages = db_state.messages.get(conversation_id, {})
            first = min(shown, default=max(messages, default=0) + 1)
            expected = {seq: m for seq, m in messages.items() if seq >= first}
            found = _compare(f"agent {agent.login}", conversation_id, shown, expected)
            anomalies += found + [f"    {line}" for line in _trace_of(agent, conversation_id) if found]
        for conversation_id, shown in agent.former.items():
            messages = db_state.messages.get(conversation_id, {})
            anomalies += _compare(
                f"agent {agent.login} (earlier chat)",
                conversation_id,
                shown,
                {seq: m for seq, m in messages.items() if seq in shown},
            )
    return anomalies


def _trace_of(agent: Agent, conversation_id: str) -> list[str]:
    """An agent's last trace lines about one chat or its connection (its trace is mostly other chats)."""
    lines = [line for line in agent.client.trace if conversation_id in line or "connect" in line]
    return lines[-25:]


def stuck_chats(db_state: Stored, now: datetime) -> list[str]:
    """No chat is queued while agents have room (every agent may hold all visitors' chats), and none is
    active under an agent who is offline or has no socket."""
    live = db_state.live_nodes(now)
    connected = {s["owner_id"] for s in db_state.sockets if s["kind"] == "agent" and s["node_id"] in live}
    anomalies = []
    for conversation in db_state.conversations.values():
        if conversation["status"] == "queued":
            anomalies.append(f"chat left in the queue: {conversation['_id']}")
        elif conversation["status"] == "active":
            agent = conversation.get("agent_id")
            status = db_state.presence.get(agent or "", {}).get("status")
            if status != "online" or agent not in connected:
                anomalies.append(
                    f"orphaned chat {conversation['_id']}: agent {agent} is {status}, "
                    f"with a socket: {agent in connected}"
                )
    return anomalies


def ghosts(db_state: Stored, now: datetime, visitors: list[Visitor], agents: list[Agent]) -> list[str]:
    """The socket records are exactly the sockets the clients hold, and only agents with one are online."""
    live = db_state.live_nodes(now)
    anomalies = [
        f"socket of a dead process left: {s['_id']} ({s['kind']})"
        for s in db_state.sockets
        if s["node_id"] not in live
    ]
    for kind, clients in (("visitor", [v.client for v in visitors]), ("agent", [a.client for a in agents])):
        recorded = {s["_id"] for s in db_state.sockets if s["kind"] == kind and s["node_id"] in live}
        held = {c.sid for c in clients if c.connected}
        anomalies += [f"ghost {kind} socket {sid}" for sid in sorted(recorded - held)]
        anomalies += [f"{kind} socket {sid} not recorded" for sid in sorted(held - recorded)]
    with_socket = {s["owner_id"] for s in db_state.sockets if s["kind"] == "agent" and s["node_id"] in live}
    for agent in agents:
        status = db_state.presence.get(agent.user_id, {}).get("status", "offline")
        if status != "offline" and agent.user_id not in with_socket:
            anomalies.append(f"ghost agent {agent.login}: {status} without a socket")
        if status == "offline" and agent.client.connected:
            anomalies.append(f"agent {agent.login} connected but offline")
    return anomalies
