"""Who a socket is, read from its Socket.IO ``auth``: the token a console session or a widget session gave,
or on a video appointment's call page the join link's token (wschat/appointments/joining.py); and how a
refusal reaches the client (the error's code and message in the connect error's data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

import socketio

from wschat.errors import AuthInvalid, WsChatError

if TYPE_CHECKING:
    from wschat.accounts.models import Tenant
    from wschat.server.runtime import Runtime
    from wschat.visitors.models import Visitor


def token_of(auth: Any) -> str:
    """The session token of a socket's ``auth``; raises AUTH_INVALID when there is none usable."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise AuthInvalid()
    return token


async def visitor_of(rt: Runtime, tenant: Tenant, auth: Any) -> Visitor:
    """The visitor of a ``/visitor`` socket: on a video appointment's call page (``auth["appointment"]``)
    the appointment's visitor, else the widget session's. Raises AUTH_INVALID and as
    ``Joins.enter`` (a stale, changed or other action's link never gets a socket)."""
    link = auth.get("appointment") if isinstance(auth, dict) else None
    if isinstance(link, str) and link:
        return await rt.appointments.joins.enter(tenant, link)
    return await rt.visitors.authenticate(tenant, token_of(auth))


def refuse(error: WsChatError) -> NoReturn:
    raise socketio.exceptions.ConnectionRefusedError(error.message, error.to_wire())
