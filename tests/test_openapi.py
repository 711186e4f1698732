"""``GET /api/openapi.json``: the HTTP API as OpenAPI 3.1, generated from the routes and held to them here."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.support import LiveServer
from wschat.accounts.models import AgentCreate, LoginRequest
from wschat.errors import ErrorCode


async def _document(server: LiveServer) -> dict[str, Any]:
    reply = await server.request("GET", "/api/openapi.json")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    document: dict[str, Any] = reply.body
    return document


async def test_every_api_route_is_in_the_document(server: LiveServer) -> None:
    document = await _document(server)
    assert document["openapi"] == "3.1.0"
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in server.app.quart.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert documented == routes
    agent = document["paths"]["/api/agents/{user_id}"]["patch"]
    assert agent["parameters"] == [
        {"name": "user_id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]


async def test_bodies_come_from_the_models_the_handlers_read(server: LiveServer) -> None:
    document = await _document(server)
    schemas = document["components"]["schemas"]
    login = document["paths"]["/api/auth/login"]["post"]
    assert login["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LoginRequest"
    }
    assert set(schemas["LoginRequest"]["properties"]) == set(LoginRequest.model_fields)
    assert set(schemas["AgentCreate"]["properties"]) == set(AgentCreate.model_fields)
    assert "requestBody" not in document["paths"]["/api/me"]["get"]
    # Every reference resolves.
    for ref in re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document)):
        assert ref in schemas, ref


async def test_signed_in_routes_say_so_and_public_ones_do_not(server: LiveServer) -> None:
    paths = (await _document(server))["paths"]
    assert paths["/api/agents"]["post"]["security"] == [{"bearer": []}]
    assert paths["/api/tenant/video"]["patch"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/api/widget/{slug}"]["get"]
    assert "security" not in paths["/api/auth/login"]["post"]


async def test_the_error_body_lists_every_code(server: LiveServer) -> None:
    error = (await _document(server))["components"]["schemas"]["Error"]["properties"]["error"]
    assert error["properties"]["code"]["enum"] == [code.value for code in ErrorCode]
    assert error["required"] == ["code", "message"]


async def test_the_document_is_read_only(server: LiveServer) -> None:
    reply = await server.request("POST", "/api/openapi.json", json={})
    assert reply.status == 405
    assert reply.body["error"]["code"] == "METHOD_NOT_ALLOWED"
