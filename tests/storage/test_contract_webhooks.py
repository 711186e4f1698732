"""Store contract: webhook endpoints and deliveries (``wschat/webhooks/store.py``), on both adapters."""

from __future__ import annotations

from dataclasses import replace

from tests.storage.builders import at
from tests.storage.conftest import TwoTenants
from tests.webhooks.builders import new_delivery, new_endpoint
from wschat.storage import Stores
from wschat.webhooks.models import DeliveryStatus, WebhookEvent

PENDING, DELIVERED, FAILED = DeliveryStatus.PENDING, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED


async def test_webhook_endpoint_round_trips_and_is_invisible_to_another_tenant(
    stores: Stores, two: TwoTenants
) -> None:
    endpoint = new_endpoint(two.a, events=tuple(WebhookEvent), enabled=False)
    await stores.webhook_endpoints.insert(endpoint)

    assert await stores.webhook_endpoints.get(two.a.id, endpoint.id) == endpoint
    assert await stores.webhook_endpoints.of_tenant(two.a.id) == [endpoint]
    assert await stores.webhook_endpoints.get(two.b.id, endpoint.id) is None
    assert await stores.webhook_endpoints.of_tenant(two.b.id) == []
    assert not await stores.webhook_endpoints.replace(
        replace(endpoint, tenant_id=two.b.id, url="https://x.test/")
    )
    assert not await stores.webhook_endpoints.delete(two.b.id, endpoint.id)
    assert await stores.webhook_endpoints.get(two.a.id, endpoint.id) == endpoint


async def test_webhook_endpoints_of_a_tenant_oldest_first_and_replaced_whole(
    stores: Stores, two: TwoTenants
) -> None:
    later, earlier = new_endpoint(two.a, created=20), new_endpoint(two.a, created=10)
    for endpoint in (later, earlier):
        await stores.webhook_endpoints.insert(endpoint)
    changed = replace(later, url="https://crm.acme.example/v2", events=(WebhookEvent.APPOINTMENT_BOOKED,))

    assert await stores.webhook_endpoints.replace(changed)
    assert await stores.webhook_endpoints.of_tenant(two.a.id) == [earlier, changed]


async def test_webhook_delivery_inserted_once_by_its_id(stores: Stores, two: TwoTenants) -> None:
    endpoint = new_endpoint(two.a)
    await stores.webhook_endpoints.insert(endpoint)
    delivery = new_delivery(endpoint)

    assert await stores.webhook_deliveries.insert(delivery)
    assert not await stores.webhook_deliveries.insert(replace(delivery, body="{}"))
    assert await stores.webhook_deliveries.get(two.a.id, delivery.id) == delivery
    assert await stores.webhook_deliveries.get(two.b.id, delivery.id) is None


async def test_webhook_due_holds_pending_deliveries_whose_time_came_oldest_first(
    stores: Stores, two: TwoTenants
) -> None:
    a, b = new_endpoint(two.a), new_endpoint(two.b)
    for endpoint in (a, b):
        await stores.webhook_endpoints.insert(endpoint)
    late, early = new_delivery(a, created=30), new_delivery(b, created=10)
    done, future = new_delivery(a, created=5), new_delivery(a, created=1, next_attempt_at=at(500))
    for delivery in (late, early, done, future):
        await stores.webhook_deliveries.insert(delivery)
    await stores.webhook_deliveries.update(replace(done, status=DELIVERED, next_attempt_at=None))

    assert [d.id for d in await stores.webhook_deliveries.due(at(100), 10)] == [early.id, late.id]
    assert [d.id for d in await stores.webhook_deliveries.due(at(100), 1)] == [early.id]
    assert await stores.webhook_deliveries.due(at(0), 10) == []


async def test_webhook_update_changes_the_state_only_and_only_of_the_own_tenant(
    stores: Stores, two: TwoTenants
) -> None:
    endpoint = new_endpoint(two.a)
    await stores.webhook_endpoints.insert(endpoint)
    delivery = new_delivery(endpoint)
    await stores.webhook_deliveries.insert(delivery)
    tried = replace(
        delivery,
        status=FAILED,
        attempts=9,
        next_attempt_at=None,
        last_attempt_at=at(90),
        response_status=500,
        response_body="Interner Fehler – bitte später",
        last_error="the receiver answered 500",
        body="{} (never stored: the body stays as queued)",
    )

    assert not await stores.webhook_deliveries.update(replace(tried, tenant_id=two.b.id))
    assert await stores.webhook_deliveries.get(two.a.id, delivery.id) == delivery
    assert await stores.webhook_deliveries.update(tried)
    assert await stores.webhook_deliveries.get(two.a.id, delivery.id) == replace(tried, body=delivery.body)


async def test_webhook_page_newest_first_by_keyset_per_tenant_and_endpoint(
    stores: Stores, two: TwoTenants
) -> None:
    first, second, other = new_endpoint(two.a), new_endpoint(two.a), new_endpoint(two.b)
    for endpoint in (first, second, other):
        await stores.webhook_endpoints.insert(endpoint)
    mine = [new_delivery(first if n % 2 else second, created=n) for n in range(6)]
    # Two at the same instant: their ids order them.
    mine.append(new_delivery(first, created=5))
    for delivery in [*mine, new_delivery(other, created=3)]:
        await stores.webhook_deliveries.insert(delivery)
    newest_first = sorted(mine, key=lambda d: (d.created_at, d.id), reverse=True)

    page = await stores.webhook_deliveries.page(two.a.id, None, None, 4)
    rest = await stores.webhook_deliveries.page(two.a.id, None, page[-1], 10)
    assert page + rest == newest_first
    of_first = await stores.webhook_deliveries.page(two.a.id, first.id, None, 10)
    assert of_first == [d for d in newest_first if d.endpoint_id == first.id]
    assert await stores.webhook_deliveries.page(two.b.id, first.id, None, 10) == []


async def test_webhook_endpoint_deleted_with_its_deliveries(stores: Stores, two: TwoTenants) -> None:
    kept, gone = new_endpoint(two.a), new_endpoint(two.a)
    for endpoint in (kept, gone):
        await stores.webhook_endpoints.insert(endpoint)
    stays, goes = new_delivery(kept), new_delivery(gone)
    for delivery in (stays, goes):
        await stores.webhook_deliveries.insert(delivery)

    assert await stores.webhook_endpoints.delete(two.a.id, gone.id)
    assert not await stores.webhook_endpoints.delete(two.a.id, gone.id)
    assert await stores.webhook_endpoints.of_tenant(two.a.id) == [kept]
    assert await stores.webhook_deliveries.get(two.a.id, goes.id) is None
    assert await stores.webhook_deliveries.get(two.a.id, stays.id) == stays


async def test_webhook_deliveries_of_a_visitor_forgotten_and_old_ones_cleaned_up(
    stores: Stores, two: TwoTenants
) -> None:
    a, b = new_endpoint(two.a), new_endpoint(two.b)
    for endpoint in (a, b):
        await stores.webhook_endpoints.insert(endpoint)
    hers, other = new_delivery(a, visitor_id="vis_aaaa1111"), new_delivery(a, visitor_id=None)
    theirs = new_delivery(b, visitor_id="vis_aaaa1111")
    for delivery in (hers, other, theirs):
        await stores.webhook_deliveries.insert(delivery)

    assert await stores.webhook_deliveries.forget_visitor(two.a.id, "vis_aaaa1111") == 1
    assert await stores.webhook_deliveries.get(two.a.id, hers.id) is None
    assert await stores.webhook_deliveries.get(two.b.id, theirs.id) == theirs

    old = [new_delivery(a, created=-100 - n) for n in range(3)]
    for delivery in old:
        await stores.webhook_deliveries.insert(delivery)
    assert await stores.webhook_deliveries.delete_older(at(-50), 2) == 2
    assert await stores.webhook_deliveries.delete_older(at(-50), 10) == 1
    assert await stores.webhook_deliveries.delete_older(at(-50), 10) == 0
    assert await stores.webhook_deliveries.get(two.a.id, other.id) == other


async def test_webhook_records_leave_with_their_tenant(stores: Stores, two: TwoTenants) -> None:
    endpoint = new_endpoint(two.a)
    await stores.webhook_endpoints.insert(endpoint)
    for n in range(3):
        await stores.webhook_deliveries.insert(new_delivery(endpoint, created=n))
    theirs = new_endpoint(two.b)
    await stores.webhook_endpoints.insert(theirs)

    while await stores.tenant_data.delete_batch(two.a.id, 2):
        pass

    assert await stores.webhook_endpoints.of_tenant(two.a.id) == []
    assert await stores.webhook_deliveries.page(two.a.id, None, None, 10) == []
    assert await stores.webhook_endpoints.of_tenant(two.b.id) == [theirs]


async def test_webhook_depth_counts_the_pending_queue_of_every_tenant(
    stores: Stores, two: TwoTenants
) -> None:
    assert await stores.webhook_deliveries.depth() == {"queued": 0, "retrying": 0}
    mine, theirs = new_endpoint(two.a, created=1), new_endpoint(two.b, created=1)
    for endpoint in (mine, theirs):
        await stores.webhook_endpoints.insert(endpoint)
    fresh, tried, sent = (new_delivery(mine, created=n) for n in (2, 3, 4))
    other = new_delivery(theirs, created=5)
    for delivery in (fresh, tried, sent, other):
        assert await stores.webhook_deliveries.insert(delivery)
    await stores.webhook_deliveries.update(replace(tried, attempts=1, next_attempt_at=at(60)))
    await stores.webhook_deliveries.update(replace(sent, status=DeliveryStatus.DELIVERED, attempts=1))
    failed = new_delivery(theirs, created=6)
    assert await stores.webhook_deliveries.insert(failed)
    await stores.webhook_deliveries.update(replace(failed, status=DeliveryStatus.FAILED, attempts=9))

    assert await stores.webhook_deliveries.depth() == {"queued": 2, "retrying": 1}
