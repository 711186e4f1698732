import { describe, expect, it } from "vitest";
import { fixture, fixtures } from "../shared/fixtures";
import { parseAck, parseEvent } from "../shared/wire";
import { BOOKING_ACKS } from "./appointments";
import { ACKS as widgetAcks, AssignedEvent, ConversationResult, CurrentResult, EndedEvent, EVENTS as events, SyncResult } from "./wire";

const acks = { ...widgetAcks, ...BOOKING_ACKS };

describe("visitor acks", () => {
  const all = fixtures("client/visitor");

  it("has a schema for every visitor event the fixtures hold", () => {
    expect(all.map((f) => f.event).sort()).toEqual(Object.keys(acks).sort());
  });

  it.each(all.map((f) => [f.event, f] as const))("parses the %s ack", (event, f) => {
    const ack = parseAck(f.ack, acks[event]!);
    expect(ack.ok).toBe(true);
  });

  it("parses the error ack", () => {
    const ack = parseAck(fixture("error/ack.json").payload, CurrentResult);
    expect(ack).toEqual({ ok: false, error: { code: "NOT_FOUND", message: "There is no such conversation." } });
  });

  it("turns an ack of the wrong shape into BAD_ANSWER, never into data", () => {
    const ack = parseAck({ ok: true, conversation: { id: 3 } }, ConversationResult);
    expect(ack.ok ? null : ack.error.code).toBe("BAD_ANSWER");
  });

  it("keeps the sync ack's messages in order", () => {
    const ack = parseAck(fixture("client/visitor/messages.sync.json").ack, SyncResult);
    expect(ack.ok && ack.value.messages.map((m) => m.seq)).toEqual([2, 3]);
  });
});

describe("visitor events", () => {
  const all = fixtures("server/visitor");

  it("has a schema for every event the server sends to visitors", () => {
    expect(all.map((f) => f.event).sort()).toEqual(Object.keys(events).sort());
  });

  it.each(all.map((f) => [f.event, f] as const))("parses %s", (event, f) => {
    expect(parseEvent(event, f.payload, events[event]!)).not.toBeNull();
  });

  it("drops a malformed event", () => {
    expect(parseEvent("chat.ended", { conversation_id: "cnv_1", by: "martians" }, EndedEvent)).toBeNull();
  });

  it("accepts an unassignment (agent: null)", () => {
    const raw = { ...(fixture("server/visitor/chat.assigned.json").payload as object), agent: null };
    expect(parseEvent("chat.assigned", raw, AssignedEvent)?.agent).toBeNull();
  });
});
