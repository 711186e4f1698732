"""The life of a call: start (invite), join, decline, leave, end, expiry (the signal relay is relay.py).

A call belongs to one conversation, its visitor and the agent who held the conversation when it began.
Each person takes part through one socket at a time; signals go to exactly the sockets that joined, so a
second tab, another visitor or another agent never sees an offer. wsChat relays signalling only: media
flows between the browsers (p2p) or through the tenant's Jitsi, and is never received or stored here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from wschat.accounts.store import UserStore
from wschat.boundary.protocol import Event
from wschat.boundary.publisher import Publisher
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.messages import MessageService
from wschat.chat.models import Conversation, ConversationStatus
from wschat.clock import Clock, new_id
from wschat.errors import AgentUnavailable, CallEnded, Conflict, ConversationClosed, Forbidden, NotFound
from wschat.jitsi.rooms import new_room
from wschat.signalling.call_messages import end_text, message_data
from wschat.signalling.connect import connect_info, invited
from wschat.signalling.models import Call, Caller, CallKind, CallStatus, EndReason, Participation, Side
from wschat.signalling.notify import to_both, to_side
from wschat.signalling.payloads import ConnectInfo, JoinedWire
from wschat.signalling.store import CallStore, Superseded
from wschat.video.models import CallMode, VideoSettings
from wschat.video.store import VideoSettingsStore
from wschat.visitors.store import VisitorStore

log = logging.getLogger(__name__)

RETRIES = 5


class CallPublisher(Publisher, Protocol):
    async def to_socket(self, sid: str, side: str, event: Event, payload: Mapping[str, object]) -> None:
        """Deliver to one socket ("agent" or "visitor" namespace), on whichever process holds it."""


@dataclass(frozen=True)
class Joined:
    """A call as one participant sees it, with what their browser needs to connect."""

    call: Call
    connect: ConnectInfo

    def to_wire(self) -> JoinedWire:
        return {"call": self.call.to_wire(), **self.connect}


class CallService:
    def __init__(
        self,
        calls: CallStore,
        video: VideoSettingsStore,
        conversations: ConversationStore,
        visitors: VisitorStore,
        users: UserStore,
        messages: MessageService,
        publisher: CallPublisher,
        clock: Clock,
        *,
        public_url: str,
    ) -> None:
        self.calls = calls
        self.video = video
        self.conversations = conversations
        self.visitors = visitors
        self.users = users
        self.messages = messages
        self.publisher = publisher
        self.clock = clock
        self.public_url = public_url.rstrip("/")

    # -- check_*: access, raises --------------------------------------------------------------------------

    async def of_party(self, tenant_id: str, call_id: str, caller: Caller) -> Call:
        """A call of the caller's own conversation. Raises NOT_FOUND (visitors), FORBIDDEN (other agents)."""
        call = await self.calls.get(tenant_id, call_id)
        if call is None or (caller.side is Side.VISITOR and call.visitor_id != caller.id):
            raise NotFound("There is no such call.")
        if caller.side is Side.AGENT and call.agent_id != caller.id:
            raise Forbidden("This call is not yours.")
        return call

    async def current(self, conversation: Conversation) -> Call | None:
        return await self.calls.open_of_conversation(conversation.tenant_id, conversation.id)

    # -- do_*: changes ------------------------------------------------------------------------------------

    async def start(self, conversation: Conversation, caller: Caller, kind: CallKind) -> Joined:
        """Start a call and invite the other side.

        Raises FORBIDDEN, CONVERSATION_CLOSED, CONFLICT, AGENT_UNAVAILABLE (the agent is in a call of
        another chat: one call at a time, and the visitor learns it at once instead of ringing unanswered).
        """
        if conversation.status is ConversationStatus.CLOSED:
            raise ConversationClosed()
        if conversation.status is not ConversationStatus.ACTIVE or conversation.agent_id is None:
            raise Conflict("No agent has taken this chat yet.")
        video = await self.video.get(conversation.tenant_id)
        if caller.side is Side.VISITOR:
            if not video.allow_visitor_calls:
                raise Forbidden("Calls are started by the agent.")
            if kind is CallKind.SCREEN and not video.allow_visitor_screen_share:
                raise Forbidden("Screen sharing is for agents only.")
        agents_calls = await self.calls.open_with_agent(conversation.tenant_id, conversation.agent_id)
        for other in agents_calls:
            if other.conversation_id != conversation.id and any(p.side is Side.AGENT for p in other.present):
                raise AgentUnavailable(
                    "You are in a call in another chat."
                    if caller.side is Side.AGENT
                    else "Your contact person is in another call right now. Please try again later."
                )
        now = self.clock()
        call = Call(
            id=new_id("cal"),
            tenant_id=conversation.tenant_id,
            conversation_id=conversation.id,
            visitor_id=conversation.visitor_id,
            agent_id=conversation.agent_id,
            kind=kind,
            mode=video.mode,
            status=CallStatus.RINGING,
            epoch=0,
            started_by=caller.side,
            started_by_id=caller.id,
            created_at=now,
            expires_at=now + timedelta(seconds=video.invite_timeout_seconds),
            room=new_room() if video.mode is CallMode.JITSI else None,
            participants=(_participation(caller, now),),
        )
        if not await self.calls.insert(call):
            raise Conflict("A call is already running in this chat.")
        log.info(
            "%s call %s (%s) started in conversation %s",
            kind.value,
            call.id,
            call.mode.value,
            call.conversation_id,
        )
        text = (
            f"{caller.display_name} started sharing the screen."
            if kind is CallKind.SCREEN
            else (f"{caller.display_name} started a video call.")
        )
        await self.messages.system(
            conversation,
            text,
            event="call_started",
            data={**message_data(call), "by": caller.display_name},
            key=f"call-start:{call.id}",
        )
        invite = self._connect(call, video, call.invited, await invited(call, self.users, self.visitors))
        await to_side(
            self.publisher, call, call.invited, Event.CALL_INVITE, {"call": call.to_wire(), **invite}
        )
        if caller.side is Side.AGENT:
            await self._decline_ringing(agents_calls)
        return Joined(call, self._connect(call, video, caller.side, caller))

    async def join(self, tenant_id: str, call_id: str, caller: Caller) -> Joined:
        """Join from this socket. Raises NOT_FOUND, FORBIDDEN, CALL_ENDED, CONFLICT (in another tab)."""
        for _ in range(RETRIES):
            call = await self.of_party(tenant_id, call_id, caller)
            if not call.is_open:
                raise CallEnded()
            video = await self.video.get(tenant_id)
            if call.mode is CallMode.JITSI and not video.jitsi.configured:
                raise Conflict("The Jitsi settings were removed meanwhile; please start a new call.")
            if call.present_on(caller.sid) is not None:
                return Joined(call, self._connect(call, video, caller.side, caller))
            if any(p.side is caller.side for p in call.present):
                raise Conflict("You take part in this call in another window.")
            now = self.clock()
            changed = replace(call, participants=(*call.participants, _participation(caller, now)))
            if call.status is CallStatus.RINGING and caller.side is call.invited:
                changed = replace(changed, status=CallStatus.ACTIVE, started_at=now)
            try:
                joined = await self.calls.transition(call, changed, now)
            except Superseded:
                continue
            participant = joined.participants[-1].to_wire()
            await to_both(
                self.publisher,
                joined,
                Event.CALL_JOINED,
                {"call": joined.to_wire(), "participant": participant},
            )
            if caller.side is Side.AGENT:
                others = await self.calls.open_with_agent(joined.tenant_id, joined.agent_id)
                await self._decline_ringing([other for other in others if other.id != joined.id])
            return Joined(joined, self._connect(joined, video, caller.side, caller))
        raise Conflict("The call keeps changing; please try again.")

    async def _decline_ringing(self, others: list[Call]) -> None:
        """The agent is in a call now: of ``others`` (the open calls of their other chats), invitations from
        visitors that still ring are declined at once, rather than left to ring unanswered."""
        for other in others:
            if other.status is CallStatus.RINGING and other.started_by is Side.VISITOR:
                await self._end(other, EndReason.DECLINED, Side.AGENT)

    async def decline(self, tenant_id: str, call_id: str, caller: Caller) -> Call:
        """The invited side says no. Raises NOT_FOUND, FORBIDDEN, CALL_ENDED, CONFLICT (not ringing)."""
        call = await self.of_party(tenant_id, call_id, caller)
        if not call.is_open:
            raise CallEnded()
        if call.status is not CallStatus.RINGING or caller.side is not call.invited:
            raise Conflict("Only an invitation that is still ringing can be declined.")
        return await self._end(call, EndReason.DECLINED, caller.side) or await self._latest(call)

    async def leave(self, tenant_id: str, call_id: str, caller: Caller) -> Call:
        """Leave from this socket; the call ends when nobody is left.

        Raises NOT_FOUND, FORBIDDEN (not in the call on this socket), CALL_ENDED.
        """
        call = await self.of_party(tenant_id, call_id, caller)
        if not call.is_open:
            raise CallEnded()
        if call.present_on(caller.sid) is None:
            raise Forbidden("You are not in this call.")
        return await self._leave(call, caller.sid)

    async def end(self, tenant_id: str, call_id: str, caller: Caller) -> Call:
        """End the call for everybody (either side, from any of their sockets).

        Raises NOT_FOUND, FORBIDDEN. Ending an ended call returns it.
        """
        call = await self.of_party(tenant_id, call_id, caller)
        if not call.is_open:
            return call  # ending twice is not an error: both sides may hang up at once
        return await self._end(call, EndReason.HANGUP, caller.side) or await self._latest(call)

    # -- housekeeping and domain events -----------------------------------------------------------------

    async def conversation_closed(self, conversation: Conversation) -> None:
        """The conversation closed (either side, or the visitor timeout): its call ends with it."""
        call = await self.calls.open_of_conversation(conversation.tenant_id, conversation.id)
        if call is not None:
            await self._end(call, EndReason.CONVERSATION_CLOSED, None, conversation)

    async def conversation_handed_over(self, conversation: Conversation) -> None:
        """The chat went to another agent or back to the queue: the previous agent's call with the visitor
        ends (a call is between the visitor and the agent who holds the chat)."""
        call = await self.calls.open_of_conversation(conversation.tenant_id, conversation.id)
        if call is not None and call.agent_id != conversation.agent_id:
            await self._end(call, EndReason.HANDED_OVER, None, conversation)

    async def socket_closed(self, sid: str) -> None:
        """A socket closed: it leaves every call it was in."""
        for call in await self.calls.on_socket(sid):
            await self._leave(call, sid)

    async def leave_dead_sockets(self) -> None:
        """Sockets of a process that died never said goodbye: they leave their calls now."""
        for call, sids in await self.calls.with_dead_sockets():
            for sid in sids:
                log.info("call %s: a participant's socket is gone", call.id)
                call = await self._leave(call, sid)

    async def expire_invitations(self) -> int:
        """End calls whose invitation nobody answered in time; how many."""
        expired = await self.calls.unanswered(self.clock())
        for call in expired:
            await self._end(call, EndReason.EXPIRED, None)
        return len(expired)

    # -- internals ------------------------------------------------------------------------------------------

    async def _leave(self, call: Call, sid: str) -> Call:
        for _ in range(RETRIES):
            mine = call.present_on(sid)
            if not call.is_open or mine is None:
                return call
            if len(call.present) == 1:
                return await self._end(call, EndReason.LEFT, mine.side) or await self._latest(call)
            now = self.clock()
            left = replace(mine, left_at=now)
            changed = replace(call, participants=tuple(left if p is mine else p for p in call.participants))
            try:
                updated = await self.calls.transition(call, changed, now)
            except Superseded:
                call = await self._latest(call)
                continue
            await to_both(
                self.publisher,
                updated,
                Event.CALL_LEFT,
                {"call": updated.to_wire(), "participant": left.to_wire()},
            )
            return updated
        raise Conflict("The call keeps changing; please try again.")

    async def _end(
        self, call: Call, reason: EndReason, by: Side | None, conversation: Conversation | None = None
    ) -> Call | None:
        """End the call once; None if somebody else ended it first."""
        for _ in range(RETRIES):
            now = self.clock()
            participants = tuple(p if p.left_at else replace(p, left_at=now) for p in call.participants)
            changed = replace(
                call,
                status=CallStatus.ENDED,
                ended_at=now,
                end_reason=reason,
                ended_by=by,
                participants=participants,
            )
            try:
                ended = await self.calls.transition(call, changed, now)
                break
            except Superseded:
                call = await self._latest(call)
                if not call.is_open:
                    return None
        else:
            raise Conflict("The call keeps changing; please try again.")
        log.info("call %s ended (%s) after %d s", ended.id, reason.value, ended.duration)
        conversation = conversation or await self.conversations.get(ended.tenant_id, ended.conversation_id)
        if conversation is not None:
            await self.messages.system(
                conversation,
                end_text(ended),
                event="call_ended",
                data=message_data(ended),
                key=f"call-end:{ended.id}",
            )
        await to_both(self.publisher, ended, Event.CALL_ENDED, {"call": ended.to_wire()})
        return ended

    def _connect(self, call: Call, video: VideoSettings, side: Side, who: Caller) -> ConnectInfo:
        return connect_info(call, video, side, who, now=self.clock(), public_url=self.public_url)

    async def _latest(self, call: Call) -> Call:
        latest = await self.calls.get(call.tenant_id, call.id)
        if latest is None:
            raise NotFound("There is no such call.")
        return latest


def _participation(caller: Caller, now: datetime) -> Participation:
    return Participation(caller.side, caller.id, caller.display_name, caller.sid, now)
