"""The console's E-mail page (admins only): the tenant's own mail server with a write-only password, a
test mail through a real SMTP server, and a failed mail shown and tried again."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, sign_in
from tests.mail.smtpd import SmtpServer
from tests.support import wait_for

pytestmark = pytest.mark.timeout(60)

PASSWORD = "mail server password 7"


async def _failed(shop: Shop) -> list[dict[str, object]]:
    reply = await shop.server.request("GET", "/api/mail/outbox?status=failed", token=shop.admin_token)
    assert reply.status == 200, reply.body
    mails: list[dict[str, object]] = reply.body["mails"]
    return mails


async def test_console_admin_sets_a_mail_server_sends_a_test_and_retries_a_failed_mail(
    browser: Browser, shop: Shop, smtp: SmtpServer
) -> None:
    page = await sign_in(browser, "anna")
    await page.get_by_role("link", name="E-mail", exact=True).click()
    await expect(page.get_by_role("heading", name="E-mail", exact=True)).to_be_visible()
    await expect(page.get_by_text("This installation has no mail server")).to_be_visible()

    server = page.locator("form", has=page.get_by_role("heading", name="Mail server"))
    await server.locator("input[name=smtp_url]").fill(smtp.url)
    await server.locator("input[name=from_address]").fill("chat@acme.example")
    await server.locator("input[name=password]").fill(PASSWORD)
    await server.get_by_role("button", name="Save mail server").click()
    await expect(server.get_by_role("status")).to_have_text("Mail server saved.")
    await expect(server.locator("input[name=password]")).to_have_attribute(
        "placeholder", "set — leave empty to keep"
    )
    assert PASSWORD not in await page.content()

    test = page.locator("form", has=page.get_by_role("heading", name="Send a test e-mail"))
    await test.locator("input[name=to]").fill("sam@example.com")
    await test.get_by_role("button", name="Send test e-mail").click()
    await expect(test.get_by_role("status")).to_have_text("Test e-mail queued.")
    await wait_for(lambda: len(smtp.received) == 1, timeout=10)
    assert smtp.received[0].sender == "chat@acme.example"

    # A recipient the server refuses for good: failed at once, listed, and tried again from the list.
    await test.locator("input[name=to]").fill("nobody@refused.example")
    await test.get_by_role("button", name="Send test e-mail").click()
    await wait_for(lambda: _one_failed(shop), timeout=10)
    failed = page.get_by_role("region", name="Failed e-mails")
    await failed.get_by_role("button", name="Refresh").click()
    await expect(failed.locator("li")).to_have_count(1)
    await expect(failed.locator("li")).to_contain_text("nobody@refused.example")
    await expect(failed.locator("li")).to_contain_text("refused the recipient (550)")
    await browser.screenshot(page, "console-mail")
    await failed.get_by_role("button", name="Try again: nobody@refused.example").click()
    await expect(failed.get_by_role("status")).to_have_text("Queued again.")
    await expect(failed.locator("li")).to_have_count(0)


async def _one_failed(shop: Shop) -> bool:
    return len(await _failed(shop)) == 1


async def test_console_agents_do_not_see_the_mail_page(browser: Browser, shop: Shop) -> None:
    page = await sign_in(browser, "bert")
    await expect(page.get_by_role("link", name="Video", exact=True)).to_have_count(0)
    await expect(page.get_by_role("link", name="E-mail", exact=True)).to_have_count(0)
