"""Calls in the browser: a real peer-to-peer video call between the widget on /demo and the console (fake
camera and microphone), the agent's screen added to it, hang-up on both sides; and Jitsi mode, where the
widget and the console run the meeting in an iframe on the tenant's own Jitsi host (a stand-in,
tests/e2e/jitsi.py) and talk to it through Jitsi's postMessage protocol, loading no script from that host."""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, go_online, sign_in
from tests.e2e.jitsi import StandInJitsi, meeting_in

pytestmark = pytest.mark.timeout(90)

NOTICE = "This call is not recorded."
ENDED = re.compile(r"The video call ended \(\d+:\d\d\)\.")

#: True once the <video> shows moving pictures: frames decoded, a size, and the clock running.
PLAYING = """async (video) => {
  const start = video.currentTime;
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (video.readyState >= 2 && video.videoWidth > 0 && video.currentTime > start)
      return {width: video.videoWidth, height: video.videoHeight};
  }
  return null;
}"""


def widget_modules(browser: Browser) -> list[str]:
    """The widget's modules the pages fetched, in order, by name: main, Panel, ContactForm, Call."""
    paths = [urlsplit(url).path for url in browser.requests]
    return [path.removeprefix("/widget/").split("-")[0] for path in paths if path.startswith("/widget/")]


async def playing(video: Locator) -> dict[str, int]:
    size: dict[str, int] | None = await video.evaluate(PLAYING)
    assert size is not None, "the remote video does not play"
    return size


GERMAN = {
    "Open chat": "Chat öffnen",
    "Your name or alias (optional)": "Ihr Name oder Pseudonym (optional)",
    "Write a message": "Nachricht schreiben",
}


async def chat(browser: Browser, agent: Page, lang: str = "en") -> Page:
    """A visitor on the demo site whose chat reaches the agent, who opens it."""
    visitor = await browser.page(f"/demo?tenant=acme&lang={lang}")
    say = (lambda text: GERMAN[text]) if lang == "de" else (lambda text: text)
    await visitor.get_by_role("button", name=say("Open chat")).click()
    await visitor.get_by_label(say("Your name or alias (optional)")).fill("Sam")
    composer = visitor.get_by_role("textbox", name=say("Write a message"))
    await composer.fill("Can you show me the inverter settings?")
    await composer.press("Enter")
    await agent.get_by_role("tab", name=re.compile("Sam")).click()
    await expect(agent.get_by_role("log")).to_contain_text("Can you show me the inverter settings?")
    return visitor


async def bert_and_a_visitor(browser: Browser, shop: Shop, lang: str = "en") -> tuple[Page, Page]:
    """Bert signed in and online, chats routed to him, and a visitor whose chat he has open."""
    await shop.set(auto_assign=True)
    bert = await sign_in(browser, "bert")
    await go_online(bert)
    return bert, await chat(browser, bert, lang)


async def test_p2p_video_call_with_screen_share_widget_and_console(browser: Browser, shop: Shop) -> None:
    bert, visitor = await bert_and_a_visitor(browser, shop)
    panel = visitor.get_by_role("dialog")

    # Bert starts a video call; the visitor is invited (the widget fetches its call UI only now) and joins.
    assert "Call" not in widget_modules(browser)
    await bert.get_by_role("button", name="Video", exact=True).click()
    await expect(bert.locator(".call-status")).to_have_text("Ringing…")
    await expect(bert.locator(".call-status .elapsed")).to_have_count(0)  # the timer starts with the visitor
    banner = panel.get_by_role("group", name="Bert is inviting you to a video call")
    await expect(banner).to_be_visible()
    assert widget_modules(browser).count("Call") == 1
    await browser.screenshot(visitor, "call-invite-widget")
    await banner.get_by_role("button", name="Join").click()

    # A playing remote video on both sides, and the not-recorded notice on both.
    camera = await playing(visitor.locator("video.remote"))
    await playing(bert.locator("video.call-remote"))
    await expect(bert.locator(".call-status [role=status]")).to_have_text("Connected")
    await expect(panel.get_by_text("Connected")).to_be_visible()
    # The running call's time on both sides, counting up in m:ss.
    await expect(bert.locator(".call-status .elapsed")).to_have_text(re.compile(r"^0:0[1-9]$"))
    await expect(panel.locator(".elapsed")).to_have_text(re.compile(r"^0:0[1-9]$"))
    await expect(bert.get_by_text(NOTICE)).to_be_visible()
    await expect(panel.get_by_text(NOTICE)).to_be_visible()
    await browser.screenshot(visitor, "call-widget")
    await browser.screenshot(bert, "call-console")

    # Bert adds his screen: renegotiated, the visitor sees the screen large and Bert's camera small.
    await bert.locator(".call-controls").get_by_role("button", name="Share screen").click()
    await expect(bert.get_by_role("button", name="Stop sharing")).to_be_visible()
    await expect(visitor.locator("video.inset")).to_be_attached()
    screen = await playing(visitor.locator("video.remote"))
    assert screen != camera, (screen, camera)  # the synthetic screen is 1280x720, the camera 640x480
    await playing(visitor.locator("video.inset"))
    await browser.screenshot(visitor, "call-widget-screen")

    # He stops sharing: renegotiated again, the visitor is back to his camera.
    await bert.get_by_role("button", name="Stop sharing").click()
    await expect(visitor.locator("video.inset")).to_have_count(0)
    assert await playing(visitor.locator("video.remote")) == camera

    # The visitor hangs up: the call ends on both sides, both logs say so.
    await panel.get_by_role("button", name="Hang up").click()
    await expect(panel.locator("video")).to_have_count(0)
    await expect(bert.locator("video")).to_have_count(0)
    await expect(panel.locator(".log")).to_contain_text(ENDED)
    await expect(bert.get_by_role("log")).to_contain_text(ENDED)
    await expect(bert.locator(".call-bar")).to_contain_text(re.compile(r"Call ended \(\d+:\d\d\)"))


async def test_visitor_watches_a_screen_call_without_camera_permission(browser: Browser, shop: Shop) -> None:
    """In German, too."""
    bert, visitor = await bert_and_a_visitor(browser, shop, lang="de")
    await visitor.evaluate(
        """() => { window.asked = 0; const media = navigator.mediaDevices;
                   const gum = media.getUserMedia.bind(media);
                   media.getUserMedia = (c) => { window.asked++; return gum(c); }; }"""
    )
    panel = visitor.get_by_role("dialog")
    # The panel is minimised: the launcher pulses and its label carries the invitation.
    await visitor.get_by_role("button", name="Chat minimieren").first.click()
    await bert.get_by_role("button", name="Share screen").click()
    launcher = visitor.get_by_role("button", name="Chat öffnen, Bert möchte Ihnen den Bildschirm zeigen")
    await expect(launcher).to_have_class(re.compile("ring"))
    await launcher.press("Enter")
    banner = panel.get_by_role("group", name="Bert möchte Ihnen den Bildschirm zeigen")
    join = banner.get_by_role("button", name="Teilnehmen")
    await join.focus()
    await visitor.keyboard.press("Enter")
    size = await playing(visitor.locator("video.remote"))
    assert size == {"width": 1280, "height": 720}
    await expect(panel.get_by_text("Dieser Anruf wird nicht aufgezeichnet.")).to_be_visible()
    await expect(bert.get_by_text(NOTICE)).to_be_visible()
    assert await visitor.evaluate("window.asked") == 0  # watching asks for no camera or microphone
    await bert.locator(".call-controls").get_by_role("button", name="Hang up").click()
    ended = re.compile(r"Die Bildschirmfreigabe wurde beendet \(\d+:\d\d\)\.")
    await expect(panel.locator(".log")).to_contain_text(ended)
    await expect(bert.get_by_role("log")).to_contain_text(re.compile(r"Screen sharing ended \(\d+:\d\d\)\."))


async def test_visitor_shares_their_screen_when_the_tenant_allows_it(browser: Browser, shop: Shop) -> None:
    bert, visitor = await bert_and_a_visitor(browser, shop)
    panel = visitor.get_by_role("dialog")
    share = panel.get_by_role("button", name="Share my screen")
    await expect(panel.get_by_role("button", name="End chat")).to_be_visible()
    await expect(share).to_have_count(0)  # not allowed yet

    await shop.video(allow_visitor_calls=True, allow_visitor_screen_share=True)
    await visitor.reload()
    await share.click()
    await expect(panel.get_by_text("You are sharing your screen.")).to_be_visible()
    await expect(panel.get_by_text(NOTICE)).to_be_visible()
    bar = bert.get_by_role("group", name="Call")
    await expect(bar).to_contain_text("Sam wants to share their screen")
    await bar.get_by_role("button", name="Accept").click()
    assert await playing(bert.locator("video.call-remote")) == {"width": 1280, "height": 720}
    await expect(bert.locator(".call-status [role=status]")).to_have_text("Connected")
    await expect(bert.get_by_role("log")).to_contain_text("Sam started sharing the screen.")
    await browser.screenshot(visitor, "call-widget-presenting")
    await browser.screenshot(bert, "call-console-visitor-screen")
    await panel.get_by_role("button", name="Hang up").click()
    await expect(bert.get_by_role("log")).to_contain_text(re.compile(r"Screen sharing ended \(\d+:\d\d\)\."))


async def test_visitor_starts_a_call_the_agent_accepts_and_rejoins_after_a_reload(
    browser: Browser, shop: Shop
) -> None:
    await shop.video(allow_visitor_calls=True)
    bert, visitor = await bert_and_a_visitor(browser, shop)
    panel = visitor.get_by_role("dialog")

    # The tenant allows visitor calls: the widget offers one; Bert accepts in the console.
    await panel.get_by_role("button", name="Start video call").click()
    await expect(panel.get_by_text("Ringing…")).to_be_visible()
    invitation = bert.get_by_role("group", name="Call")
    await expect(invitation).to_contain_text("Sam is calling you (video)")
    await invitation.get_by_role("button", name="Accept").click()
    await playing(bert.locator("video.call-remote"))
    await playing(visitor.locator("video.remote"))

    # Bert reloads the console: the call goes on as "in progress"; he rejoins and sees the visitor again.
    await bert.reload()
    await bert.get_by_role("tab", name=re.compile("Sam")).click()
    await expect(bert.locator(".call-bar")).to_contain_text("Call in progress")
    await expect(panel.get_by_text("Ringing…")).to_be_visible()  # the visitor waits for Bert
    await bert.get_by_role("button", name="Rejoin").click()
    await playing(bert.locator("video.call-remote"))
    await playing(visitor.locator("video.remote"))
    await expect(panel.get_by_text(NOTICE)).to_be_visible()

    await bert.locator(".call-controls").get_by_role("button", name="Hang up").click()
    await expect(panel.locator(".log")).to_contain_text(ENDED)
    await expect(panel.get_by_role("button", name="Start video call")).to_be_visible()


#: The tenant's Jitsi in the Jitsi-mode tests: the browser answers its host itself (tests/e2e/jitsi.py).
JITSI = {"domain": "meet.acme.example", "app_id": "wschat-acme", "secret": "s" * 40}


def claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


async def jitsi_shop(browser: Browser, shop: Shop, **video: object) -> StandInJitsi:
    """acme with its Jitsi (and `video` settings), chats routed automatically; the stand-in Jitsi's host."""
    await shop.video(jitsi=JITSI, **video)
    await shop.set(auto_assign=True)
    browser.routed_hosts.add(JITSI["domain"])
    return StandInJitsi(JITSI["domain"])


async def visitor_chatting(browser: Browser, jitsi: StandInJitsi, text: str) -> Page:
    """A visitor on /demo (with the stand-in Jitsi) who sent `text`."""
    visitor = await browser.page("/demo?tenant=acme")
    await jitsi.install(visitor.context)
    await visitor.get_by_role("button", name="Open chat").click()
    composer = visitor.get_by_role("textbox", name="Write a message")
    await composer.fill(text)
    await composer.press("Enter")
    return visitor


async def test_jitsi_call_runs_the_meeting_in_a_frame_on_the_tenants_host(
    browser: Browser, shop: Shop
) -> None:
    jitsi = await jitsi_shop(browser, shop)
    agent = await shop.server.agent(shop.admin_token)
    await agent.ok("status.set", {"status": "online"})
    visitor = await visitor_chatting(browser, jitsi, "Hello")
    assigned = await agent.wait("chat.assigned")
    started = await agent.ok(
        "call.start", {"conversation_id": assigned["conversation"]["id"], "kind": "video"}
    )
    room = started["call"]["room"]
    assert started["jitsi"]["domain"] == jitsi.domain

    panel = visitor.get_by_role("dialog")
    await panel.get_by_role("button", name="Join").click()
    await expect(panel.get_by_text(NOTICE)).to_be_visible()
    frame = await meeting_in(panel)
    meeting = await frame.evaluate("window.meeting")
    # The meeting runs on the Jitsi host's origin, with the visitor's own token for this room, not recorded.
    assert await frame.evaluate("location.origin") == jitsi.origin
    assert meeting["room"] == room
    token = claims(meeting["jwt"])
    assert token["room"] == room
    assert token["context"]["user"]["affiliation"] == "member"  # the visitor's own token, not the agent's
    assert meeting["params"]["config.fileRecordingsEnabled"] is False
    assert meeting["params"]["config.startWithVideoMuted"] is False
    iframe = panel.locator("iframe")
    await expect(iframe).to_have_attribute(
        "allow", "camera; microphone; display-capture; autoplay; clipboard-write; fullscreen"
    )
    # The page asked the Jitsi host for the meeting and nothing else: no script of that host runs on the page.
    meeting_url = f"{jitsi.origin}/{room}?jwt={meeting['jwt']}"
    assert [f.url for f in jitsi.fetched] == [meeting_url]
    assert [url for url in browser.requests if jitsi.domain in url] == [meeting_url]

    # The visitor hangs up in Jitsi's own toolbar: the meeting says it may close, the widget leaves the call.
    await frame.evaluate("emit('video-ready-to-close', {})")
    left = await agent.wait("call.left")
    assert left["participant"]["side"] == "visitor"
    await expect(iframe).to_have_count(0)


async def test_visitor_presents_their_screen_in_a_jitsi_meeting(browser: Browser, shop: Shop) -> None:
    """The visitor's own screen call on the tenant's Jitsi: no camera, and the screen is shared on joining."""
    jitsi = await jitsi_shop(browser, shop, allow_visitor_calls=True, allow_visitor_screen_share=True)
    agent = await shop.server.agent(shop.admin_token)
    await agent.ok("status.set", {"status": "online"})
    visitor = await visitor_chatting(browser, jitsi, "Let me show you the error message")
    await agent.wait("chat.assigned")
    panel = visitor.get_by_role("dialog")
    await panel.get_by_role("button", name="Share my screen").click()

    frame = await meeting_in(panel)
    meeting = await frame.evaluate("window.meeting")
    params = meeting["params"]
    assert (params["config.startWithVideoMuted"], params["config.startWithAudioMuted"]) == (True, True)
    features = claims(meeting["jwt"])["context"]["features"]
    assert features["screen-sharing"] is True  # the tenant allows visitors' screens
    assert features["recording"] is False
    assert meeting["commands"] == []
    # The meeting says: you are in. The widget then asks it to share the screen (Jitsi opens the chooser).
    await frame.evaluate("emit('video-conference-joined', {roomName: meeting.room, id: 'v1'})")
    await frame.wait_for_function("() => meeting.commands.length > 0", polling=100)
    assert await frame.evaluate("meeting.commands") == [{"name": "toggle-share-screen", "data": []}]
    invite = await agent.wait("call.invite")
    assert (invite["call"]["kind"], invite["call"]["started_by"]) == ("screen", "visitor")


async def test_jitsi_call_from_the_console_embeds_the_meeting_with_the_agents_token(
    browser: Browser, shop: Shop
) -> None:
    jitsi = await jitsi_shop(browser, shop)
    bert = await sign_in(browser, "bert")
    # Signed in to acme in a fresh browser: the console loaded itself again, with a policy for acme's Jitsi.
    await expect(bert.locator('meta[name="wschat-tenant"]')).to_have_attribute("content", "acme")
    loads = [url for url in browser.requests if url.endswith("/console/")]
    assert loads == [shop.server.origin + "/console/"] * 2
    await jitsi.install(bert.context)
    await go_online(bert)
    visitor, _ = await shop.visitor("Sam", "Hello")
    await bert.get_by_role("tab", name=re.compile("Sam")).click()
    await bert.get_by_role("button", name="Video", exact=True).click()
    invite = await visitor.wait("call.invite")
    await expect(bert.get_by_text(NOTICE)).to_be_visible()
    frame = await meeting_in(bert.locator(".jitsi"))
    meeting = await frame.evaluate("window.meeting")
    assert meeting["room"] == invite["call"]["room"] == invite["jitsi"]["room"]
    assert claims(meeting["jwt"])["context"]["user"]["affiliation"] == "owner"
    assert meeting["jwt"] != invite["jitsi"]["jwt"]  # each person has a token of their own
    assert [f.url for f in jitsi.fetched] == [f"{jitsi.origin}/{meeting['room']}?jwt={meeting['jwt']}"]
    await bert.get_by_role("button", name="Hang up").click()
    await visitor.wait("call.ended")
    await expect(bert.locator(".jitsi iframe")).to_have_count(0)


async def test_a_call_survives_the_visitors_connection_dropping(browser: Browser, shop: Shop) -> None:
    bert, visitor = await bert_and_a_visitor(browser, shop)
    panel = visitor.get_by_role("dialog")
    await bert.get_by_role("button", name="Video", exact=True).click()
    await panel.get_by_role("button", name="Join").click()
    await playing(bert.locator("video.call-remote"))

    # The visitor's network goes away and comes back: the server took the old socket out of the call, the
    # widget joins again from the new one and Bert's console offers on a fresh connection.
    await visitor.context.set_offline(True)
    await expect(panel.get_by_text("Connection lost. Reconnecting…")).to_be_visible()
    await expect(bert.locator(".call-status")).to_have_text("Ringing…")
    await visitor.context.set_offline(False)
    await expect(bert.locator(".call-status [role=status]")).to_have_text("Connected", timeout=15_000)
    await playing(bert.locator("video.call-remote"))
    await playing(visitor.locator("video.remote"))
    await panel.get_by_role("button", name="Hang up").click()
    await expect(bert.get_by_role("log")).to_contain_text(ENDED)


async def test_a_visitor_calling_a_busy_agent_is_told_at_once(browser: Browser, shop: Shop) -> None:
    """Bert is in a call with Ann (socket clients): Sam's call button says so at once, in German."""
    await shop.video(allow_visitor_calls=True)
    await shop.set(auto_assign=True)
    bert = await shop.server.agent(await shop.server.login("acme", "bert"))
    await bert.ok("status.set", {"status": "online"})
    ann, ann_chat = await shop.visitor("Ann", "Hello")
    call = (await bert.ok("call.start", {"conversation_id": ann_chat, "kind": "video"}))["call"]
    await ann.ok("call.join", {"call_id": call["id"]})

    visitor = await browser.page("/demo?tenant=acme&lang=de")
    await visitor.get_by_role("button", name="Chat öffnen").click()
    panel = visitor.get_by_role("dialog")
    composer = panel.get_by_role("textbox", name="Nachricht schreiben")
    await composer.fill("Können wir kurz sprechen?")
    await composer.press("Enter")
    await expect(panel.get_by_role("heading")).to_have_text("Bert")
    await panel.get_by_role("button", name="Videoanruf starten").click()
    await expect(panel.get_by_role("alert")).to_have_text(
        re.compile("Ihre Ansprechperson ist gerade in einem anderen Anruf.")
    )
    await expect(panel.locator("video")).to_have_count(0)
    assert len(bert.received("call.invite")) == 0  # nothing rang
    await panel.get_by_role("alert").get_by_role("button").click()
    await expect(panel.get_by_role("alert")).to_have_count(0)


async def test_the_widget_fetches_its_panel_contact_form_and_call_ui_on_first_use(
    browser: Browser, shop: Shop
) -> None:
    """A visitor who never opens the chat loads widget.js and the widget module only. The panel, the contact
    form and the call UI are fetched when the pointer or the focus reaches the button that needs them, ahead
    of the click, and once each (docs/widget.md, "Size")."""
    await shop.video(allow_visitor_calls=True)
    await shop.set(auto_assign=True)
    bert = await sign_in(browser, "bert")
    await go_online(bert)
    visitor = await browser.page("/demo?tenant=acme")
    launcher = visitor.get_by_role("button", name="Open chat")
    await expect(launcher).to_be_visible()
    assert widget_modules(browser) == ["main"]

    async with visitor.expect_request(lambda request: "/widget/Panel-" in request.url):
        await launcher.hover()
    await launcher.click()
    panel = visitor.get_by_role("dialog")
    await panel.get_by_label("Your name or alias (optional)").fill("Sam")
    await panel.get_by_role("textbox", name="Write a message").fill("Hello")
    await panel.get_by_role("textbox", name="Write a message").press("Enter")
    await bert.get_by_role("tab", name=re.compile("Sam")).click()
    await expect(bert.get_by_role("log")).to_contain_text("Hello")
    assert widget_modules(browser) == ["main", "Panel"]

    contact = panel.get_by_role("button", name="Contact details")
    async with visitor.expect_request(lambda request: "/widget/ContactForm-" in request.url):
        await contact.focus()
    await contact.click()
    await expect(panel.get_by_label("Phone")).to_be_visible()
    await panel.get_by_role("button", name="Back to the chat").click()

    start = panel.get_by_role("button", name="Start video call")
    await expect(start).to_be_visible()
    assert "Call" not in widget_modules(browser)
    async with visitor.expect_request(lambda request: "/widget/Call-" in request.url):
        await start.hover()
    await start.click()
    await expect(panel.get_by_text("Ringing…")).to_be_visible()
    await panel.get_by_role("button", name="Hang up").click()
    await expect(panel.locator(".log")).to_contain_text("The video call was cancelled.")
    assert sorted(widget_modules(browser)) == ["Call", "ContactForm", "Panel", "main"]
