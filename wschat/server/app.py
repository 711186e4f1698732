"""The application factory: one ASGI app, Quart for HTTP and python-socketio for the sockets.

Resources (the database, the runtime) are opened in Quart's
``while_serving`` and closed there, in reverse order, whatever happens in between. ``socketio.ASGIApp``
forwards the ASGI lifespan to Quart because its own ``on_startup``/``on_shutdown`` stay unset.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable
from typing import Any

import socketio
from quart import Quart, Response

from wschat import __version__
from wschat.accounts.bootstrap import FirstRun, ensure_demo_tenant, forget_changed_password
from wschat.accounts.routes import blueprint as accounts_blueprint
from wschat.agent_data.routes import blueprint as agent_data_blueprint
from wschat.appointments import events as appointment_events
from wschat.appointments.routes import blueprint as appointments_blueprint
from wschat.archive.routes import blueprint as archive_blueprint
from wschat.audit.routes import blueprint as audit_blueprint
from wschat.boundary.http import SERVICES, json_response, require_bearer
from wschat.canned.routes import blueprint as canned_blueprint
from wschat.chat import events as chat_events
from wschat.chat.routes import blueprint as conversations_blueprint
from wschat.clock import Clock, utc_now
from wschat.config import Settings
from wschat.lifecycle.routes import blueprint as operator_blueprint
from wschat.lifecycle.service import RUN_INTERVAL
from wschat.mail.routes import blueprint as mail_blueprint
from wschat.media.routes import blueprint as media_blueprint
from wschat.privacy.logs import install_address_scrubbing
from wschat.proxies import TrustedProxies
from wschat.reports.routes import blueprint as reports_blueprint
from wschat.retention.routes import blueprint as retention_blueprint
from wschat.retention.runner import RUN_INTERVAL as RETENTION_INTERVAL
from wschat.server.http import install_error_handlers, install_security_headers
from wschat.server.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from wschat.server.metrics import instrument
from wschat.server.metrics_listener import MetricsListener
from wschat.server.openapi import openapi_document
from wschat.server.realtime import MAX_PACKET, Realtime
from wschat.server.redis_manager import order_catch_up_after_loss, start_listening
from wschat.server.runtime import Runtime, build_runtime
from wschat.server.socket_headers import is_socket_request, keep_socket_headers
from wschat.signalling import events as call_events
from wschat.signup.routes import blueprint as signup_blueprint
from wschat.storage import Database, open_database
from wschat.storage.legacy import check_no_ferretdb_files
from wschat.subjects.routes import blueprint as subjects_blueprint
from wschat.subjects.widget import blueprint as my_data_blueprint
from wschat.usage.routes import blueprint as operator_stats_blueprint
from wschat.video.routes import blueprint as video_blueprint
from wschat.visitors import events as visitor_events
from wschat.visitors.routes import blueprint as widget_blueprint
from wschat.web.routes import blueprint as web_blueprint
from wschat.webhooks.routes import blueprint as webhooks_blueprint

#: Called once the app serves; gets the demo tenant's credentials on the very first start, else None.
OnReady = Callable[[FirstRun | None], None]


class WsChatApp(socketio.ASGIApp):  # type: ignore[misc]
    """The ASGI app, with handles on its parts for the CLI and the tests."""

    def __init__(self, realtime: Realtime, quart_app: Quart, proxies: TrustedProxies) -> None:
        super().__init__(realtime.sio, other_asgi_app=quart_app)
        self.realtime = realtime
        self.quart = quart_app
        self.proxies = proxies
        #: ``/metrics`` on an address of its own (WSCHAT_METRICS_ADDRESS), while the app serves.
        self.metrics_listener: MetricsListener | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # The client address every part sees (rate limits, stored IPs, Socket.IO's environ) is the one
        # behind a trusted proxy; see wschat.proxies.
        if scope["type"] in ("http", "websocket"):
            self.proxies.apply(scope)
        refusal = _polling_refusal(scope)
        if refusal is not None:
            await _plain(send, *refusal)
            return
        if scope["type"] in ("http", "websocket") and is_socket_request(scope):
            keep_socket_headers(scope)  # the connection keeps its request for as long as it is open
        await super().__call__(scope, receive, send)

    @property
    def runtime(self) -> Runtime:
        rt: Runtime = self.quart.extensions["wschat"]
        return rt


def _polling_refusal(scope: dict[str, Any]) -> tuple[int, bytes] | None:
    """A long-polling POST that Engine.IO must not see: without a length (it would read it to the end), or
    longer than one packet may be (Engine.IO then disconnects the session, and that waits for a poll that
    never comes, holding the request open for good)."""
    if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith("/socket.io"):
        return None
    lengths = [value for name, value in scope.get("headers", []) if name.lower() == b"content-length"]
    if len(lengths) != 1 or not lengths[0].isdigit():
        return 411, b"A Content-Length is required."
    if int(lengths[0]) > MAX_PACKET:
        return 413, b"The packet is too large."
    return None


async def _plain(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings, *, clock: Clock = utc_now, on_ready: OnReady | None = None) -> WsChatApp:
    """Build the app; with ``on_ready`` given, an empty installation gets its demo tenant at start-up."""
    quart_app = Quart("wschat")
    quart_app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    realtime = Realtime(settings)
    chat_events.register(realtime.agents, realtime.visitors, settings)
    visitor_events.register(realtime.agents, realtime.visitors)
    call_events.register(realtime.agents, realtime.visitors, settings)
    appointment_events.register(realtime.agents, realtime.visitors)
    app = WsChatApp(realtime, quart_app, TrustedProxies(settings.server.trusted_proxies))
    if settings.metrics_address is not None:
        app.metrics_listener = MetricsListener(realtime.metrics, settings.metrics_address)
    install_address_scrubbing()
    install_error_handlers(quart_app)
    install_security_headers(quart_app)
    quart_app.register_blueprint(accounts_blueprint)
    quart_app.register_blueprint(agent_data_blueprint)
    quart_app.register_blueprint(widget_blueprint)
    quart_app.register_blueprint(media_blueprint)
    quart_app.register_blueprint(web_blueprint)
    quart_app.register_blueprint(video_blueprint)
    quart_app.register_blueprint(retention_blueprint)
    quart_app.register_blueprint(mail_blueprint)
    quart_app.register_blueprint(canned_blueprint)
    quart_app.register_blueprint(conversations_blueprint)
    quart_app.register_blueprint(archive_blueprint)
    quart_app.register_blueprint(audit_blueprint)
    quart_app.register_blueprint(reports_blueprint)
    quart_app.register_blueprint(subjects_blueprint)
    quart_app.register_blueprint(my_data_blueprint)
    quart_app.register_blueprint(operator_blueprint)
    quart_app.register_blueprint(operator_stats_blueprint)
    quart_app.register_blueprint(signup_blueprint)
    quart_app.register_blueprint(appointments_blueprint)
    quart_app.register_blueprint(webhooks_blueprint)

    @quart_app.get("/api/openapi.json")
    async def openapi() -> Response:
        """The HTTP API as an OpenAPI 3.1 document."""
        return json_response(openapi_document(quart_app, __version__))

    @quart_app.get("/metrics")
    async def metrics() -> Response:
        """Prometheus metrics of this process, for the bearer of WSCHAT_METRICS_TOKEN (else no such page)."""
        require_bearer(settings.metrics_token)
        body = await realtime.metrics.exposition()
        return Response(body, content_type=METRICS_CONTENT_TYPE, headers={"Cache-Control": "no-store"})

    @quart_app.get("/healthz")
    async def healthz() -> Response:
        return json_response({"status": "ok"})

    @quart_app.get("/readyz")
    async def readyz() -> Response:
        rt = app.runtime
        await rt.db.ping()
        failing = [f.to_wire() for f in rt.housekeeping.unhealthy()]
        if (lost := realtime.redis_lost_since()) is not None:
            # At once, not after minutes: every event between processes is dropped meanwhile.
            failing.append({"step": "redis", "since": lost.isoformat(), "failures": 1})
        if failing:
            return json_response({"status": "not_ready", "failing": failing}, 503)
        return json_response({"status": "ready"})

    @quart_app.while_serving
    async def lifespan() -> AsyncGenerator[None, None]:
        db = await open_server_database(settings)
        tasks: list[asyncio.Task[None]] = []
        try:
            rt = await _serve(db)
            tasks = [
                asyncio.create_task(_housekeeping(rt)),
                asyncio.create_task(_keep_alive(rt)),
                asyncio.create_task(_send_mail(rt)),
                asyncio.create_task(_deliver_webhooks(rt)),
            ]
            if app.metrics_listener is not None:
                await app.metrics_listener.start()
            yield
        finally:
            if app.metrics_listener is not None:
                await app.metrics_listener.close()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if (serving := quart_app.extensions.get("wschat")) is not None:
                await serving.close()
            realtime.stop()
            await realtime.close()
            quart_app.extensions.pop("wschat", None)
            quart_app.extensions.pop(SERVICES, None)
            await db.close()

    async def _serve(db: Database) -> Runtime:
        instrument(settings, realtime.metrics, db)
        rt = build_runtime(settings, db, clock, realtime)
        quart_app.extensions["wschat"] = rt
        quart_app.extensions[SERVICES] = rt.services()
        realtime.serve(rt)
        await start_listening(realtime.sio)
        # Announces this process before the first socket arrives. Only the quick steps: a repair pass can take
        # minutes on a loaded database, and a restarted process must serve long before (housekeeping runs it).
        await rt.janitor.keep_alive()
        await forget_changed_password(settings.data_dir, rt.accounts)
        if on_ready is not None:
            on_ready(await ensure_demo_tenant(rt.accounts))
        return rt

    async def _keep_alive(rt: Runtime) -> None:
        # Its own task: a repair pass can take long under load, and a process whose heartbeat lapses for
        # NODE_TIMEOUT is taken for dead by the others. Its steps are isolated inside.
        while True:
            await asyncio.sleep(settings.chat.janitor_interval)
            await rt.janitor.keep_alive()

    async def _housekeeping(rt: Runtime) -> None:
        async def forget_first_password() -> None:
            await forget_changed_password(settings.data_dir, rt.accounts)

        async def order_catch_up() -> None:
            await order_catch_up_after_loss(realtime.sio)

        loop = asyncio.get_running_loop()
        lifecycle_due = loop.time() + RUN_INTERVAL  # not at once: a starting process has more urgent work
        retention_due = loop.time() + RETENTION_INTERVAL

        async def lifecycle() -> None:
            nonlocal lifecycle_due
            if loop.time() >= lifecycle_due:
                lifecycle_due = loop.time() + RUN_INTERVAL
                await rt.lifecycle.run_once()

        async def retention() -> None:
            nonlocal retention_due
            if loop.time() >= retention_due:
                retention_due = loop.time() + RETENTION_INTERVAL
                await rt.retention_runner.run_once()

        steps = (
            ("janitor", rt.janitor.repair_pass),  # its own steps are isolated inside
            ("lifecycle of the tenants", lifecycle),
            ("retention per data category", retention),
            ("expire call invitations", rt.calls.expire_invitations),
            ("leave calls of dead sockets", rt.calls.leave_dead_sockets),
            ("forget the first-run password file", forget_first_password),
            ("delete unconfirmed sign-ups", rt.signup.purge),
            ("take deleted agents' names out of their chats", rt.former_agents.run_once),
            ("clients catch up after a failed publish", order_catch_up),
            ("send appointment reminders", rt.appointments.changes.send_reminders),
        )
        while True:
            await asyncio.sleep(settings.chat.janitor_interval)
            for name, step in steps:
                started = loop.time()
                await rt.housekeeping.run(name, step)
                # A slow step is logged by Steps.run (wschat.housekeeping.SLOW_STEP).
                realtime.metrics.housekeeping(name, loop.time() - started)

    async def _send_mail(rt: Runtime) -> None:
        # Its own task: one mail server that takes its 10 s timeouts must not hold up the janitor. Its
        # failures are isolated and backed off like a housekeeping step's, and count for /readyz alike.
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await rt.housekeeping.run("send queued mail", rt.outbox_worker.run_once)
            realtime.metrics.housekeeping("send queued mail", loop.time() - started)
            await rt.outbox_worker.wait(settings.chat.janitor_interval)

    async def _deliver_webhooks(rt: Runtime) -> None:
        # Its own task, as the mail's: a receiver that takes its 5 s timeouts delays nothing else.
        while True:
            await rt.housekeeping.run("deliver webhooks", rt.webhooks.worker.run_once)
            await rt.webhooks.worker.wait(settings.chat.janitor_interval)

    return app


async def open_server_database(settings: Settings) -> Database:
    """The configured database, opened for serving: for SQLite, the file's process lock is taken (one
    server per file). Raises :class:`~wschat.storage.StorageError` with one line saying what to do."""
    url = settings.database_url
    if url.kind == "sqlite":
        check_no_ferretdb_files(settings.data_dir, url)
    return await open_database(
        url,
        mongo_database=settings.database.mongo_database,
        server=True,
        synchronous=settings.database.sqlite_synchronous,
    )
