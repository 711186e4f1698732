"""The client's address and scheme behind trusted reverse proxies (``X-Forwarded-For`` / ``-Proto``).

wsChat reads these headers itself rather than through uvicorn's ``proxy_headers``, so that it can tell when
requests carry ``X-Forwarded-For`` from a peer that is *not* a trusted proxy. Then the header is ignored,
every visitor behind that proxy shares the proxy's address, and with it one rate limit (new visitor
sessions, failed logins): the operator hears about it once per process, in a warning.

The client is the rightmost address in ``X-Forwarded-For`` that is not itself a trusted proxy (each proxy
appends the peer it saw; anything left of the first untrusted hop is whatever the client claimed).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import MutableMapping
from typing import Any

from wschat.privacy.ip import parse_ip, truncate_ip

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(spec: str) -> tuple[Network, ...]:
    """``"10.0.0.1, 192.168.0.0/16, ::1"`` → networks; raises ValueError naming a bad entry."""
    networks: list[Network] = []
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network") from None
    return tuple(networks)


class TrustedProxies:
    """Rewrites an ASGI scope's ``client`` and ``scheme`` when its peer is a trusted proxy."""

    def __init__(self, spec: str) -> None:
        self.networks = parse_networks(spec)
        self._warned = False

    def trusts(self, host: str) -> bool:
        address = parse_ip(host)
        return address is not None and any(address in network for network in self.networks)

    def apply(self, scope: MutableMapping[str, Any]) -> None:
        """Called for every HTTP and WebSocket scope before the app sees it."""
        headers = _headers(scope)
        forwarded = headers.get(b"x-forwarded-for")
        peer = scope.get("client")
        if forwarded is None or not peer:
            return
        if not self.trusts(peer[0]):
            self._warn_once(peer[0])
            return
        scope["client"] = (self.client(forwarded.decode("latin-1"), peer[0]), 0)
        proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
        if proto in ("http", "https"):
            secure = proto == "https"
            if scope["type"] == "websocket":
                scope["scheme"] = "wss" if secure else "ws"
            else:
                scope["scheme"] = "https" if secure else "http"

    def client(self, forwarded_for: str, peer: str) -> str:
        """The rightmost hop that is not a trusted proxy; the leftmost if every hop is one."""
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop
        return hops[0] if hops else peer

    def _warn_once(self, peer: str) -> None:
        if self._warned:
            return
        self._warned = True
        log.warning(
            "requests carry X-Forwarded-For from %s, which is not in WSCHAT_TRUSTED_PROXIES: the header "
            "is ignored, so every client behind that proxy shares one address and one rate limit",
            truncate_ip(peer) or "an unknown peer",
        )


def _headers(scope: MutableMapping[str, Any]) -> dict[bytes, bytes]:
    """The scope's headers, lower-case; of a repeated header, the last one (the nearest proxy's)."""
    return {name.lower(): value for name, value in scope.get("headers", [])}
