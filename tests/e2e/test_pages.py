"""The pages themselves: served from wsChat, nothing loaded from anywhere else."""

from __future__ import annotations

import pytest

from tests.e2e.browser import Browser
from tests.support import LiveServer

pytestmark = pytest.mark.timeout(90)


async def test_demo_page_embeds_the_widget_from_the_server(browser: Browser) -> None:
    page = await browser.page("/demo")
    assert await page.title() == "Northwind Solar — clean power for your roof"
    script = page.locator("script[data-tenant]")
    assert await script.get_attribute("src") == "/widget.js"
    assert await script.get_attribute("data-tenant") == "demo"


async def test_demo_page_refuses_a_malformed_tenant(server: LiveServer) -> None:
    reply = await server.request("GET", "/demo?tenant=%3Cscript%3E")
    assert reply.status == 404
    assert reply.code == "NOT_FOUND"


async def test_console_is_a_single_page_app_under_console(server: LiveServer) -> None:
    for path in ("/console/", "/console/chats/123"):
        async with server.http.get(server.url + path) as reply:
            assert reply.status == 200, path
            assert reply.content_type == "text/html"
            assert "default-src 'self'" in reply.headers["Content-Security-Policy"]
            assert "/console/assets/" in await reply.text()
