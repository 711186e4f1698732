import { describe, expect, it } from "vitest";
import * as v from "valibot";
import { fieldErrors, lines, toForm, videoPatch } from "./video";
import { VideoAnswer } from "./wire";

// The example answer of docs/protocol.md §4 "Video settings".
const documented = {
  video: {
    mode: "jitsi",
    stun_urls: ["stun:turn.acme.eu:3478"],
    turn_urls: ["turn:turn.acme.eu:3478?transport=udp", "turns:turn.acme.eu:5349"],
    turn_secret_set: true,
    turn_ttl_seconds: 3600,
    allow_visitor_calls: false,
    allow_visitor_screen_share: false,
    invite_timeout_seconds: 60,
    jitsi: { domain: "meet.acme.eu", app_id: "wschat-acme", secret_set: true, audience: "jitsi", sub: "meet.jitsi", token_ttl_seconds: 600 },
  },
};

// A fresh tenant: the defaults of the rules table (no Jitsi, nothing set).
const defaults = {
  video: {
    mode: "p2p",
    stun_urls: [],
    turn_urls: [],
    turn_secret_set: false,
    turn_ttl_seconds: 3600,
    allow_visitor_calls: false,
    allow_visitor_screen_share: false,
    invite_timeout_seconds: 60,
    jitsi: { domain: null, app_id: null, secret_set: false, audience: "jitsi", sub: "meet.jitsi", token_ttl_seconds: 600 },
  },
};

describe("VideoAnswer", () => {
  it("parses the documented answer and the defaults", () => {
    expect(v.parse(VideoAnswer, documented)).toEqual(documented);
    expect(v.parse(VideoAnswer, defaults)).toEqual(defaults);
  });

  it("drops unknown keys (a secret the server never sends stays out) and refuses an unknown mode", () => {
    const parsed = v.parse(VideoAnswer, { video: { ...defaults.video, turn_secret: "x", jitsi: { ...defaults.video.jitsi, secret: "y" } } });
    expect("turn_secret" in parsed.video).toBe(false);
    expect("secret" in parsed.video.jitsi).toBe(false);
    expect(v.safeParse(VideoAnswer, { video: { ...defaults.video, mode: "sfu" } }).success).toBe(false);
  });
});

describe("videoPatch", () => {
  const saved = v.parse(VideoAnswer, documented).video;
  const fresh = v.parse(VideoAnswer, defaults).video;

  it("sends nothing when nothing changed, and keeps the secrets", () => {
    expect(videoPatch(saved, toForm(saved))).toEqual({});
    expect(videoPatch(fresh, toForm(fresh))).toEqual({});
  });

  it("sends only the changed fields", () => {
    const form = { ...toForm(fresh), stun: " stun:a.example:3478 \n\n", visitorCalls: true, domain: "meet.example.com", appId: "app", jitsiSecret: "s".repeat(40) };
    expect(videoPatch(fresh, form)).toEqual({
      stun_urls: ["stun:a.example:3478"],
      allow_visitor_calls: true,
      jitsi: { domain: "meet.example.com", app_id: "app", secret: "s".repeat(40) },
    });
  });

  it("clears secrets and optional fields with null, and screen sharing goes off with visitor calls", () => {
    const on = { ...saved, allow_visitor_calls: true, allow_visitor_screen_share: true };
    const form = { ...toForm(on), removeTurnSecret: true, removeJitsiSecret: true, domain: " ", visitorCalls: false };
    expect(videoPatch(on, form)).toEqual({
      turn_secret: null,
      allow_visitor_calls: false,
      allow_visitor_screen_share: false,
      jitsi: { domain: null, secret: null },
    });
  });

  it("splits URL lists per line", () => {
    expect(lines("a\r\n b \n\n")).toEqual(["a", "b"]);
  });
});

describe("fieldErrors", () => {
  it("maps the server's field paths to the form's fields", () => {
    const details = {
      fields: [
        { field: "stun_urls.0", message: "Value error, not a STUN URL" },
        { field: "jitsi.secret", message: "too short" },
        { field: "stun_urls.1", message: "second" },
      ],
    };
    expect(fieldErrors(details)).toEqual({ stun_urls: "Value error, not a STUN URL", "jitsi.secret": "too short" });
    expect(fieldErrors(undefined)).toEqual({});
  });
});
