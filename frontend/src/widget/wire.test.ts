import { describe, expect, it } from "vitest";
import * as v from "valibot";
import { CALL_ACKS, CALL_EVENTS } from "../shared/call/schemas";
import { fixture, fixtures } from "../shared/fixtures";
import { parseAck, parseEvent } from "../shared/wire";
import {
  AssignedEvent,
  ContactResult,
  ConversationResult,
  CurrentResult,
  EndedEvent,
  MessageNewEvent,
  MessageResult,
  Okay,
  PresenceEvent,
  ReadEvent,
  SyncResult,
  TypingEvent,
} from "./wire";

const acks: Record<string, v.GenericSchema<unknown, unknown>> = {
  "chat.current": CurrentResult,
  "chat.start": ConversationResult,
  "chat.end": ConversationResult,
  "message.send": MessageResult,
  "messages.sync": SyncResult,
  "messages.read": Okay,
  "typing": Okay,
  "contact.submit": ContactResult,
  "page.view": Okay,
  // Calls (docs/protocol.md §12): shared/call/schemas.ts, used by shared/call/client.ts.
  ...CALL_ACKS,
};

const events: Record<string, v.GenericSchema<unknown, unknown>> = {
  presence: PresenceEvent,
  "message.new": MessageNewEvent,
  typing: TypingEvent,
  "messages.read": ReadEvent,
  "chat.assigned": AssignedEvent,
  "chat.ended": EndedEvent,
  ...CALL_EVENTS,
};

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
