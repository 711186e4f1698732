"""WebSocket frames (RFC 6455) as a server reads and writes them, for wsChat's own socket layer.

Only what a server needs: client frames arrive masked, server frames go out unmasked; no extension is ever
negotiated (wsChat does not compress WebSocket messages), so a frame with a reserved bit set is an error.
A message is read whole into memory only after its header said it fits: one that would exceed the limit is
refused from its first header (close code 1009) before its payload is buffered.

The reader keeps nothing between calls but the bytes of an unfinished frame and the parts of an
unfinished fragmented message, both held by its caller and ``None`` while there are none (the usual case:
a browser's message arrives in one read).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from websockets.speedups import apply_mask  # C: the same unmasking websockets itself uses

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
DATA_OPCODES = (CONTINUATION, TEXT, BINARY)
CONTROL_OPCODES = (CLOSE, PING, PONG)

#: Close codes (RFC 6455 §7.4.1).
NORMAL, PROTOCOL_ERROR, INVALID_DATA, POLICY, TOO_BIG, RESTART = 1000, 1002, 1007, 1008, 1009, 1012


class FrameError(Exception):
    """The peer broke the protocol; the connection closes with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(slots=True)
class Frame:
    opcode: int
    fin: bool
    payload: bytes


def read_frames(data: bytes | bytearray, max_size: int, pending_message: int) -> tuple[list[Frame], int, int]:
    """The complete frames at the start of ``data``, how many bytes they took, and how many bytes from
    there the next (unfinished) frame needs at least, so that its caller reads on until it has them
    instead of parsing a big frame again on every read.

    ``pending_message`` is the size of the fragmented message read so far, so that its continuations count
    against ``max_size`` too. Raises :class:`FrameError` for a frame that breaks the protocol or is too big.
    """
    with memoryview(data) as view:
        return _read(view, max_size, pending_message)


def _read(view: memoryview, max_size: int, pending_message: int) -> tuple[list[Frame], int, int]:
    frames: list[Frame] = []
    at, end, need = 0, len(view), 2
    while end - at >= 2:
        first, second = view[at], view[at + 1]
        if first & 0x70:
            raise FrameError(PROTOCOL_ERROR, "reserved bits set")
        if not second & 0x80:
            raise FrameError(PROTOCOL_ERROR, "client frames must be masked")
        opcode, fin, length, header = first & 0x0F, bool(first & 0x80), second & 0x7F, 2
        if opcode not in DATA_OPCODES and opcode not in CONTROL_OPCODES:
            raise FrameError(PROTOCOL_ERROR, "unknown opcode")
        if opcode in CONTROL_OPCODES and (length > 125 or not fin):
            raise FrameError(PROTOCOL_ERROR, "bad control frame")
        if length == 126:
            if end - at < 4:
                need = 4
                break
            length, header = struct.unpack_from("!H", view, at + 2)[0], 4
        elif length == 127:
            if end - at < 10:
                need = 10
                break
            length, header = struct.unpack_from("!Q", view, at + 2)[0], 10
        if opcode in DATA_OPCODES:
            if length + (pending_message if opcode == CONTINUATION else 0) > max_size:
                raise FrameError(TOO_BIG, "message too big")
            pending_message = 0 if fin else pending_message + length
        start = at + header + 4
        if end - start < length:
            need = header + 4 + length
            break
        mask = bytes(view[at + header : start])
        frames.append(Frame(opcode, fin, apply_mask(view[start : start + length], mask)))
        at, need = start + length, 2
    return frames, at, need


def frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, unfragmented frame."""
    length = len(payload)
    if length < 126:
        return bytes((0x80 | opcode, length)) + payload
    if length < 65536:
        return struct.pack("!BBH", 0x80 | opcode, 126, length) + payload
    return struct.pack("!BBQ", 0x80 | opcode, 127, length) + payload


def close_frame(code: int, reason: str = "") -> bytes:
    return frame(CLOSE, struct.pack("!H", code) + reason.encode()[:120])


def close_code(payload: bytes) -> int:
    """The code of a received close frame (1005 when it has none); raises FrameError for a bad one."""
    if not payload:
        return 1005
    if len(payload) == 1:
        raise FrameError(PROTOCOL_ERROR, "bad close frame")
    code: int = struct.unpack("!H", payload[:2])[0]
    if code < 1000 or code in (1004, 1005, 1006) or 1015 <= code < 3000 or code >= 5000:
        raise FrameError(PROTOCOL_ERROR, "bad close code")
    try:
        payload[2:].decode()
    except UnicodeDecodeError:
        raise FrameError(INVALID_DATA, "bad close reason") from None
    return code
