"""ICE servers for a peer-to-peer call: the tenant's STUN list, and TURN with time-limited credentials.

TURN credentials follow the TURN REST API convention (draft-uberti-behave-turn-rest-00) that coturn
implements with ``use-auth-secret`` / ``static-auth-secret``: the username is ``"<expiry>:<user id>"`` (expiry
in Unix seconds) and the password is ``base64(HMAC-SHA1(secret, username))``. coturn recomputes the password
from the username and refuses it after the expiry, so wsChat stores no TURN credentials at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from wschat.signalling.payloads import IceServer
from wschat.video.models import VideoSettings


def turn_credentials(secret: str, user_id: str, now: datetime, ttl_seconds: int) -> tuple[str, str]:
    """``(username, password)`` valid for ``ttl_seconds`` from ``now``."""
    username = f"{int(now.timestamp()) + ttl_seconds}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


def ice_servers(video: VideoSettings, user_id: str, now: datetime) -> list[IceServer]:
    """``RTCIceServer`` dictionaries, ready for ``new RTCPeerConnection({iceServers})``."""
    servers: list[IceServer] = []
    if video.turn_urls and video.turn_secret is not None:
        username, credential = turn_credentials(
            video.turn_secret.reveal(), user_id, now, video.turn_ttl_seconds
        )
        servers.append({"urls": list(video.turn_urls), "username": username, "credential": credential})
    if video.stun_urls:
        servers.append({"urls": list(video.stun_urls)})
    return servers
