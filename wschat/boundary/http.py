"""HTTP boundary helpers for every feature's handlers: JSON bodies into models, JSON answers, the caller.

They know no feature; the app (wschat.server.app) installs the error handlers and puts the services where
``service()`` finds them.
"""

from __future__ import annotations

import hmac
from typing import Any, TypeVar

import orjson
from quart import Response, current_app, request

from wschat.boundary.services import Services
from wschat.config import Settings
from wschat.errors import (
    AuthInvalid,
    ErrorCode,
    Forbidden,
    NotFound,
    TooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    WsChatError,
)
from wschat.origins import is_same_origin
from wschat.secret import Secret
from wschat.wire import WireModelT, parse

T = TypeVar("T")

#: Where the app keeps its services while it serves (``Quart.extensions``).
SERVICES = "wschat.services"
MAX_JSON_BODY = 64 * 1024


def services() -> Services:
    """The running app's services (see wschat.boundary.services)."""
    found = current_app.extensions.get(SERVICES)
    return found if isinstance(found, Services) else Services()


def service(kind: type[T]) -> T:
    """The running app's service of this type, for a request handler."""
    return services().get(kind)


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


def require_own_origin() -> None:
    """Raises Forbidden unless the request comes from wsChat's own pages (or from no browser at all).

    Browsers send ``Origin`` on every POST and ``Sec-Fetch-Site`` on every request. ``same-site`` is refused
    too: SameSite=Strict cookies do go to a sibling host (a tenant's ``meet.example.com`` next to
    ``chat.example.com``), and no page but wsChat's own may use the console's session.
    """
    origin = request.headers.get("Origin")
    if origin is not None and not is_same_origin(
        origin, request.headers.get("Host"), service(Settings).server.origin
    ):
        raise Forbidden("Cross-site requests are not allowed.")
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise Forbidden("Cross-site requests are not allowed.")


def require_bearer(token: Secret | None) -> None:
    """For routes of the operator's tokens (``/metrics``, ``/api/operator/…``): NotFound when no token is
    set (the route does not exist), AuthInvalid unless ``Authorization: Bearer <token>`` matches."""
    if token is None:
        raise NotFound()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.reveal().encode()):
        raise AuthInvalid()
