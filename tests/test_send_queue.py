"""The send queue of each Engine.IO connection (wschat.server.send_queue): asyncio.Queue's behaviour where
python-engineio relies on it (order, waiting getters, cancellation, task_done/join), and a live server
whose connections use it."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests.support import LiveServer
from wschat.boundary.protocol import Event
from wschat.config import Settings
from wschat.server.send_queue import SendQueue


async def test_items_come_out_in_order_across_compaction() -> None:
    queue = SendQueue()
    for i in range(100):
        queue.put_nowait(i)
    taken = [queue.get_nowait() for _ in range(70)]
    for i in range(100, 150):
        await queue.put(i)
    taken += [await queue.get() for _ in range(80)]
    assert taken == list(range(150))
    assert queue.empty()
    assert queue.qsize() == 0
    with pytest.raises(asyncio.QueueEmpty):
        queue.get_nowait()


async def test_a_waiting_getter_gets_the_next_item() -> None:
    queue = SendQueue()
    getters = [asyncio.create_task(queue.get()) for _ in range(2)]
    await asyncio.sleep(0)
    queue.put_nowait("a")
    queue.put_nowait("b")
    assert sorted(await asyncio.gather(*getters)) == ["a", "b"]


async def test_a_timed_out_getter_leaves_nothing_behind() -> None:
    """python-engineio waits for its next packet with wait_for(queue.get(), timeout)."""
    queue = SendQueue()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(queue.get(), 0.01)
    assert queue._getters is None
    queue.put_nowait("x")
    assert await asyncio.wait_for(queue.get(), 1) == "x"


async def test_an_item_a_cancelled_getter_was_woken_for_goes_to_the_next() -> None:
    queue = SendQueue()
    first = asyncio.create_task(queue.get())
    second = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("only")  # wakes the first
    first.cancel()
    assert await asyncio.wait_for(second, 1) == "only"
    assert first.cancelled()


async def test_join_waits_for_every_task_done() -> None:
    queue = SendQueue()
    await queue.join()  # nothing unfinished: returns at once
    queue.put_nowait(1)
    queue.put_nowait(2)
    joined = asyncio.create_task(queue.join())
    queue.get_nowait()
    queue.task_done()
    await asyncio.sleep(0)
    assert not joined.done()
    queue.get_nowait()
    queue.task_done()
    await asyncio.wait_for(joined, 1)
    with pytest.raises(ValueError, match="too many"):
        queue.task_done()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """python-engineio's WebSocket path, whose connections have send queues (wsChat's own layer has none)."""
    return replace(settings, socket_layer="standard")


async def test_the_server_connections_use_it_and_deliver_in_order(server: LiveServer) -> None:
    """Events reach a socket through its send queue, all of them, in the order they were sent."""
    await server.make_tenant("acme")
    visitor = await server.visitor()
    sid = visitor.client.get_sid("/visitor")
    realtime = server.app.realtime
    connection = realtime.sio.eio.sockets[realtime.sio.manager.eio_sid_from_sid(sid, "/visitor")]
    assert isinstance(connection.queue, SendQueue)
    for n in range(50):
        await realtime.to_socket(sid, "visitor", Event.MESSAGE_NEW, {"n": n})
    await visitor.barrier()
    assert [data["n"] for event, data in visitor.events if event == Event.MESSAGE_NEW] == list(range(50))
