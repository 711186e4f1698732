"""Every Socket.IO event name on the wire, in one place (docs/protocol.md §6–§12).

Client→server events are registered with their payload model (``Events.on``), and their acks are typed by
the handlers' return types; server→client events are emitted through the Publisher with their payload
types listed in ``wschat.server.protocol.SERVER_EVENTS``. tests/test_protocol_types.py checks the JSON
fixtures in tests/fixtures/protocol/ and docs/protocol.md against both.
"""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    # -- chats (§7–§9) -----------------------------------------------------------------------------------
    CHAT_START = "chat.start"
    CHAT_CURRENT = "chat.current"
    CHAT_END = "chat.end"
    CHAT_ACCEPT = "chat.accept"
    CHAT_TRANSFER = "chat.transfer"
    CHAT_CLOSE = "chat.close"
    CHAT_HISTORY = "chat.history"
    CHAT_ASSIGNED = "chat.assigned"
    CHAT_TRANSFERRED = "chat.transferred"
    CHAT_ENDED = "chat.ended"
    CHATS_LIST = "chats.list"
    QUEUE_LIST = "queue.list"
    QUEUE_UPDATED = "queue.updated"
    # -- messages (§7) -----------------------------------------------------------------------------------
    MESSAGE_SEND = "message.send"
    MESSAGE_NEW = "message.new"
    MESSAGES_SYNC = "messages.sync"
    MESSAGES_BEFORE = "messages.before"
    MESSAGES_READ = "messages.read"
    TYPING = "typing"
    TRANSCRIPT_REQUEST = "transcript.request"
    OFFLINE_LEAVE = "offline.leave"
    OFFLINE_COUNT = "offline.count"
    # -- presence and agents (§8) ------------------------------------------------------------------------
    STATUS_SET = "status.set"
    AGENTS_LIST = "agents.list"
    AGENTS_PRESENCE = "agents.presence"
    PRESENCE = "presence"
    # -- visitors (§10) ----------------------------------------------------------------------------------
    CONTACT_SUBMIT = "contact.submit"
    PAGE_VIEW = "page.view"
    VISITORS_LIVE = "visitors.live"
    VISITOR_PAGES = "visitor.pages"
    VISITOR_UPDATED = "visitor.updated"
    # -- calls (§12) -------------------------------------------------------------------------------------
    CALL_START = "call.start"
    CALL_CURRENT = "call.current"
    CALL_JOIN = "call.join"
    CALL_DECLINE = "call.decline"
    CALL_LEAVE = "call.leave"
    CALL_END = "call.end"
    CALL_INVITE = "call.invite"
    CALL_JOINED = "call.joined"
    CALL_LEFT = "call.left"
    CALL_ENDED = "call.ended"
    RTC_SIGNAL = "rtc.signal"
    # -- appointments (docs/appointments.md) ---------------------------------------------------------------
    APPOINTMENT_OFFER = "appointment.offer"
    APPOINTMENT_SLOTS = "appointment.slots"
    APPOINTMENT_BOOK = "appointment.book"
