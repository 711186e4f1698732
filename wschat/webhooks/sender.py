"""One HTTP try of a delivery: the address checked again, the connection pinned to it, 5 s at most.

The guard (``addresses.py``) resolves the host and checks every address; aiohttp then gets a resolver that
answers with exactly those addresses, so the connection goes where the check looked (a name that resolves
elsewhere a moment later, DNS rebinding, changes nothing) while TLS still verifies the certificate of the
host name. Redirects are never followed: a 3xx answer is a failed try (as GitHub's and Stripe's webhooks
do), so a receiver cannot send wsChat on to an address the guard would refuse. No proxy from the
environment, no cookies; of the answer's body at most :data:`~wschat.webhooks.models.MAX_RESPONSE_BYTES`
are read and kept.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from wschat.errors import ValidationFailed
from wschat.webhooks.addresses import AddressGuard
from wschat.webhooks.models import MAX_ERROR, MAX_RESPONSE_BYTES

#: Seconds a whole try may take: connecting, TLS, sending, and the answer's head and first bytes.
TIMEOUT = 5.0


@dataclass(frozen=True)
class Outcome:
    """What one try came to: ``status`` None if no answer came."""

    delivered: bool
    status: int | None = None
    body: str | None = None
    error: str | None = None
    #: No later try can change it (the endpoint is gone): given up at once.
    permanent: bool = False


class _Pinned(AbstractResolver):
    """Answers with the checked addresses. Its session makes one request, to the checked URL, without
    redirects or proxy, so every name it is asked for is that URL's host (perhaps in its IDNA spelling)."""

    def __init__(self, addresses: tuple[str, ...]) -> None:
        self._addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in self._addresses
        ]

    async def close(self) -> None:
        return None


class WebhookSender:
    def __init__(self, guard: AddressGuard, *, timeout: float = TIMEOUT) -> None:
        self._guard = guard
        self._timeout = timeout

    async def send(self, url: str, headers: dict[str, str], body: bytes) -> Outcome:
        """POST ``body`` to ``url``; never raises for what the network or the receiver does."""
        try:
            checked = await self._guard.check(url)
        except ValidationFailed as refused:
            return Outcome(False, error=_cut(f"refused: {refused.message}"))
        connector = aiohttp.TCPConnector(
            resolver=_Pinned(checked.addresses), use_dns_cache=False, force_close=True
        )
        session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self._timeout),
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
        )
        try:
            async with session:
                post = session.post(url, data=body, headers=headers, allow_redirects=False)
                async with post as answer:
                    return await _outcome(answer)
        except TimeoutError:
            return Outcome(False, error=f"no answer within {self._timeout:g} s")
        except aiohttp.ClientError as e:
            return Outcome(False, error=_cut(f"the connection failed ({type(e).__name__})"))
        except OSError as e:
            return Outcome(False, error=_cut(f"the connection failed ({e.strerror or type(e).__name__})"))


async def _outcome(answer: aiohttp.ClientResponse) -> Outcome:
    raw = await answer.content.read(MAX_RESPONSE_BYTES)
    body = raw.decode("utf-8", "replace") if raw else None
    status = answer.status
    if 200 <= status < 300:
        return Outcome(True, status, body)
    if 300 <= status < 400:
        return Outcome(False, status, body, "the receiver answered with a redirect, which is not followed")
    return Outcome(False, status, body, f"the receiver answered {status}")


def _cut(text: Any) -> str:
    return str(text)[:MAX_ERROR]
