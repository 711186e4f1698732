"""The console's Video page (admins only): call settings, write-only secrets, field errors from the server."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, make_shop, sign_in
from tests.support import LiveServer

pytestmark = pytest.mark.timeout(60)

SECRET = "j" * 20 + "S" * 20  # 40 characters: Jitsi wants at least 32 bytes


@pytest.fixture
async def shop(server: LiveServer) -> Shop:
    return await make_shop(server)


async def video_settings(shop: Shop) -> dict:
    reply = await shop.server.request("GET", "/api/tenant/video", token=shop.admin_token)
    assert reply.status == 200, reply.body
    return reply.body["video"]


async def test_console_admin_sets_video_and_jitsi_and_sees_field_errors(browser: Browser, shop: Shop) -> None:
    page = await sign_in(browser, "anna")
    await page.get_by_role("link", name="Video", exact=True).click()
    await expect(page.get_by_role("heading", name="Video", exact=True)).to_be_visible()
    await expect(page.get_by_test_id("video-mode")).to_have_text("Peer-to-peer")
    form = page.locator("form.card")
    screen = form.locator("input[name=allow_visitor_screen_share]")
    await expect(screen).to_be_disabled()

    await form.locator("textarea[name=stun_urls]").fill("stun:stun.acme.eu:3478")
    await form.locator("input[name=allow_visitor_calls]").check()
    await expect(screen).to_be_enabled()
    await form.locator("input[name='jitsi.domain']").fill("meet.acme.eu")
    await form.locator("input[name='jitsi.app_id']").fill("wschat-acme")
    await form.locator("input[name='jitsi.secret']").fill(SECRET)
    await form.get_by_role("button", name="Save video settings").click()
    await expect(form.get_by_role("status")).to_have_text("Video settings saved.")
    await expect(page.get_by_test_id("video-mode")).to_have_text("Jitsi")
    await browser.screenshot(page, "console-video")
    secret = form.locator("input[name='jitsi.secret']")
    await expect(secret).to_have_value("")
    await expect(secret).to_have_attribute("placeholder", "set — leave empty to keep")

    stored = await video_settings(shop)
    assert stored["mode"] == "jitsi"
    assert stored["stun_urls"] == ["stun:stun.acme.eu:3478"]
    assert stored["allow_visitor_calls"] is True
    assert stored["allow_visitor_screen_share"] is False
    assert stored["jitsi"]["domain"] == "meet.acme.eu"
    assert stored["jitsi"]["app_id"] == "wschat-acme"
    assert stored["jitsi"]["secret_set"] is True
    assert stored["turn_secret_set"] is False
    assert SECRET not in await page.content()

    # Not a STUN URL: the server's field error next to the field, and nothing is stored.
    await form.locator("textarea[name=stun_urls]").fill("https://stun.acme.eu")
    await form.get_by_role("button", name="Save video settings").click()
    await expect(form.get_by_role("alert")).to_contain_text("Please check your input.")
    await expect(form.locator("#video-stun_urls-error")).to_be_visible()
    await expect(form.locator("textarea[name=stun_urls]")).to_have_attribute("aria-invalid", "true")
    assert await video_settings(shop) == stored
    assert SECRET not in await page.content()

    # "Remove" clears the write-only secret: Jitsi is off again.
    await form.locator("textarea[name=stun_urls]").fill("stun:stun.acme.eu:3478")
    await form.get_by_label("Remove the Jitsi secret (turns Jitsi off)").check()
    await form.get_by_role("button", name="Save video settings").click()
    await expect(form.get_by_role("status")).to_have_text("Video settings saved.")
    await expect(page.get_by_test_id("video-mode")).to_have_text("Peer-to-peer")
    after = await video_settings(shop)
    assert (after["mode"], after["jitsi"]["secret_set"]) == ("p2p", False)
    assert after["jitsi"]["domain"] == "meet.acme.eu"


async def test_console_agent_has_no_video_page(browser: Browser, shop: Shop) -> None:
    page = await sign_in(browser, "bert")
    await expect(page.get_by_role("link", name="Chats")).to_be_visible()
    await expect(page.get_by_role("link", name="Video", exact=True)).to_have_count(0)
    await page.goto(page.url.split("#")[0] + "#/video")
    await expect(page.get_by_role("heading", name="Video", exact=True)).to_have_count(0)
