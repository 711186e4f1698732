"""The user signed in for an HTTP request: a Bearer access token, or the console's session cookie."""

from __future__ import annotations

from quart import request

from wschat.accounts.models import Principal
from wschat.accounts.service import AccountService
from wschat.accounts.tokens import TokenKind
from wschat.boundary.http import require_own_origin, service
from wschat.errors import AuthInvalid

SESSION_COOKIE = "wschat_session"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


async def current_principal() -> Principal:
    """The user signed in with a Bearer access token or the console's session cookie."""
    accounts = service(AccountService)
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthInvalid()
        return await accounts.authenticate(token.strip(), TokenKind.ACCESS)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise AuthInvalid()
    # SameSite=Strict already keeps the cookie off cross-site requests; the origin check backs it up.
    if request.method in _UNSAFE:
        require_own_origin()
    return await accounts.authenticate(cookie, TokenKind.SESSION)
