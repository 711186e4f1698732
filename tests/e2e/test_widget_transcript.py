"""Transcripts by e-mail in real browsers: the visitor ends a chat and asks for its transcript in the widget
(the mail reaches a real SMTP server with the whole visible conversation and without the agents-only transfer
note); an agent forwards one from the console with a note."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, go_online, sign_in
from tests.e2e.widget import ask_for_transcript, end_chat, open_widget
from tests.mail.smtpd import SmtpServer
from tests.support import LiveServer, wait_for
from wschat.accounts.models import Role

pytestmark = pytest.mark.timeout(60)


async def test_widget_visitor_ends_the_chat_and_gets_the_transcript_by_mail(
    server: LiveServer, browser: Browser, smtp: SmtpServer
) -> None:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    bert_user = await server.make_user(tenant, "bert")
    admin = await server.login("acme", "anna")
    mail = {"smtp_url": smtp.url, "from_address": "chat@acme.example"}
    assert (await server.request("PUT", "/api/mail/settings", json=mail, token=admin)).status == 200
    anna = await server.agent(admin)
    await anna.ok("status.set", {"status": "online"})

    page = await open_widget(browser, "Sam")
    panel = page.get_by_role("dialog")
    composer = page.get_by_role("textbox", name="Write a message")
    await composer.fill("Where is my parcel?")
    await composer.press("Enter")
    cid = (await anna.wait("chat.assigned"))["conversation"]["id"]
    await anna.ok("message.send", {"conversation_id": cid, "client_id": "a-1", "text": "It ships tomorrow."})
    await expect(panel.get_by_text("It ships tomorrow.")).to_be_visible()

    bert = await server.agent(await server.login("acme", "bert"))
    await bert.ok("status.set", {"status": "online"})
    note = "VIP customer, internal only"
    await anna.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": bert_user.id, "note": note})
    await bert.ok("message.send", {"conversation_id": cid, "client_id": "b-1", "text": "Bert here, all set."})
    await expect(panel.get_by_text("Bert here, all set.")).to_be_visible()

    await end_chat(page, panel)
    form = await ask_for_transcript(panel)
    await form.get_by_label("Your e-mail address").fill("sam@example.com\nBcc: spam@example.net")
    await form.get_by_role("button", name="Send").click()
    await expect(form.get_by_role("alert")).to_have_text("Please enter a valid e-mail address.")
    await form.get_by_label("Your e-mail address").fill("sam@example.com")
    await form.get_by_role("button", name="Send").click()
    await expect(form.get_by_role("status")).to_have_text("The conversation is on its way to your inbox.")
    await browser.screenshot(page, "widget-transcript-sent")

    await wait_for(lambda: len(smtp.received) == 1, timeout=10)
    got = smtp.received[0]
    assert got.recipients == ["sam@example.com"]
    assert got.message["Subject"] == "Your chat with Acme GmbH"
    plain, rich = (str(part.get_content()) for part in got.message.iter_parts())
    for text in ("Where is my parcel?", "It ships tomorrow.", "Bert here, all set.", "Anna joined the chat."):
        assert text in plain, text
        assert text in rich, text
    assert "The visitor ended the chat." in plain
    assert "VIP" not in plain
    assert "VIP" not in rich


async def test_console_agent_forwards_the_transcript_with_a_note(
    shop: Shop, browser: Browser, smtp: SmtpServer
) -> None:
    server = shop.server
    mail = {"smtp_url": smtp.url, "from_address": "chat@acme.example"}
    assert (
        await server.request("PUT", "/api/mail/settings", json=mail, token=shop.admin_token)
    ).status == 200
    page = await sign_in(browser, "bert")
    await go_online(page)
    await shop.visitor("Sam", "My invoice is wrong.")
    await page.get_by_role("button", name="Accept: Sam").click()
    chat = page.get_by_role("tabpanel")
    await expect(chat.get_by_text("My invoice is wrong.")).to_be_visible()

    await chat.get_by_role("button", name="E-mail transcript").click()
    form = chat.get_by_role("form", name="Send transcript by e-mail")
    await form.get_by_label("To").fill("billing@acme.example, spam@example.net")
    await form.get_by_role("button", name="Send transcript").click()
    await expect(form.get_by_role("alert")).to_be_visible()
    await form.get_by_label("To").fill("billing@acme.example")
    await form.get_by_label("Note (optional)").fill("Please check invoice 42.")
    await form.get_by_role("button", name="Send transcript").click()
    await expect(form.get_by_role("status")).to_have_text("The transcript is on its way.")
    await expect(form.get_by_text("Sent by Bert to billing@acme.example", exact=False)).to_be_visible()

    await wait_for(lambda: len(smtp.received) == 1, timeout=10)
    got = smtp.received[0]
    assert got.recipients == ["billing@acme.example"]
    plain = str(next(iter(got.message.iter_parts())).get_content())
    assert "Please check invoice 42." in plain
    assert "My invoice is wrong." in plain
