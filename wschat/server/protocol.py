"""Every server→client event and the type of its payload, per namespace: the features' ``SENT`` maps.

Client→server events and their acks are known from the handlers themselves (``Realtime.models`` and
``Realtime.acks``); tests/test_protocol_types.py checks the fixtures and docs/protocol.md against both.
"""

from __future__ import annotations

from wschat.boundary.protocol import Event
from wschat.chat.payloads import SENT as CHAT_SENT
from wschat.signalling.payloads import SENT as CALL_SENT
from wschat.visitors.payloads import SENT as VISITOR_SENT

SERVER_EVENTS: dict[tuple[str, Event], type] = CHAT_SENT | VISITOR_SENT | CALL_SENT
