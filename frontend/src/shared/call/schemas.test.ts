import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { fixture, fixtures, type Fixture } from "../fixtures";
import { CALL_ACKS, CALL_EVENTS, CallAck, Connect, duration, ParticipantEvent, present, Signal } from "./schemas";

const variants = (f: Fixture): Fixture[] =>
  Object.values((f.variants ?? {}) as Record<string, Partial<Fixture>>).map((variant) => ({ ...f, ...variant }));
const all = (dir: string) => fixtures(dir).flatMap((f) => [f, ...variants(f)]);

const ACKS: Record<string, v.GenericSchema> = CALL_ACKS;
const EVENTS: Record<string, v.GenericSchema> = CALL_EVENTS;

describe("call schemas", () => {
  for (const side of ["agent", "visitor"]) {
    it(`parse every ${side} ack of the call fixtures, Jitsi and screen variants too`, () => {
      const acks = all(`client/${side}`).filter((f) => f.event in ACKS);
      expect(acks.length).toBeGreaterThanOrEqual(8);
      for (const f of acks) expect(v.safeParse(ACKS[f.event]!, f.ack).issues, f.event).toBeUndefined();
    });

    it(`parse every ${side} call event and signal`, () => {
      const events = [...all(`server/${side}`), ...all(`client/${side}`).filter((f) => f.event === "rtc.signal")];
      const calls = events.filter((f) => f.event in EVENTS);
      expect(calls.length).toBeGreaterThanOrEqual(9);
      for (const f of calls) expect(v.safeParse(EVENTS[f.event]!, f.payload).issues, f.event).toBeUndefined();
    });
  }

  it("reads the connect data of both modes", () => {
    const invite = fixture("server/visitor/call.invite.json");
    const p2p = v.parse(Connect, invite.payload);
    expect(p2p.ice_servers?.[0]?.username).toBe("1795942800:vis_1a2b3c4d5e6f708192a3b4c5");
    expect(p2p.jitsi).toBeUndefined();
    const jitsi = v.parse(Connect, (invite.variants as { jitsi: { payload: unknown } }).jitsi.payload);
    expect(jitsi.jitsi?.domain).toBe("meet.example.eu");
    expect(jitsi.call.room).toBe(jitsi.jitsi?.room);
  });

  it("refuses malformed signals", () => {
    const id = "cal_5c4b3a29180f7e6d5c4b3a29";
    expect(v.safeParse(Signal, { call_id: id, type: "offer" }).success).toBe(false);
    expect(v.safeParse(Signal, { call_id: id, type: "offer", sdp: "hello" }).success).toBe(false);
    expect(v.safeParse(Signal, { call_id: id, type: "hug" }).success).toBe(false);
    expect(v.safeParse(Signal, { call_id: id, type: "bye", sdp: "v=0" }).success).toBe(false);
    const candidate = { candidate: "", sdpMid: "0", sdpMLineIndex: 0, extra: 1 };
    expect(v.safeParse(Signal, { call_id: id, type: "candidate", candidate }).success).toBe(false);
  });

  it("refuses a call with an unknown kind or a malformed id", () => {
    const { call } = fixture("server/visitor/call.ended.json").payload as { call: Record<string, unknown> };
    expect(v.safeParse(CallAck, { call }).success).toBe(true);
    expect(v.safeParse(CallAck, { call: { ...call, kind: "audio" } }).success).toBe(false);
    expect(v.safeParse(CallAck, { call: { ...call, id: "cal_x" } }).success).toBe(false);
  });

  it("finds who is in the call, and formats durations", () => {
    const { call } = v.parse(ParticipantEvent, fixture("server/agent/call.joined.json").payload);
    expect(present(call, "visitor")?.display_name).toBe("Sam");
    expect(present({ ...call, participants: [] }, "agent")).toBeUndefined();
    expect(duration(125)).toBe("2:05");
    expect(duration(0)).toBe("0:00");
  });
});
