"""The console's Webhooks page (admins only): an internal address refused with its reason, an endpoint
added with its secret shown once, an event delivered to a real receiver (signed with that secret) and listed
with the receiver's answer. ("Send again" is tested through the API in tests/webhooks/test_routes.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, sign_in
from tests.support import wait_for
from tests.webhooks.receiver import Answer, Receiver
from wschat.config import Settings
from wschat.webhooks.signing import verify

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The receiver listens on 127.0.0.1: the operator allows that one address."""
    return replace(settings, webhook_allow_networks="127.0.0.1/32")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = Receiver()
    await server.start()
    yield server
    await server.stop()


async def test_console_admin_adds_an_endpoint_and_sees_deliveries(
    browser: Browser, shop: Shop, receiver: Receiver
) -> None:
    page = await sign_in(browser, "anna")
    await page.get_by_role("link", name="Webhooks", exact=True).click()
    await expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    await expect(page.get_by_text("No endpoint yet.")).to_be_visible()

    form = page.locator("form", has=page.get_by_role("heading", name="Add an endpoint"))
    await form.locator("input[name=url]").fill("https://169.254.169.254/latest/meta-data/")
    await form.get_by_role("button", name="Add endpoint").click()
    await expect(form.get_by_role("alert")).to_contain_text("internal network")
    await expect(page.locator("[data-endpoint]")).to_have_count(0)

    await form.locator("input[name=url]").fill(receiver.url)
    await form.get_by_label("Appointment booked").check()
    await form.get_by_role("button", name="Add endpoint").click()
    secret = await page.locator("[data-secret]").text_content()
    assert secret is not None
    assert secret.startswith("whsec_")
    await expect(page.locator("[data-endpoint]")).to_have_count(1)
    await expect(page.locator("[data-endpoint]")).to_contain_text("Appointment booked")

    receiver.answer(Answer(500, b"CRM down"))
    service = shop.server.app.runtime.webhooks.service
    await service.enqueue(shop.tenant.id, "appointment.booked", {"appointment": {"id": "apt_1"}}, key="apt_1")
    await wait_for(lambda: len(receiver.received) == 1, timeout=10)
    got = receiver.received[0]
    assert verify(secret, got.headers["X-WsChat-Signature"], got.body, int(shop.server.clock().timestamp()))

    deliveries = page.get_by_role("region", name="Deliveries")
    await deliveries.get_by_role("button", name="Refresh").click()
    await expect(deliveries.locator("li")).to_have_count(1)
    await expect(deliveries.locator("li")).to_contain_text("waiting")
    await expect(deliveries.locator("li")).to_contain_text("500 · CRM down")
    await browser.screenshot(page, "console-webhooks")
    assert secret not in await page.locator("[data-endpoint]").inner_text()


async def test_console_agents_do_not_see_the_webhooks_page(browser: Browser, shop: Shop) -> None:
    page = await sign_in(browser, "bert")
    await expect(page.get_by_role("link", name="Chats", exact=True)).to_be_visible()
    await expect(page.get_by_role("link", name="Webhooks", exact=True)).to_have_count(0)
