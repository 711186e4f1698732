"""An agent's (or admin's) download of their own data: one JSON document, streamed.

What it holds (docs/privacy.md, *Agents' data*): the account (login, alias, role, dates, settings), the
photo (base64, with its media type), their own canned replies, what the server keeps of their sign-ins (the
password's date, signed-out sessions' expiry, presence; never the hash or a session's id), and every message
they wrote, walked through the chats they took part in (wschat/agent_data/walk.py) a page at a time, so
that memory stays bounded however many there are. Never anyone else's data: the user is the one signed in.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import orjson

from wschat.accounts.models import Principal, User
from wschat.agent_data.walk import AgentChats, Position
from wschat.canned.store import CannedReplyStore
from wschat.chat.message_store import MessageStore
from wschat.chat.models import Message, SenderKind
from wschat.chat.presence_store import PresenceStore
from wschat.clock import Clock
from wschat.media.store import PhotoStore

FORMAT = "wschat-agent-data/1"
#: Messages read per query while the download is written.
MESSAGE_PAGE = 500
#: The photo's variant in the download (the largest one kept), and its type.
PHOTO_SIZE = 256
PHOTO_TYPE = "image/webp"


class OwnData:
    def __init__(
        self,
        chats: AgentChats,
        messages: MessageStore,
        photos: PhotoStore,
        canned: CannedReplyStore,
        presence: PresenceStore,
        clock: Clock,
    ) -> None:
        self.chats = chats
        self.messages = messages
        self.photos = photos
        self.canned = canned
        self.presence = presence
        self.clock = clock

    async def stream(self, principal: Principal) -> AsyncIterator[bytes]:
        """The document's bytes: everything but the messages first, then the messages as they are read."""
        user = principal.user
        head = {
            "format": FORMAT,
            "made_at": self.clock().isoformat(),
            "tenant": {
                "id": principal.tenant.id,
                "slug": principal.tenant.slug,
                "name": principal.tenant.name,
            },
            "account": _account(user),
            "photo": await self._photo(user),
            "canned_replies": await self._replies(user),
            "sign_in": await self._sign_in(user),
        }
        yield orjson.dumps(head)[:-1] + b',"messages":['
        first = True
        async for message in self._written(user):
            yield (b"" if first else b",") + orjson.dumps(_message(message))
            first = False
        yield b"]}"

    async def _written(self, user: User) -> AsyncIterator[Message]:
        at: Position | None = Position()
        while at is not None:
            found, at = await self.chats.page(user.tenant_id, user.id, at)
            for chat in found:
                after = 0
                while True:
                    page = await self.messages.after(
                        user.tenant_id, chat.conversation_id, after, MESSAGE_PAGE, agents=True
                    )
                    for message in page:
                        if message.sender.kind is SenderKind.AGENT and message.sender.id == user.id:
                            yield message
                    if len(page) < MESSAGE_PAGE:
                        break
                    after = page[-1].seq

    async def _photo(self, user: User) -> dict[str, Any] | None:
        photo = await self.photos.public(user.photo_id) if user.photo_id else None
        if photo is None or photo.tenant_id != user.tenant_id or PHOTO_SIZE not in photo.variants:
            return None
        data = photo.variants[PHOTO_SIZE]
        return {
            "media_type": PHOTO_TYPE,
            "size": PHOTO_SIZE,
            "created_at": _iso(photo.created_at),
            "base64": base64.b64encode(data).decode("ascii"),
        }

    async def _replies(self, user: User) -> list[dict[str, Any]]:
        own = [r for r in await self.canned.visible(user.tenant_id, user.id) if r.owner_id == user.id]
        return [
            {
                "title": r.title,
                "shortcut": r.shortcut,
                "text": dict(r.text),
                "created_at": _iso(r.created_at),
                "updated_at": _iso(r.updated_at),
            }
            for r in own
        ]

    async def _sign_in(self, user: User) -> dict[str, Any]:
        presence = await self.presence.get(user.tenant_id, user.id)
        return {
            "password_changed_at": _iso(user.password_changed_at),
            # Which sessions were signed out is kept until their tokens expire; their ids are secrets.
            "signed_out_sessions": [{"until": _iso(s.until)} for s in user.revoked_sessions],
            "open_connections": await self.presence.socket_count(user.tenant_id, user.id),
            "presence": None
            if presence is None
            else {
                "status": presence.status.value,
                "changed_at": _iso(presence.changed_at),
                "disconnected_at": _iso(presence.disconnected_at),
                "last_assigned_at": _iso(presence.last_assigned_at),
            },
        }


def _account(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "login": user.login,
        "alias": user.display_name,
        "role": user.role.value,
        "created_at": _iso(user.created_at),
        "changed_at": _iso(user.updated_at),
        "settings": {"max_chats": user.max_chats, "disabled": user.disabled},
    }


def _message(message: Message) -> dict[str, Any]:
    return {
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "at": _iso(message.created_at),
        "kind": message.kind.value,
        "visibility": message.visibility.value,
        "text": message.text,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
