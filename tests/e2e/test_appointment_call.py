"""A video appointment's call in real browsers: the visitor books it (no chat open), the join link reaches a
real SMTP server; minutes before the start the visitor opens it in a browser of their own (wsChat's call
page in the tenant's design, the widget on it), the agent starts the call from the console's Appointments
page, and the peer-to-peer call connects with moving pictures both ways (fake camera)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.async_api import expect

from tests.appointments.conftest import BERT_MAIL
from tests.e2e.browser import Browser
from tests.e2e.console import Shop, go_online, sign_in
from tests.e2e.jitsi import meeting_in
from tests.e2e.test_calls import jitsi_shop, playing
from tests.mail.smtpd import SmtpServer
from tests.support import stored, wait_for

pytestmark = pytest.mark.timeout(120)
ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def _book_a_video_call(shop: Shop, smtp: SmtpServer) -> tuple[datetime, str]:
    """Set-up (mail, a video type Bert takes all day, the call back on), and the booking of its first time
    by a visitor who has no chat; the join link of their mail."""
    server, admin = shop.server, shop.admin_token
    mail = {"smtp_url": smtp.url, "from_address": "chat@acme.example"}
    assert (await server.request("PUT", "/api/mail/settings", json=mail, token=admin)).status == 200
    bert = shop.users["bert"].id
    kind = {
        "name": {"en": "Consultation", "de": "Beratung"},
        "duration": 30,
        "kind": "video",
        "agent_ids": [bert],
    }
    created = await server.request("POST", "/api/appointments/types", json=kind, token=admin)
    type_id = created.body["type"]["id"]
    hours = {"week": ALL_DAY, "email": BERT_MAIL}
    assert (
        await server.request("PUT", f"/api/appointments/hours/{bert}", json=hours, token=admin)
    ).status == 200
    settings = {"callback_offline": True, "callback_type_id": type_id}
    assert (
        await server.request("PUT", "/api/appointments/settings", json=settings, token=admin)
    ).status == 200

    visitor = await server.visitor("acme")
    slots = await visitor.ok("appointment.slots", {"type_id": type_id, "time_zone": "Europe/Berlin"})
    slot = next(s for day in slots["days"] for s in day["slots"])
    booking = {
        "type_id": type_id,
        "time_zone": "Europe/Berlin",
        "name": "Sam Smith",
        "email": "sam@example.com",
    }
    await visitor.ok("appointment.book", booking | slot)
    await wait_for(lambda: len(smtp.received) == 2, timeout=15)
    message = next(got.message for got in smtp.received if got.recipients == ["sam@example.com"])
    text = message.get_body(("plain",)).get_content()
    link = next(word for word in text.split() if "/appointments/join?token=" in word).rstrip(".,")
    return datetime.fromisoformat(slot["start"]), link


async def test_the_visitor_joins_from_the_mail_and_the_agent_calls_from_the_appointments_page(
    shop: Shop, browser: Browser, smtp: SmtpServer
) -> None:
    server = shop.server
    console = await sign_in(browser, "bert")
    await go_online(console)
    start, link = await _book_a_video_call(shop, smtp)
    # The call page opens ten minutes before the start: the server's clock goes there if it is earlier.
    early = start - timedelta(minutes=5) - server.clock()
    if early > timedelta():
        server.clock.advance(seconds=early.total_seconds())

    # The visitor opens the link in a browser of their own: the call page, the widget open on it.
    page = await browser.page("")
    await page.goto(link)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Video call: Consultation")
    panel = page.get_by_role("dialog")
    await expect(panel).to_be_visible()
    await expect(panel.locator(".log")).to_contain_text("Bert joined the chat.")
    await browser.screenshot(page, "appointment-call-page")
    [conversation] = await stored(server.app.runtime.db, "conversations")
    assert (conversation["status"], conversation["agent_id"]) == ("active", shop.users["bert"].id)

    # Bert starts the call from the Appointments page: the chat opens, the visitor is invited and joins.
    await console.get_by_role("link", name="Appointments").click()
    await console.get_by_test_id("upcoming").get_by_role("button", name="Start video call").click()
    banner = panel.get_by_role("group", name="Bert is inviting you to a video call")
    await expect(banner).to_be_visible()
    await banner.get_by_role("button", name="Join").click()

    await playing(page.locator("video.remote"))
    await playing(console.locator("video.call-remote"))
    await expect(console.locator(".call-status [role=status]")).to_have_text("Connected")
    await browser.screenshot(page, "appointment-call-connected")
    [call] = await stored(server.app.runtime.db, "calls")
    assert call["conversation_id"] == conversation["_id"]
    assert len(await stored(server.app.runtime.db, "conversations")) == 1


async def test_with_the_tenants_jitsi_the_call_page_frames_the_meeting_on_its_host(
    shop: Shop, browser: Browser, smtp: SmtpServer
) -> None:
    """Jitsi mode: the call page's policy names the tenant's Jitsi host as a frame only, and the meeting runs
    in a frame on that host (the stand-in of tests/e2e/jitsi.py), loading no script from it."""
    jitsi = await jitsi_shop(browser, shop)
    server = shop.server
    console = await sign_in(browser, "bert")
    await jitsi.install(console.context)
    await go_online(console)
    start, link = await _book_a_video_call(shop, smtp)
    early = start - timedelta(minutes=5) - server.clock()
    if early > timedelta():
        server.clock.advance(seconds=early.total_seconds())

    page = await browser.page("")
    await jitsi.install(page.context)
    response = await page.goto(link)
    assert response is not None
    policy = await response.header_value("Content-Security-Policy")
    assert policy is not None
    assert f"frame-src https://{jitsi.domain}" in policy
    assert "script-src 'self';" in policy
    panel = page.get_by_role("dialog")
    await expect(panel.locator(".log")).to_contain_text("Bert joined the chat.")

    await console.get_by_role("link", name="Appointments").click()
    await console.get_by_test_id("upcoming").get_by_role("button", name="Start video call").click()
    await (
        panel.get_by_role("group", name="Bert is inviting you to a video call")
        .get_by_role("button", name="Join")
        .click()
    )
    frame = await meeting_in(panel)
    assert await frame.evaluate("location.origin") == jitsi.origin
    [call] = await stored(server.app.runtime.db, "calls")
    assert (await frame.evaluate("window.meeting"))["room"] == call["room"]
    assert all(url.split("?")[0].endswith(call["room"]) for url in browser.requests if jitsi.domain in url)
