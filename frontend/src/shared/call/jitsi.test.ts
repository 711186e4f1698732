import { describe, expect, it } from "vitest";
import { jitsiOptions, jitsiScriptUrl, loadJitsi } from "./jitsi";

const connect = { domain: "meet.example.eu", room: "wsc-3f9a0c1b2d4e5f60718293a4b5c6d7e8", jwt: "a.b.c" };

/** Just enough of a document for loadJitsi: it records the appended script and can "load" it. */
function fakeDocument() {
  const scripts: { src: string; onload?: () => void; onerror?: () => void }[] = [];
  const view: { JitsiMeetExternalAPI?: unknown } = {};
  const doc = {
    defaultView: view,
    createElement: () => ({}),
    head: { append: (script: (typeof scripts)[number]) => scripts.push(script) },
  };
  return { doc: doc as unknown as Document, scripts, view };
}

describe("the Jitsi loader", () => {
  it("loads external_api.js from the invitation's host, over https", () => {
    expect(jitsiScriptUrl("meet.example.eu")).toBe("https://meet.example.eu/external_api.js");
    expect(jitsiScriptUrl("Meet.Example.EU:8443")).toBe("https://meet.example.eu:8443/external_api.js");
  });

  it("refuses anything that is not a plain host name", () => {
    for (const bad of [
      "",
      "https://meet.example.eu",
      "meet.example.eu/evil.js",
      "evil.example@meet.example.eu",
      "meet.example.eu?x",
      "//cdn.example.com",
      "meet example.eu",
      "-meet.example.eu",
      "meet..example.eu",
      "meet.example.eu:",
    ])
      expect(() => jitsiScriptUrl(bad), bad).toThrow();
  });

  it("passes the invitation's room and token, and keeps recording off", () => {
    const parent = {} as HTMLElement;
    const options = jitsiOptions(connect, parent, false) as Record<string, unknown>;
    expect(options.roomName).toBe(connect.room);
    expect(options.jwt).toBe(connect.jwt);
    expect(options.parentNode).toBe(parent);
    const config = options.configOverwrite as Record<string, unknown>;
    expect(config.fileRecordingsEnabled).toBe(false);
    expect(config.liveStreamingEnabled).toBe(false);
    expect(config.recordingService).toEqual({ enabled: false });
    expect(config.toolbarButtons).not.toContain("recording");
  });

  it("injects one script per host and resolves with JitsiMeetExternalAPI", async () => {
    const { doc, scripts, view } = fakeDocument();
    const first = loadJitsi("meet.one.example", doc);
    const again = loadJitsi("meet.one.example", doc);
    expect(scripts.map((s) => s.src)).toEqual(["https://meet.one.example/external_api.js"]);
    const api = function () {};
    view.JitsiMeetExternalAPI = api;
    scripts[0]!.onload!();
    expect(await first).toBe(api);
    expect(await again).toBe(api);
  });

  it("fails when the script does not load, and tries again next time", async () => {
    const { doc, scripts } = fakeDocument();
    const failed = loadJitsi("meet.two.example", doc);
    scripts[0]!.onerror!();
    await expect(failed).rejects.toThrow();
    void loadJitsi("meet.two.example", doc);
    expect(scripts).toHaveLength(2);
  });
});
