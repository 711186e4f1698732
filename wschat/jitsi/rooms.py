"""Jitsi room names: unguessable, and the same on every layer.

Jitsi lowercases and percent-encodes the room name the client asks for, and Prosody compares the token's
``room`` claim after an ASCII-only lowercase (reference/jitsi.md). A name of lowercase ASCII letters, digits
and ``-`` passes every one of those steps unchanged, so the token's room is exactly the meeting's room.
"""

from __future__ import annotations

import re
import secrets

PREFIX = "wsc-"
#: 128 random bits, as lowercase hex.
ROOM_PATTERN = re.compile(r"^wsc-[0-9a-f]{32}$")


def new_room() -> str:
    return f"{PREFIX}{secrets.token_hex(16)}"
