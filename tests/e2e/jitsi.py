"""A stand-in for a tenant's Jitsi Meet in the browser tests (no Jitsi runs in the suite).

The browser answers ``https://<domain>/`` itself (Playwright's ``context.route``): every room is a meeting
page that speaks Jitsi's iframe protocol the way the real meeting does, in the meeting's own origin. It reads
the hash parameters like jitsi-meet's ``parseURLParams`` (``key=<URI-encoded JSON>``), takes its scope from
``jitsi_meet_external_api_id`` like ``modules/API/constants.js``, and runs postis like jitsi/js-utils
``transport/postis.ts`` (its ``__ready__`` repeated every 50 ms until the parent echoes it, then
``method: "message"`` with ``{type: "event", data: {name, ...}}``). It records the commands it gets
(``window.meeting``) and sends events when a test calls ``emit(name, data)`` inside the frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Frame, Locator, Route

MEETING_SCRIPT = r"""
const params = {};
for (const part of location.hash.slice(1).split('&')) {
  const [key, value] = part.split('=');
  if (key) params[key] = JSON.parse(decodeURIComponent(value));
}
const id = params.jitsi_meet_external_api_id;
const scope = typeof id === 'number' ? `jitsi_meet_external_api_${id}` : undefined;
const meeting = window.meeting = {
  room: decodeURIComponent(location.pathname.slice(1)),
  jwt: new URLSearchParams(location.search).get('jwt'),
  params, ready: false, commands: [],
};
const readyId = `${Date.now()}-${Math.random()}`;
let held = [];
const post = (method, params) =>
  parent.postMessage(JSON.stringify({postis: true, scope, method, params}), '*');
addEventListener('message', (event) => {
  let data;
  try { data = JSON.parse(event.data); } catch (e) { return; }
  if (!data || !data.postis || data.scope !== scope) return;
  if (data.method === '__ready__') {
    if (data.params !== readyId) return post('__ready__', data.params);
    clearInterval(timer);
    meeting.ready = true;
    held.forEach((message) => post('message', message));
    held = [];
  } else if (data.method === 'message' && data.params.type === 'event') {
    meeting.commands.push(data.params.data);
  }
});
const timer = setInterval(() => post('__ready__', readyId), 50);
window.emit = (name, data) => {
  const message = {type: 'event', data: Object.assign({name}, data)};
  meeting.ready ? post('message', message) : held.push(message);
};
"""


def meeting_page(extra_head: str = "") -> str:
    return (
        f"<!doctype html><title>Jitsi Meet</title>{extra_head}<script>{MEETING_SCRIPT}</script><p>meeting</p>"
    )


@dataclass
class Fetched:
    """A request to the Jitsi host: its URL, and the URL of the frame that made it (a page or the meeting)."""

    url: str
    by: str


@dataclass
class StandInJitsi:
    domain: str
    #: Served at ``/external_api.js`` when set (a real Jitsi serves its API script there).
    script: str | None = None
    #: Added to every meeting page's head.
    extra_head: str = ""
    fetched: list[Fetched] = field(default_factory=list)
    #: Bodies posted to ``/report`` (what a hostile script sends home).
    reports: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"https://{self.domain}"

    async def install(self, context: BrowserContext) -> None:
        await context.route(f"{self.origin}/**", self._serve)

    async def _serve(self, route: Route) -> None:
        request = route.request
        self.fetched.append(Fetched(request.url, request.frame.url))
        path = urlsplit(request.url).path
        if path == "/report":
            self.reports.append(request.post_data or "")
            await route.fulfill(status=204)
        elif path == "/external_api.js" and self.script is not None:
            await route.fulfill(body=self.script, content_type="text/javascript")
        elif path.startswith("/wsc-"):
            await route.fulfill(body=meeting_page(self.extra_head), content_type="text/html")
        else:
            await route.fulfill(status=404, body="not found")


async def meeting_in(container: Locator) -> Frame:
    """The meeting frame inside `container`, once its postis handshake with the page is done (polled by time:
    animation frames stall when the machine is busy)."""
    handle = await container.locator("iframe").element_handle()
    frame = await handle.content_frame()
    assert frame is not None, "the meeting iframe has no frame"
    await frame.wait_for_function("() => window.meeting && window.meeting.ready", polling=100)
    return frame
