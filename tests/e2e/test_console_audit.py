"""The console's Audit log page: an admin opens a past chat in the archive, and then finds that view in the
audit log, filtered to the archive's actions, under their own name."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, sign_in

pytestmark = pytest.mark.timeout(60)


async def _past_chat(shop: Shop) -> str:
    visitor, cid = await shop.visitor("Sam", "Wo bleibt mein Paket?")
    bert = await shop.server.agent(await shop.server.login("acme", "bert"))
    await bert.ok("status.set", {"status": "online"})
    await bert.ok("chat.accept", {"conversation_id": cid})
    await bert.ok("message.send", {"conversation_id": cid, "client_id": "b1", "text": "Es kommt morgen."})
    await bert.ok("chat.close", {"conversation_id": cid})
    await visitor.disconnect()
    return cid


async def test_console_audit_log_shows_an_archive_view(browser: Browser, shop: Shop) -> None:
    cid = await _past_chat(shop)
    page = await sign_in(browser, "anna")
    await page.get_by_role("link", name="Archive", exact=True).click()
    await page.get_by_role("list", name="Past chats").get_by_role("button").first.click()
    await expect(page.get_by_role("region", name="Chat of")).to_contain_text("Wo bleibt mein Paket?")

    await page.get_by_role("link", name="Audit log", exact=True).click()
    await expect(page.get_by_role("heading", name="Audit log", exact=True)).to_be_visible()
    await page.get_by_label("Action").select_option("archive.*")
    await page.get_by_role("button", name="Filter").click()

    rows = page.get_by_role("table", name="Audit log").locator("tbody tr")
    await expect(rows).to_have_count(1)
    viewed = rows.first
    await expect(viewed).to_have_attribute("data-action", "archive.viewed")
    await expect(viewed).to_contain_text("chat opened in the archive")
    await expect(viewed).to_contain_text("Anna (admin)")
    await expect(viewed).to_contain_text(cid)
    await expect(viewed).not_to_contain_text("Paket")
