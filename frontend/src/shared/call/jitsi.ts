// Jitsi mode (docs/video.md): the meeting runs on the tenant's own Jitsi. Its `external_api.js` comes from
// the host named in the invitation and from nowhere else (never a CDN); the room and the token are the
// invitation's. Recording, live streaming and transcription are off in the deployment; the overrides below
// hide their buttons as well.
import type { JitsiConnect } from "./schemas";

/** A host name with an optional port, as the server's video settings accept it; no scheme, path or user. */
const HOST = /^(?=.{1,253}(?::|$))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/i;

export interface JitsiApi {
  addListener(event: string, listener: (...args: unknown[]) => void): void;
  executeCommand(command: string, ...args: unknown[]): void;
  dispose(): void;
}
type JitsiConstructor = new (domain: string, options: object) => JitsiApi;

/** `https://<domain>/external_api.js`; throws for anything that is not a plain host name. */
export function jitsiScriptUrl(domain: string): string {
  if (!HOST.test(domain)) throw new Error("wsChat: the Jitsi domain is not a host name");
  return `https://${domain.toLowerCase()}/external_api.js`;
}

/** The options for `new JitsiMeetExternalAPI(domain, …)`: this invitation's room and token, nothing recorded. */
export function jitsiOptions(connect: JitsiConnect, parentNode: HTMLElement, watchOnly: boolean): object {
  const off = { enabled: false };
  return {
    roomName: connect.room,
    jwt: connect.jwt,
    parentNode,
    width: "100%",
    height: "100%",
    configOverwrite: {
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
    },
    interfaceConfigOverwrite: { SHOW_JITSI_WATERMARK: false, SHOW_BRAND_WATERMARK: false },
  };
}

const loading = new Map<string, Promise<JitsiConstructor>>();

/** Loads the tenant's `external_api.js` once per host (a `<script>` in the page's head). */
export function loadJitsi(domain: string, doc: Document = document): Promise<JitsiConstructor> {
  const src = jitsiScriptUrl(domain);
  let promise = loading.get(src);
  if (!promise) {
    promise = new Promise((resolve, reject) => {
      const script = doc.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => {
        const api = (doc.defaultView as (Window & { JitsiMeetExternalAPI?: JitsiConstructor }) | null)?.JitsiMeetExternalAPI;
        if (api) resolve(api);
        else reject(new Error("wsChat: the Jitsi script did not define JitsiMeetExternalAPI"));
      };
      script.onerror = () => {
        loading.delete(src);
        reject(new Error("wsChat: the Jitsi script did not load"));
      };
      doc.head.append(script);
    });
    loading.set(src, promise);
  }
  return promise;
}

/** Opens the meeting inside `parentNode`. */
export async function openJitsi(connect: JitsiConnect, parentNode: HTMLElement, watchOnly: boolean): Promise<JitsiApi> {
  const Api = await loadJitsi(connect.domain, parentNode.ownerDocument);
  return new Api(connect.domain, jitsiOptions(connect, parentNode, watchOnly));
}
