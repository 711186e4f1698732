"""The HTTP API as an OpenAPI 3.1 document (``GET /api/openapi.json``), generated from the routes themselves.

Every route under ``/api/`` is listed with its path parameters, the JSON body it reads (the model its
handler passes to ``read_json``, found in the handler's source, so the document cannot drift from it), whether
it needs a signed-in user (the handler calls ``current_principal``), its summary (the docstring's first
line), and the error body every route may answer with. Success bodies are described in docs/protocol.md §4;
the Socket.IO protocol is not HTTP and is documented there (§6–§12).
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Callable
from typing import Any

from quart import Quart

from wschat.errors import ErrorCode, ErrorWire
from wschat.wire import WireModel

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
REF = "#/components/schemas/{model}"


def openapi_document(app: Quart, version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": _error_schema()}
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            path = PARAMETER.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
            paths.setdefault(path, {})[method.lower()] = _operation(rule.rule, rule.endpoint, view, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "wsChat HTTP API", "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _operation(rule: str, endpoint: str, view: Callable[..., Any], schemas: dict[str, Any]) -> dict[str, Any]:
    calls = _calls(view)
    doc = inspect.getdoc(view) or ""
    operation: dict[str, Any] = {
        "operationId": endpoint.replace(".", "_"),
        "summary": doc.splitlines()[0] if doc else endpoint,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": _type(converter)}}
            for converter, name in PARAMETER.findall(rule)
        ],
        "responses": {
            "2XX": {"description": "Success; the body is described in docs/protocol.md §4."},
            "default": {
                "description": "An error: a documented code and a message for people.",
                "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
            },
        },
    }
    if "current_principal" in calls:
        operation["security"] = [{"bearer": []}]
    body = _body_model(view, calls)
    if body is not None:
        schema = body.model_json_schema(ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[body.__name__] = schema
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=body.__name__)}}},
        }
    return operation


def _calls(view: Callable[..., Any]) -> dict[str, list[ast.Call]]:
    """Every call in the handler's source, by the called function's name."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(view)))
    found: dict[str, list[ast.Call]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found.setdefault(node.func.id, []).append(node)
    return found


def _body_model(view: Callable[..., Any], calls: dict[str, list[ast.Call]]) -> type[WireModel] | None:
    for call in calls.get("read_json", []):
        if call.args and isinstance(call.args[0], ast.Name):
            model = view.__globals__.get(call.args[0].id)
            if isinstance(model, type) and issubclass(model, WireModel):
                return model
    return None


def _type(converter: str) -> str:
    return "integer" if converter == "int" else "string"


def _error_schema() -> dict[str, Any]:
    """``{"error": ErrorWire}`` (wschat.errors), the body of every error answer."""
    error = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "enum": [code.value for code in ErrorCode]},
            "message": {"type": "string"},
            "details": {"type": "object"},
        },
        "required": sorted(ErrorWire.__required_keys__ - {"details"}),
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"error": error},
        "required": ["error"],
        "additionalProperties": False,
    }
