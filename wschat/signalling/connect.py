"""Who is invited to a call, and what their browser needs to join it: ICE servers or the Jitsi room."""

from __future__ import annotations

from datetime import datetime

from wschat.accounts.store import UserStore
from wschat.errors import Conflict
from wschat.jitsi.tokens import JitsiUser, issue_token
from wschat.signalling.ice import ice_servers
from wschat.signalling.models import Call, Caller, Side
from wschat.signalling.payloads import ConnectInfo
from wschat.video.models import CallMode, VideoSettings
from wschat.visitors.store import VisitorStore


def connect_info(
    call: Call, video: VideoSettings, side: Side, who: Caller, *, now: datetime, public_url: str
) -> ConnectInfo:
    """``{ice_servers}`` (p2p) or ``{jitsi: {domain, room, jwt}}`` for one person."""
    if call.mode is CallMode.P2P:
        return {"ice_servers": ice_servers(video, who.id, now)}
    if call.room is None or not video.jitsi.configured:  # start and join check this first
        raise Conflict("The Jitsi settings were removed meanwhile; please start a new call.")
    user = JitsiUser(
        id=who.id,
        name=who.display_name,
        avatar=f"{public_url}{who.photo_url}" if who.photo_url else None,
        owner=side is Side.AGENT,
        screen_sharing=side is Side.AGENT or video.allow_visitor_screen_share,
    )
    token = issue_token(video.jitsi, call.room, user, now)
    return {"jitsi": {"domain": video.jitsi.domain, "room": call.room, "jwt": token}}


async def invited(call: Call, users: UserStore, visitors: VisitorStore) -> Caller:
    """Who gets the invitation (their token names them; their socket is known once they join)."""
    if call.invited is Side.AGENT:
        user = await users.by_id(call.tenant_id, call.agent_id)
        name, photo = (user.display_name, user.photo_url) if user else ("Agent", None)
        return Caller(Side.AGENT, call.agent_id, name, sid="", photo_url=photo)
    visitor = await visitors.by_id(call.tenant_id, call.visitor_id)
    return Caller(Side.VISITOR, call.visitor_id, visitor.display_name if visitor else "Visitor", sid="")
