"""Store contract: reports (``wschat/reports/store.py``) on both adapters: a chat counts once however often
it is offered, rows add up per day and agent, pages and visitors per day, a rebuild's forget takes the
chat figures of its days and keeps the visitors, the rebuild's walk and the same-day check read the
conversations, tenants never see each other's rows, and the rows go with their tenant."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from tests.storage.builders import at, new_conversation, new_tenant, offline_message
from tests.storage.conftest import TwoTenants
from wschat.chat.models import ConversationStatus
from wschat.reports.chats import ChatFacts
from wschat.reports.store import TENANT
from wschat.storage import Stores

DAY = at(0).date()
NEXT = DAY + timedelta(days=1)
ANNA = "usr_00000000000000a1"
BERT = "usr_00000000000000b2"


def _answered(agent: str, wait: int, *, day: date = DAY, page: str | None = "/pricing") -> ChatFacts:
    counts = {"answered": 1, f"wait:{wait}": 1, "hour:9": 1}
    return ChatFacts(day, counts, agent, counts, page)


async def test_reports_count_a_chat_once_however_often_it_is_offered(stores: Stores, two: TwoTenants) -> None:
    facts = _answered(ANNA, 12)

    first = await stores.reports.count(two.a.id, "cnv_1", facts)
    again = await stores.reports.count(two.a.id, "cnv_1", facts)

    assert (first, again) == (True, False)
    [row] = await stores.reports.rows(two.a.id, DAY, DAY, TENANT)
    assert row.counts == {"answered": 1, "wait:12": 1, "hour:9": 1}
    assert await stores.reports.pages(two.a.id, DAY, DAY, 10) == [("/pricing", 1)]


async def test_reports_count_a_chat_offered_at_once_by_several_writers_once(
    stores: Stores, two: TwoTenants
) -> None:
    # A close and a rebuild (or two processes) at the same moment: the conversation's mark decides.
    added = await asyncio.gather(
        *(stores.reports.count(two.a.id, "cnv_1", _answered(ANNA, 12)) for _ in range(5))
    )

    assert sorted(added) == [False] * 4 + [True]
    [row] = await stores.reports.rows(two.a.id, DAY, DAY, ANNA)
    assert row.counts["answered"] == 1


async def test_reports_rows_add_up_per_day_and_agent(stores: Stores, two: TwoTenants) -> None:
    await stores.reports.count(two.a.id, "cnv_1", _answered(ANNA, 12))
    await stores.reports.count(two.a.id, "cnv_2", _answered(ANNA, 12))
    await stores.reports.count(two.a.id, "cnv_3", _answered(BERT, 70, day=NEXT, page="/"))
    await stores.reports.count(two.a.id, "cnv_4", ChatFacts(DAY, {"missed": 1}))

    rows = await stores.reports.rows(two.a.id, DAY, NEXT, None)
    found = {(r.day, r.agent_id): r.counts for r in rows}

    assert found == {
        (DAY, TENANT): {"answered": 2, "wait:12": 2, "hour:9": 2, "missed": 1},
        (DAY, ANNA): {"answered": 2, "wait:12": 2, "hour:9": 2},
        (NEXT, TENANT): {"answered": 1, "wait:70": 1, "hour:9": 1},
        (NEXT, BERT): {"answered": 1, "wait:70": 1, "hour:9": 1},
    }
    assert [(r.day, r.agent_id) for r in await stores.reports.rows(two.a.id, DAY, NEXT, BERT)] == [
        (NEXT, BERT)
    ]
    assert [r.day for r in await stores.reports.rows(two.a.id, NEXT, NEXT, TENANT)] == [NEXT]
    assert await stores.reports.pages(two.a.id, DAY, NEXT, 10) == [("/pricing", 2), ("/", 1)]
    assert await stores.reports.pages(two.a.id, DAY, NEXT, 1) == [("/pricing", 2)]


async def test_reports_count_visitors_per_day(stores: Stores, two: TwoTenants) -> None:
    for day in (DAY, DAY, NEXT):
        await stores.reports.add_visitor(two.a.id, day)

    assert await stores.reports.visitors(two.a.id, DAY, NEXT) == {DAY: 2, NEXT: 1}
    assert await stores.reports.visitors(two.a.id, NEXT, NEXT) == {NEXT: 1}


async def test_reports_forget_takes_the_chat_figures_of_its_days_and_keeps_visitors(
    stores: Stores, two: TwoTenants
) -> None:
    await stores.reports.count(two.a.id, "cnv_1", _answered(ANNA, 12))
    await stores.reports.count(two.a.id, "cnv_2", _answered(ANNA, 12, day=NEXT))
    await stores.reports.add_visitor(two.a.id, DAY)

    await stores.reports.forget(two.a.id, DAY, DAY)

    assert [r.day for r in await stores.reports.rows(two.a.id, DAY, NEXT, None)] == [NEXT, NEXT]
    assert await stores.reports.pages(two.a.id, DAY, DAY, 10) == []
    assert await stores.reports.visitors(two.a.id, DAY, DAY) == {DAY: 1}
    # Its mark went too: the chat counts again (a rebuild), the other one does not.
    assert await stores.reports.count(two.a.id, "cnv_1", _answered(ANNA, 12)) is True
    assert await stores.reports.count(two.a.id, "cnv_2", _answered(ANNA, 12, day=NEXT)) is False


async def test_reports_of_one_tenant_are_not_the_others(stores: Stores, two: TwoTenants) -> None:
    await stores.reports.count(two.a.id, "cnv_1", _answered(ANNA, 12))
    await stores.reports.add_visitor(two.a.id, DAY)

    assert await stores.reports.rows(two.b.id, DAY, DAY, None) == []
    assert await stores.reports.pages(two.b.id, DAY, DAY, 10) == []
    assert await stores.reports.visitors(two.b.id, DAY, DAY) == {}
    # The same conversation id in another tenant is another chat.
    assert await stores.reports.count(two.b.id, "cnv_1", _answered(ANNA, 12)) is True


async def test_reports_walk_closed_chats_by_start_and_know_a_visitors_earlier_chat(
    stores: Stores, two: TwoTenants
) -> None:
    closed = [
        new_conversation(
            two.a, "vis_1", created=n * 60, status=ConversationStatus.CLOSED, closed_at=at(n * 60 + 30)
        )
        for n in range(5)
    ]
    for conversation in closed:
        await stores.conversations.insert(conversation)
    await stores.conversations.insert(new_conversation(two.a, "vis_2", created=10))  # open: not walked
    offline = offline_message(two.a, "vis_3", created=20)
    await stores.conversations.insert(offline)
    other = new_conversation(two.b, "vis_1", created=0, status=ConversationStatus.CLOSED, closed_at=at(1))
    await stores.conversations.insert(other)

    seen, after = [], None
    while page := await stores.reports.closed_chats(two.a.id, at(0), at(241), after, 2):
        seen += [c.id for c in page]
        after = page[-1]

    offline_id = offline.id
    assert sorted(seen) == sorted([c.id for c in closed] + [offline_id])
    assert seen.index(closed[0].id) < seen.index(offline_id) < seen.index(closed[1].id)
    assert await stores.reports.earlier_chat(two.a.id, "vis_1", at(0), closed[2]) is True
    assert await stores.reports.earlier_chat(two.a.id, "vis_1", at(0), closed[0]) is False
    assert await stores.reports.earlier_chat(two.a.id, "vis_1", at(60), closed[2]) is True
    assert await stores.reports.earlier_chat(two.a.id, "vis_1", at(61), closed[2]) is False
    # An offline message is no chat.
    late = new_conversation(two.a, "vis_3", created=30, status=ConversationStatus.CLOSED, closed_at=at(40))
    assert await stores.reports.earlier_chat(two.a.id, "vis_3", at(0), late) is False


async def test_reports_go_with_their_tenant(stores: Stores, two: TwoTenants) -> None:
    await stores.reports.count(two.a.id, "cnv_1", _answered(ANNA, 12))
    await stores.reports.add_visitor(two.a.id, DAY)
    await stores.reports.count(two.b.id, "cnv_2", _answered(BERT, 3))

    while await stores.tenant_data.delete_batch(two.a.id, 100):
        pass

    assert await stores.reports.rows(two.a.id, DAY, DAY, None) == []
    assert await stores.reports.visitors(two.a.id, DAY, DAY) == {}
    assert await stores.reports.pages(two.a.id, DAY, DAY, 10) == []
    assert len(await stores.reports.rows(two.b.id, DAY, DAY, None)) == 2
    # Nothing of the tenant's is left to keep its conversation marks: counting again is new.
    assert await stores.reports.count(two.a.id, "cnv_1", _answered(ANNA, 12)) is True


async def test_reports_of_a_new_tenant_are_empty(stores: Stores) -> None:
    tenant = new_tenant("initech")
    await stores.tenants.insert(tenant)

    assert await stores.reports.rows(tenant.id, DAY, NEXT, None) == []


async def test_reports_forget_the_start_pages_of_an_erased_persons_chats(
    stores: Stores, two: TwoTenants
) -> None:
    await stores.reports.count(two.a.id, "cnv_1", _answered(ANNA, 5, page="/kunden/alpha-person"))
    await stores.reports.count(two.a.id, "cnv_2", _answered(ANNA, 5, page="/pricing"))
    await stores.reports.count(two.a.id, "cnv_3", _answered(BERT, 5, page="/pricing"))
    await stores.reports.count(two.b.id, "cnv_1", _answered(ANNA, 5, page="/kunden/alpha-person"))

    taken = await stores.reports.forget_pages(two.a.id, ["cnv_1", "cnv_2"])
    again = await stores.reports.forget_pages(two.a.id, ["cnv_1", "cnv_2"])

    assert (taken, again) == (2, 0), "a page is taken out once"
    assert await stores.reports.pages(two.a.id, DAY, DAY, 10) == [("/pricing", 1)]
    assert await stores.reports.pages(two.b.id, DAY, DAY, 10) == [("/kunden/alpha-person", 1)]
    [row] = await stores.reports.rows(two.a.id, DAY, DAY, TENANT)
    assert row.counts["answered"] == 3, "the chats stay counted; only their pages go"
