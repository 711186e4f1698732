"""Handing one message to an SMTP server with aiosmtplib, and saying what became of it.

TLS as the URL says (wschat/smtp.py): implicit TLS for ``smtps://``; for ``smtp://`` STARTTLS required
(the default), opportunistic, or off. Certificates are verified. Credentials are sent only inside TLS,
unless the operator chose ``starttls=off`` for a relay of their own. Each step (connect, every command)
may take 10 s, the whole exchange 60 s.

A failure is temporary (try again later: the server is down, busy, answers 4xx) or permanent (the server
refused this mail with a 5xx: another try would be refused alike). Its reason is one line that names the
server by host and port, never a user name or password.
"""

from __future__ import annotations

import asyncio
import ssl
from email.message import EmailMessage

import aiosmtplib

from wschat.mail.models import MAX_ERROR
from wschat.smtp import Security, SmtpUrl

STEP_TIMEOUT = 10.0
#: The whole exchange; a claim's lease (wschat/mail/worker.py) is longer, so it never runs out mid-send.
SEND_TIMEOUT = 60.0


class SendFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = _one_line(reason)
        self.permanent = permanent


class SmtpSender:
    """Sends over SMTP; tests give it a real server on 127.0.0.1 (aiosmtpd)."""

    def __init__(self, tls_context: ssl.SSLContext | None = None) -> None:
        self._tls_context = tls_context

    async def send(self, url: SmtpUrl, message: EmailMessage, sender: str, recipient: str) -> None:
        """Raises :class:`SendFailed`."""
        where = url.describe()
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                await aiosmtplib.send(
                    message,
                    sender=sender,
                    recipients=[recipient],
                    hostname=url.host,
                    port=url.port,
                    username=url.username,
                    password=url.password.reveal() if url.password is not None else None,
                    use_tls=url.security is Security.IMPLICIT_TLS,
                    start_tls=_start_tls(url.security),
                    timeout=STEP_TIMEOUT,
                    tls_context=self._tls_context,
                )
        except aiosmtplib.SMTPRecipientsRefused as e:
            codes = [refusal.code for refusal in e.recipients]
            raise SendFailed(
                f"{where} refused the recipient ({_codes(codes)})", permanent=_permanent(codes)
            ) from e
        except aiosmtplib.SMTPResponseException as e:
            raise SendFailed(f"{where} answered {e.code} {e.message}", permanent=_permanent([e.code])) from e
        except (aiosmtplib.SMTPTimeoutError, TimeoutError) as e:
            raise SendFailed(f"{where} did not answer in time") from e
        except aiosmtplib.SMTPConnectError as e:
            raise SendFailed(f"cannot connect to {where}") from e
        except aiosmtplib.SMTPException as e:
            # Its text is the library's own (no credentials): e.g. "SMTP STARTTLS extension not supported".
            raise SendFailed(f"{where}: {e}") from e
        except (OSError, ssl.SSLError) as e:
            raise SendFailed(f"cannot talk to {where}: {e.strerror or type(e).__name__}") from e


def _start_tls(security: Security) -> bool | None:
    """aiosmtplib's ``start_tls``: True requires it, None uses it when offered, False never."""
    match security:
        case Security.STARTTLS:
            return True
        case Security.OPPORTUNISTIC:
            return None
        case _:
            return False


def _permanent(codes: list[int]) -> bool:
    """RFC 5321 §4.2.1: 5yz is a permanent refusal; 4yz (and anything else) may work later."""
    return bool(codes) and all(500 <= code < 600 for code in codes)


def _codes(codes: list[int]) -> str:
    return ", ".join(str(code) for code in codes) or "no reason given"


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_ERROR else line[: MAX_ERROR - 1] + "…"
