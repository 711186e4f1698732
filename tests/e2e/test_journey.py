"""The whole product in one browser: a visitor on the demo site and agents in the console, each a person
with their own browser context."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, go_online, sign_in
from tests.e2e.widget import open_widget

pytestmark = pytest.mark.timeout(90)


async def test_visitor_and_agents_chat_transfer_and_end(browser: Browser, shop: Shop) -> None:
    await shop.set(auto_assign=True)
    bert = await sign_in(browser, "bert")
    await go_online(bert)
    visitor = await open_widget(browser, "Sam")
    panel = visitor.get_by_role("dialog")
    composer = visitor.get_by_role("textbox", name="Write a message")
    await composer.fill("Hello, do you install on flat roofs?")
    await composer.press("Enter")

    # The chat reaches Bert; the visitor sees his alias.
    tab = bert.get_by_role("tab", name=re.compile("Sam"))
    await expect(tab).to_be_visible()
    await tab.click()
    log = bert.get_by_role("log")
    await expect(log).to_contain_text("Hello, do you install on flat roofs?")
    await expect(panel.get_by_role("heading")).to_have_text("Bert")
    await expect(bert.locator(".visitor-panel")).to_contain_text("Northwind Solar")  # the page trail

    # Typing, both ways.
    agent_box = bert.get_by_role("combobox", name="Message")
    await agent_box.press_sequentially("Yes, we")
    await expect(panel.get_by_text("Bert is typing…")).to_be_visible()
    await agent_box.press_sequentially(" do.")
    await agent_box.press("Enter")
    await expect(panel.get_by_text("Yes, we do.")).to_be_visible()
    await composer.press_sequentially("Great")
    await expect(bert.locator(".typing")).to_have_text("Sam is typing…")
    await composer.press("Enter")
    await expect(log.locator(".msg.visitor").last).to_contain_text("Great")

    # Read receipts, both ways: the open panel reads Bert's message, the open tab reads the visitor's.
    await expect(log.locator(".msg.own .read")).to_have_count(1)
    await expect(panel.locator(".me .meta").last).to_contain_text("Seen")
    await browser.screenshot(visitor, "journey-widget")
    await browser.screenshot(bert, "journey-console")

    # Transfer to Carl, signed in in another browser context.
    carl = await sign_in(browser, "carl")
    await go_online(carl)
    await bert.get_by_role("button", name="Transfer…").click()
    dialog = bert.get_by_role("dialog", name="Transfer chat")
    await dialog.get_by_label(re.compile("Carl")).check()
    await dialog.get_by_label(re.compile("Note for your colleague")).fill("Flat roof, wants a quote")
    await dialog.get_by_role("button", name="Transfer", exact=True).click()
    await expect(panel.get_by_role("heading")).to_have_text("Carl")
    carl_tab = carl.get_by_role("tab", name=re.compile("Sam"))
    await carl_tab.click()
    carl_log = carl.get_by_role("log")
    await expect(carl_log).to_contain_text("Hello, do you install on flat roofs?")  # the whole history
    await expect(carl_log.locator(".msg.note")).to_contain_text("Flat roof, wants a quote")
    await expect(panel).not_to_contain_text("Flat roof, wants a quote")  # the note is for agents only
    carl_box = carl.get_by_role("combobox", name="Message")
    await carl_box.fill("Hi Sam, Carl here. I will prepare the quote.")
    await carl_box.press("Enter")
    await expect(panel.get_by_text("Hi Sam, Carl here. I will prepare the quote.")).to_be_visible()

    # The visitor ends the chat; Carl's console shows it.
    await panel.get_by_role("button", name="End chat").click()
    confirm = visitor.get_by_role("alertdialog", name="End this chat?")
    await confirm.get_by_role("button", name="Yes, end chat").click()
    await expect(confirm).to_be_hidden()
    await expect(panel.get_by_text("This chat has ended.")).to_be_visible()
    await expect(carl_log).to_contain_text("The visitor ended the chat.")


async def test_offline_message_waits_for_the_agent_who_comes_online(browser: Browser, shop: Shop) -> None:
    visitor = await browser.page("/demo?tenant=acme")
    await visitor.get_by_role("button", name="Open chat").click()
    panel = visitor.get_by_role("dialog")
    await expect(panel).to_contain_text("Nobody is available right now")
    await panel.get_by_label("E-mail (for our answer)").fill("sam@example.com")
    await panel.get_by_role("textbox", name=re.compile("message", re.IGNORECASE)).first.fill(
        "Please call me back about a quote."
    )
    await panel.get_by_role("button", name=re.compile("Send", re.IGNORECASE)).first.click()
    await expect(panel).to_contain_text("Thank you! Your message has reached our team.")

    # Not a chat: it waits under "To answer" (counted in the top bar), never in the queue.
    bert = await sign_in(browser, "bert")
    await go_online(bert)
    await expect(bert.get_by_text("Nobody is waiting.")).to_be_visible()
    to_answer = bert.get_by_role("link", name="To answer")
    await expect(to_answer).to_contain_text("1")
    await to_answer.click()
    await expect(bert.locator(".offline-item")).to_contain_text("Please call me back about a quote.")
