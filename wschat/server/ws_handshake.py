"""The opening handshake of a WebSocket (RFC 6455 §4.2) for wsChat's own socket layer.

uvicorn has parsed the request already (its HTTP parser found the upgrade) and hands the WebSocket
protocol the request again, re-serialised: a request line and one header a line, nothing after them.
:func:`parse_request` reads that back; :func:`accept` checks it as RFC 6455 asks of a server and builds
the 101 response, or says why not (a 400 or 426 response, sent before the connection closes).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


@dataclass(slots=True)
class Request:
    method: str
    path: str  # percent-decoded, without the query
    query: dict[str, list[str]]
    query_string: str
    #: Lower-case name → value; a repeated header's values joined with ", " (RFC 9110 §5.3).
    headers: dict[str, str]


def parse_request(data: bytes) -> Request | None:
    """The request uvicorn passes on; None if it cannot be read (answered with a 400)."""
    head, _, _ = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] != "HTTP/1.1":
        return None
    target = parts[1]
    raw_path, _, query_string = target.partition("?")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            return None
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return Request(parts[0], unquote(raw_path), parse_qs(query_string), query_string, headers)


def _tokens(value: str | None) -> set[str]:
    return {token.strip().lower() for token in (value or "").split(",")}


def accept(request: Request) -> tuple[bytes | None, bytes | None]:
    """(the 101 response, None) for a valid WebSocket request; else (None, the refusal to send)."""
    headers = request.headers
    if request.method != "GET":
        return None, refusal(400, "WebSocket requests use GET.")
    upgrade, connection = _tokens(headers.get("upgrade")), _tokens(headers.get("connection"))
    if "websocket" not in upgrade or "upgrade" not in connection:
        return None, refusal(400, "Not a WebSocket upgrade.")
    if headers.get("sec-websocket-version") != "13":
        return None, refusal(426, "Unsupported WebSocket version.", b"Sec-WebSocket-Version: 13\r\n")
    key = headers.get("sec-websocket-key", "")
    try:
        valid = len(base64.b64decode(key, validate=True)) == 16
    except (binascii.Error, ValueError):
        valid = False
    if not valid:
        return None, refusal(400, "Bad Sec-WebSocket-Key.")
    digest = base64.b64encode(hashlib.sha1(key.encode("ascii") + GUID, usedforsecurity=False).digest())
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + digest + b"\r\n\r\n"
    ), None


REASONS = {400: "Bad Request", 403: "Forbidden", 426: "Upgrade Required", 503: "Service Unavailable"}


def refusal(status: int, message: str, extra: bytes = b"") -> bytes:
    body = message.encode() + b"\n"
    return (
        f"HTTP/1.1 {status} {REASONS[status]}\r\n".encode()
        + b"Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n".encode()
        + extra
        + b"\r\n"
        + body
    )
