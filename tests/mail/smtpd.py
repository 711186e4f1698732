"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, port 0, in the test's own event loop.

It keeps every message it accepts, refuses recipients at ``refused.example`` with 550 (a permanent
refusal), and can be stopped and started again on the same port (a mail server that is down for a while).
"""

from __future__ import annotations

import asyncio
import email
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), bytes(content)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """Start with :meth:`start`; ``url`` is valid before it runs (a port is reserved), so a test can
    point wsChat at a server that is down and start it later."""

    def __init__(self, tls: ssl.SSLContext | None = None, *, implicit_tls: bool = False) -> None:
        """``tls``: offer STARTTLS with this context, or with ``implicit_tls`` speak TLS from the start."""
        self.handler = Handler()
        self._tls = tls
        self._implicit = implicit_tls
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port: int = probe.getsockname()[1]
        probe.close()
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=off"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        starttls = None if self._implicit else self._tls

        def protocol() -> Any:
            return SMTP(self.handler, hostname="mail.test", ident="test SMTP", tls_context=starttls)

        wrap = self._tls if self._implicit else None
        self._server = await loop.create_server(
            protocol, "127.0.0.1", self.port, reuse_address=True, ssl=wrap
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
