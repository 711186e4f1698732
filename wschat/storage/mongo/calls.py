"""MongoDB access for calls and for the tenant's video settings. Every query filters by ``tenant_id``.

A call changes (join, leave, end) only through a claimed transition, as conversations do: inserting
``_id = "<call id>:<epoch>"`` into ``call_transitions`` is the claim, and the primary key lets one writer
per epoch win on MongoDB and on FerretDB alike. One open call per conversation is the unique index on
(``tenant_id``, ``open_key``): the conversation id while the call is open, ``ended:<call id>`` after.

A call record says that a call happened, never what was said or shown: there is no media to store.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from wschat.config import Secret
from wschat.db import Database, Document, find_owned
from wschat.sealing import Sealer, Unsealable
from wschat.signalling.models import (
    Call,
    CallKind,
    CallMode,
    CallStatus,
    EndReason,
    JitsiSettings,
    Participation,
    Side,
    VideoSettings,
)

log = logging.getLogger(__name__)


class Superseded(Exception):
    """Another writer changed the call first."""


class CallStore:
    def __init__(self, db: Database) -> None:
        self._calls = db["calls"]
        self._transitions = db["call_transitions"]
        #: The presence layer's record of open sockets (``_id`` is the sid), read to find dead participants.
        self._sockets = db["sockets"]

    async def insert(self, call: Call) -> bool:
        """False if the conversation has an open call already."""
        try:
            await self._calls.insert_one(_call_doc(call))
        except DuplicateKeyError:
            return False
        return True

    async def get(self, tenant_id: str, call_id: str) -> Call | None:
        for _ in range(5):
            doc = await find_owned(self._calls, call_id, tenant_id)
            if doc is None:
                return None
            pending = await self._transitions.find_one({"_id": f"{call_id}:{doc['epoch'] + 1}"})
            if pending is None or pending["tenant_id"] != tenant_id:
                return _call(doc)
            await self._apply(tenant_id, call_id, doc["epoch"], pending["state"])
        raise RuntimeError(f"call {call_id} keeps changing")

    async def open_of_conversation(self, tenant_id: str, conversation_id: str) -> Call | None:
        doc = await self._calls.find_one({"tenant_id": tenant_id, "open_key": conversation_id}, {"_id": 1})
        return await self.get(tenant_id, doc["_id"]) if doc else None

    async def open_with_agent(self, tenant_id: str, agent_id: str) -> list[Call]:
        """The open calls of the agent's chats (an agent holds a few chats at most)."""
        cursor = self._calls.find(
            {"tenant_id": tenant_id, "agent_id": agent_id, "status": {"$ne": CallStatus.ENDED.value}},
            {"_id": 1},
        )
        found = [await self.get(tenant_id, doc["_id"]) async for doc in cursor]
        return [call for call in found if call is not None and call.is_open]

    async def on_socket(self, sid: str) -> list[Call]:
        """Open calls (any tenant) in which this socket takes part."""
        cursor = self._calls.find({"sids": sid}, {"_id": 1, "tenant_id": 1})
        found = [await self.get(doc["tenant_id"], doc["_id"]) async for doc in cursor]
        return [call for call in found if call is not None and call.is_open]

    async def with_dead_sockets(self) -> list[tuple[Call, list[str]]]:
        """Open calls (any tenant) with participants whose socket no longer exists (a process died)."""
        found = []
        async for doc in self._calls.find({"sids": {"$ne": []}}, {"_id": 1, "tenant_id": 1, "sids": 1}):
            live = {s["_id"] async for s in self._sockets.find({"_id": {"$in": doc["sids"]}}, {"_id": 1})}
            dead = [sid for sid in doc["sids"] if sid not in live]
            if dead and (call := await self.get(doc["tenant_id"], doc["_id"])) is not None and call.is_open:
                found.append((call, dead))
        return found

    async def unanswered(self, before: datetime) -> list[Call]:
        """Ringing calls (any tenant) whose invitation expired before ``before``."""
        cursor = self._calls.find(
            {"status": CallStatus.RINGING.value, "expires_at": {"$lte": before}}, {"_id": 1, "tenant_id": 1}
        )
        found = [await self.get(doc["tenant_id"], doc["_id"]) async for doc in cursor]
        return [call for call in found if call is not None and call.status is CallStatus.RINGING]

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[Call]:
        cursor = self._calls.find({"tenant_id": tenant_id, "conversation_id": conversation_id})
        return sorted([_call(doc) async for doc in cursor], key=lambda c: c.created_at)

    async def transition(self, call: Call, changed: Call, now: datetime) -> Call:
        """Claim epoch+1 and store ``changed``; raises :class:`Superseded` if someone else came first."""
        epoch = call.epoch + 1
        state = _state(changed)
        claim = {"_id": f"{call.id}:{epoch}", "tenant_id": call.tenant_id, "call_id": call.id, "at": now}
        try:
            await self._transitions.insert_one({**claim, "state": state})
        except DuplicateKeyError as e:
            raise Superseded() from e
        updated = await self._apply(call.tenant_id, call.id, call.epoch, state)
        if updated is None:
            raise Superseded()
        return updated

    async def _apply(self, tenant_id: str, call_id: str, epoch: int, state: Document) -> Call | None:
        doc = await self._calls.find_one_and_update(
            {"_id": call_id, "tenant_id": tenant_id, "epoch": epoch},
            {"$set": {**state, "epoch": epoch + 1}},
            return_document=ReturnDocument.AFTER,
        )
        return _call(doc) if doc else None


def _state(call: Call) -> Document:
    """The fields a transition may change."""
    present = [p.sid for p in call.present] if call.is_open else []
    return {
        "status": call.status.value,
        "participants": [p.to_doc() for p in call.participants],
        "sids": present,
        "started_at": call.started_at,
        "ended_at": call.ended_at,
        "end_reason": call.end_reason.value if call.end_reason else None,
        "ended_by": call.ended_by.value if call.ended_by else None,
        "duration": call.duration,
        "open_key": call.conversation_id if call.is_open else f"ended:{call.id}",
    }


def _call_doc(call: Call) -> Document:
    return {
        "_id": call.id,
        "tenant_id": call.tenant_id,
        "conversation_id": call.conversation_id,
        "visitor_id": call.visitor_id,
        "agent_id": call.agent_id,
        "kind": call.kind.value,
        "mode": call.mode.value,
        "room": call.room,
        "epoch": call.epoch,
        "started_by": call.started_by.value,
        "started_by_id": call.started_by_id,
        "created_at": call.created_at,
        "expires_at": call.expires_at,
        #: There is never media to store; the record says so in so many words.
        "recorded": False,
        **_state(call),
    }


def _call(doc: Document) -> Call:
    return Call(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        conversation_id=doc["conversation_id"],
        visitor_id=doc["visitor_id"],
        agent_id=doc["agent_id"],
        kind=CallKind(doc["kind"]),
        mode=CallMode(doc["mode"]),
        status=CallStatus(doc["status"]),
        epoch=doc["epoch"],
        started_by=Side(doc["started_by"]),
        started_by_id=doc["started_by_id"],
        created_at=doc["created_at"],
        expires_at=doc["expires_at"],
        room=doc.get("room"),
        participants=tuple(Participation.from_doc(p) for p in doc.get("participants", [])),
        started_at=doc.get("started_at"),
        ended_at=doc.get("ended_at"),
        end_reason=EndReason(doc["end_reason"]) if doc.get("end_reason") else None,
        ended_by=Side(doc["ended_by"]) if doc.get("ended_by") else None,
    )


#: The stored fields that hold secrets: sealed before they are written (wschat/sealing.py).
SEALED_FIELDS = ("turn_secret", "jitsi.secret")


class VideoSettingsStore:
    """The ``video`` sub-document of a tenant: kept apart from the tenant's other settings.

    The TURN and Jitsi secrets are sealed with the server's key before they are written. A secret stored as
    plain text (before sealing existed) is sealed in place the first time it is read.
    """

    def __init__(self, db: Database, sealer: Sealer) -> None:
        self._tenants = db.tenants
        self._sealer = sealer
        self._warned: set[str] = set()

    async def get(self, tenant_id: str) -> VideoSettings:
        doc = await self._tenants.find_one({"_id": tenant_id}, {"video": 1})
        video: Document = (doc or {}).get("video") or {}
        await self._seal_plain(tenant_id, video)
        return self._video(tenant_id, video)

    async def update(self, tenant_id: str, changes: dict[str, Any]) -> VideoSettings | None:
        """Set the given fields (``jitsi.<name>`` for the Jitsi part); None for an unknown tenant."""
        values = {f"video.{key}": self._stored(tenant_id, key, value) for key, value in changes.items()}
        doc = await self._tenants.find_one_and_update(
            {"_id": tenant_id}, {"$set": values}, return_document=ReturnDocument.AFTER
        )
        return self._video(tenant_id, doc.get("video") or {}) if doc else None

    def _stored(self, tenant_id: str, key: str, value: Any) -> Any:
        if key in SEALED_FIELDS and isinstance(value, str):
            return self._sealer.seal(value, place=_place(tenant_id, key))
        return value

    async def _seal_plain(self, tenant_id: str, video: Document) -> None:
        for key in SEALED_FIELDS:
            *parents, name = key.split(".")
            holder = video
            for parent in parents:
                inner = holder.get(parent)
                holder = inner if isinstance(inner, dict) else {}
            if isinstance(holder.get(name), str):
                holder[name] = self._stored(tenant_id, key, holder[name])
                await self._tenants.update_one({"_id": tenant_id}, {"$set": {f"video.{key}": holder[name]}})
                log.info("sealed the stored %s of tenant %s", key, tenant_id)

    def _open(self, tenant_id: str, key: str, stored: Any) -> Secret | None:
        if stored is None:
            return None
        place = _place(tenant_id, key)
        try:
            return self._sealer.open(stored, place=place)
        except Unsealable:
            if place not in self._warned:
                self._warned.add(place)
                log.warning(
                    "the stored %s of tenant %s does not open with this server's secret key "
                    "(was WSCHAT_SECRET_KEY changed?): treated as not set until an admin sets it again",
                    key,
                    tenant_id,
                )
            return None

    def _video(self, tenant_id: str, doc: Document) -> VideoSettings:
        jitsi_doc: Document = doc.get("jitsi") or {}
        jitsi = JitsiSettings()
        jitsi = replace(
            jitsi,
            domain=jitsi_doc.get("domain"),
            app_id=jitsi_doc.get("app_id"),
            secret=self._open(tenant_id, "jitsi.secret", jitsi_doc.get("secret")),
            audience=jitsi_doc.get("audience") or jitsi.audience,
            sub=jitsi_doc.get("sub") or jitsi.sub,
            token_ttl_seconds=jitsi_doc.get("token_ttl_seconds") or jitsi.token_ttl_seconds,
        )
        video = VideoSettings()
        return replace(
            video,
            stun_urls=tuple(doc.get("stun_urls") or ()),
            turn_urls=tuple(doc.get("turn_urls") or ()),
            turn_secret=self._open(tenant_id, "turn_secret", doc.get("turn_secret")),
            turn_ttl_seconds=doc.get("turn_ttl_seconds") or video.turn_ttl_seconds,
            allow_visitor_calls=bool(doc.get("allow_visitor_calls", video.allow_visitor_calls)),
            allow_visitor_screen_share=bool(
                doc.get("allow_visitor_screen_share", video.allow_visitor_screen_share)
            ),
            invite_timeout_seconds=doc.get("invite_timeout_seconds") or video.invite_timeout_seconds,
            jitsi=jitsi,
        )


def _place(tenant_id: str, key: str) -> str:
    """What a sealed secret is bound to: its tenant and its field."""
    return f"tenants/{tenant_id}/video.{key}"
