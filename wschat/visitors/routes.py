"""REST endpoints the widget calls, cross-origin from the tenant's website."""

from __future__ import annotations

from quart import Blueprint, Response, g, request

from wschat.accounts.models import Tenant
from wschat.accounts.service import AccountService
from wschat.boundary.http import client_ip, header_text, json_response, read_json, service
from wschat.config import Settings
from wschat.errors import OriginNotAllowed, TenantLocked
from wschat.origins import is_same_origin
from wschat.visitors.models import WidgetSessionRequest
from wschat.visitors.service import VisitorService
from wschat.visitors.widget import WidgetService

blueprint = Blueprint("widget", __name__, url_prefix="/api/widget")


@blueprint.get("/<slug>")
async def config(slug: str) -> Response:
    """Public configuration for the widget: branding, texts, language, online state, features."""
    tenant = await allowed_tenant(slug)
    return json_response(await service(WidgetService).config(tenant))


@blueprint.route("/<slug>/session", methods=["OPTIONS"])
async def session_preflight(slug: str) -> Response:
    return await preflight(slug, methods="POST", headers="Content-Type")


async def preflight(slug: str, *, methods: str, headers: str) -> Response:
    """The CORS preflight of a widget endpoint: answered for the tenant's allowed origins only."""
    await allowed_tenant(slug)
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = methods
    response.headers["Access-Control-Allow-Headers"] = headers
    response.headers["Access-Control-Max-Age"] = "600"
    return response


@blueprint.post("/<slug>/session")
async def open_session(slug: str) -> Response:
    """``{"token": null | "<old token>"}`` → ``{visitor_id, token}``."""
    tenant = await allowed_tenant(slug)
    body = await read_json(WidgetSessionRequest)
    session = await service(VisitorService).open_session(
        tenant, body.token, ip=client_ip(), user_agent=header_text("User-Agent")
    )
    status = 201 if session.created else 200
    return json_response({"visitor_id": session.visitor.id, "token": session.token}, status)


async def allowed_tenant(slug: str) -> Tenant:
    """The tenant of a widget request from one of its allowed origins (CORS set for the answer). Raises
    NotFound, OriginNotAllowed, TenantLocked."""
    accounts = service(AccountService)
    tenant = await accounts.tenant(slug)
    origin = request.headers.get("Origin")
    own = is_same_origin(origin, request.headers.get("Host"), service(Settings).server.origin)
    if not own and not tenant.allows_origin(origin, service(Settings).server.origin):
        raise OriginNotAllowed()
    g.cors_origin = origin  # errors after this point are readable by the widget, too
    if tenant.is_locked(accounts.clock()):
        raise TenantLocked("This chat is not available.")
    return tenant


@blueprint.after_request
async def _cors(response: Response) -> Response:
    return with_cors(response)


def with_cors(response: Response, *, expose: str | None = None) -> Response:
    """The answer readable by the widget's origin (set by :func:`allowed_tenant`); ``expose``: headers the
    widget's script may read."""
    origin = g.get("cors_origin")
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        if expose:
            response.headers["Access-Control-Expose-Headers"] = expose
    response.headers["Vary"] = "Origin"
    return response
