"""The widget's modules under /widget/ (docs/widget.md, "Size"): served as JavaScript that a tenant's site
may import across origins, cached for good (their names change with their content), and nothing else."""

from __future__ import annotations

import json

import pytest

from tests.support import LiveServer
from wschat.web.routes import STATIC


def built_modules() -> list[str]:
    manifest = json.loads((STATIC / "widget-manifest.json").read_text())
    files = [entry["file"] for entry in manifest.values() if entry["file"].startswith("widget/")]
    assert files, "the front end is not built: run `make setup`"
    return files


async def test_widget_modules_are_served_as_javascript_a_tenant_site_may_import(server: LiveServer) -> None:
    for file in built_modules():
        headers = {"Origin": "https://shop.example"}
        async with server.http.get(f"{server.url}/{file}", headers=headers) as reply:
            assert reply.status == 200, file
            assert reply.content_type == "text/javascript"
            assert reply.headers["Access-Control-Allow-Origin"] == "*"
            assert reply.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
            assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert reply.headers["X-Content-Type-Options"] == "nosniff"
            assert await reply.read() == (STATIC / file).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/widget/main-00000000.js",  # a name of no build (an earlier deployment's)
        "/widget/..%2Fwidget.js",
        "/widget/.hidden.js",
        "/widget/manifest.json",
        "/widget/",
    ],
)
async def test_widget_module_names_outside_the_build_are_not_found(server: LiveServer, path: str) -> None:
    async with server.http.get(server.url + path) as reply:
        assert reply.status == 404
        assert reply.headers.get("Access-Control-Allow-Origin") is None
