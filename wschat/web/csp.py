"""The Content-Security-Policy of wsChat's own pages: everything from wsChat itself, and the Jitsi host a
tenant configured for calls as a frame, nothing else.

A tenant's Jitsi host is named in ``frame-src`` only, never in ``script-src``: a tenant admin decides what
that host serves, and a script of theirs on wsChat's origin could use a signed-in agent's session. The meeting
runs in an ``<iframe>`` on the Jitsi host's own origin, driven by postMessage (docs/video.md, "The meeting in
a frame").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: A host name with an optional port, as the video settings accept it; anything else never enters a header.
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,252}[a-z0-9])?(?::\d{1,5})?$")


def page_csp(jitsi_hosts: Iterable[str] = (), *, embeddable: bool = True) -> str:
    """The policy of a page whose calls may embed a meeting from `jitsi_hosts` (frames only).

    `embeddable=False` adds ``frame-ancestors 'none'`` (the console: no site may frame it).
    """
    hosts = sorted({h.lower() for h in jitsi_hosts if _HOST.fullmatch(h.lower())})
    frames = " ".join(f"https://{host}" for host in hosts) or "'none'"
    policy = [
        "default-src 'self'",
        "script-src 'self'",
        f"frame-src {frames}",
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
