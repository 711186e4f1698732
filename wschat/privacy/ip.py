"""IP address truncation: IPv4 to its /24 network, IPv6 to its /48, as is usual for anonymisation; and
shortened further (IPv4 /16, IPv6 /32) once a tenant's retention of addresses is up (wschat/retention)."""

from __future__ import annotations

import ipaddress


def truncate_ip(address: str) -> str:
    """``203.0.113.77`` → ``203.0.113.0``, ``2001:db8:1:2::5`` → ``2001:db8:1::``; junk → ``""``."""
    return _network(address, 24, 48)


def shorten_ip(address: str) -> str:
    """What is left of a stored address when its retention is up: ``203.0.113.0`` → ``203.0.0.0``,
    ``2001:db8:1::`` → ``2001:db8::``; junk → ``""``. Roughly a provider and a region, no longer a line."""
    return _network(address, 16, 32)


def _network(address: str, v4_prefix: int, v6_prefix: int) -> str:
    ip = parse_ip(address)
    if ip is None:
        return ""
    prefix = v4_prefix if ip.version == 4 else v6_prefix
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def subscriber_key(address: str) -> str:
    """What one subscriber usually holds: an IPv4 address, or an IPv6 /64 (``2001:db8:1:2::/64``);
    junk → ``"?"``. Rate limits count per key, or one IPv6 attacker would have 2^64 fresh limits."""
    ip = parse_ip(address)
    if ip is None:
        return "?"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def parse_ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address (an IPv4-mapped IPv6 one as IPv4), or None for anything else."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def stored_ip(address: str | None, *, truncate: bool) -> str | None:
    """The form of a visitor's address that may be stored under the tenant's setting."""
    if not address:
        return None
    return truncate_ip(address) if truncate else address
