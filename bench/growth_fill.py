"""What the growth benchmark (bench/growth.py) fills: tenants with their agents, and closed chats with
their visitors, page views, transitions and messages, shaped like the ones the services leave behind and
written through the store layer."""

from __future__ import annotations

import asyncio
import itertools
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from wschat.accounts import passwords
from wschat.accounts.models import Plan, Role, Tenant, TenantStatus, User
from wschat.chat.models import (
    SYSTEM,
    Conversation,
    ConversationStatus,
    Message,
    MessageKind,
    Party,
    SenderKind,
)
from wschat.clock import new_id, utc_now
from wschat.storage import Database, Stores
from wschat.storage.documents import message_doc
from wschat.visitors.models import Visitor
from wschat.visitors.service import hash_token

PASSWORD = "growth benchmark password"
MESSAGES_PER_CHAT = 40
CHATS_PER_TENANT = 1250
AGENTS_PER_TENANT = 4
#: The fill spreads the chats over this many days before now.
HISTORY_DAYS = 180


class BenchError(RuntimeError):
    """The benchmark cannot go on (a call failed, a file holds the wrong data)."""


@dataclass(frozen=True)
class Shape:
    """How big the filled installation is; everything scales with the number of messages."""

    messages: int

    @property
    def chats(self) -> int:
        return max(1, self.messages // MESSAGES_PER_CHAT)

    @property
    def tenants(self) -> int:
        return max(1, round(self.chats / CHATS_PER_TENANT))

    @property
    def stored_messages(self) -> int:
        return self.chats * MESSAGES_PER_CHAT


# -- made-up but realistic content -------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _words(
    "hello hi thanks thank you please order delivery parcel invoice refund return size colour black "
    "blue shoes jacket account password login address street payment card paypal transfer discount code "
    "voucher shipping tracking number arrived yesterday today tomorrow week still not yet wrong broken "
    "damaged replace exchange available stock warehouse customer service help question could would can "
    "you me my your our we the a an is are was were have has had do does did when where how why which "
    "what for with without from to in on at by about again already just only also very much more less "
    "check look see send sent receive received email phone call back minute moment sure of course great "
    "perfect okay fine sorry problem issue error page website app basket checkout price total euro"
)
NAMES = _words(
    "Anna Ben Clara David Elif Felix Greta Hannes Ines Jonas Kira Lukas Mara Noah Olga Paul Rosa Sven"
)
COUNTRIES = ("DE", "DE", "DE", "AT", "CH", "NL", "FR", "PL", "IT", "GB")
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
    "Mobile Safari/537.36",
)
#: Paths of a shop's website and their titles.
PAGES = tuple(
    tuple(pair.split("=", 1))
    for pair in _words(
        "/=Home /shoes=Shoes /jackets=Jackets /sale=Sale /basket=Basket /checkout=Checkout "
        "/help/returns=Returns /help/shipping=Shipping /account/orders=Orders"
    )
)


class Invent:
    """Texts, visitors and page views of realistic shape, from a seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def text(self) -> str:
        """A chat line of 40 to 120 characters."""
        target = self.rng.randint(40, 120)
        words = [self.rng.choice(WORDS).capitalize()]
        length = len(words[0])
        while length < target - 4:
            word = self.rng.choice(WORDS)
            words.append(word)
            length += len(word) + 1
        return " ".join(words)[: target - 1] + self.rng.choice(".?!.")

    def client_id(self) -> str:
        return f"c-{self.rng.getrandbits(64):016x}"

    def visitor(self, tenant_id: str, first_seen: datetime, last_seen: datetime) -> Visitor:
        rng = self.rng
        name = rng.choice(NAMES) if rng.random() < 0.3 else None
        contact = {"email": f"{name or 'kunde'}{rng.randint(1, 9999)}@example.org".lower()}
        return Visitor(
            id=new_id("vis"),
            tenant_id=tenant_id,
            first_seen=first_seen,
            last_seen=last_seen,
            name=name,
            contact=contact if rng.random() < 0.2 else {},
            ip=f"{rng.randint(2, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0",
            country=rng.choice(COUNTRIES),
            user_agent=rng.choice(USER_AGENTS),
        )

    def page_views(self, visitor: Visitor, slug: str, until: datetime) -> list[dict[str, Any]]:
        """2 to 5 views from the visitor's first visit until ``until`` (the last one ends there)."""
        count = self.rng.randint(2, 5)
        step = (until - visitor.first_seen) / count
        views = []
        for i in range(count):
            path, title = self.rng.choice(PAGES)
            entered = visitor.first_seen + step * i
            referrer = "https://www.search.example/" if i == 0 else f"https://www.{slug}.example{PAGES[0][0]}"
            views.append(
                {
                    "_id": new_id("pgv"),
                    "tenant_id": visitor.tenant_id,
                    "visitor_id": visitor.id,
                    "url": f"https://www.{slug}.example{path}",
                    "title": f"{title} | {slug}",
                    "referrer": referrer,
                    "entered_at": entered,
                    "left_at": entered + step,
                }
            )
        return views


# -- filling through the store layer ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    """A tenant and its people."""

    tenant: Tenant
    admin: User
    agents: tuple[User, ...]


def _time(t: datetime) -> datetime:
    return t.replace(microsecond=t.microsecond // 1000 * 1000)  # what both adapters keep (ms)


class Filler:
    """Writes tenants and closed chats through the stores, as the services would have left them.

    ``bulk_messages`` writes each chat's messages with ``Database.load`` (one ``insert_many``, the path of
    ``wschat db copy``) instead of ``MessageStore.append``: on FerretDB the first append of every chat
    looks up the last seq with a scan of all messages, which would make the fill itself take hours.
    """

    def __init__(self, db: Database, rng: random.Random, password_hash: str, *, bulk_messages: bool) -> None:
        self.db = db
        self.stores: Stores = db.stores
        self.invent = Invent(rng)
        self.rng = rng
        self.password_hash = password_hash
        self.bulk_messages = bulk_messages
        self.counts = {"visitors": 0, "page_views": 0, "transitions": 0, "messages": 0}

    async def cast(self, index: int, created_at: datetime) -> Cast:
        slug = f"shop-{index:02d}"
        tenant = Tenant(
            id=new_id("ten"),
            slug=slug,
            name=f"Shop {index:02d} GmbH",
            plan=Plan.CONTRACT,
            status=TenantStatus.ACTIVE,
            created_at=created_at,
            allowed_origins=(f"https://www.{slug}.example",),
        )
        await self.stores.tenants.insert(tenant)
        admin = self._user(tenant, "admin", "Admin", Role.ADMIN, created_at)
        agents = tuple(
            self._user(tenant, f"agent{i}", self.rng.choice(NAMES), Role.AGENT, created_at)
            for i in range(1, AGENTS_PER_TENANT + 1)
        )
        await asyncio.gather(*(self.stores.users.insert(user) for user in (admin, *agents)))
        return Cast(tenant, admin, agents)

    def _user(self, tenant: Tenant, login: str, name: str, role: Role, at: datetime) -> User:
        return User(
            id=new_id("usr"),
            tenant_id=tenant.id,
            login=login,
            display_name=name,
            role=role,
            password_hash=self.password_hash,
            password_version=secrets.token_hex(8),
            created_at=at,
            password_changed_at=at,
        )

    async def chat(self, cast: Cast, at: datetime) -> None:
        """One visitor's closed chat of MESSAGES_PER_CHAT messages, started at ``at``."""
        rng, stores, tenant = self.rng, self.stores, cast.tenant
        agent, other = rng.sample(cast.agents, 2)
        transfer = rng.random() < 0.1
        texts = MESSAGES_PER_CHAT - 2 - transfer
        step = timedelta(seconds=rng.randint(10, 50))
        assigned_at = _time(at + timedelta(seconds=rng.randint(5, 90)))
        closed_at = _time(assigned_at + step * (texts + 2))
        visitor = self.invent.visitor(tenant.id, _time(at - timedelta(minutes=rng.randint(1, 20))), closed_at)
        await stores.visitors.insert(visitor, hash_token(secrets.token_urlsafe(32)))
        views = self.invent.page_views(visitor, tenant.slug, closed_at)
        await asyncio.gather(
            stores.visitors.mark_engaged(tenant.id, visitor.id), *map(stores.pages.insert, views)
        )
        conversation = Conversation(
            id=new_id("cnv"),
            tenant_id=tenant.id,
            visitor_id=visitor.id,
            status=ConversationStatus.QUEUED,
            epoch=0,
            created_at=_time(at),
        )
        await stores.conversations.insert(conversation)
        chat = _Chat(
            self, conversation, Party(SenderKind.VISITOR, visitor.id, visitor.display_name), assigned_at, step
        )
        await chat.assign(agent)
        half = texts // 2 if transfer else texts
        chat.texts(half, agent)
        if transfer:
            await chat.flush()
            await chat.transfer(agent, other)
            agent = other
            chat.texts(texts - half, agent)
        await chat.flush()
        await chat.close(agent, by_visitor=rng.random() < 0.3)
        await asyncio.gather(
            stores.conversations.raise_read_marker(tenant.id, conversation.id, "visitor", chat.seq),
            stores.conversations.raise_read_marker(tenant.id, conversation.id, "agent", chat.seq - 1),
        )
        self.counts["visitors"] += 1
        self.counts["page_views"] += len(views)
        self.counts["messages"] += chat.seq


class _Chat:
    """A chat being written: its conversation as stored, its next seq and time, its unsent messages."""

    def __init__(
        self, filler: Filler, conversation: Conversation, visitor: Party, start: datetime, step: timedelta
    ) -> None:
        self.filler = filler
        self.conversation = conversation
        self.visitor = visitor
        self.at = start
        self.step = step
        self.seq = 0
        self.pending: list[Message] = []

    def message(self, sender: Party, text: str, client_id: str, **extra: Any) -> None:
        self.seq += 1
        c = self.conversation
        self.pending.append(
            Message(
                id=new_id("msg"),
                tenant_id=c.tenant_id,
                conversation_id=c.id,
                seq=self.seq,
                client_id=client_id,
                sender=sender,
                text=text,
                created_at=_time(self.at),
                **{"kind": MessageKind.TEXT, **extra},
            )
        )
        self.at += self.step

    def texts(self, count: int, agent: User) -> None:
        invent = self.filler.invent
        for i in range(count):
            sender = self.visitor if i % 2 == 0 or invent.rng.random() < 0.2 else _party(agent)
            self.message(sender, invent.text(), invent.client_id())

    def system(self, text: str, event: str, data: dict[str, Any], key: str) -> None:
        self.message(SYSTEM, text, f"sys:{key}", kind=MessageKind.SYSTEM, event=event, data=data)

    async def flush(self) -> None:
        """Store the pending messages: all appends of the chat at once (the writer keeps their order)."""
        pending, self.pending = self.pending, []
        filler = self.filler
        if filler.bulk_messages:
            await filler.db.load("messages", [message_doc(m) for m in pending])
            return
        store = filler.stores.messages
        c = self.conversation
        stored = await asyncio.gather(
            *(store.append(c.tenant_id, c.id, m.client_id, _built(m)) for m in pending)
        )
        if [m.seq for m, _ in stored] != [m.seq for m in pending]:
            raise BenchError(f"the appends of {c.id} were numbered out of order")

    async def transition(self, kind: str, state: dict[str, Any], record: dict[str, Any]) -> None:
        self.conversation = await self.filler.stores.conversations.transition(
            self.conversation, kind, state, record, _time(self.at)
        )
        self.filler.counts["transitions"] += 1

    async def assign(self, agent: User) -> None:
        by = _party(agent).to_doc()
        active = ConversationStatus.ACTIVE.value
        await self.transition(
            "auto",
            {"status": active, "agent_id": agent.id, "assigned_at": _time(self.at)},
            {"by": by, "to_agent_id": agent.id},
        )
        name = agent.display_name
        self.system(
            f"{name} joined the chat.", "assigned", {"agent": name}, f"assign:{self.conversation.epoch}"
        )

    async def transfer(self, agent: User, to: User) -> None:
        state = {"status": ConversationStatus.ACTIVE.value, "agent_id": to.id, "assigned_at": _time(self.at)}
        record = {"by": _party(agent).to_doc(), "from_agent_id": agent.id, "to_agent_id": to.id, "note": None}
        await self.transition("transfer", state, record)
        data = {"from": agent.display_name, "to": to.display_name}
        key = f"transfer:{self.conversation.epoch}"
        self.system(f"{to.display_name} has taken over the chat.", "transferred", data, key)
        await self.flush()

    async def close(self, agent: User, *, by_visitor: bool) -> None:
        by = self.visitor if by_visitor else _party(agent)
        state = {
            "status": ConversationStatus.CLOSED.value,
            "closed_at": _time(self.at),
            "closed_by": by.to_doc(),
        }
        await self.transition("close", state, {"by": by.to_doc(), "from_agent_id": agent.id})
        key = f"close:{self.conversation.epoch}"
        if by_visitor:
            self.system("The visitor ended the chat.", "ended_by_visitor", {}, key)
        else:
            name = agent.display_name
            self.system(f"{name} closed the chat.", "closed_by_agent", {"agent": name}, key)
        await self.flush()


def _party(user: User) -> Party:
    return Party(SenderKind.AGENT, user.id, user.display_name, user.photo_url)


def _built(message: Message) -> Callable[[int], Message]:
    def build(seq: int) -> Message:
        return replace(message, seq=seq)

    return build


@dataclass
class FillReport:
    seconds: float
    counts: dict[str, int]
    reused: bool = False

    @property
    def rate(self) -> float:
        return self.counts["messages"] / self.seconds if self.seconds else float("nan")


async def fill(db: Database, shape: Shape, *, concurrency: int, bulk_messages: bool) -> FillReport:
    """The measured tenant first (``shop-00``), then every chat, oldest first, ``concurrency`` at a time."""
    rng = random.Random(20261129)
    password_hash = await passwords.hash_password(PASSWORD)
    filler = Filler(db, rng, password_hash, bulk_messages=bulk_messages)
    now = utc_now()
    start = now - timedelta(days=HISTORY_DAYS + 1)
    casts = [await filler.cast(i, start - timedelta(days=30)) for i in range(shape.tenants)]
    span = timedelta(days=HISTORY_DAYS) / shape.chats
    jobs = iter(range(shape.chats))
    done = itertools.count(1)
    report_every = max(1, shape.chats // 20)
    began = time.perf_counter()

    async def worker() -> None:
        for k in jobs:
            await filler.chat(casts[k % len(casts)], start + span * k)
            if (n := next(done)) % report_every == 0:
                took = time.perf_counter() - began
                rate = filler.counts["messages"] / took
                print(f"  filled {n:,}/{shape.chats:,} chats, {rate:,.0f} messages/s", flush=True)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return FillReport(time.perf_counter() - began, dict(filler.counts))
