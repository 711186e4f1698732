"""Simulated widgets and consoles: real Socket.IO clients that behave as wsChat's front ends do.

Each reconnects by itself after a lost connection and then catches up exactly as docs/protocol.md §7.2 says
the widget and the console do (and as ``frontend/src/shared/sync.ts`` implements): the widget asks
``chat.current`` and syncs from the ``seq`` it held when the connection came up; the console asks
``chats.list`` and syncs each chat it shows, or reads the newest page of one it has nothing of. Between
reconnects they rely on ``message.new``, and catch up at a gap in the seqs, as the front ends do. What each
shows is kept per conversation as ``seq → text``; the checks at the end compare it with the database.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import socketio

from tests.soak.deployment import PASSWORD, TENANT

View = dict[int, str]


@dataclass
class Sent:
    """A message whose ``message.send`` was acked ok: it must be stored, once, with this seq and text."""

    conversation_id: str
    client_id: str
    seq: int
    text: str


@dataclass
class Tally:
    """What all clients did, for the report."""

    counts: Counter[str] = field(default_factory=Counter)
    ack_ms: list[float] = field(default_factory=list)
    acked: list[Sent] = field(default_factory=list)
    #: When each kill or restart began and ended (UTC).
    timeline: list[str] = field(default_factory=list)
    #: Seconds from the start to the last kill or restart.
    last_fault: float = 0.0

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] += n


async def _waited(stop: asyncio.Event, seconds: float) -> bool:
    """Waits ``seconds``; False if ``stop`` was set before (or meanwhile): time to stop."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return True
    return False


class Backoff:
    """Trying again later: ``Backoff`` of frontend/src/shared/backoff.ts (2, 4, 8 … at most 30 s; one try
    waiting at a time; a reset starts again from the shortest pause)."""

    def __init__(self) -> None:
        self.pause = 1.0
        self._waiting: asyncio.Task[None] | None = None

    def later(self, again: Callable[[], Awaitable[None]]) -> None:
        if self._waiting is not None and not self._waiting.done():
            return
        self.pause = min(self.pause * 2, 30)
        self._waiting = asyncio.create_task(self._after(self.pause, again))

    def reset(self) -> None:
        self.pause = 1.0

    async def _after(self, pause: float, again: Callable[[], Awaitable[None]]) -> None:
        await asyncio.sleep(pause)
        self._waiting = None  # no longer waiting: a try that fails again may ask for the next one
        await again()


class CatchUp:
    """The catch-ups a client owes itself, per conversation: ``CatchUp`` of frontend/src/shared/sync.ts."""

    def __init__(self, sync: Callable[[str, int], Awaitable[bool]]) -> None:
        self._sync = sync
        self._owed: dict[str, int] = {}
        self._running: set[str] = set()
        self._again: set[str] = set()
        self._retries: dict[str, Backoff] = {}

    def owe(self, held: dict[str, int]) -> None:
        """Owed from each seq (unless owed from earlier): at (re)connect, before any later event, from each
        seq held; for a chat just started, from 0."""
        for conversation_id, seq in held.items():
            self._owed.setdefault(conversation_id, seq)

    def received(self, conversation_id: str, seq: int, held: int) -> bool:
        """Before a message.new is kept: whether it leaves a gap (then a catch-up is owed; run it)."""
        if seq <= held + 1:
            return False
        self._owed.setdefault(conversation_id, held)
        return True

    async def run(self, conversation_id: str) -> None:
        if conversation_id in self._running:
            self._again.add(conversation_id)
            return
        self._running.add(conversation_id)
        finished = False
        try:
            while True:
                self._again.discard(conversation_id)
                after = self._owed.get(conversation_id)
                if after is None:
                    return
                finished = await self._sync(conversation_id, after)
                if finished and conversation_id not in self._again:
                    del self._owed[conversation_id]
                if conversation_id not in self._again:
                    break
        finally:
            self._running.discard(conversation_id)
        if finished:
            self._retries.pop(conversation_id, None)
            return
        # Tried again after 2, 4, 8 … at most 30 s while owed, as the front ends do.
        retry = self._retries.setdefault(conversation_id, Backoff())

        async def again() -> None:
            if conversation_id in self._owed:
                await self.run(conversation_id)
            else:
                self._retries.pop(conversation_id, None)

        retry.later(again)


#: How long socket.io-client (the widget's and the console's) waits for a connection to be answered.
CONNECT_TIMEOUT = 20


class PatientClient(socketio.AsyncClient):
    """A python-socketio client that waits for a connection as long as socket.io-client does.

    Its own reconnects call :meth:`connect` without ``wait_timeout``, whose default is 1 s: a server that
    takes longer to answer (a restart's reconnect wave on a loaded database) is given up on and reconnected
    to again and again, each attempt adding the work of a connect and a disconnect — a storm no browser
    makes."""

    async def connect(self, *args: Any, wait_timeout: float = CONNECT_TIMEOUT, **kwargs: Any) -> None:
        await super().connect(*args, wait_timeout=wait_timeout, **kwargs)


class Client:
    """One Socket.IO connection that reconnects by itself and catches up after each (re)connect."""

    def __init__(
        self, url: str, namespace: str, tally: Tally, catch_up: Callable[[], Awaitable[None]]
    ) -> None:
        """``catch_up`` is called in the connect handler, before any later event is handled: what it reads
        of the screen at once is what the screen held when the connection came up."""
        self.url = url
        self.namespace = namespace
        self.tally = tally
        self.sio = PatientClient(
            # socket.io-client's defaults, which the widget and the console keep.
            reconnection=True,
            reconnection_delay=1,
            reconnection_delay_max=5,
            randomization_factor=0.5,
        )
        self._catch_up = catch_up
        self.catching_up: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.trace: list[str] = []
        self._auth: dict[str, Any] = {}
        self._watchdog: asyncio.Task[None] | None = None
        self.connects = 0
        #: A catch-up whose list got no answer is tried again by this.
        self.backoff = Backoff()
        self.sio.on("connect", self._connected, namespace=namespace)
        self.sio.on("disconnect", lambda *why: self.note(f"disconnected {why}"), namespace=namespace)
        self.sio.on("connect_error", self._refused, namespace=namespace)

    async def _refused(self, data: Any) -> None:
        """A refused connect (python-socketio's reconnect loop tries again by itself)."""
        code = data.get("data", data).get("code") if isinstance(data, dict) else None
        self.note(f"connect refused: {code}")
        # A server's refusal carries a code; a string is python-socketio's own (nobody listening: restarting).
        self.tally.add(f"connect {code or 'NO_SERVER'}")

    def on(self, event: str, handler: Callable[[Any], Awaitable[None]]) -> None:
        self.sio.on(event, handler, namespace=self.namespace)

    async def open(self, auth: dict[str, Any]) -> None:
        self._auth = auth
        await self.sio.connect(self.url, namespaces=[self.namespace], auth=auth, transports=["websocket"])
        self._watchdog = asyncio.create_task(self._keep_trying())

    async def _keep_trying(self) -> None:
        """python-socketio's reconnect loop ends for good when a connect attempt raises anything but its own
        ConnectionError (a reset during the handshake, under load); socket.io-client in a browser never
        stops trying. So when the client is away with no reconnect loop running, this starts over."""
        while True:
            await asyncio.sleep(5)
            loop = self.sio._reconnect_task
            if self.connected or not self.sio.reconnection or (loop is not None and not loop.done()):
                continue
            self.note("reconnect loop gone: connecting again")
            self.tally.add("reconnect loops restarted")
            try:
                await self.sio.disconnect()
                await self.sio.connect(
                    self.url,
                    namespaces=[self.namespace],
                    auth=self._auth,
                    transports=["websocket"],
                    wait_timeout=CONNECT_TIMEOUT,
                )
            except Exception as error:
                self.note(f"connecting again failed: {error!r}")

    @property
    def connected(self) -> bool:
        return self.namespace in self.sio.namespaces

    @property
    def sid(self) -> str | None:
        return self.sio.get_sid(self.namespace) if self.connected else None

    def later(self, again: Callable[[], Awaitable[None]]) -> None:
        """After a catch-up's list got no answer: tried again after 2, 4 … 30 s while connected, as the front
        ends do; one waiting at a time."""

        async def if_connected() -> None:
            if self.connected:
                await again()

        self.backoff.later(if_connected)
        self.note(f"catch-up again in {self.backoff.pause:.0f} s")

    def note(self, what: str) -> None:
        """A line of this client's trace (the last ones are shown with an anomaly it has)."""
        self.trace.append(f"{datetime.now(UTC):%H:%M:%S.%f} {what}")
        del self.trace[:-200]

    async def _connected(self) -> None:
        self.note(f"connected as {self.sid}")
        self.connects += 1
        if self.connects > 1:
            self.tally.add("reconnects")
        self.catching_up = self.spawn(self._catch_up())

    def spawn(self, job: Awaitable[Any]) -> asyncio.Task[None]:
        """Runs ``job`` beside the event handlers: an ack cannot be awaited inside one."""
        task = asyncio.create_task(self._guarded(job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _guarded(self, job: Awaitable[Any]) -> None:
        try:
            await job
        except (TimeoutError, socketio.exceptions.SocketIOError):
            self.tally.add("catch-ups cut short")  # the next reconnect catches up again

    async def call(
        self, event: str, data: dict[str, Any] | None = None, timeout: float = 10
    ) -> dict[str, Any]:
        """The ack; ``{"ok": False, "error": {"code": "NO_ACK"}}`` when the socket is away or no ack came."""
        if not self.connected:
            return {"ok": False, "error": {"code": "NO_ACK"}}
        try:
            reply: dict[str, Any] = await self.sio.call(
                event, data or {}, namespace=self.namespace, timeout=timeout
            )
        except (TimeoutError, socketio.exceptions.SocketIOError):
            reply = {"ok": False, "error": {"code": "NO_ACK"}}
        if not reply.get("ok"):
            self.tally.add(f"{event} {reply['error']['code']}")
            about = (data or {}).get("conversation_id", "")
            self.note(f"{event} {about} refused: {reply['error']['code']}")
        return reply

    async def sync(self, conversation_id: str, view: View, after: int | None = None) -> bool:
        """``messages.sync`` after ``after`` (default: the highest seq in ``view``), page after page from the
        last seq each page returned, as ``frontend/src/shared/sync.ts``; whether it completed."""
        after = max(view, default=0) if after is None else after
        while True:
            reply = await self.call("messages.sync", {"conversation_id": conversation_id, "after_seq": after})
            if not reply["ok"]:
                self.note(f"sync {conversation_id} after {after}: {reply['error']['code']}")
                return False
            view.update({m["seq"]: m["text"] for m in reply["messages"]})
            self.note(f"sync {conversation_id} after {after}: {[m['seq'] for m in reply['messages']]}")
            if len(reply["messages"]) < 500:
                return True
            after = reply["messages"][-1]["seq"]

    def drop(self) -> bool:
        """The network goes away under the socket: its TCP connection is aborted, no close is sent. The client
        notices and reconnects by itself, as a browser does. False if it was not connected."""
        ws = getattr(self.sio.eio, "ws", None)
        connection = getattr(ws, "_conn", None)
        if not self.connected or connection is None or connection.transport is None:
            return False
        connection.transport.abort()
        return True

    async def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        await self.sio.disconnect()

    async def send(
        self,
        conversation_id: str,
        client_id: str,
        text: str,
        until: float,
        on_ack: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> str:
        """Sends until acked, resending the same client_id after a failure (§7.4); the outcome's code. The
        acked message goes on the screen through ``on_ack``, as the front ends take it from the ack (the
        sending socket gets no ``message.new`` for it, docs/protocol.md §6.1, rooms)."""
        payload = {"conversation_id": conversation_id, "client_id": client_id, "text": text}
        tries = 0
        while time.monotonic() < until:
            tries += 1
            started = time.monotonic()
            reply = await self.call("message.send", payload)
            if reply["ok"]:
                message = reply["message"]
                self.tally.ack_ms.append((time.monotonic() - started) * 1000)
                self.tally.acked.append(Sent(conversation_id, client_id, message["seq"], message["text"]))
                self.tally.add("resent then acked" if tries > 1 else "acked at once")
                await on_ack({"message": message})
                return "ok"
            code: str = reply["error"]["code"]
            if code in ("CONVERSATION_CLOSED", "FORBIDDEN", "NOT_FOUND"):
                return code  # the chat ended or moved on meanwhile: not an error of the send
            await asyncio.sleep(1)
        self.tally.add("sends given up")
        return "GIVEN_UP"


class Visitor:
    """A website visitor: opens a chat, writes now and then, sometimes ends the chat and starts another."""

    def __init__(self, n: int, url: str, tally: Tally, rng: random.Random) -> None:
        self.n = n
        self.url = url
        self.tally = tally
        self.rng = rng
        self.client = Client(url, "/visitor", tally, self._on_connect)
        self.catch_ups = CatchUp(
            lambda cid, after: self.client.sync(cid, self.views.setdefault(cid, {}), after)
        )
        self.conversation_id: str | None = None
        self.views: dict[str, View] = {}
        self._count = 0
        self.client.on("message.new", self._message)
        self.client.on("chat.ended", self._ended)

    async def open(self, http: aiohttp.ClientSession) -> None:
        async with http.post(f"{self.url}/api/widget/{TENANT}/session", json={"token": None}) as reply:
            assert reply.status in (200, 201), await reply.text()
            token = (await reply.json())["token"]
        await self.client.open({"tenant": TENANT, "token": token})

    async def _message(self, data: dict[str, Any]) -> None:
        message = data["message"]
        self.client.note(f"message.new {message['conversation_id']} {message['seq']}")
        conversation_id = message["conversation_id"]
        view = self.views.get(conversation_id)
        if view is not None and conversation_id == self.conversation_id:
            if self.catch_ups.received(conversation_id, message["seq"], max(view, default=0)):
                self.client.spawn(self.catch_ups.run(conversation_id))
            view[message["seq"]] = message["text"]

    async def _ended(self, data: dict[str, Any]) -> None:
        conversation_id = data["conversation_id"]
        if conversation_id == self.conversation_id:
            self.conversation_id = None
        # As the widget does: the closing message may have raced ahead of this event, so sync the chat.
        if conversation_id in self.views:
            self.client.spawn(self.client.sync(conversation_id, self.views[conversation_id]))

    def _on_connect(self) -> Awaitable[None]:
        shown = self.conversation_id
        if shown:
            self.catch_ups.owe({shown: max(self.views.get(shown, {}), default=0)})
        return self._catch_up()

    async def _catch_up(self) -> None:
        reply = await self.client.call("chat.current")
        if not reply["ok"]:
            self.client.later(self._catch_up)
            return
        self.client.backoff.reset()
        current = reply["conversation"]
        if current is None:
            self.conversation_id = None
            return
        self.conversation_id = current["id"]
        # As the widget: from what it holds of it (nothing, for a chat whose chat.start went unanswered).
        view = self.views.setdefault(current["id"], {})
        self.catch_ups.owe({current["id"]: max(view, default=0)})
        await self.catch_ups.run(current["id"])

    async def run(
        self, stop: asyncio.Event, pause: tuple[float, float], until: float, arrive: float = 0
    ) -> None:
        if await _waited(stop, arrive):
            await self.step(until)  # arrives: starts a chat
        while await _waited(stop, self.rng.uniform(*pause)):
            await self.step(until)

    async def step(self, until: float) -> None:
        if self.conversation_id is None:
            reply = await self.client.call("chat.start", {"alias": f"Visitor {self.n}"})
            if reply["ok"]:
                self.conversation_id = reply["conversation"]["id"]
                self.tally.add("chats started")
                # As the widget does: what was said before this ack (the assignment) comes by a catch-up,
                # owed until it finishes.
                self.views.setdefault(self.conversation_id, {})
                self.catch_ups.owe({self.conversation_id: 0})
                await self.catch_ups.run(self.conversation_id)
            return
        if self.rng.random() < 0.02:
            if (await self.client.call("chat.end", {"conversation_id": self.conversation_id}))["ok"]:
                self.tally.add("chats ended by visitors")
                self.conversation_id = None
            return
        self._count += 1
        client_id = f"v{self.n}-{self._count}"
        text = f"{client_id}: hello"
        outcome = await self.client.send(self.conversation_id, client_id, text, until, self._message)
        if outcome == "CONVERSATION_CLOSED":
            self.conversation_id = None


class Agent:
    """A console user: answers the chats routed to them, sometimes hands one to a colleague or closes it."""

    def __init__(self, n: int, login: str, url: str, tally: Tally, rng: random.Random) -> None:
        self.n = n
        self.login = login
        self.url = url
        self.tally = tally
        self.rng = rng
        self.client = Client(url, "/agent", tally, self._on_connect)
        self.catch_ups = CatchUp(lambda cid, after: self.client.sync(cid, self.held.get(cid, {}), after))
        self.user_id = ""
        #: The chats this console shows, each as seq → text.
        self.held: dict[str, View] = {}
        self.transfers = 0
        #: Chats it showed before they were handed on or closed: what it showed must still match the store.
        self.former: dict[str, View] = {}
        self._unanswered: set[str] = set()
        #: The epoch of each chat as last shown: an older view of a chat that left does not bring it back.
        self._epochs: dict[str, int] = {}
        self._count = 0
        self.client.on("chat.assigned", self._assigned)
        self.client.on("chat.transferred", self._gone)
        self.client.on("chat.ended", self._gone)
        self.client.on("message.new", self._message)

    async def open(self, http: aiohttp.ClientSession) -> None:
        body = {"tenant": TENANT, "login": self.login, "password": PASSWORD}
        async with http.post(f"{self.url}/api/auth/login", json=body) as reply:
            assert reply.status == 200, await reply.text()
            login = await reply.json()
        self.user_id = login["user"]["id"]
        await self.client.open({"token": login["token"]})
        assert (await self.client.call("status.set", {"status": "online"}))["ok"]

    def _hold(self, conversation_id: str) -> View:
        self.former.pop(conversation_id, None)
        return self.held.setdefault(conversation_id, {})

    def _release(self, conversation_id: str) -> None:
        view = self.held.pop(conversation_id, None)
        if view is not None:
            self.former[conversation_id] = view
        self._unanswered.discard(conversation_id)

    async def _assigned(self, data: dict[str, Any]) -> None:
        conversation = data["conversation"]
        self.client.note(f"chat.assigned {conversation['id']} epoch {conversation['epoch']}")
        if conversation["agent"] and conversation["agent"]["id"] == self.user_id:
            self._epochs[conversation["id"]] = conversation["epoch"]
            self._hold(conversation["id"]).update({m["seq"]: m["text"] for m in data["messages"]})
            self._unanswered.add(conversation["id"])

    async def _gone(self, data: dict[str, Any]) -> None:
        self.client.note(f"gone {data['conversation_id']}")
        self._release(data["conversation_id"])

    async def _message(self, data: dict[str, Any]) -> None:
        message = data["message"]
        self.client.note(f"message.new {message['conversation_id']} {message['seq']}")
        view = self.held.get(message["conversation_id"])
        if view is not None:
            if view and self.catch_ups.received(message["conversation_id"], message["seq"], max(view)):
                self.client.spawn(self.catch_ups.run(message["conversation_id"]))
            view[message["seq"]] = message["text"]
            if message["sender"]["kind"] == "visitor":
                self._unanswered.add(message["conversation_id"])

    def _on_connect(self) -> Awaitable[None]:
        self.catch_ups.owe({cid: max(view) for cid, view in self.held.items() if view})
        return self._catch_up()

    async def _catch_up(self) -> None:
        reply = await self.client.call("chats.list")
        if not reply["ok"]:
            self.client.later(self._catch_up)
            return
        self.client.backoff.reset()
        # As the console: a chat that left (transferred, ended) comes back only with a newer epoch; this
        # answer may have been read before it left and arrive after the event that said so.
        listed = {
            c["id"]
            for c in reply["conversations"]
            if c["id"] not in self.former or c["epoch"] > self._epochs.get(c["id"], 0)
        }
        for c in reply["conversations"]:
            if c["id"] in listed:
                self._epochs[c["id"]] = max(self._epochs.get(c["id"], 0), c["epoch"])
        # At once, as the console's reducer: events handled while the catch-ups below wait for their answers
        # (a chat.ended, say) must not be undone by this older list.
        for conversation_id in set(self.held) - listed:
            self._release(conversation_id)
        views = {conversation_id: self._hold(conversation_id) for conversation_id in listed}
        for conversation_id, view in views.items():
            if conversation_id not in self.held:
                continue  # gone meanwhile
            if view:
                await self.catch_ups.run(conversation_id)
            else:
                page = await self.client.call("messages.before", {"conversation_id": conversation_id})
                if page["ok"]:
                    view.update({m["seq"]: m["text"] for m in page["messages"]})

    async def run(
        self, stop: asyncio.Event, pause: tuple[float, float], until: float, colleagues: list[str]
    ) -> None:
        while await _waited(stop, self.rng.uniform(*pause)):
            await self.step(until, colleagues)

    async def step(self, until: float, colleagues: list[str]) -> None:
        if not self.held:
            return
        roll = self.rng.random()
        chosen = self.rng.choice(sorted(self.held))
        if roll < 0.03:
            target = self.rng.choice([c for c in colleagues if c != self.user_id])
            # Numbered: a chat handed back and forth gets each note once (no text is stored twice).
            self.transfers += 1
            note = f"From {self.login}, hand-over {self.transfers}."
            payload = {"conversation_id": chosen, "to_agent_id": target, "note": note}
            if (await self.client.call("chat.transfer", payload))["ok"]:
                self.tally.add("transfers")
                self.client.note(f"transferred {chosen}")
                self._release(chosen)
        elif roll < 0.05:
            if (await self.client.call("chat.close", {"conversation_id": chosen}))["ok"]:
                self.tally.add("chats closed by agents")
                self.client.note(f"closed {chosen}")
                self._release(chosen)
        elif self._unanswered:
            conversation_id = self.rng.choice(sorted(self._unanswered))
            self._unanswered.discard(conversation_id)
            self._count += 1
            client_id = f"a{self.n}-{self._count}"
            text = f"{client_id}: how can I help?"
            await self.client.send(conversation_id, client_id, text, until, self._message)
