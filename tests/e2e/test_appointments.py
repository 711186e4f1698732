"""Appointments in real browsers: an agent offers a type from the console, a visitor in New York books a
time in the widget by keyboard, the agent sees it among the console's coming appointments, the mail with
the .ics reaches a real SMTP server and parses with a real iCalendar parser at the booked instant; the
mail's link cancels it (METHOD:CANCEL) and the slot is offered again."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.appointments.conftest import BERT_MAIL, EVERY_DAY, calendar_of
from tests.e2e.browser import Browser
from tests.e2e.console import Shop, go_online, sign_in
from tests.e2e.widget import end_chat
from tests.mail.smtpd import SmtpServer
from tests.support import stored, wait_for

pytestmark = pytest.mark.timeout(90)
NEW_YORK = ZoneInfo("America/New_York")


async def _set_up(shop: Shop, smtp: SmtpServer) -> str:
    server, admin = shop.server, shop.admin_token
    mail = {"smtp_url": smtp.url, "from_address": "chat@acme.example"}
    assert (await server.request("PUT", "/api/mail/settings", json=mail, token=admin)).status == 200
    await shop.set(auto_assign=True)
    bert = shop.users["bert"].id
    kind = {
        "name": {"en": "Consultation", "de": "Beratung"},
        "duration": 30,
        "kind": "video",
        "agent_ids": [bert],
    }
    created = await server.request("POST", "/api/appointments/types", json=kind, token=admin)
    assert created.status == 201, created.body
    hours = {"week": EVERY_DAY, "email": BERT_MAIL}
    assert (
        await server.request("PUT", f"/api/appointments/hours/{bert}", json=hours, token=admin)
    ).status == 200
    type_id: str = created.body["type"]["id"]
    return type_id


async def test_a_visitor_books_in_the_widget_and_cancels_through_the_mails_link(
    shop: Shop, browser: Browser, smtp: SmtpServer
) -> None:
    server = shop.server
    type_id = await _set_up(shop, smtp)
    console = await sign_in(browser, "bert")
    await go_online(console)

    page = await browser.page("/demo?tenant=acme", timezone_id="America/New_York")
    await page.get_by_role("button", name="Open chat").click()
    panel = page.get_by_role("dialog")
    await page.get_by_label("Your name or alias (optional)").fill("Sam")
    composer = page.get_by_role("textbox", name="Write a message")
    await composer.fill("Can we talk on video?")
    await composer.press("Enter")

    tab = console.get_by_role("tab", name=re.compile("Sam"))
    await tab.click()
    await console.get_by_role("button", name="Offer appointment").click()
    await expect(console.get_by_label("Appointment type")).to_have_value(type_id)
    await (
        console.get_by_role("group", name="Offer appointment")
        .get_by_role("button", name="Offer appointment")
        .click()
    )
    await expect(console.get_by_text("The appointment is offered in the chat.")).to_be_visible()

    # The visitor picks the first free time with the keyboard: the focus starts on it.
    await panel.get_by_role("button", name="Pick a time").click()
    await expect(panel.get_by_text("Times in your time zone (America/New_York).")).to_be_visible()
    first = panel.locator(".booking .time").first
    await expect(first).to_be_focused()
    shown_time = (await first.inner_text()).strip()
    day = await panel.locator(".booking .day h4").first.inner_text()
    await page.keyboard.press("Enter")
    await expect(panel.get_by_label("Your name")).to_be_focused()
    await page.keyboard.type("Sam Smith")
    await panel.get_by_label("Your e-mail address").fill("sam@example.com")
    await browser.screenshot(page, "widget-appointment-form")
    await panel.get_by_role("button", name="Book", exact=True).click()
    await expect(panel.get_by_role("status")).to_contain_text("Booked: Consultation")
    await panel.get_by_role("button", name="Back").click()
    await expect(panel.get_by_text("Your appointment is booked.")).to_be_visible()

    [booked] = await stored(server.app.runtime.db, "appointments")
    start = booked["starts_at"]
    local = start.astimezone(NEW_YORK)
    assert shown_time in (local.strftime("%I:%M %p"), local.strftime("%H:%M")), "the visitor's own clock"
    assert local.strftime("%-d") in day

    # The console lists it among this week's, with the visitor's name.
    await console.get_by_role("link", name="Appointments").click()
    await console.get_by_role("button", name="This week").click()
    await expect(console.get_by_test_id("upcoming")).to_contain_text("Sam Smith")
    await browser.screenshot(console, "console-appointments")

    # The day itself: the video call starts from the appointment, in the chat the visitor has open.
    await console.get_by_test_id("upcoming").get_by_role("button", name="Start video call").click()
    await expect(console.get_by_role("tab", name=re.compile("Sam"))).to_have_attribute(
        "aria-selected", "true"
    )
    await wait_for(
        lambda: stored(server.app.runtime.db, "calls", conversation_id=booked["conversation_id"]), timeout=15
    )
    await expect(
        panel.get_by_role("button", name=re.compile("Join|Accept", re.IGNORECASE)).first
    ).to_be_visible()

    # Both sides get the .ics at the booked instant.
    await wait_for(lambda: len(smtp.received) == 2, timeout=15)
    mails = {got.recipients[0]: got.message for got in smtp.received}
    assert set(mails) == {"sam@example.com", BERT_MAIL}
    for message in mails.values():
        invite = calendar_of(message)
        assert str(invite["METHOD"]) == "REQUEST"
        assert invite.walk("VEVENT")[0].decoded("DTSTART") == start
    text = mails["sam@example.com"].get_body(("plain",)).get_content()
    link = next(word for word in text.split() if "/appointments/manage?token=" in word).rstrip(".,")

    # The mail's link: a page of wsChat's own, which cancels.
    manage = await browser.page("")
    await manage.goto(link)
    await expect(manage.get_by_role("heading")).to_contain_text("Consultation")
    await manage.get_by_role("button", name="Cancel this appointment").click()
    await expect(manage.get_by_role("status")).to_have_text(
        "This appointment is cancelled. Its time is free again."
    )

    await wait_for(lambda: len(smtp.received) == 4, timeout=15)
    for got in smtp.received[2:]:
        assert str(calendar_of(got.message)["METHOD"]) == "CANCEL"
    assert await stored(server.app.runtime.db, "appointment_claims", at=start) == []
    visitor = await server.visitor("acme")
    slots = await visitor.ok("appointment.slots", {"type_id": type_id, "time_zone": "America/New_York"})
    offered = [datetime.fromisoformat(s["start"]) for d in slots["days"] for s in d["slots"]]
    assert start in offered, "the slot is free again"

    # The chat's archive entry shows the appointment, cancelled.
    await end_chat(page, panel)
    await console.get_by_role("link", name="Archive", exact=True).click()
    await console.get_by_role("list", name="Past chats").get_by_role("button").first.click()
    detail = console.get_by_role("region", name="Chat of")
    await expect(detail.locator("ul.appointments")).to_contain_text(
        "Consultation · Sam Smith (sam@example.com) · cancelled"
    )


async def test_an_admin_sets_up_appointments_and_a_visitor_books_a_call_back_while_nobody_is_online(
    shop: Shop, browser: Browser, smtp: SmtpServer
) -> None:
    server = shop.server
    mail = {"smtp_url": smtp.url, "from_address": "chat@acme.example"}
    assert (
        await server.request("PUT", "/api/mail/settings", json=mail, token=shop.admin_token)
    ).status == 200
    console = await sign_in(browser, "anna")
    await console.get_by_role("link", name="Appointments").click()

    types = console.get_by_test_id("appointment-types")
    await types.get_by_label("Name (English)").fill("Call back")
    await types.get_by_label("Name (German)").fill("Rückruf")
    await types.get_by_label("Kind").select_option("phone")
    await types.get_by_label("Minimum notice (minutes)").fill("0")
    await types.get_by_label("Bert").check()
    await types.get_by_role("button", name="Add type").click()
    await expect(types.locator("li")).to_contain_text("Call back · 30 min · phone call")

    hours = console.get_by_test_id("appointment-hours")
    await hours.get_by_label("Agent").select_option(label="Bert")
    await hours.get_by_label("Monday").fill("09:00-12:00, 11:00-13:00")
    await hours.get_by_role("button", name="Save").click()
    await expect(hours.get_by_role("alert")).to_contain_text("overlap")
    assert (await stored(server.app.runtime.db, "appointment_hours")) == []
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        await hours.get_by_label(day).fill("08:00-20:00")
    await hours.get_by_role("button", name="Save").click()
    await expect(hours.get_by_role("status")).to_have_text("Saved.")

    settings = console.get_by_test_id("appointment-settings")
    await settings.get_by_label("Time zone of the hours", exact=False).fill("Europe/Atlantis")
    await settings.get_by_role("button", name="Save").click()
    await expect(settings.get_by_role("alert")).to_be_visible()
    await settings.get_by_label("Time zone of the hours", exact=False).fill("Europe/Berlin")
    await settings.get_by_label("Offer “Book a call back”", exact=False).check()
    await settings.get_by_role("button", name="Save").click()
    await expect(settings.get_by_role("status")).to_have_text("Saved.")
    await browser.screenshot(console, "console-appointments-set-up")

    # Nobody is online: the widget offers the call back; the visitor books it without a chat.
    page = await browser.page("/demo?tenant=acme")
    await page.get_by_role("button", name="Open chat").click()
    panel = page.get_by_role("dialog")
    await panel.get_by_role("button", name="Book a call back").click()
    await panel.locator(".booking .time").first.click()
    await panel.get_by_label("Your name").fill("Sam Smith")
    await panel.get_by_label("Your e-mail address").fill("sam@example.com")
    await panel.get_by_label("Phone (optional)").fill("+49 40 123456")
    await panel.get_by_role("button", name="Book", exact=True).click()
    await expect(panel.get_by_role("status")).to_contain_text("Booked: Call back")
    [booked] = await stored(server.app.runtime.db, "appointments")
    assert (booked["kind"], booked["phone"], booked["conversation_id"]) == ("phone", "+49 40 123456", None)
