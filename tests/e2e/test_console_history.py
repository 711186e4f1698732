"""A long chat in the console: the newest page first, "Load earlier messages" for the rest."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, go_online, sign_in
from wschat.chat.models import HISTORY_PAGE, Party, SenderKind

pytestmark = pytest.mark.timeout(90)

FLOOD = 120


async def test_console_loads_earlier_messages_of_a_long_chat_and_keeps_the_place(
    browser: Browser, shop: Shop
) -> None:
    page = await sign_in(browser, "bert")
    await go_online(page)
    _, cid = await shop.visitor("Sam", "Hello, is anyone there?")  # seq 1
    runtime = shop.server.app.runtime
    conversation = await runtime.conversations.get(shop.tenant.id, cid)
    assert conversation is not None
    sam = Party(SenderKind.VISITOR, conversation.visitor_id, "Sam")
    for n in range(2, FLOOD + 2):  # the visitor's rate limit would refuse these as socket events
        await runtime.messages.send(conversation, sam, f"c-{n}", f"message {n}")
    last = FLOOD + 2  # "Bert joined the chat."

    await page.locator(f".queue-item[data-conversation='{cid}']").get_by_role("button").click()
    log = page.get_by_role("log")
    await expect(log.locator(".msg.system").last).to_contain_text("Bert joined the chat.")
    messages = log.locator("li[data-seq]")
    # The newest page, and "Bert joined the chat." after it: that message ends the assignment's aftermath.
    await expect(messages).to_have_count(HISTORY_PAGE + 1)
    first = last - HISTORY_PAGE
    await expect(messages.first).to_have_attribute("data-seq", str(first))

    earlier = log.get_by_role("button", name="Load earlier messages")
    for expected_first in (first - HISTORY_PAGE, 1):
        await log.evaluate("el => { el.scrollTop = 0; }")
        reading = log.locator(f"li[data-seq='{first}']")
        before = await reading.bounding_box()
        # By keyboard: the control is a button in the log.
        await earlier.focus()
        await page.keyboard.press("Enter")
        await expect(messages.first).to_have_attribute("data-seq", str(expected_first))
        after = await reading.bounding_box()
        assert before is not None
        assert after is not None
        assert abs(after["y"] - before["y"]) < 2, "the message being read moved"
        first = expected_first
    await expect(earlier).to_have_count(0)
    await expect(messages).to_have_count(last)
    await expect(log.locator("li[data-seq='1']")).to_contain_text("Hello, is anyone there?")
    seqs = await messages.evaluate_all("items => items.map((li) => Number(li.dataset.seq))")
    assert seqs == list(range(1, last + 1))
    await expect(log).to_be_focused()
