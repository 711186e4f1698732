"""Moving an appointment in real browsers: the visitor picks another time on the mail's manage page by
keyboard alone (a plain form: radio buttons grouped by day, no script), both sides get the moved .ics at a
real SMTP server; then the agent moves it again from the console's Appointments page."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.async_api import expect

from tests.appointments.conftest import BERT_MAIL, calendar_of
from tests.e2e.browser import Browser
from tests.e2e.console import Shop, sign_in
from tests.e2e.test_appointment_call import _book_a_video_call
from tests.mail.smtpd import SmtpServer
from tests.support import stored, wait_for

pytestmark = pytest.mark.timeout(90)


async def test_the_visitor_moves_it_on_the_manage_page_and_the_agent_in_the_console(
    shop: Shop, browser: Browser, smtp: SmtpServer
) -> None:
    server = shop.server
    start, _ = await _book_a_video_call(shop, smtp)
    message = next(got.message for got in smtp.received if got.recipients == ["sam@example.com"])
    text = message.get_body(("plain",)).get_content()
    link = next(word for word in text.split() if "/appointments/manage?token=" in word).rstrip(".,")

    page = await browser.page("")
    await page.goto(link)
    form = page.get_by_role("group", name="Move it to another time")
    await expect(form).to_be_visible()
    # By keyboard: into the first time, the arrow keys go through the day's times, Enter submits.
    await form.get_by_role("radio").first.focus()
    await page.keyboard.press("ArrowRight")
    await page.keyboard.press("ArrowRight")
    picked = await page.evaluate("document.activeElement.value")
    await browser.screenshot(page, "appointment-manage-move")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_have_text(
        "The appointment is moved. Both of you get the new time by e-mail."
    )

    new_start = datetime.fromisoformat(picked.split("|")[0])
    assert new_start != start
    [booked] = await stored(server.app.runtime.db, "appointments")
    assert (booked["starts_at"], booked["sequence"]) == (new_start, 1)
    await wait_for(lambda: len(smtp.received) == 4, timeout=15)
    for got in smtp.received[2:]:
        event = calendar_of(got.message).walk("VEVENT")[0]
        assert (int(event["SEQUENCE"]), event.decoded("DTSTART")) == (1, new_start)
    assert {got.recipients[0] for got in smtp.received[2:]} == {"sam@example.com", BERT_MAIL}

    # Bert moves it once more from the console: the first free time offered.
    console = await sign_in(browser, "bert")
    await console.get_by_role("link", name="Appointments").click()
    upcoming = console.get_by_test_id("upcoming")
    await upcoming.get_by_role("button", name="This week").click()
    await upcoming.get_by_role("button", name="Move", exact=True).click()
    mover = upcoming.get_by_role("group", name="Move")
    chosen = await mover.get_by_label("New time").input_value()
    await mover.get_by_role("button", name="Move", exact=True).click()
    await expect(upcoming.get_by_role("status")).to_have_text(
        "The appointment is moved; both sides get the new time."
    )
    [booked] = await stored(server.app.runtime.db, "appointments")
    assert (booked["starts_at"], booked["sequence"]) == (datetime.fromisoformat(chosen), 2)
    await wait_for(lambda: len(smtp.received) == 6, timeout=15)
