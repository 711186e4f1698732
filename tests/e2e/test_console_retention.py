"""The Settings page's retention card in a real browser: the operator's maxima shown, a number above one
refused before anything is sent, a choice saved."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, sign_in

pytestmark = pytest.mark.timeout(60)


async def test_console_admin_chooses_retention_within_the_maxima(browser: Browser, shop: Shop) -> None:
    page = await sign_in(browser, "anna")
    await page.get_by_role("link", name="Settings").click()
    card = page.get_by_test_id("retention")
    await expect(card.get_by_role("heading", name="Retention")).to_be_visible()
    await expect(card).to_contain_text("days (at most 365)")
    await expect(card).to_contain_text("days (at most 30)")
    chat = card.locator('input[name="days.chat"]')
    await expect(chat).to_have_value("365")

    await chat.fill("400")
    await card.get_by_role("button", name="Save retention").click()
    await expect(card.get_by_role("alert")).to_have_text("Enter a whole number of days from 1 to 365.")
    await expect(chat).to_have_attribute("aria-invalid", "true")
    unchanged = await shop.server.request("GET", "/api/tenant/retention", token=shop.admin_token)
    assert unchanged.body["retention"]["categories"]["chat"]["chosen"] is False

    await chat.fill("180")
    await card.get_by_label("Shorten it further (IPv4 /16, IPv6 /32)").check()
    await card.get_by_role("button", name="Save retention").click()
    await expect(card.get_by_role("status")).to_have_text("Retention saved.")
    saved = (await shop.server.request("GET", "/api/tenant/retention", token=shop.admin_token)).body
    assert saved["retention"]["categories"]["chat"] == {
        "days": 180,
        "max_days": 365,
        "min_days": 1,
        "chosen": True,
    }
    assert saved["retention"]["ip_action"] == "shorten"
