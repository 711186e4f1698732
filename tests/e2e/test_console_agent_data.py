"""An agent's own data in the console: Bert downloads his from his profile; once an admin has deleted him,
his chat in the archive shows his message under "Former agent" and his name nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, sign_in

pytestmark = pytest.mark.timeout(60)

ANSWER = "Wir schicken eine neue."


async def _past_chat(shop: Shop) -> str:
    visitor, cid = await shop.visitor("Sam", "Meine Zahnbürste ist nicht angekommen")
    bert = await shop.server.agent(await shop.server.login("acme", "bert"))
    await bert.ok("status.set", {"status": "online"})
    await bert.ok("chat.accept", {"conversation_id": cid})
    await bert.ok("message.send", {"conversation_id": cid, "client_id": "b1", "text": ANSWER})
    await bert.ok("chat.close", {"conversation_id": cid})
    await bert.disconnect()
    await visitor.disconnect()
    return cid


async def test_console_agent_downloads_own_data_then_shows_as_former_agent_once_deleted(
    browser: Browser, shop: Shop, tmp_path: Path
) -> None:
    server = shop.server
    await _past_chat(shop)
    page = await sign_in(browser, "bert")
    await page.get_by_role("link", name="My profile").click()
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Download my data").click()
    saved = tmp_path / "mine.json"
    await (await downloading.value).save_as(saved)
    data = json.loads(saved.read_text())
    assert data["account"]["login"] == "bert"
    assert [m["text"] for m in data["messages"]] == [ANSWER]
    await expect(page.get_by_role("status")).to_have_text("Your data is downloaded.")
    await page.close()

    bert = shop.users["bert"]
    deleted = await server.request("DELETE", f"/api/agents/{bert.id}", token=shop.admin_token)
    assert deleted.status == 204
    server.clock.advance(seconds=10)
    await server.app.runtime.former_agents.run_once()

    admin = await sign_in(browser, "anna")
    await admin.get_by_role("link", name="Archive", exact=True).click()
    results = admin.get_by_role("list", name="Past chats")
    await expect(results.locator("li")).to_have_count(1)
    await results.get_by_role("button").first.click()
    detail = admin.get_by_role("region", name="Chat of")
    await expect(detail.get_by_text(ANSWER, exact=True)).to_be_visible()
    await expect(detail).to_contain_text("Agents: Former agent")
    await expect(detail.locator(".who", has_text="Former agent")).to_have_count(1)
    await expect(detail).not_to_contain_text("Bert")
