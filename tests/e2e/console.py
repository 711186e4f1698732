"""Helpers for driving the console: a tenant with agents ("shop"), signing in, going online."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.async_api import Page, expect

from tests.e2e.browser import Browser
from tests.support import PASSWORD, LiveServer, Peer
from wschat.accounts.models import Role, Tenant, User


@dataclass
class Shop:
    server: LiveServer
    tenant: Tenant
    admin_token: str
    users: dict[str, User]

    async def set(self, **settings: object) -> None:
        reply = await self.server.request("PATCH", "/api/tenant", json=settings, token=self.admin_token)
        assert reply.status == 200, reply.body

    async def video(self, **settings: object) -> None:
        """Changes the tenant's call settings (PATCH /api/tenant/video)."""
        reply = await self.server.request("PATCH", "/api/tenant/video", json=settings, token=self.admin_token)
        assert reply.status == 200, reply.body

    async def visitor(self, alias: str, text: str) -> tuple[Peer, str]:
        """A visitor who starts a chat with a first message; returns the peer and the conversation id."""
        peer = await self.server.visitor("acme")
        reply = await peer.ok("chat.start", {"alias": alias, "text": text, "client_id": f"c-{alias}"})
        return peer, reply["conversation"]["id"]


async def make_shop(server: LiveServer) -> Shop:
    """Tenant acme: admin Anna, agents Bert and Carl; chats wait in the queue unless routing is turned on."""
    tenant = await server.make_tenant("acme")
    users = {
        "anna": await server.make_user(tenant, "anna", Role.ADMIN),
        "bert": await server.make_user(tenant, "bert"),
        "carl": await server.make_user(tenant, "carl"),
    }
    shop = Shop(server, tenant, await server.login("acme", "anna"), users)
    await shop.set(auto_assign=False)
    return shop


async def sign_in(browser: Browser, login: str, password: str = PASSWORD) -> Page:
    page = await browser.page("/console/")
    await page.get_by_label("Company").fill("acme")
    await page.get_by_label("Login").fill(login)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


async def go_online(page: Page) -> None:
    await page.locator(".status-option", has_text="Online").click()
    await expect(page.get_by_role("radio", name="Online")).to_be_checked()
