import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { fixture } from "../fixtures";
import { parseAck } from "../wire";
import { CallClient, since, type CallState, type Emit, type Media } from "./client";
import type { Call } from "./schemas";
import { asStream, FakePeer, FakeStream, settle } from "./fakes";

const CALL = "cal_5c4b3a29180f7e6d5c4b3a29";
const CONVERSATION = "cnv_0f1e2d3c4b5a69788796a5b4";
const load = (path: string, variant?: string) => {
  const f = fixture(path);
  const variants = (f.variants ?? {}) as Record<string, Record<string, unknown>>;
  return variant && variants[variant] ? { ...f, ...variants[variant] } : f;
};

/** A client of `side` whose emits are answered with the fixtures' acks (by event name). */
function client(side: "agent" | "visitor", options: { camera?: boolean; variant?: string; kind?: "screen" } = {}) {
  const emitted: [string, Record<string, unknown>][] = [];
  const peers: FakePeer[] = [];
  const asked: string[] = [];
  const camera = new FakeStream("cam");
  const screen = new FakeStream("screen", [camera.tracks[1]!]);
  const media: Media = {
    user: async () => {
      asked.push("user");
      if (options.camera === false) throw new DOMException("denied", "NotAllowedError");
      return asStream(camera);
    },
    display: async () => {
      asked.push("display");
      return asStream(screen);
    },
    peer: () => {
      const pc = new FakePeer();
      peers.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
  };
  const emit: Emit = async (event, payload, schema) => {
    emitted.push([event, payload as Record<string, unknown>]);
    let ack = event === "rtc.signal" ? { ok: true } : (load(`client/${side}/${event}.json`, options.variant).ack as Record<string, unknown>);
    // The fixtures' screen variant shows the request only: the answer is the same call with kind "screen".
    if (options.kind && ack.call) ack = { ...ack, call: { ...(ack.call as object), kind: options.kind } };
    return parseAck(ack, schema as v.GenericSchema<unknown, never>);
  };
  let changes = 0;
  const calls = new CallClient(side, emit, () => changes++, media);
  const signals = () => emitted.filter(([e]) => e === "rtc.signal").map(([, p]) => p);
  return { calls, emitted, peers, asked, camera, signals, changes: () => changes };
}

const event = (path: string) => load(path).payload;

describe("the agent's call", () => {
  it("starts ringing, offers when the visitor joined, takes the answer, connects", async () => {
    const { calls, emitted, peers, asked, signals } = client("agent");
    expect(await calls.start(CONVERSATION, "video")).toBeNull();
    expect(asked).toEqual(["user"]);
    expect(emitted[0]).toEqual(["call.start", { conversation_id: CONVERSATION, kind: "video" }]);
    expect(calls.state.phase).toBe("ringing");
    expect(signals()).toEqual([]); // nobody to offer to yet
    expect(calls.state.since).toBeNull();
    calls.handle("call.joined", event("server/agent/call.joined.json"));
    await settle();
    expect(calls.state.phase).toBe("connecting");
    expect(calls.state.since).toBeGreaterThan(Date.now() - 1_000); // the timer starts with the visitor
    expect(signals()).toEqual([{ call_id: CALL, type: "offer", sdp: "v=0\r\no=- offer 1\r\n" }]);
    calls.handle("rtc.signal", { call_id: CALL, type: "answer", sdp: "v=0\r\nanswer" });
    await settle();
    expect(peers[0]!.remoteDescription?.sdp).toBe("v=0\r\nanswer");
    peers[0]!.state("connected");
    expect(calls.state.phase).toBe("connected");
  });

  it("ignores signals of another call and malformed ones", async () => {
    const { calls, peers } = client("agent");
    await calls.start(CONVERSATION, "video");
    calls.handle("rtc.signal", { call_id: "cal_000000000000000000000000", type: "answer", sdp: "v=0" });
    calls.handle("rtc.signal", { call_id: CALL, type: "answer" });
    await settle();
    expect(peers[0]!.remoteDescription).toBeNull();
  });

  it("adds the screen to the running video call by a new offer, and stops it again", async () => {
    const { calls, signals } = client("agent");
    await calls.start(CONVERSATION, "video");
    calls.handle("call.joined", event("server/agent/call.joined.json"));
    calls.handle("rtc.signal", { call_id: CALL, type: "answer", sdp: "v=0\r\na" });
    await settle();
    expect(await calls.shareScreen(CONVERSATION)).toBeNull();
    await settle();
    expect(calls.state.sharing).toBe(true);
    expect(signals().filter((s) => s.type === "offer")).toHaveLength(2);
    calls.handle("rtc.signal", { call_id: CALL, type: "answer", sdp: "v=0\r\na2" });
    await calls.stopSharing();
    await settle();
    expect(calls.state.sharing).toBe(false);
    expect(signals().filter((s) => s.type === "offer")).toHaveLength(3);
  });

  it("starts a screen call presenting the screen, without asking for the camera", async () => {
    const { calls, asked, emitted } = client("agent", { kind: "screen" });
    await calls.shareScreen(CONVERSATION);
    expect(asked).toEqual(["display"]);
    expect(emitted[0]).toEqual(["call.start", { conversation_id: CONVERSATION, kind: "screen" }]);
    expect(calls.state.sharing).toBe(true);
  });

  it("hangs up: bye, call.end, the camera off", async () => {
    const { calls, emitted, peers, camera } = client("agent");
    await calls.start(CONVERSATION, "video");
    await calls.hangUp();
    expect(emitted.slice(-2).map(([e, p]) => [e, p.type ?? p.call_id])).toEqual([
      ["rtc.signal", "bye"],
      ["call.end", CALL],
    ]);
    expect(peers[0]!.closed).toBe(true);
    expect(camera.tracks.every((t) => t.readyState === "ended")).toBe(true);
    expect(calls.state.phase).toBe("ended");
  });

  it("waits when the visitor leaves, and offers again on a fresh connection when they come back", async () => {
    const { calls, peers, signals } = client("agent");
    await calls.start(CONVERSATION, "video");
    calls.handle("call.joined", event("server/agent/call.joined.json"));
    calls.handle("rtc.signal", { call_id: CALL, type: "answer", sdp: "v=0\r\na" });
    await settle();
    calls.handle("call.left", event("server/agent/call.left.json"));
    expect(calls.state.phase).toBe("ringing");
    expect(peers[0]!.closed).toBe(true);
    calls.handle("call.joined", event("server/agent/call.joined.json"));
    await settle();
    expect(peers).toHaveLength(2); // the first stay's, and the fresh one that waited for the return
    expect(peers[1]!.localDescription?.type).toBe("offer");
    expect(signals().filter((x) => x.type === "offer")).toHaveLength(2);
  });

  it("joins again after a reconnect and answers the visitor's offer on a fresh connection", async () => {
    const { calls, emitted, peers, signals, camera } = client("agent");
    await calls.start(CONVERSATION, "video");
    calls.handle("call.joined", event("server/agent/call.joined.json"));
    calls.toggleMic();
    await settle();
    await calls.resume();
    expect(emitted.filter(([e]) => e === "call.join")).toEqual([["call.join", { call_id: CALL }]]);
    expect(peers[0]!.closed).toBe(true);
    expect(calls.state.local).toBe(asStream(camera)); // the same camera, still muted
    expect(calls.state.mic).toBe(false);
    calls.handle("rtc.signal", { call_id: CALL, type: "offer", sdp: "v=0\r\nfrom the visitor" });
    await settle();
    expect(peers[1]!.remoteDescription?.sdp).toBe("v=0\r\nfrom the visitor");
    expect(signals().at(-1)?.type).toBe("answer");
  });

  it("does nothing on a reconnect when it is in no call", async () => {
    const { calls, emitted } = client("agent");
    await calls.resume();
    expect(emitted).toEqual([]);
  });

  it("does not keep a screen whose call could not start", async () => {
    const failing = new CallClient(
      "agent",
      async () => ({ ok: false, error: { code: "CONFLICT", message: "" } }),
      () => {},
      { user: async () => asStream(new FakeStream("c")), display: async () => asStream(new FakeStream("s")), peer: () => new FakePeer() as unknown as RTCPeerConnection },
    );
    expect(await failing.shareScreen(CONVERSATION)).toBe("CONFLICT");
    expect(failing.state.phase).toBe("idle");
    expect(failing.state.sharing).toBe(false);
    expect(failing["screen"]).toBeNull();
  });

  it("shows a call found after a reload as in progress, to rejoin", async () => {
    const { calls } = client("agent");
    await calls.current(CONVERSATION);
    expect(calls.state.phase).toBe("away");
    expect(calls.state.call?.id).toBe(CALL);
  });
});

describe("the visitor's call", () => {
  it("is invited, joins with camera and microphone, answers the agent's offer", async () => {
    const { calls, emitted, asked, peers, signals } = client("visitor");
    calls.handle("call.invite", event("server/visitor/call.invite.json"));
    expect(calls.state.phase).toBe("invited");
    expect(await calls.join()).toBeNull();
    expect(asked).toEqual(["user"]);
    expect(emitted[0]).toEqual(["call.join", { call_id: CALL }]);
    expect(calls.state.phase).toBe("connecting");
    calls.handle("call.joined", event("server/visitor/call.joined.json")); // its own join: no offer
    calls.handle("rtc.signal", { call_id: CALL, type: "candidate", candidate: { candidate: "", sdpMid: "0", sdpMLineIndex: 0 } });
    calls.handle("rtc.signal", { call_id: CALL, type: "offer", sdp: "v=0\r\noffer" });
    await settle();
    expect(signals().map((s) => s.type)).toEqual(["answer"]);
    expect(peers[0]!.senders).toHaveLength(2);
    expect(peers[0]!.candidates).toEqual([{ candidate: "", sdpMid: "0", sdpMLineIndex: 0 }]);
  });

  it("joins receive-only when the camera is refused", async () => {
    const { calls, peers, signals } = client("visitor", { camera: false });
    calls.handle("call.invite", event("server/visitor/call.invite.json"));
    expect(await calls.join()).toBeNull();
    expect(calls.state.problem).toBe("media");
    calls.handle("rtc.signal", { call_id: CALL, type: "offer", sdp: "v=0\r\noffer" });
    await settle();
    expect(peers[0]!.senders).toEqual([]);
    expect(signals().map((s) => s.type)).toEqual(["answer"]);
  });

  it("watches a screen call without asking for camera or microphone", async () => {
    const { calls, asked } = client("visitor");
    const invite = event("server/visitor/call.invite.json") as { call: Record<string, unknown> };
    calls.handle("call.invite", { ...invite, call: { ...invite.call, kind: "screen" } });
    await calls.join();
    expect(asked).toEqual([]);
  });

  it("declines", async () => {
    const { calls, emitted } = client("visitor");
    calls.handle("call.invite", event("server/visitor/call.invite.json"));
    await calls.decline();
    expect(emitted).toEqual([["call.decline", { call_id: CALL }]]);
    expect(calls.state.phase).toBe("ended");
  });

  it("keeps Jitsi connect data for the UI and makes no peer connection", async () => {
    const { calls, peers } = client("visitor", { variant: "jitsi" });
    const invite = load("server/visitor/call.invite.json", "jitsi").payload;
    calls.handle("call.invite", invite);
    expect(calls.state.call?.mode).toBe("jitsi");
    await calls.join();
    expect(calls.state.jitsi?.domain).toBe("meet.example.eu");
    expect(peers).toEqual([]);
  });

  it("ends when the call ends, whoever ended it", async () => {
    const { calls, peers } = client("visitor");
    calls.handle("call.invite", event("server/visitor/call.invite.json"));
    await calls.join();
    calls.handle("call.ended", event("server/visitor/call.ended.json"));
    expect(calls.state.phase).toBe("ended");
    expect(peers[0]!.closed).toBe(true);
    expect(calls.state.call?.duration).toBeGreaterThanOrEqual(0);
  });
});

describe("the call timer's start", () => {
  const NOW = Date.parse("2026-11-29T12:00:00Z");
  const ringing = { ...(fixture("server/agent/call.joined.json").payload as { call: Call }).call, status: "ringing", started_at: null } as Call;
  const active = { ...ringing, status: "active", started_at: "2026-11-29T11:58:30Z" } as Call;
  const state = (call: Call | null, at: number | null = null) => ({ call, since: at }) as CallState;

  it("is now for a call seen turning active here", () => {
    expect(since(state(ringing), active, NOW)).toBe(NOW);
  });

  it("stays where it was while the call goes on", () => {
    expect(since(state(active, NOW - 5_000), { ...active, participants: [] }, NOW)).toBe(NOW - 5_000);
  });

  it("is the server's start for a call that was already active when it arrived", () => {
    expect(since(state(null), active, NOW)).toBe(NOW - 90_000);
  });

  it("is never in the future, whatever this browser's clock says", () => {
    expect(since(state(null), { ...active, started_at: "2026-11-29T12:10:00Z" }, NOW)).toBe(NOW);
  });

  it("is none while ringing and once ended", () => {
    expect(since(state(null), ringing, NOW)).toBeNull();
    expect(since(state(active, NOW), { ...active, status: "ended" }, NOW)).toBeNull();
    expect(since(state(active, NOW), null, NOW)).toBeNull();
  });
});
