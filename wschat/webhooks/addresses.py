"""The webhook guard against server-side request forgery: which addresses wsChat sends to.

An admin's URL makes the server open a connection, so a URL must not reach what only the server can reach:
its own loopback, the operator's private networks, a cloud's metadata service (``169.254.169.254``,
``fd00:ec2::254``). The rules, checked when an endpoint is registered and again before every delivery:

- the URL is ``https``, at most :data:`MAX_URL` characters, has a host and no user name or password
  (credentials in a URL end up in logs; the signature authenticates the sender instead);
- every address the host resolves to is public: not loopback, private (RFC 1918, unique local ``fc00::/7``,
  shared ``100.64.0.0/10``), link-local (``169.254.0.0/16``, ``fe80::/10``), unspecified, multicast,
  reserved or documentation-only, nor any of those in an IPv4-mapped, 6to4 or NAT64 IPv6 form;
- unless the address lies in one of the operator's networks (``WSCHAT_WEBHOOK_ALLOW_NETWORKS``); ``http``
  is accepted only when every address lies there (a receiver inside the operator's own network).

The connection then goes to an address that was checked (``sender.py`` pins it), so a name that resolves to
something else a moment later (DNS rebinding) changes nothing. Redirects are not followed (``sender.py``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from wschat.errors import WebhookAddressForbidden, WebhookUrlInvalid

MAX_URL = 2000
#: How long resolving a host may take.
RESOLVE_TIMEOUT = 5.0

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: ``(host, port) -> addresses``; the event loop's getaddrinfo unless a test gives another.
Resolve = Callable[[str, int], Awaitable[list[str]]]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")


@dataclass(frozen=True)
class Target:
    """A URL that passed the syntax rules."""

    url: str
    scheme: str
    host: str
    port: int


@dataclass(frozen=True)
class Checked:
    """A target and the addresses it was found to have, all allowed: the connection goes to these."""

    target: Target
    addresses: tuple[str, ...]


def parse_url(url: str) -> Target:
    """The URL's parts; raises WEBHOOK_URL_INVALID with the reason. Whether ``http`` is acceptable is
    decided by the addresses (:meth:`AddressGuard.check`)."""
    if len(url) > MAX_URL:
        raise WebhookUrlInvalid(f"The address is longer than {MAX_URL} characters.")
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        raise WebhookUrlInvalid("The address must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookUrlInvalid("This is not a valid address.") from None
    if parts.scheme not in ("https", "http"):
        raise WebhookUrlInvalid("The address must begin with https://.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise WebhookUrlInvalid("The address must not contain a user name or password.")
    host = parts.hostname
    if not host:
        raise WebhookUrlInvalid("The address has no host name.")
    if parts.fragment:
        raise WebhookUrlInvalid("The address must not have a #fragment.")
    default = 443 if parts.scheme == "https" else 80
    return Target(url=url, scheme=parts.scheme, host=host, port=port or default)


def refusal(address: Address) -> str | None:
    """Why wsChat does not send to ``address`` (``"loopback"``, ``"private"``, …), or None if it is public.
    IPv6 forms that carry an IPv4 address (mapped, 6to4, NAT64) are judged by that address too."""
    embedded = _embedded_ipv4(address)
    if embedded is not None and (reason := refusal(embedded)) is not None:
        return reason
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    if address.is_private or (isinstance(address, ipaddress.IPv4Address) and address in _SHARED):
        return "private"
    if not address.is_global:
        return "reserved"
    return None


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


async def system_resolve(host: str, port: int) -> list[str]:
    """Every address of ``host``, through the event loop's resolver (in a thread, never blocking)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressGuard:
    def __init__(self, allowed: Sequence[Network] = (), resolve: Resolve = system_resolve) -> None:
        self._allowed = tuple(allowed)
        self._resolve = resolve

    def allowed(self, address: Address) -> bool:
        """Whether ``address`` lies in one of the operator's networks (also in its IPv4-mapped form)."""
        candidates = [address]
        if (embedded := _embedded_ipv4(address)) is not None:
            candidates.append(embedded)
        return any(a in net for a in candidates for net in self._allowed if a.version == net.version)

    async def check(self, url: str) -> Checked:
        """The URL with the addresses to connect to. Raises WEBHOOK_URL_INVALID (syntax, a host that does
        not resolve, ``http`` outside the operator's networks), WEBHOOK_ADDRESS_FORBIDDEN."""
        target = parse_url(url)
        addresses = await self._addresses(target)
        for address in addresses:
            if self.allowed(address):
                continue
            if (reason := refusal(address)) is not None:
                raise WebhookAddressForbidden(
                    f"The host {target.host} is a {reason} address ({address}); wsChat does not send there."
                )
        if target.scheme == "http" and not all(self.allowed(a) for a in addresses):
            raise WebhookUrlInvalid("The address must begin with https://.")
        return Checked(target, tuple(str(a) for a in addresses))

    async def _addresses(self, target: Target) -> list[Address]:
        try:
            return [ipaddress.ip_address(target.host)]
        except ValueError:
            pass
        try:
            async with asyncio.timeout(RESOLVE_TIMEOUT):
                found = await self._resolve(target.host, target.port)
        except (OSError, TimeoutError, UnicodeError):
            found = []
        addresses = []
        for text in found:
            try:
                addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
            except ValueError:
                continue
        if not addresses:
            raise WebhookUrlInvalid(f"The host {target.host} cannot be found.")
        return addresses
