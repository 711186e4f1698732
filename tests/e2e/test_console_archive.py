"""The console's Archive page: a word from the middle of a past chat is found and marked, the chat opens
whole, and the admin's CSV and JSONL exports hold what was sent."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, sign_in

pytestmark = pytest.mark.timeout(60)

SENT = ["Guten Tag", "Meine Zahnbürste ist nicht angekommen", "Bestellung 4711"]


async def _past_chat(shop: Shop) -> str:
    visitor, cid = await shop.visitor("Sam", SENT[0])
    bert = await shop.server.agent(await shop.server.login("acme", "bert"))
    await bert.ok("status.set", {"status": "online"})
    await bert.ok("chat.accept", {"conversation_id": cid})
    for n, text in enumerate(SENT[1:]):
        await visitor.ok("message.send", {"conversation_id": cid, "client_id": f"v{n}", "text": text})
    await bert.ok(
        "message.send", {"conversation_id": cid, "client_id": "b1", "text": "Wir schicken eine neue."}
    )
    await bert.ok("chat.close", {"conversation_id": cid})
    return cid


async def test_console_archive_search_open_and_export(browser: Browser, shop: Shop, tmp_path: Path) -> None:
    cid = await _past_chat(shop)
    page = await sign_in(browser, "anna")
    await page.get_by_role("link", name="Archive", exact=True).click()
    await expect(page.get_by_role("heading", name="Archive", exact=True)).to_be_visible()

    await page.get_by_label("Search (words in messages and contact data)").fill("zahnburste")
    await page.keyboard.press("Enter")
    results = page.get_by_role("list", name="Past chats")
    await expect(results.locator("li")).to_have_count(1)
    await expect(results.locator("mark")).to_have_text("Zahnbürste")

    await results.get_by_role("button").first.click()
    detail = page.get_by_role("region", name="Chat of")
    for text in SENT:
        await expect(detail.get_by_text(text, exact=True)).to_be_visible()
    await expect(detail).to_contain_text("Agents: Bert")

    async with page.expect_download() as csv_download:
        await page.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(await (await csv_download.value).path()).read_text())))
    assert [(r["id"], r["visitor_name"], r["agents"], r["outcome"]) for r in rows] == [
        (cid, "Sam", "Bert", "answered")
    ]
    assert rows[0]["message_count"] != "0"

    async with page.expect_download() as jsonl_download:
        await page.get_by_role("button", name="Export JSONL").click()
    lines = Path(await (await jsonl_download.value).path()).read_text().splitlines()
    [chat] = [json.loads(line) for line in lines]
    texts = [m["text"] for m in chat["messages"]]
    assert [t for t in texts if t in SENT] == SENT
    assert "Wir schicken eine neue." in texts

    log = page.get_by_role("region", name="Exports")
    await expect(log.locator("li")).to_have_count(2)
