"""When nobody is online: the widget's honest "offline" and its message form; the message lands in the
console's "To answer" list (counted live in the top bar), is answered by e-mail through a real SMTP server
and marked done."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, sign_in
from tests.mail.smtpd import SmtpServer
from tests.support import stored, wait_for

pytestmark = pytest.mark.timeout(60)


async def test_widget_offline_message_is_answered_by_mail_from_the_console(
    shop: Shop, browser: Browser, smtp: SmtpServer
) -> None:
    server = shop.server
    mail = {"smtp_url": smtp.url, "from_address": "chat@acme.example"}
    assert (
        await server.request("PUT", "/api/mail/settings", json=mail, token=shop.admin_token)
    ).status == 200
    console = await sign_in(browser, "bert")  # signed in, but not online
    to_answer = console.get_by_role("link", name="To answer")
    await expect(to_answer).to_have_text("To answer")

    # A German page on a phone: the panel fills the screen, every text is German.
    page = await browser.page("/demo?tenant=acme&lang=de", viewport={"width": 375, "height": 700})
    await page.get_by_role("button", name="Chat öffnen").click()
    panel = page.get_by_role("dialog")
    await expect(panel.get_by_text("Wir sind gerade nicht erreichbar")).to_be_visible()
    await expect(panel.get_by_text("Wir sind online")).to_have_count(0)
    box = await panel.bounding_box()
    assert box is not None
    assert (round(box["width"]), round(box["height"])) == (375, 700)
    await expect(panel.get_by_text("nur, um diese Nachricht zu beantworten", exact=False)).to_be_visible()

    await panel.get_by_label("Name (optional)").fill("Sam Smith")
    await panel.get_by_label("E-Mail (für unsere Antwort)").fill("kein-mail")
    await panel.get_by_label("Ihre Nachricht").fill("Bitte rufen Sie mich zurück.")
    await panel.get_by_role("button", name="Nachricht senden").click()
    await expect(panel.get_by_role("alert")).to_have_text("Bitte geben Sie eine gültige E-Mail-Adresse ein.")
    assert await stored(server.app.runtime.db, "conversations") == []

    await panel.get_by_label("E-Mail (für unsere Antwort)").fill("sam@example.com")
    await panel.get_by_role("button", name="Nachricht senden").click()
    await expect(
        panel.get_by_text("Vielen Dank! Ihre Nachricht ist bei unserem Team angekommen.", exact=False)
    ).to_be_visible()
    await browser.screenshot(page, "widget-offline-de-phone")

    # The console's top bar counts it at once (offline.count); it never entered the queue.
    await expect(to_answer).to_contain_text("1")
    await expect(console.get_by_text("Nobody is waiting.")).to_be_visible()
    await to_answer.click()
    item = console.locator(".offline-item")
    await expect(item).to_contain_text("Bitte rufen Sie mich zurück.")
    await expect(item).to_contain_text("From Sam Smith (sam@example.com)")
    await item.get_by_label("Your answer").fill("Gern, morgen um 10 Uhr.")
    await item.get_by_role("button", name="Send answer by e-mail").click()
    await expect(item.get_by_role("status")).to_have_text("The answer is on its way.")
    await browser.screenshot(console, "console-offline-answered")

    await wait_for(lambda: len(smtp.received) == 1, timeout=10)
    got = smtp.received[0]
    assert got.recipients == ["sam@example.com"]
    assert got.message["Subject"] == "Unsere Antwort auf Ihre Nachricht an Acme GmbH"
    plain = str(next(iter(got.message.iter_parts())).get_content())
    assert "Gern, morgen um 10 Uhr." in plain
    assert "Bitte rufen Sie mich zurück." in plain

    await item.get_by_role("button", name="Mark as done").click()
    await expect(console.get_by_text("Nothing to answer.")).to_be_visible()
    await expect(to_answer).to_have_text("To answer")
    [doc] = await stored(server.app.runtime.db, "conversations")
    assert (doc["answer_state"], doc["done_by"]) == ("done", shop.users["bert"].id)
