import { describe, expect, it } from "vitest";
import { ALLOW, jitsiOrigin, jitsiUrl, openJitsi } from "./jitsi";

const connect = { domain: "meet.example.eu", room: "wsc-3f9a0c1b2d4e5f60718293a4b5c6d7e8", jwt: "a.b.c" };
const ORIGIN = "https://meet.example.eu";

/** The hash parameters the way the meeting reads them (jitsi-meet's parseURLParams: `key=<URI-encoded JSON>`). */
function hashParams(url: string): Record<string, unknown> {
  const hash = new URL(url).hash.slice(1);
  return Object.fromEntries(hash.split("&").map((part) => part.split("=")).map(([k, v]) => [k, JSON.parse(decodeURIComponent(v!))]));
}

interface Posted {
  message: { postis: boolean; scope: string; method: string; params: unknown };
  origin: string;
}

/**
 * Just enough of a browser for openJitsi: a document that makes one iframe, the iframe's window (which records
 * what is posted to it), and the page's window, which delivers message events like the browser does.
 */
function fakePage() {
  const posted: Posted[] = [];
  const meeting = { postMessage: (data: string, origin: string) => posted.push({ message: JSON.parse(data), origin }) };
  const handlers = new Set<(event: object) => void>();
  const view = {
    addEventListener: (type: string, handler: (event: object) => void) => type === "message" && handlers.add(handler),
    removeEventListener: (type: string, handler: (event: object) => void) => type === "message" && handlers.delete(handler),
  };
  const document = { defaultView: view, createElement: (tag: string) => (tag === "iframe" ? frame : null) };
  const frame = {
    ownerDocument: document,
    allow: "",
    title: "",
    style: { cssText: "" },
    src: "",
    contentWindow: meeting as object | null,
    removed: false,
    remove() {
      this.removed = true;
      this.contentWindow = null; // as a browser does for a detached iframe
    },
  };
  const children: unknown[] = [];
  const parent = { ownerDocument: document, append: (child: unknown) => children.push(child) };

  const scope = () => `jitsi_meet_external_api_${hashParams(frame.src).jitsi_meet_external_api_id}`;
  /** A postMessage event as the browser delivers it; by default from the meeting, in the meeting's scope. */
  const deliver = (event: { source?: unknown; origin?: string; data: unknown }) => {
    for (const handler of [...handlers]) handler({ source: meeting, origin: ORIGIN, ...event });
  };
  const fromMeeting = (method: string, params: unknown, event: { source?: unknown; origin?: string } = {}) =>
    deliver({ ...event, data: JSON.stringify({ postis: true, scope: scope(), method, params }) });
  /** The postis handshake, done the way the meeting does it: its id, echoed; then ours, echoed back. */
  const handshake = () => {
    fromMeeting("__ready__", "meeting-1");
    const ours = posted.find((p) => p.message.method === "__ready__" && p.message.params !== "meeting-1");
    fromMeeting("__ready__", ours!.message.params);
  };
  return { posted, meeting, frame, handlers, children, parent: parent as unknown as HTMLElement, scope, deliver, fromMeeting, handshake };
}

const messages = (posted: Posted[]) => posted.filter((p) => p.message.method === "message").map((p) => p.message.params);

describe("the Jitsi meeting URL", () => {
  it("is the invitation's room on its host, with its token, over https", () => {
    const url = new URL(jitsiUrl(connect, 0, false));
    expect(url.origin).toBe(ORIGIN);
    expect(url.pathname).toBe(`/${connect.room}`);
    expect(url.searchParams.get("jwt")).toBe(connect.jwt);
    expect(jitsiOrigin("Meet.Example.EU:8443")).toBe("https://meet.example.eu:8443");
    expect(jitsiOrigin("meet.example.eu:443")).toBe(ORIGIN); // as browsers write the origin of messages
  });

  it("names the API id, keeps recording off and mutes a watcher, in the hash the meeting parses", () => {
    const params = hashParams(jitsiUrl(connect, 7, false));
    expect(params.jitsi_meet_external_api_id).toBe(7); // a number: the meeting then listens in scope _7
    expect(params["config.fileRecordingsEnabled"]).toBe(false);
    expect(params["config.liveStreamingEnabled"]).toBe(false);
    expect(params["config.recordingService"]).toEqual({ enabled: false });
    expect(params["config.localRecording"]).toEqual({ disable: true });
    expect(params["config.toolbarButtons"]).not.toContain("recording");
    expect(params["config.startWithVideoMuted"]).toBe(false);
    expect(params["interfaceConfig.SHOW_JITSI_WATERMARK"]).toBe(false);
    expect(hashParams(jitsiUrl(connect, 7, true))["config.startWithAudioMuted"]).toBe(true);
  });

  it("refuses anything that is not a plain host name, and then opens nothing", () => {
    for (const bad of [
      "",
      "https://meet.example.eu",
      "meet.example.eu/evil.js",
      "evil.example@meet.example.eu",
      "meet.example.eu?x",
      "meet.example.eu#x",
      "//cdn.example.com",
      "meet example.eu",
      "-meet.example.eu",
      "meet..example.eu",
      "meet.example.eu:",
    ]) {
      expect(() => jitsiOrigin(bad), bad).toThrow();
      const page = fakePage();
      expect(() => openJitsi({ ...connect, domain: bad }, page.parent, false), bad).toThrow();
      expect(page.children, bad).toEqual([]);
      expect(page.handlers.size, bad).toBe(0);
    }
  });
});

describe("the Jitsi meeting in an iframe", () => {
  it("puts the meeting into an iframe on the Jitsi host with the media it may use", () => {
    const page = fakePage();
    openJitsi(connect, page.parent, false);
    expect(page.children).toEqual([page.frame]);
    expect(page.frame.src.startsWith(`${ORIGIN}/${connect.room}?jwt=a.b.c#jitsi_meet_external_api_id=`)).toBe(true);
    expect(page.frame.allow).toBe(ALLOW);
    expect(ALLOW.split("; ")).toEqual(["camera", "microphone", "display-capture", "autoplay", "clipboard-write", "fullscreen"]);
  });

  it("gives each meeting an id of its own", () => {
    const one = fakePage();
    const two = fakePage();
    openJitsi(connect, one.parent, false);
    openJitsi(connect, two.parent, false);
    expect(one.scope()).not.toBe(two.scope());
  });

  it("answers the meeting's __ready__, then sends the commands it held, to the Jitsi origin only", () => {
    const page = fakePage();
    const api = openJitsi(connect, page.parent, true);
    api.executeCommand("toggleShareScreen");
    expect(page.posted).toEqual([]); // nothing before the meeting listens

    page.fromMeeting("__ready__", "meeting-1");
    const readies = page.posted.map((p) => p.message);
    expect(readies.map((m) => [m.postis, m.scope, m.method])).toEqual([
      [true, page.scope(), "__ready__"],
      [true, page.scope(), "__ready__"],
    ]);
    expect(readies[0]!.params).toBe("meeting-1"); // its id echoed
    const ours = readies[1]!.params;
    expect(ours).not.toBe("meeting-1");
    expect(messages(page.posted)).toEqual([]); // still held: the meeting has not echoed ours

    page.fromMeeting("__ready__", ours);
    api.executeCommand("hangup");
    expect(messages(page.posted)).toEqual([
      { type: "event", data: { name: "toggle-share-screen", data: [] } },
      { type: "event", data: { name: "video-hangup", data: [] } },
    ]);
    expect(new Set(page.posted.map((p) => p.origin))).toEqual(new Set([ORIGIN]));
  });

  it("sends no command it does not know", () => {
    const page = fakePage();
    const api = openJitsi(connect, page.parent, false);
    page.handshake();
    api.executeCommand("startRecording");
    api.executeCommand("toggle-share-screen"); // a wire name is not an API name
    expect(messages(page.posted)).toEqual([]);
  });

  it("passes the meeting's events to listeners by their API names, with their data", () => {
    const page = fakePage();
    const api = openJitsi(connect, page.parent, false);
    const heard: [string, unknown][] = [];
    for (const name of ["videoConferenceJoined", "videoConferenceLeft", "readyToClose", "screenSharingStatusChanged"])
      api.addListener(name, (data) => heard.push([name, data]));
    page.handshake();
    const event = (data: object) => page.fromMeeting("message", { type: "event", data });
    event({ name: "video-conference-joined", roomName: connect.room, id: "a1b2" });
    event({ name: "screen-sharing-status-changed", on: true });
    event({ name: "participant-kicked-out" }); // not one we listen to
    event({ name: "video-conference-left", roomName: connect.room });
    event({ name: "video-ready-to-close" });
    expect(heard).toEqual([
      ["videoConferenceJoined", { roomName: connect.room, id: "a1b2" }],
      ["screenSharingStatusChanged", { on: true }],
      ["videoConferenceLeft", { roomName: connect.room }],
      ["readyToClose", {}],
    ]);
  });

  it("ignores messages from any other window, origin or scope, and anything that is not postis", () => {
    const page = fakePage();
    const api = openJitsi(connect, page.parent, false);
    let closed = 0;
    api.addListener("readyToClose", () => closed++);
    page.handshake();
    const before = page.posted.length;
    const close = { type: "event", data: { name: "video-ready-to-close" } };
    const otherWindow = { postMessage: () => {} };
    page.fromMeeting("message", close, { source: otherWindow }); // e.g. the page itself, or another frame
    page.fromMeeting("message", close, { source: null });
    page.fromMeeting("message", close, { origin: "https://evil.example" });
    page.fromMeeting("message", close, { origin: "http://meet.example.eu" });
    page.fromMeeting("message", close, { origin: "https://meet.example.eu.evil.example" });
    page.fromMeeting("__ready__", "someone", { origin: "https://evil.example" }); // no echo either
    const raw = (message: object) => page.deliver({ data: JSON.stringify(message) });
    raw({ postis: true, scope: "jitsi_meet_external_api_99", method: "message", params: close });
    raw({ scope: page.scope(), method: "message", params: close });
    raw({ postis: true, scope: page.scope(), method: "message", params: { type: "request", data: close.data } });
    page.deliver({ data: { postis: true, scope: page.scope(), method: "message", params: close } }); // not a string
    page.deliver({ data: "{not json" });
    expect(closed).toBe(0);
    expect(page.posted.length).toBe(before);

    page.fromMeeting("message", close); // the same message from the meeting counts
    expect(closed).toBe(1);
  });

  it("removes the iframe and stops listening when disposed", () => {
    const page = fakePage();
    const api = openJitsi(connect, page.parent, false);
    let closed = 0;
    api.addListener("readyToClose", () => closed++);
    page.handshake();
    const before = page.posted.length;
    api.dispose();
    expect(page.frame.removed).toBe(true);
    expect(page.handlers.size).toBe(0);
    page.fromMeeting("message", { type: "event", data: { name: "video-ready-to-close" } });
    api.executeCommand("hangup");
    expect(closed).toBe(0);
    expect(page.posted.length).toBe(before);
  });
});
