"""A real HTTP receiver for webhook tests: aiohttp.web on 127.0.0.1, port 0, keeping every request it got
and answering as the test tells it (a status per request, a redirect, a long body). It can be stopped and
started again on the same port (a CRM that is down for a while)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from aiohttp import web


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 204
    body: bytes = b""
    location: str | None = None


@dataclass
class Receiver:
    received: list[Received] = field(default_factory=list)
    #: Answers in turn; the last one is kept for every later request.
    answers: deque[Answer] = field(default_factory=lambda: deque([Answer()]))
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/crm"

    def answer(self, *answers: Answer) -> None:
        self.answers = deque(answers)

    async def _handle(self, request: web.Request) -> web.Response:
        self.received.append(Received(request.path, dict(request.headers), await request.read()))
        answer = self.answers.popleft() if len(self.answers) > 1 else self.answers[0]
        headers = {"Location": answer.location} if answer.location else None
        return web.Response(status=answer.status, body=answer.body, headers=headers)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
