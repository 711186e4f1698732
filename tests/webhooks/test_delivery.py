"""Deliveries to a real receiver: signed, retried with backoff, given up after 24 h, never through a
redirect or to an address that turned forbidden, sent once per process group and again after a crash."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from tests.support import FakeClock
from tests.webhooks.conftest import Desk, build_desk
from tests.webhooks.receiver import Answer, Receiver
from wschat.config import Settings
from wschat.server.runtime import Runtime
from wschat.storage import open_database
from wschat.webhooks.models import MAX_RESPONSE_BYTES, Delivery, DeliveryStatus, WebhookEvent
from wschat.webhooks.signing import verify

CLOSED = WebhookEvent.CONVERSATION_CLOSED
DATA = {"conversation": {"id": "con_1"}, "text": "Grüße aus Köln"}


async def _queue(desk: Desk, key: str = "con_1", **data: object) -> Delivery:
    [delivery] = await desk.service.enqueue(desk.anna.tenant.id, CLOSED, DATA | data, key=key)
    return delivery


async def _stored(desk: Desk, delivery: Delivery) -> Delivery:
    found = await desk.db.stores.webhook_deliveries.get(delivery.tenant_id, delivery.id)
    assert found is not None
    return found


@pytest.mark.both_backends
async def test_delivery_is_signed_over_timestamp_and_body(
    desk: Desk, receiver: Receiver, clock: FakeClock
) -> None:
    _, secret = await desk.endpoint(receiver.url, CLOSED)
    delivery = await _queue(desk)

    assert await desk.worker.run_once() == 1

    [got] = receiver.received
    stamp, _, mac = got.headers["X-WsChat-Signature"].partition(",v1=")
    timestamp = int(stamp.removeprefix("t="))
    assert timestamp == int(clock().timestamp())
    # The receiver's check as docs/webhooks.md shows it, written out here.
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + got.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, expected)
    assert verify(secret, got.headers["X-WsChat-Signature"], got.body, timestamp + 10)
    assert not verify(secret, got.headers["X-WsChat-Signature"], got.body + b" ", timestamp)
    assert not verify("whsec_other", got.headers["X-WsChat-Signature"], got.body, timestamp)
    assert not verify(secret, got.headers["X-WsChat-Signature"], got.body, timestamp + 301)  # replayed late
    assert got.headers["X-WsChat-Delivery"] == delivery.id
    assert got.headers["X-WsChat-Event"] == "conversation.closed"
    assert got.headers["Content-Type"] == "application/json"
    body = json.loads(got.body)
    assert body["id"] == delivery.id
    assert body["event"] == "conversation.closed"
    assert body["data"] == DATA
    assert body["tenant_id"] == desk.anna.tenant.id
    done = await _stored(desk, delivery)
    assert (done.status, done.attempts, done.response_status) == (DeliveryStatus.DELIVERED, 1, 204)


@pytest.mark.both_backends
async def test_delivery_after_a_500_is_tried_again_with_the_same_id_and_body(
    desk: Desk, receiver: Receiver, clock: FakeClock
) -> None:
    await desk.endpoint(receiver.url, CLOSED)
    receiver.answer(Answer(500, b"database down"), Answer(200, b"ok"))
    delivery = await _queue(desk)

    assert await desk.worker.run_once() == 0
    waiting = await _stored(desk, delivery)
    assert (waiting.status, waiting.attempts, waiting.response_status) == (DeliveryStatus.PENDING, 1, 500)
    assert waiting.response_body == "database down"
    assert waiting.next_attempt_at == clock() + timedelta(seconds=30)
    clock.advance(seconds=29)
    assert await desk.worker.run_once() == 0
    assert len(receiver.received) == 1  # not due yet
    clock.advance(seconds=1)
    assert await desk.worker.run_once() == 1

    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["X-WsChat-Delivery"] == second.headers["X-WsChat-Delivery"] == delivery.id
    done = await _stored(desk, delivery)
    assert (done.status, done.attempts, done.response_status) == (DeliveryStatus.DELIVERED, 2, 200)


async def test_delivery_backs_off_and_gives_up_after_24_hours(
    desk: Desk, receiver: Receiver, clock: FakeClock
) -> None:
    await desk.endpoint(receiver.url, CLOSED)
    receiver.answer(Answer(503))
    delivery = await _queue(desk)
    waits = []

    while (current := await _stored(desk, delivery)).status is DeliveryStatus.PENDING:
        assert current.next_attempt_at is not None
        waits.append(current.next_attempt_at - clock())
        clock.now = current.next_attempt_at
        await desk.worker.run_once()

    failed = await _stored(desk, delivery)
    assert failed.status is DeliveryStatus.FAILED
    assert failed.last_attempt_at == delivery.created_at + timedelta(hours=24)
    assert failed.attempts == len(receiver.received) == len(waits)
    # 0, 30 s, 1 min, 2 min, … doubling up to 4 h; the last try exactly at 24 h.
    assert waits[:5] == [timedelta(seconds=s) for s in (0, 30, 60, 120, 240)]
    assert max(waits) == timedelta(hours=4)
    assert failed.last_error == "the receiver answered 503"


async def test_delivery_keeps_at_most_1_kb_of_the_answer(desk: Desk, receiver: Receiver) -> None:
    await desk.endpoint(receiver.url, CLOSED)
    receiver.answer(Answer(400, "ä".encode() * 5000))
    delivery = await _queue(desk)

    await desk.worker.run_once()

    stored = await _stored(desk, delivery)
    assert stored.response_status == 400
    assert stored.response_body is not None
    assert len(stored.response_body.encode()) <= MAX_RESPONSE_BYTES + 3  # a cut character becomes U+FFFD
    assert stored.response_body.startswith("ää")


@pytest.mark.parametrize(
    "location", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://localhost:1/"]
)
async def test_redirect_to_a_forbidden_address_is_not_followed(
    desk: Desk, receiver: Receiver, location: str
) -> None:
    await desk.endpoint(receiver.url, CLOSED)
    receiver.answer(Answer(307, location=location))
    delivery = await _queue(desk)

    assert await desk.worker.run_once() == 0

    stored = await _stored(desk, delivery)
    assert (stored.status, stored.response_status) == (DeliveryStatus.PENDING, 307)
    assert stored.last_error == "the receiver answered with a redirect, which is not followed"
    assert len(receiver.received) == 1


async def test_redirect_is_not_followed_even_to_an_allowed_address(desk: Desk, receiver: Receiver) -> None:
    elsewhere = Receiver()
    await elsewhere.start()
    try:
        await desk.endpoint(receiver.url, CLOSED)
        receiver.answer(Answer(302, location=elsewhere.url))
        delivery = await _queue(desk)

        await desk.worker.run_once()

        assert elsewhere.received == []
        assert (await _stored(desk, delivery)).response_status == 302
    finally:
        await elsewhere.stop()


@pytest.mark.parametrize("address", ["10.0.0.1", "169.254.169.254", "::ffff:127.0.0.2"])
async def test_name_that_resolves_to_a_forbidden_address_later_is_refused_at_delivery(
    desk: Desk, receiver: Receiver, address: str
) -> None:
    """DNS rebinding: the name pointed at an allowed address when it was registered, at another since."""
    desk.names.table["crm.acme.test"] = ["127.0.0.1"]
    await desk.endpoint(f"http://crm.acme.test:{receiver.port}/hooks", CLOSED)
    delivery = await _queue(desk)
    desk.names.table["crm.acme.test"] = [address]

    assert await desk.worker.run_once() == 0

    stored = await _stored(desk, delivery)
    assert stored.status is DeliveryStatus.PENDING
    assert stored.response_status is None
    assert stored.last_error is not None
    assert stored.last_error.startswith("refused: The host crm.acme.test")
    assert receiver.received == []


async def test_name_is_connected_to_at_the_address_that_was_checked(desk: Desk, receiver: Receiver) -> None:
    desk.names.table["crm.acme.test"] = ["127.0.0.1"]
    await desk.endpoint(f"http://crm.acme.test:{receiver.port}/hooks", CLOSED)
    await _queue(desk)

    assert await desk.worker.run_once() == 1
    assert receiver.received[0].headers["Host"] == f"crm.acme.test:{receiver.port}"


async def test_delivery_stored_before_a_crash_goes_out_after_the_restart_once(
    runtime: Runtime, hook_settings: Settings, clock: FakeClock, desk: Desk, receiver: Receiver
) -> None:
    await desk.endpoint(receiver.url, CLOSED)
    delivery = await _queue(desk)
    # The process dies here: its worker never ran. A new one opens the same database.
    db = await open_database(hook_settings.database_url, mongo_database=hook_settings.database.mongo_database)
    try:
        restarted = build_desk(db, hook_settings, clock, desk.anna, holder="node_b")

        assert await restarted.worker.run_once() == 1
        assert await restarted.worker.run_once() == 0
        clock.advance(hours=30)
        assert await restarted.worker.run_once() == 0
    finally:
        await db.close()
    assert [r.headers["X-WsChat-Delivery"] for r in receiver.received] == [delivery.id]


@pytest.mark.both_backends
async def test_workers_of_several_processes_deliver_each_delivery_once(
    runtime: Runtime, hook_settings: Settings, clock: FakeClock, desk: Desk, receiver: Receiver
) -> None:
    await desk.endpoint(receiver.url, CLOSED)
    queued = [await _queue(desk, key=f"con_{n}") for n in range(10)]
    others = []
    for n in range(2):
        db = await open_database(
            hook_settings.database_url, mongo_database=hook_settings.database.mongo_database
        )
        others.append(build_desk(db, hook_settings, clock, desk.anna, holder=f"node_{n}"))
    try:
        await asyncio.gather(*(d.worker.run_once() for d in (desk, *others) for _ in range(3)))
        while await desk.worker.run_once():  # a process that lost the lease now and then leaves some
            pass
    finally:
        for other in others:
            await other.db.close()

    sent = sorted(r.headers["X-WsChat-Delivery"] for r in receiver.received)
    assert sent == sorted(d.id for d in queued)


async def test_event_recorded_twice_is_queued_once(desk: Desk, receiver: Receiver) -> None:
    await desk.endpoint(receiver.url, CLOSED)
    first = await desk.service.enqueue(desk.anna.tenant.id, CLOSED, DATA, key="con_1:3")
    again = await desk.service.enqueue(desk.anna.tenant.id, CLOSED, DATA, key="con_1:3")
    other = await desk.service.enqueue(desk.anna.tenant.id, CLOSED, DATA, key="con_2:3")

    assert len(first) == len(other) == 1
    assert again == []
    assert await desk.worker.run_once() == 2


async def test_only_subscribed_and_enabled_endpoints_get_an_event(desk: Desk, receiver: Receiver) -> None:
    await desk.endpoint(receiver.url + "/closed", CLOSED)
    await desk.endpoint(receiver.url + "/booked", WebhookEvent.APPOINTMENT_BOOKED)
    tenant = desk.anna.tenant.id

    booked = await desk.service.enqueue(
        tenant, "appointment.booked", {"appointment": {"id": "apt_1"}}, key="a"
    )
    cancelled = await desk.service.enqueue(tenant, "appointment.cancelled", {}, key="a")
    await desk.worker.run_once()

    assert [d.event for d in booked] == [WebhookEvent.APPOINTMENT_BOOKED]
    assert cancelled == []
    assert [r.path for r in receiver.received] == ["/hooks/crm/booked"]
    with pytest.raises(ValueError, match=r"appointment\.noted"):
        await desk.service.enqueue(tenant, "appointment.noted", {}, key="a")


async def test_send_again_queues_a_failed_delivery_for_another_24_hours(
    desk: Desk, receiver: Receiver, clock: FakeClock
) -> None:
    await desk.endpoint(receiver.url, CLOSED)
    receiver.answer(Answer(500))
    delivery = await _queue(desk)
    clock.advance(hours=25)
    await desk.worker.run_once()
    assert (await _stored(desk, delivery)).status is DeliveryStatus.FAILED

    receiver.answer(Answer(204))
    again = await desk.service.send_again(desk.anna, delivery.id)
    assert again.status is DeliveryStatus.PENDING
    assert again.retry_until == clock() + timedelta(hours=24)
    assert await desk.worker.run_once() == 1

    done = await _stored(desk, delivery)
    assert (done.status, done.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert receiver.received[0].body == receiver.received[1].body
