"""The public demo sign-up in a real browser, with a real mail server: a company signs up, confirms its
address through the link in the mail, sets its password, signs in to the console, and 14 days later (the
server's clock moved on) finds its demo locked. Every request of the pages stays on wsChat's origin."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest
from playwright.async_api import Page, expect

from tests.e2e.browser import Browser
from tests.mail.conftest import MAIL_FROM
from tests.mail.smtpd import SmtpServer
from tests.signup.conftest import link_for
from tests.support import FakeClock, LiveServer, start_server
from wschat.accounts.models import DEMO_PERIOD
from wschat.config import MailSettings, Settings
from wschat.signup.models import CONSENT
from wschat.smtp import parse_smtp_url

pytestmark = pytest.mark.timeout(120)

PASSWORD = "dora's long password"


@pytest.fixture
async def server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[LiveServer]:
    """The sign-up switched on, its mail through ``smtp``."""
    mail = MailSettings(smtp_url=parse_smtp_url(smtp.url), mail_from=MAIL_FROM)
    async with start_server(replace(settings, mail=mail, signup=True), clock, http) as live:
        yield live


async def _sign_in(page: Page, tenant: str | None) -> None:
    if tenant is not None:
        await page.get_by_label("Company").fill(tenant)
    await page.get_by_label("Login").fill("dora@initrode.example")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def test_signup_confirmed_by_mail_signs_in_and_the_demo_locks_after_14_days(
    browser: Browser, server: LiveServer, smtp: SmtpServer
) -> None:
    page = await browser.page("/signup?lang=en")
    await page.get_by_label("Your name").fill("Dora Demo")
    await page.get_by_label("Company").fill("Initrode AG")
    await page.get_by_label("Work e-mail").fill("dora@initrode.example")
    await page.get_by_label("Phone (optional)").fill("+49 40 123 456")
    consent = page.get_by_label(CONSENT["en"])
    await expect(consent).not_to_be_checked()
    send = page.get_by_role("button", name="Send confirmation link")

    # A phone without the consent box: refused, said aloud, the box marked; nothing mailed.
    await send.click()
    await expect(page.locator("#consent-error")).to_contain_text("goes with a phone number")
    await expect(consent).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_role("alert")).not_to_be_empty()
    await consent.check()
    await send.click()
    await expect(page.get_by_role("status")).to_contain_text(
        "we sent a confirmation link to dora@initrode.example"
    )
    assert len(smtp.received) <= 1

    link = await link_for(server, smtp, "dora@initrode.example")
    await page.goto(server.url + link)
    await expect(page.get_by_role("heading", name="Set up your demo")).to_be_visible()
    await expect(page.get_by_label("Your login")).to_have_value("dora@initrode.example")
    slug = page.get_by_label("Address of your demo (lower-case letters, digits and -)")
    await expect(slug).to_have_value("initrode-ag")
    await page.get_by_label("Password (at least 10 characters)").fill(PASSWORD)
    await page.get_by_role("button", name="Create my demo").click()

    await expect(page).to_have_url(re.compile(r"/console/$"))
    await expect(page.get_by_label("Company")).to_have_value("initrode-ag")
    await _sign_in(page, None)
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # The link works once.
    again = await browser.page(link)
    await expect(again.get_by_role("alert")).to_contain_text("used already")

    server.clock.advance(seconds=DEMO_PERIOD.total_seconds() + 1)
    later = await browser.page("/console/")
    await _sign_in(later, "initrode-ag")
    await expect(later.get_by_role("alert")).to_contain_text("locked")
