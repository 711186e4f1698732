"""The visitor's own data in a real browser: after a chat, "Your data" downloads everything stored about them
(a ZIP file with a readable page and the JSON document), then "Delete my chat data", after its confirmation,
deletes it all; the widget forgets its token and shows its start state again."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.widget import end_chat, open_widget
from tests.lifecycle.conftest import traces
from tests.support import LiveServer, wait_for
from wschat.accounts.models import Role

pytestmark = pytest.mark.timeout(60)


async def test_widget_visitor_downloads_then_deletes_their_chat_data(
    server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    anna = await server.agent(await server.login("acme", "anna"))
    await anna.ok("status.set", {"status": "online"})

    page = await open_widget(browser, "Quentin")
    panel = page.get_by_role("dialog")
    composer = page.get_by_role("textbox", name="Write a message")
    await composer.fill("Mein Geheimnis 4711")
    await composer.press("Enter")
    cid = (await anna.wait("chat.assigned"))["conversation"]["id"]
    await anna.ok("message.send", {"conversation_id": cid, "client_id": "a-1", "text": "Antwort 0815"})
    await expect(panel.get_by_text("Antwort 0815")).to_be_visible()
    await end_chat(page, panel)
    token = json.loads(await page.evaluate("localStorage.getItem('wschat:acme')"))["token"]

    await panel.get_by_role("button", name="Your data").click()
    async with page.expect_download() as downloading:
        await panel.get_by_role("button", name="Download my data").click()
    download = await downloading.value
    saved = tmp_path / "data.zip"
    await download.save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        data = json.loads(archive.read("data.json"))
        page_html = archive.read("index.html").decode()
    texts = [m["text"] for chat in data["conversations"] for m in chat["messages"]]
    assert "Mein Geheimnis 4711" in texts
    assert "Antwort 0815" in texts
    assert data["visitor"]["alias"] == "Quentin"
    assert "Mein Geheimnis 4711" in page_html
    await expect(panel.get_by_role("status")).to_contain_text("Your data is in your downloads")

    await panel.get_by_role("button", name="Delete my chat data").click()
    confirm = page.get_by_role("alertdialog", name="Delete your chat data?")
    await confirm.get_by_role("button", name="Cancel").click()
    await expect(confirm).to_be_hidden()
    await panel.get_by_role("button", name="Delete my chat data").click()
    await confirm.get_by_role("button", name="Yes, delete everything").click()
    await expect(panel.get_by_role("status").first).to_have_text("Your chat data has been deleted.")
    await expect(page.get_by_label("Your name or alias (optional)")).to_be_visible()
    await expect(panel.get_by_text("Mein Geheimnis 4711")).to_have_count(0)
    await browser.screenshot(page, "widget-my-data-deleted")

    stored = await page.evaluate("localStorage.getItem('wschat:acme')")
    assert stored is None or json.loads(stored)["token"] != token
    db = server.app.runtime.db
    assert await traces(db, ("Geheimnis 4711", "Antwort 0815", "Quentin")) == {}
    reply = await server.request(
        "GET", "/api/widget/acme/my-data", headers={"Authorization": f"Bearer {token}"}
    )
    assert reply.body["error"]["code"] == "AUTH_INVALID"
    # The widget goes on as a new visitor: a new chat works.
    await composer.fill("Neu hier")
    await composer.press("Enter")
    await wait_for(lambda: len(anna.received("chat.assigned")) >= 2, timeout=10)
