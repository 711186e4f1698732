"""The Content-Security-Policy of wsChat's own pages: everything from wsChat itself, and the Jitsi hosts
that tenants configured for calls (their `external_api.js` and the meeting's iframe), nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: A host name with an optional port, as the video settings accept it; anything else never enters a header.
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,252}[a-z0-9])?(?::\d{1,5})?$")


def page_csp(jitsi_hosts: Iterable[str] = (), *, embeddable: bool = True) -> str:
    hosts = sorted({h.lower() for h in jitsi_hosts if _HOST.fullmatch(h.lower())})
    jitsi = "".join(f" https://{host}" for host in hosts)
    policy = [
        "default-src 'self'",
        f"script-src 'self'{jitsi}",
        f"frame-src {jitsi.strip()}" if jitsi else "frame-src 'none'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "style-src 'self' 'unsafe-inline'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    ]
    if not embeddable:
        policy.append("frame-ancestors 'none'")
    return "; ".join(policy)
