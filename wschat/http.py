"""HTTP boundary helpers: JSON bodies into models, JSON errors, the signed-in principal."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from quart import Quart, Response, current_app, request
from werkzeug.exceptions import HTTPException

from wschat.accounts.models import Principal
from wschat.accounts.tokens import TokenKind
from wschat.errors import (
    AuthInvalid,
    ErrorCode,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    TooLarge,
    Unavailable,
    UnsupportedMediaType,
    ValidationFailed,
    WsChatError,
)
from wschat.origins import is_same_origin
from wschat.runtime import Runtime
from wschat.storage import DATABASE_ERRORS
from wschat.wire import WireModelT, parse

log = logging.getLogger(__name__)

SESSION_COOKIE = "wschat_session"
MAX_JSON_BODY = 64 * 1024
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def runtime() -> Runtime:
    rt: Runtime = current_app.extensions["wschat"]
    return rt


def json_response(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status=status, content_type="application/json")


def error_response(error: WsChatError) -> Response:
    response = json_response({"error": error.to_wire()}, error.status)
    if error.code is ErrorCode.RATE_LIMITED:
        response.headers["Retry-After"] = str(getattr(error, "retry_after", 60))
    return response


async def read_json(model: type[WireModelT]) -> WireModelT:
    """The request body as ``model``; raises UnsupportedMediaType unless it is sent as JSON (an HTML form
    can post ``text/plain`` across sites without a preflight, never ``application/json``), TooLarge, and
    ValidationFailed for anything but a valid JSON object."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType()
    if request.content_length is not None and request.content_length > MAX_JSON_BODY:
        raise TooLarge()
    raw = await request.get_data(cache=False)
    if len(raw) > MAX_JSON_BODY:
        raise TooLarge()
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ValidationFailed("The body is not valid JSON.") from None
    return parse(model, data)


def header_text(name: str) -> str | None:
    """A header meant as text, decoded as UTF-8 (the server hands headers over as latin-1); ``None`` if
    absent. What cannot be decoded becomes U+FFFD, never an error."""
    value = request.headers.get(name)
    if value is None:
        return None
    return value.encode("latin-1", "replace").decode("utf-8", "replace")


def client_ip() -> str:
    return request.remote_addr or ""


async def current_principal() -> Principal:
    """The user signed in with a Bearer access token or the console's session cookie."""
    accounts = runtime().accounts
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


def require_own_origin() -> None:
    """Raises Forbidden unless the request comes from wsChat's own pages (or from no browser at all).

    Browsers send ``Origin`` on every POST and ``Sec-Fetch-Site`` on every request. ``same-site`` is refused
    too: SameSite=Strict cookies do go to a sibling host (a tenant's ``meet.example.com`` next to
    ``chat.example.com``), and no page but wsChat's own may use the console's session.
    """
    origin = request.headers.get("Origin")
    if origin is not None and not is_same_origin(
        origin, request.headers.get("Host"), runtime().settings.server.origin
    ):
        raise Forbidden("Cross-site requests are not allowed.")
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise Forbidden("Cross-site requests are not allowed.")


def install_error_handlers(app: Quart) -> None:
    """Every error becomes JSON ``{"error": {"code", "message"}}``: never an HTML page or a stack trace."""

    @app.errorhandler(WsChatError)
    async def _wschat_error(error: WsChatError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    async def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        mapped: WsChatError
        if status == 404:
            mapped = NotFound()
        elif status == 405:
            mapped = MethodNotAllowed()
        elif status == 413:
            mapped = TooLarge()
        elif 400 <= status < 500:
            mapped = ValidationFailed("The request could not be understood.")
        else:
            log.error("HTTP error %s on %s %s", status, request.method, request.path)
            mapped = WsChatError()
        response = error_response(mapped)
        if status == 405 and isinstance(error.get_headers(), list):
            allow = dict(error.get_headers()).get("Allow")
            if allow:
                response.headers["Allow"] = allow
        return response

    for database_error in DATABASE_ERRORS:

        @app.errorhandler(database_error)
        async def _database_error(error: Exception) -> Response:
            log.error("database error on %s %s: %s", request.method, request.path, type(error).__name__)
            return error_response(Unavailable())

    @app.errorhandler(Exception)
    async def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(WsChatError())


def install_security_headers(app: Quart) -> None:
    @app.after_request
    async def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
