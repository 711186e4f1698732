"""REST endpoints: sign-in for the console and the admin's management of the tenant's users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from quart import Blueprint, Response, request

from wschat.accounts.agents import AgentAdminService
from wschat.accounts.models import AgentCreate, AgentPatch, LoginRequest, Principal, TenantSettingsPatch
from wschat.accounts.service import AccountService
from wschat.accounts.signed_in import SESSION_COOKIE, current_principal
from wschat.boundary.http import client_ip, json_response, read_json, require_own_origin, service
from wschat.config import Settings
from wschat.errors import AuthInvalid

blueprint = Blueprint("accounts", __name__, url_prefix="/api")

LOGIN_PATH = "/api/auth/login"
#: Says this browser signed in to an account before (wschat.accounts.login_limits); sent to the login only.
DEVICE_COOKIE = "wschat_device"


@blueprint.post("/auth/login")
async def login() -> Response:
    """Sign in (login CSRF is refused by the origin check and the JSON content type)."""
    require_own_origin()
    device = request.cookies.get(DEVICE_COOKIE)
    result = await service(AccountService).login(await read_json(LoginRequest), client_ip(), device)
    body = _signed_in(result.principal, result.access_token, result.access_expires_at)
    response = json_response(body)
    _set_cookie(response, SESSION_COOKIE, result.session_token, result.session_expires_at, "/api/")
    _set_cookie(response, DEVICE_COOKIE, result.device_token, result.device_expires_at, LOGIN_PATH)
    return response


@blueprint.post("/auth/token")
async def renew_token() -> Response:
    """A fresh access token for the console, from its session cookie; for wsChat's own pages only."""
    require_own_origin()
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise AuthInvalid()
    principal, access = await service(AccountService).renew_access(cookie)
    return json_response(_signed_in(principal, access.token, access.expires_at))


@blueprint.post("/auth/logout")
async def logout() -> Response:
    """Ends the console's session (its tokens and sockets) and clears the cookie; always 204."""
    require_own_origin()
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        await service(AccountService).logout(cookie)
    response = Response(status=204)
    response.delete_cookie(SESSION_COOKIE, path="/api/", httponly=True, samesite="Strict")
    return response


@blueprint.get("/me")
async def me() -> Response:
    principal = await current_principal()
    return json_response(
        {
            "user": principal.user.to_wire(),
            "tenant": principal.tenant.to_wire(service(AccountService).clock()),
        }
    )


@blueprint.get("/tenant")
async def get_tenant() -> Response:
    principal = await current_principal()
    return json_response({"tenant": principal.tenant.to_wire(service(AccountService).clock())})


@blueprint.patch("/tenant")
async def update_tenant() -> Response:
    principal = await current_principal()
    patch = await read_json(TenantSettingsPatch)
    tenant = await service(AccountService).update_tenant_settings(principal, patch)
    return json_response({"tenant": tenant.to_wire(service(AccountService).clock())})


@blueprint.get("/agents")
async def list_agents() -> Response:
    users = await service(AgentAdminService).list_agents(await current_principal())
    return json_response({"agents": [user.to_wire() for user in users]})


@blueprint.post("/agents")
async def create_agent() -> Response:
    principal = await current_principal()
    user = await service(AgentAdminService).add_agent(principal, await read_json(AgentCreate))
    return json_response({"agent": user.to_wire()}, 201)


@blueprint.get("/agents/<user_id>")
async def get_agent(user_id: str) -> Response:
    user = await service(AgentAdminService).get_agent(await current_principal(), user_id)
    return json_response({"agent": user.to_wire()})


@blueprint.patch("/agents/<user_id>")
async def update_agent(user_id: str) -> Response:
    principal = await current_principal()
    user = await service(AgentAdminService).update_agent(principal, user_id, await read_json(AgentPatch))
    return json_response({"agent": user.to_wire()})


@blueprint.delete("/agents/<user_id>")
async def delete_agent(user_id: str) -> Response:
    principal = await current_principal()
    await service(AgentAdminService).delete_agent(principal, user_id)
    return Response(status=204)


def _signed_in(principal: Principal, token: str, expires_at: datetime) -> dict[str, Any]:
    return {
        "token": token,
        "expires_at": expires_at.isoformat(),
        "user": principal.user.to_wire(),
        "tenant": principal.tenant.to_wire(service(AccountService).clock()),
    }


def _set_cookie(response: Response, name: str, token: str, expires_at: datetime, path: str) -> None:
    response.set_cookie(
        name,
        token,
        expires=expires_at,
        path=path,
        httponly=True,
        samesite="Strict",
        secure=service(Settings).server.public_url.startswith("https://"),
    )
