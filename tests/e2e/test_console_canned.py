"""Canned replies in a real browser: an admin keeps a shared reply, an agent their own, and in a chat the
agent picks one with the keyboard after typing ``/gr``; it fills the input and goes out only on send."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, go_online, sign_in

pytestmark = pytest.mark.timeout(60)


async def _add_reply(page: Page, section: str, title: str, shortcut: str, **texts: str) -> None:
    region = page.get_by_role("region", name=section)
    await region.get_by_role("button", name="New reply").click()
    await region.get_by_label("Title").fill(title)
    await region.get_by_label("Shortcut (a–z, 0–9, -)").fill(shortcut)
    for lang, text in texts.items():
        await region.get_by_label(f"Text in {'German' if lang == 'de' else 'English'}").fill(text)
    await region.get_by_role("button", name="Save reply").click()
    await expect(region.get_by_role("status")).to_have_text("Reply saved.")
    await expect(region.get_by_role("listitem").filter(has_text=f"/{shortcut}")).to_contain_text(title)


async def test_console_canned_reply_is_picked_with_the_keyboard_filled_in_and_sent_only_on_send(
    browser: Browser, shop: Shop
) -> None:
    admin = await sign_in(browser, "anna")
    await admin.get_by_role("link", name="Canned replies").click()
    await _add_reply(
        admin,
        "Shared replies",
        "Greeting",
        "greeting",
        de="Guten Tag {visitor_name}, hier ist {agent_name}.",
        en="Hello {visitor_name}, this is {agent_name}. How can I help?",
    )
    # A placeholder the console does not know is kept, and the form says so.
    region = admin.get_by_role("region", name="My replies")
    await region.get_by_role("button", name="New reply").click()
    await region.get_by_label("Text in English").fill("See {pricing_url}")
    await expect(region.locator(".warning")).to_have_text("Not filled in (left as typed): {pricing_url}")

    page = await sign_in(browser, "bert")
    await expect(page.get_by_role("link", name="Agents")).to_have_count(0)
    await page.get_by_role("link", name="Canned replies").click()
    await expect(page.get_by_role("region", name="Shared replies")).to_have_count(0)
    await _add_reply(page, "My replies", "Goodbye", "gruss", de="Schöne Grüße, {visitor_name}!")

    await page.get_by_role("link", name="Chats").click()
    await go_online(page)
    sam, conversation_id = await shop.visitor("Sam", "Hello?")
    await page.get_by_role("button", name="Accept: Sam").click()
    composer = page.get_by_role("combobox", name="Message")
    await expect(composer).to_be_focused()

    await composer.press_sequentially("/gr")
    options = page.get_by_role("listbox", name="Canned replies").get_by_role("option")
    await expect(options).to_have_count(2)
    await expect(options.nth(0)).to_contain_text("/greeting")
    await expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    await expect(composer).to_have_attribute("aria-activedescendant", re.compile(r"-0$"))
    await composer.press("ArrowDown")
    await expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    await expect(composer).to_have_attribute("aria-activedescendant", re.compile(r"-1$"))
    await composer.press("ArrowDown")  # wraps around
    await composer.press("Enter")

    await expect(composer).to_have_value("Hello Sam, this is Bert. How can I help?")
    await expect(options).to_have_count(0)
    await sam.barrier()
    assert [m for m in sam.received("message.new") if m["message"]["sender"]["kind"] == "agent"] == []

    await composer.press("Enter")
    sent = await sam.wait("message.new", lambda p: p["message"]["sender"]["kind"] == "agent")
    assert sent["message"]["text"] == "Hello Sam, this is Bert. How can I help?"
    assert sent["message"]["conversation_id"] == conversation_id

    # Escape closes the list; the German-only reply, picked with the mouse, falls back to its German text.
    await composer.press_sequentially("Bye /GRÜ")
    await expect(options).to_have_count(1)
    await composer.press("Escape")
    await expect(options).to_have_count(0)
    await expect(composer).to_have_value("Bye /GRÜ")
    await composer.press_sequentially("S")
    await options.filter(has_text="/gruss").click()
    await expect(composer).to_have_value("Bye Schöne Grüße, Sam!")
    await sam.barrier()
    assert len([m for m in sam.received("message.new") if m["message"]["sender"]["kind"] == "agent"]) == 1
