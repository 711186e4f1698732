"""The agent console in a real browser: sign-in, status, queue, chatting, tabs, transfer.

Visitors are real Socket.IO clients (tests.support.Peer); the console is driven through Chromium.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, go_online, sign_in
from tests.support import PASSWORD

pytestmark = pytest.mark.timeout(60)


async def test_console_sign_in_refuses_a_wrong_password_then_signs_in(browser: Browser, shop: Shop) -> None:
    page = await browser.page("/console/")
    await page.get_by_label("Company").fill("acme")
    await page.get_by_label("Login").fill("bert")
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Company, login or password is wrong.")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # Agents see no admin area.
    await expect(page.get_by_role("link", name="Agents")).to_have_count(0)
    # A reload keeps the session (cookie → POST /api/auth/token).
    await page.reload()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_count(0)  # signing out is no "session ended" error
    await page.reload()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()


#: What a starved machine does to a page: animation frames never come, and short timers fire late.
SLOW_FRAMES = """window.requestAnimationFrame = () => 0;
const setTimeoutAsAsked = window.setTimeout;
window.setTimeout = (run, ms, ...args) => setTimeoutAsAsked(run, ms > 0 && ms < 100 ? 3000 : ms, ...args);"""


async def test_console_shows_the_sign_in_page_even_when_frames_are_slow(browser: Browser) -> None:
    """The session check answers before the page's first frame: the console must not miss that answer and
    stay blank (it once subscribed to its controller only after the next frame)."""
    page = await browser.page("")
    await page.add_init_script(SLOW_FRAMES)
    await page.goto(browser.server.origin + "/console/")
    await expect(page.get_by_label("Company")).to_be_visible(timeout=2_000)


async def test_console_status_switch_sets_the_agents_presence(browser: Browser, shop: Shop) -> None:
    observer = await shop.server.agent(shop.admin_token)
    bert = shop.users["bert"]
    page = await sign_in(browser, "bert")
    await expect(page.get_by_role("radio", name="Offline")).to_be_checked()
    await go_online(page)
    await observer.wait("agents.presence", lambda p: p["agent_id"] == bert.id and p["status"] == "online")
    await page.locator(".status-option", has_text="Away").click()
    await expect(page.get_by_role("radio", name="Away")).to_be_checked()
    await observer.wait("agents.presence", lambda p: p["agent_id"] == bert.id and p["status"] == "away")


async def test_console_queue_accept_chat_both_ways_with_typing_then_close(
    browser: Browser, shop: Shop
) -> None:
    page = await sign_in(browser, "bert")
    await go_online(page)
    sam, conversation_id = await shop.visitor("Sam", "Hello, is anyone there?")

    queued = page.locator(f".queue-item[data-conversation='{conversation_id}']")
    await expect(queued).to_contain_text("Sam")
    await expect(queued.locator(".wait")).to_have_text(re.compile(r"^\d+:\d\d$"))
    await expect(page).to_have_title("(1) wsChat")
    await queued.get_by_role("button", name="Accept: Sam").click()
    await expect(queued).to_have_count(0)

    tab = page.get_by_role("tab", name=re.compile("Sam"))
    await expect(tab).to_have_attribute("aria-selected", "true")
    log = page.get_by_role("log")
    await expect(log).to_contain_text("Hello, is anyone there?")
    await expect(log.locator(".msg.system")).to_contain_text("Bert joined the chat.")
    await expect(page.locator(".visitor-panel")).to_contain_text("Sam")
    await sam.wait("chat.assigned", lambda p: p["agent"] is not None)

    # Agent → visitor, with the agent's typing indicator reaching the visitor first.
    composer = page.get_by_role("combobox", name="Message")
    await expect(composer).to_be_focused()
    await composer.press_sequentially("Hi Sam")
    await sam.wait("typing", lambda p: p["typing"] is True)
    await composer.press("Shift+Enter")
    await composer.press_sequentially("how can I help?")
    await composer.press("Enter")
    message = await sam.wait("message.new", lambda p: p["message"]["sender"]["kind"] == "agent")
    assert message["message"]["text"] == "Hi Sam\nhow can I help?"
    await expect(composer).to_have_value("")
    await sam.wait("typing", lambda p: p["typing"] is False)
    await expect(log.locator(".msg.own .text")).to_have_text("Hi Sam\nhow can I help?")

    # Visitor → agent, with the visitor's typing indicator in the console.
    await sam.ok("typing", {"conversation_id": conversation_id, "typing": True})
    await expect(page.locator(".typing")).to_have_text("Sam is typing…")
    await sam.ok(
        "message.send", {"conversation_id": conversation_id, "client_id": "c-2", "text": "My order is late."}
    )
    await expect(log.locator(".msg.visitor").last).to_contain_text("My order is late.")
    await expect(page.locator(".typing")).to_have_text("")
    # The visitor reads the agent's message: the console shows it.
    await sam.ok("messages.read", {"conversation_id": conversation_id, "seq": 3})
    await expect(log.locator(".msg.own .read")).to_have_count(1)

    await page.get_by_role("button", name="Close chat").click()
    await page.get_by_role("button", name="Close", exact=True).click()
    await sam.wait("chat.ended", lambda p: p["by"] == "agent")
    await expect(page.get_by_role("tab")).to_have_count(0)
    await expect(page).to_have_title("wsChat")


async def test_console_two_chats_as_tabs_with_unread_counts(browser: Browser, shop: Shop) -> None:
    await shop.set(auto_assign=True)
    page = await sign_in(browser, "bert")
    await go_online(page)
    sam, first = await shop.visitor("Sam", "First question")
    await expect(page.get_by_role("tab")).to_have_count(1)
    kim, second = await shop.visitor("Kim", "Second question")
    await expect(page.get_by_role("tab")).to_have_count(2)

    sam_tab = page.locator(f".tab[data-conversation='{first}']")
    kim_tab = page.locator(f".tab[data-conversation='{second}']")
    await expect(sam_tab).to_have_attribute("aria-selected", "true")
    await expect(kim_tab.locator(".unread")).to_have_text("1")
    await expect(page).to_have_title("(1) wsChat")

    await kim.ok("message.send", {"conversation_id": second, "client_id": "k-2", "text": "Hello?"})
    await kim.ok("message.send", {"conversation_id": second, "client_id": "k-3", "text": "Anyone?"})
    await expect(kim_tab.locator(".unread")).to_have_text("3")
    await expect(page).to_have_title("(3) wsChat")
    await expect(sam_tab.locator(".unread")).to_have_count(0)

    # Alt+2 opens the second tab and clears its count; the messages are marked read for the visitor.
    await page.keyboard.press("Alt+2")
    await expect(kim_tab).to_have_attribute("aria-selected", "true")
    await expect(kim_tab.locator(".unread")).to_have_count(0)
    await expect(page).to_have_title("wsChat")
    await expect(page.get_by_role("log")).to_contain_text("Anyone?")
    await kim.wait("messages.read", lambda p: p["by"] == "agent")

    await sam.ok("message.send", {"conversation_id": first, "client_id": "s-2", "text": "Still there?"})
    await expect(sam_tab.locator(".unread")).to_have_text("1")
    await page.keyboard.press("Alt+ArrowUp")
    await expect(sam_tab).to_have_attribute("aria-selected", "true")
    await expect(sam_tab.locator(".unread")).to_have_count(0)


async def test_console_transfer_lists_only_online_agents_with_capacity(browser: Browser, shop: Shop) -> None:
    anna = await shop.server.agent(shop.admin_token)
    await anna.ok("status.set", {"status": "online"})
    carl = await shop.server.agent(await shop.server.login("acme", "carl"))
    await carl.ok("status.set", {"status": "away"})

    page = await sign_in(browser, "bert")
    await go_online(page)
    _sam, conversation_id = await shop.visitor("Sam", "Please transfer me")
    await page.get_by_role("button", name="Accept: Sam").click()
    await expect(page.get_by_role("log")).to_contain_text("Please transfer me")

    await page.get_by_role("button", name="Transfer…").click()
    dialog = page.get_by_role("dialog", name="Transfer chat")
    await expect(dialog).to_be_visible()
    await expect(dialog.locator(".target")).to_have_count(1)
    await expect(dialog.locator(".target")).to_contain_text("Anna")
    await expect(dialog).not_to_contain_text("Carl")

    # Anna fills up: she disappears from the list; Carl comes online: he appears.
    reply = await shop.server.request(
        "PATCH", f"/api/agents/{shop.users['anna'].id}", json={"max_chats": 1}, token=shop.admin_token
    )
    assert reply.status == 200
    anna = await shop.server.agent(await shop.server.login("acme", "anna"))
    await anna.ok("status.set", {"status": "online"})
    _other, other_id = await shop.visitor("Other", "I need help too")
    await anna.ok("chat.accept", {"conversation_id": other_id})
    await carl.ok("status.set", {"status": "online"})
    await expect(dialog.locator(".target")).to_have_count(1)
    await expect(dialog.locator(".target")).to_contain_text("Carl")

    await dialog.get_by_label(re.compile("Carl")).check()
    await dialog.get_by_label(re.compile("Note for your colleague")).fill("Order #42, <b>urgent</b>")
    await dialog.get_by_role("button", name="Transfer", exact=True).click()
    await expect(dialog).to_have_count(0)
    await expect(page.get_by_role("status").filter(has_text="transferred to Carl")).to_be_visible()
    assigned = await carl.wait("chat.assigned", lambda p: p["conversation"]["id"] == conversation_id)
    notes = [m for m in assigned["messages"] if m["event"] == "transfer_note"]
    assert notes[0]["text"] == "Order #42, <b>urgent</b>"
    await expect(page.get_by_role("tab")).to_have_count(0)

    # Carl hands it back with a note: it is marked as agents-only, apart from the system messages.
    back = {"conversation_id": conversation_id, "to_agent_id": shop.users["bert"].id, "note": "Back to you"}
    await carl.ok("chat.transfer", back)
    note = page.get_by_role("log").locator(".msg.note")
    await expect(note.last).to_contain_text("Back to you")
    await expect(note.last).to_contain_text("Only agents see this")
    await expect(note.first).to_contain_text("Order #42, <b>urgent</b>")
    await expect(page.get_by_role("log").locator(".msg.system").last).to_contain_text("Bert has taken over")


async def test_console_reconnects_and_catches_up_without_duplicates(browser: Browser, shop: Shop) -> None:
    await shop.set(auto_assign=True)
    page = await sign_in(browser, "bert")
    await go_online(page)
    sam, conversation_id = await shop.visitor("Sam", "Before the outage")
    log = page.get_by_role("log")
    await expect(log).to_contain_text("Before the outage")

    await page.context.set_offline(True)
    await expect(page.get_by_role("status").filter(has_text="reconnecting")).to_be_visible(timeout=15_000)
    await sam.ok(
        "message.send", {"conversation_id": conversation_id, "client_id": "c-2", "text": "During the outage"}
    )
    await page.context.set_offline(False)
    await expect(page.get_by_role("status").filter(has_text="reconnecting")).to_have_count(0, timeout=15_000)
    await expect(log).to_contain_text("During the outage")
    await expect(log.locator(".msg.visitor")).to_have_count(2)
    await sam.ok(
        "message.send", {"conversation_id": conversation_id, "client_id": "c-3", "text": "After the outage"}
    )
    await expect(log.locator(".msg.visitor")).to_have_count(3)


async def test_console_live_visitors_shows_who_is_on_which_page(browser: Browser, shop: Shop) -> None:
    page = await sign_in(browser, "bert")
    await page.get_by_role("link", name="Live visitors").click()
    await expect(page.get_by_text("Nobody is on the site right now.")).to_be_visible()

    sam = await shop.server.visitor("acme")
    await sam.ok("page.view", {"url": "https://www.acme.example/", "title": "Acme — Home"})
    row = page.locator("tr[data-visitor]")
    await expect(row).to_contain_text("Acme — Home")
    await sam.ok("page.view", {"url": "https://www.acme.example/pricing", "title": "Pricing"})
    await expect(row).to_contain_text("Pricing")
    await expect(row.get_by_role("link", name="Pricing")).to_have_attribute(
        "href", "https://www.acme.example/pricing"
    )
    await sam.disconnect()
    await expect(row).to_have_count(0)


async def test_console_screenshot_of_a_conversation(browser: Browser, shop: Shop) -> None:
    await shop.set(auto_assign=True)
    page = await sign_in(browser, "bert")
    await page.set_viewport_size({"width": 1440, "height": 900})
    await go_online(page)

    sam = await shop.server.visitor("acme")
    await sam.ok("page.view", {"url": "https://www.acme.example/", "title": "Northwind Solar — Home"})
    await sam.ok("page.view", {"url": "https://www.acme.example/pricing", "title": "Pricing"})
    started = await sam.ok(
        "chat.start",
        {
            "name": "Sam Smith",
            "alias": "Sam",
            "text": "Hi! Do you install on flat roofs too?",
            "client_id": "c-1",
        },
    )
    conversation_id = started["conversation"]["id"]
    await sam.ok("contact.submit", {"email": "sam@example.com", "phone": "+49 30 1234567"})
    log = page.get_by_role("log")
    await expect(log).to_contain_text("flat roofs")
    composer = page.get_by_role("combobox", name="Message")
    await composer.fill("Hello Sam! Yes, we do — with a tilted mounting system.")
    await composer.press("Enter")
    await expect(log.locator(".msg.own")).to_have_count(1)
    await sam.ok(
        "message.send",
        {
            "conversation_id": conversation_id,
            "client_id": "c-2",
            "text": "Great. Roughly how long does it take?",
        },
    )
    await sam.ok("messages.read", {"conversation_id": conversation_id, "seq": 99})
    await composer.fill("Usually two days on site.\nI can send you a quote by e-mail.")
    await composer.press("Enter")
    await expect(log.locator(".msg.own")).to_have_count(2)
    await sam.ok("typing", {"conversation_id": conversation_id, "typing": True})
    await expect(page.locator(".typing")).to_contain_text("Sam is typing")

    kim = await shop.server.visitor("acme")
    await kim.ok(
        "chat.start", {"alias": "Kim", "text": "Is there a discount for batteries?", "client_id": "k-1"}
    )
    await expect(page.get_by_role("tab")).to_have_count(2)
    await shop.set(auto_assign=False)
    lee = await shop.server.visitor("acme")
    await lee.ok("chat.start", {"alias": "Lee", "text": "Hello?", "client_id": "l-1"})
    await expect(page.locator(".queue-item")).to_have_count(1)
    await expect(page.locator(".visitor-panel .trail li")).to_have_count(2)
    await page.get_by_role("combobox", name="Message").focus()
    path = await browser.screenshot(page, "console")
    assert path.stat().st_size > 10_000


async def test_console_keyboard_accept_going_offline_requeues_and_sound_is_remembered(
    browser: Browser, shop: Shop
) -> None:
    page = await sign_in(browser, "bert")
    sound = page.get_by_role("checkbox", name="Sound on new messages and chats")
    await expect(sound).not_to_be_checked()
    await sound.check()
    await go_online(page)
    _sam, conversation_id = await shop.visitor("Sam", "Hello")
    await expect(page.locator(".queue-item")).to_have_count(1)
    await page.keyboard.press("Alt+q")
    await expect(page.get_by_role("tab", name=re.compile("Sam"))).to_have_attribute("aria-selected", "true")
    await expect(page.locator(".queue-item")).to_have_count(0)

    await page.locator(".status-option", has_text="Offline").click()
    await expect(page.get_by_text("This chat went back to the queue")).to_be_visible()
    await expect(page.locator(f".queue-item[data-conversation='{conversation_id}']")).to_have_count(1)
    await expect(page.get_by_role("combobox", name="Message")).to_have_count(0)
    # Offline, taking it back is refused with a clear reason; online again, it works.
    await page.get_by_role("tabpanel").get_by_role("button", name="Accept").click()
    await expect(page.get_by_role("alert")).to_contain_text("you are offline")
    await go_online(page)
    await page.get_by_role("tabpanel").get_by_role("button", name="Accept").click()
    await expect(page.get_by_role("combobox", name="Message")).to_be_visible()
    await page.locator(".status-option", has_text="Offline").click()
    await expect(page.get_by_text("This chat went back to the queue")).to_be_visible()

    await page.reload()
    await expect(page.get_by_role("checkbox", name="Sound on new messages and chats")).to_be_checked()
    await expect(page.get_by_role("radio", name="Offline")).to_be_checked()
