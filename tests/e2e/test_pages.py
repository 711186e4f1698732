"""The pages themselves: served from wsChat, nothing loaded from anywhere else."""

from __future__ import annotations

import pytest

from tests.e2e.browser import Browser
from tests.support import LiveServer
from wschat.accounts.models import SLUG_PATTERN, Role

pytestmark = pytest.mark.timeout(90)


async def test_demo_page_embeds_the_widget_from_the_server(browser: Browser) -> None:
    page = await browser.page("/demo")
    assert await page.title() == "Northwind Solar — clean power for your roof"
    script = page.locator("script[data-tenant]")
    assert await script.get_attribute("src") == "/widget.js"
    assert await script.get_attribute("data-tenant") == "demo"


async def test_pages_have_the_wschat_icon_and_load_without_errors(browser: Browser) -> None:
    await browser.server.make_tenant("acme")
    errors: list[str] = []
    for path in ("/demo?tenant=acme", "/console/"):
        page = await browser.page("")
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        await page.goto(browser.server.origin + path)
        assert await page.locator("link[rel=icon]").get_attribute("href") == "/favicon.svg"
        icon = await page.request.get(browser.server.origin + "/favicon.svg")
        assert icon.status == 200
        assert icon.headers["content-type"] == "image/svg+xml"
        assert (await icon.body()).startswith(b"<svg")
    await page.get_by_label("Company").wait_for()
    assert [url for url in browser.requests if url.endswith("/api/widget/acme")], "the widget did not load"
    # The console's only error: the 401 of the session check while nobody is signed in (no missing icon).
    assert errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]


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


def _policy(header: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part for part in (p.strip() for p in header.split(";"))}


async def test_pages_allow_only_their_tenants_jitsi_host(server: LiveServer) -> None:
    acme = await server.make_tenant("acme")
    await server.make_user(acme, "anna", Role.ADMIN)
    await server.make_tenant("globex")
    admin = await server.login("acme", "anna")
    reply = await server.request(
        "PATCH", "/api/tenant/video", json={"jitsi": {"domain": "meet.acme.example"}}, token=admin
    )
    assert reply.status == 200, reply.body

    async def policy(path: str, tenant_cookie: str | None = None) -> dict[str, str]:
        headers = {"Cookie": f"wschat_tenant={tenant_cookie}"} if tenant_cookie is not None else {}
        async with server.http.get(server.url + path, headers=headers) as page:
            if path.startswith("/console/"):  # the page says which tenant its policy was made for
                echoed = tenant_cookie if tenant_cookie and SLUG_PATTERN.fullmatch(tenant_cookie) else ""
                assert f'<meta name="wschat-tenant" content="{echoed}">' in await page.text()
            return _policy(page.headers["Content-Security-Policy"])

    demo = await policy("/demo?tenant=acme")
    assert demo["script-src"] == "script-src 'self'"  # a frame, never a script (docs/video.md)
    assert demo["frame-src"] == "frame-src https://meet.acme.example"
    other = await policy("/demo?tenant=globex")  # another tenant's page never names acme's host
    assert other["script-src"] == "script-src 'self'"
    assert other["frame-src"] == "frame-src 'none'"
    unknown = await policy("/demo?tenant=nobody")
    assert unknown["script-src"] == "script-src 'self'"
    # The console: only the Jitsi host of the tenant this browser signs in to (the console's cookie), so the
    # page never lists the operator's other customers.
    console = await policy("/console/")
    assert console["script-src"] == "script-src 'self'"
    assert console["frame-src"] == "frame-src 'none'"
    assert console["frame-ancestors"] == "frame-ancestors 'none'"
    console = await policy("/console/", "acme")
    assert console["script-src"] == "script-src 'self'"
    assert console["frame-src"] == "frame-src https://meet.acme.example"
    for other_cookie in ("globex", "nobody", '"><script>', "ACME"):
        console = await policy("/console/", other_cookie)
        assert console["script-src"] == "script-src 'self'", other_cookie
