from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from wschat.accounts import passwords


@pytest.fixture(autouse=True)
def _production_cost() -> Iterator[None]:
    previous = passwords.use_profile(passwords.PRODUCTION)
    yield
    passwords.use_profile(previous)


async def test_hash_password_verifies_and_uses_argon2id() -> None:
    hashed = await passwords.hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert await passwords.verify_password(hashed, "correct horse battery")
    assert not await passwords.verify_password(hashed, "correct horse batterY")


async def test_verify_without_hash_is_false_but_does_the_work() -> None:
    started = time.perf_counter()
    assert not await passwords.verify_password(None, "anything at all")
    assert not await passwords.verify_password("not-a-hash", "anything at all")
    # The dummy verification really ran argon2 (tens of milliseconds), it did not return early.
    assert time.perf_counter() - started > 0.005


async def test_hashing_does_not_block_the_event_loop() -> None:
    """While four hashes run, a ticker on the loop keeps ticking; on the loop it could not tick at all."""
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.001)

    started = time.perf_counter()
    passwords._hasher.hash("measure one hash on this machine")
    one_hash = time.perf_counter() - started

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    ticks = 0
    await asyncio.gather(*(passwords.hash_password(f"password number {i}") for i in range(4)))
    stop.set()
    await task
    # A blocked loop ticks 0 times during the hashes; a free one about once per millisecond.
    assert ticks >= max(3, int(one_hash * 1000 * 0.2)), (ticks, one_hash)
