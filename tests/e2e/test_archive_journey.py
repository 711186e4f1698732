"""The archive's whole journey in real browsers, against a real SMTP server: a visitor chats in the widget,
ends the chat and asks for its transcript (the mail holds the whole visible conversation and no agents-only
note); the admin finds the chat in the console's archive by a word from its middle, opens it, forwards it
with a note, and exports the filter as CSV and JSONL, which are checked against what was sent."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, sign_in
from tests.e2e.widget import ask_for_transcript, end_chat, open_widget
from tests.mail.smtpd import Received, SmtpServer
from tests.support import wait_for

pytestmark = pytest.mark.timeout(90)

VISITOR_SAID = ["Guten Tag", "Meine Zahnbürste ist nicht angekommen", "Bestellung 4711"]
AGENT_SAID = "Wir schicken Ihnen eine neue."
NOTE = "Stammkunde, intern"


def _parts(received: Received) -> tuple[str, str]:
    plain, rich = (str(part.get_content()) for part in received.message.iter_parts())
    return plain, rich


async def test_archive_journey_transcript_search_forward_export(
    shop: Shop, browser: Browser, smtp: SmtpServer, tmp_path: Path
) -> None:
    server = shop.server
    mail = {"smtp_url": smtp.url, "from_address": "chat@acme.example"}
    saved = await server.request("PUT", "/api/mail/settings", json=mail, token=shop.admin_token)
    assert saved.status == 200
    await shop.set(auto_assign=True)
    bert = await server.agent(await server.login("acme", "bert"))
    await bert.ok("status.set", {"status": "online"})

    # The visitor chats in the widget; Bert answers and leaves a note for colleagues only.
    widget = await open_widget(browser, "Sam")
    panel = widget.get_by_role("dialog")
    composer = widget.get_by_role("textbox", name="Write a message")
    await composer.fill(VISITOR_SAID[0])
    await composer.press("Enter")
    cid = (await bert.wait("chat.assigned"))["conversation"]["id"]
    for text in VISITOR_SAID[1:]:
        await composer.fill(text)
        await composer.press("Enter")
        await expect(panel.get_by_text(text, exact=True)).to_be_visible()
    await bert.ok("message.send", {"conversation_id": cid, "client_id": "b-1", "text": AGENT_SAID})
    await expect(panel.get_by_text(AGENT_SAID)).to_be_visible()
    carl = shop.users["carl"]
    carl_peer = await server.agent(await server.login("acme", "carl"))
    await carl_peer.ok("status.set", {"status": "online"})
    await bert.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": carl.id, "note": NOTE})

    # The visitor ends the chat and asks for the transcript.
    await end_chat(widget, panel)
    form = await ask_for_transcript(panel)
    await form.get_by_label("Your e-mail address").fill("sam@example.com")
    await form.get_by_role("button", name="Send").click()
    await expect(form.get_by_role("status")).to_have_text("The conversation is on its way to your inbox.")
    await wait_for(lambda: len(smtp.received) == 1, timeout=10)
    copy = smtp.received[0]
    assert copy.recipients == ["sam@example.com"]
    for part in _parts(copy):
        for text in [*VISITOR_SAID, AGENT_SAID]:
            assert text in part, text
        assert NOTE not in part

    # The admin finds it in the archive by a word from its middle (typed without the umlaut) and opens it.
    console = await sign_in(browser, "anna")
    await console.get_by_role("link", name="Archive", exact=True).click()
    await console.get_by_label("Search (words in messages and contact data)").fill("zahnburste")
    await console.keyboard.press("Enter")
    results = console.get_by_role("list", name="Past chats")
    await expect(results.locator("li")).to_have_count(1)
    await expect(results.locator("mark")).to_have_text("Zahnbürste")
    await results.get_by_role("button").first.click()
    detail = console.get_by_role("region", name="Chat of")
    for text in [*VISITOR_SAID, AGENT_SAID, NOTE]:
        await expect(detail.get_by_text(text, exact=True)).to_be_visible()
    await expect(detail).to_contain_text("Agents: Bert, Carl")
    await browser.screenshot(console, "archive")  # docs/screenshots/archive.png, shown in the README

    # It forwards the chat with a note; the forward is listed with the chat.
    await detail.get_by_role("button", name="E-mail transcript").click()
    forward = detail.get_by_role("form", name="Send transcript by e-mail")
    await forward.get_by_label("To").fill("crm@acme.example")
    await forward.get_by_label("Note (optional)").fill("Bitte ins CRM übernehmen.")
    await forward.get_by_role("button", name="Send transcript").click()
    await expect(forward.get_by_role("status")).to_have_text("The transcript is on its way.")
    await expect(forward.get_by_text("to crm@acme.example", exact=False)).to_be_visible()
    await wait_for(lambda: len(smtp.received) == 2, timeout=10)
    forwarded = smtp.received[1]
    assert forwarded.recipients == ["crm@acme.example"]
    plain, _ = _parts(forwarded)
    assert "Bitte ins CRM übernehmen." in plain
    for text in VISITOR_SAID:
        assert text in plain, text
    assert NOTE not in plain

    # It exports the filter as CSV and JSONL.
    async with console.expect_download() as csv_download:
        await console.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(await (await csv_download.value).path()).read_text())))
    assert [(r["id"], r["visitor_name"], r["outcome"]) for r in rows] == [(cid, "Sam", "answered")]
    assert set(rows[0]["agents"].split("; ")) == {"Bert", "Carl"}
    async with console.expect_download() as jsonl_download:
        await console.get_by_role("button", name="Export JSONL").click()
    lines = Path(await (await jsonl_download.value).path()).read_text().splitlines()
    [chat] = [json.loads(line) for line in lines]
    assert chat["conversation"]["id"] == cid
    texts = [m["text"] for m in chat["messages"]]
    assert [t for t in texts if t in VISITOR_SAID] == VISITOR_SAID
    assert AGENT_SAID in texts

    # Opened again, the chat says what was done with it: the visitor's copy, the forward, both exports.
    await detail.get_by_role("button", name="Back to the list").click()
    await results.get_by_role("button").first.click()
    copies = console.get_by_role("region", name="Chat of").locator("ul.copies li")
    await expect(copies).to_have_count(4)
    await expect(copies.nth(0)).to_contain_text("Sent to the visitor at their request (sam@example.com)")
    await expect(copies.nth(1)).to_contain_text("to crm@acme.example")
    await expect(copies.nth(2)).to_contain_text("Exported as CSV by Anna")
    await expect(copies.nth(3)).to_contain_text("Exported as JSONL by Anna")
