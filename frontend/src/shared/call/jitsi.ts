// Jitsi mode (docs/video.md): the meeting runs on the tenant's own Jitsi, in an <iframe> on that host's own
// origin. wsChat never runs a script from the tenant's host: a tenant admin decides what that host serves, and
// on wsChat's origin it could use a signed-in agent's session. So instead of loading the host's
// `external_api.js`, this file speaks the protocol that script speaks to the meeting, following jitsi-meet:
// - modules/API/external/external_api.js (generateURL, _createIFrame, the event and command names, which
//   upstream now keeps in modules/API/external/apiNameMaps.js);
// - react/features/base/util/uri.ts (urlObjectToString: room in the path, `?jwt=`, the hash parameters as
//   `config.<key>=<URI-encoded JSON>`), read back by react/features/base/util/parseURLParams.ts;
// - modules/API/constants.js (the meeting takes its scope from `#jitsi_meet_external_api_id=<number>`);
// - the "postis" transport (jitsi/js-utils transport/postis.ts, PostMessageTransportBackend.ts, Transport.ts,
//   originally adtile/postis): JSON strings `{postis: true, scope, method, params}`; each side repeats
//   `__ready__` with an id of its own until the other echoes it; then `method: "message"` carries
//   `{type: "event", data: {name, ...}}` both ways (a command is an event whose data is `{name, data: args}`).
// Only messages from our iframe's window and the host's origin count, and we post to that origin only.
// Recording, live streaming and transcription are off in the deployment; the overrides hide their buttons.
import * as v from "valibot";
import type { JitsiConnect } from "./schemas";

/** A host name with an optional port, as the server's video settings accept it; no scheme, path or user. */
const HOST = /^(?=.{1,253}(?::|$))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/i;
/** What the iframe may use; Jitsi's own list (`_createIFrame`) plus full screen. */
export const ALLOW = "camera; microphone; display-capture; autoplay; clipboard-write; fullscreen";
const READY = "__ready__";

/**
 * The meeting's events by their wire name, as `JitsiMeetExternalAPI` names them for its listeners: the ones the
 * call views use and a few around them (upstream has many more; add them here when they are needed).
 */
const EVENTS: Record<string, string> = {
  "video-conference-joined": "videoConferenceJoined",
  "video-conference-left": "videoConferenceLeft",
  "video-ready-to-close": "readyToClose",
  "screen-sharing-status-changed": "screenSharingStatusChanged",
};
/** The commands we send, as `executeCommand` names them, by their wire name. */
const COMMANDS: Record<string, string> = { toggleShareScreen: "toggle-share-screen", hangup: "video-hangup" };

const Postis = v.object({ postis: v.literal(true), scope: v.string(), method: v.string(), params: v.unknown() });
const Event = v.object({ type: v.literal("event"), data: v.record(v.string(), v.unknown()) });

export interface JitsiApi {
  addListener(event: string, listener: (...args: unknown[]) => void): void;
  executeCommand(command: string, ...args: unknown[]): void;
  dispose(): void;
}

/** `https://<domain>`; throws for anything that is not a plain host name. */
export function jitsiOrigin(domain: string): string {
  if (!HOST.test(domain)) throw new Error("wsChat: the Jitsi domain is not a host name");
  return new URL(`https://${domain}`).origin;
}

/** The meeting's URL: this invitation's room and token, nothing recorded, and the API id that names the scope. */
export function jitsiUrl(connect: JitsiConnect, id: number, watchOnly: boolean): string {
  const off = { enabled: false };
  const config = {
    fileRecordingsEnabled: false,
    liveStreamingEnabled: false,
    recordingService: off,
    liveStreaming: off,
    transcription: off,
    localRecording: { disable: true },
    disableThirdPartyRequests: true,
    disableDeepLinking: true,
    prejoinConfig: off,
    startWithAudioMuted: watchOnly,
    startWithVideoMuted: watchOnly,
    toolbarButtons: ["microphone", "camera", "desktop", "fullscreen", "hangup", "tileview"],
  };
  const ui = { SHOW_JITSI_WATERMARK: false, SHOW_BRAND_WATERMARK: false };
  const hash = [`jitsi_meet_external_api_id=${id}`, ...params("config", config), ...params("interfaceConfig", ui)];
  const room = encodeURIComponent(connect.room);
  return `${jitsiOrigin(connect.domain)}/${room}?jwt=${encodeURIComponent(connect.jwt)}#${hash.join("&")}`;
}

const params = (prefix: string, values: object): string[] =>
  Object.entries(values).map(([key, value]) => `${prefix}.${key}=${encodeURIComponent(JSON.stringify(value))}`);

/** A message's JSON, or null: the meeting sends strings, anything else is not for us. */
function parse(data: unknown): unknown {
  try {
    return typeof data === "string" ? JSON.parse(data) : null;
  } catch {
    return null;
  }
}

let nextId = 0;

/** Opens the meeting in an iframe inside `parentNode`; throws if the invitation's domain is not a host name. */
export function openJitsi(connect: JitsiConnect, parentNode: HTMLElement, watchOnly: boolean): JitsiApi {
  const id = nextId++;
  const frame = mountFrame(parentNode, jitsiUrl(connect, id, watchOnly));
  const listeners = new Map<string, ((data: unknown) => void)[]>();
  const channel = postis(frame, jitsiOrigin(connect.domain), `jitsi_meet_external_api_${id}`, (name, data) => {
    for (const listener of listeners.get(EVENTS[name] ?? "") ?? []) listener(data);
  });
  return {
    addListener: (event, listener) => listeners.set(event, [...(listeners.get(event) ?? []), listener]),
    executeCommand: (command, ...args) => {
      const name = COMMANDS[command];
      if (name) channel.send({ type: "event", data: { name, data: args } });
    },
    dispose: () => {
      channel.close();
      listeners.clear();
      frame.remove();
    },
  };
}

function mountFrame(parentNode: HTMLElement, url: string): HTMLIFrameElement {
  const frame = parentNode.ownerDocument.createElement("iframe");
  frame.allow = ALLOW;
  frame.title = "Jitsi Meet";
  frame.style.cssText = "width:100%;height:100%;border:0";
  frame.src = url;
  parentNode.append(frame);
  return frame;
}

/**
 * The postis channel to the meeting in `frame`: only messages from that frame's window, from `origin` and in
 * `scope` count; everything we send goes to `origin` only, and waits until the handshake is done.
 */
function postis(frame: HTMLIFrameElement, origin: string, scope: string, onEvent: (name: string, data: object) => void) {
  const view = frame.ownerDocument.defaultView!;
  const readyId = `${Date.now()}-${Math.random()}`;
  let ready = false;
  let waiting: unknown[] = [];
  const post = (method: string, params: unknown) =>
    frame.contentWindow?.postMessage(JSON.stringify({ postis: true, scope, method, params }), origin);

  const receive = (event: MessageEvent) => {
    if (event.source !== frame.contentWindow || event.origin !== origin) return;
    const message = v.safeParse(Postis, parse(event.data));
    if (!message.success || message.output.scope !== scope) return;
    const { method, params } = message.output;
    if (method === READY) {
      // Echo the meeting's id; ours, sent in return, comes back once the meeting listens. (Upstream repeats
      // its own every 50 ms from the start; the meeting repeats its own until we echo it, so answering it is
      // enough, and no timer runs here.)
      if (params === readyId) {
        ready = true;
        for (const queued of waiting) post("message", queued);
        waiting = [];
      } else {
        post(READY, params);
        if (!ready) post(READY, readyId);
      }
    } else if (method === "message") {
      const parsed = v.safeParse(Event, params);
      if (!parsed.success) return;
      const { name, ...data } = parsed.output.data;
      onEvent(String(name), data);
    }
  };
  view.addEventListener("message", receive);
  return {
    send: (params: unknown) => (ready ? post("message", params) : waiting.push(params)),
    close: () => view.removeEventListener("message", receive),
  };
}
