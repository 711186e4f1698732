"""IP address truncation: IPv4 to its /24 network, IPv6 to its /48, as is usual for anonymisation."""

from __future__ import annotations

import ipaddress


def truncate_ip(address: str) -> str:
    """``203.0.113.77`` → ``203.0.113.0``, ``2001:db8:1:2::5`` → ``2001:db8:1::``; junk → ``""``."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def stored_ip(address: str | None, *, truncate: bool) -> str | None:
    """The form of a visitor's address that may be stored under the tenant's setting."""
    if not address:
        return None
    return truncate_ip(address) if truncate else address
