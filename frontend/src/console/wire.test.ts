import { describe, expect, it } from "vitest";
import * as v from "valibot";
import { CALL_ACKS, CALL_EVENTS } from "../shared/call/schemas";
import { fixture, fixtures } from "../shared/fixtures";
import { parseAck } from "../shared/wire";
import * as w from "./wire";

const acks: Record<string, v.GenericSchema<unknown, unknown>> = {
  "status.set": w.StatusAck,
  "agents.list": w.AgentsListAck,
  "queue.list": w.ConversationsAck,
  "chats.list": w.ConversationsAck,
  "chat.accept": w.ConversationAck,
  "chat.transfer": w.ConversationAck,
  "chat.close": w.ConversationAck,
  "message.send": w.MessageAck,
  "messages.sync": w.SyncAck,
  "messages.before": w.PageAck,
  "messages.read": w.OkAck,
  typing: w.OkAck,
  "visitors.live": w.LiveAck,
  "visitor.pages": w.PagesAck,
  ...CALL_ACKS,
};

/** Call events go to shared/call/client.ts, which parses them with these. */
const callEvents: Record<string, v.GenericSchema<unknown, unknown>> = {
  ...CALL_EVENTS,
};

describe("console schemas against the protocol fixtures", () => {
  it.each(fixtures("server/agent").map((f) => [f.event, f] as const))("parses the server event %s", (event, f) => {
    const schema = w.events[event as w.EventName] ?? callEvents[event];
    expect(schema, `no schema for ${event}`).toBeDefined();
    expect(v.safeParse(schema, f.payload).success).toBe(true);
  });

  it.each(fixtures("client/agent").filter((f) => f.event in acks).map((f) => [f.event, f] as const))("parses the ack of %s", (event, f) => {
    const ack = parseAck(f.ack, acks[event]!);
    expect(ack.ok).toBe(true);
  });

  it("turns an error ack into its code and message", () => {
    const ack = parseAck(fixture("error/ack.json").payload, w.ConversationAck);
    expect(ack).toEqual({ ok: false, error: { code: "NOT_FOUND", message: "There is no such conversation." } });
  });

  it("refuses a conversation without a visitor, and drops unknown keys", () => {
    const conversation = (fixture("server/agent/chat.assigned.json").payload as { conversation: Record<string, unknown> }).conversation;
    expect(v.safeParse(w.AgentConversation, { ...conversation, visitor: undefined }).success).toBe(false);
    const parsed = v.parse(w.AgentConversation, { ...conversation, extra: "<script>" });
    expect("extra" in parsed).toBe(false);
  });

  it("reads queue.updated as a delta and chat.assigned with whether there is history before its page", () => {
    const delta = v.parse(w.events["queue.updated"], fixture("server/agent/queue.updated.json").payload);
    expect(delta.added.map((c) => c.status)).toEqual(["queued"]);
    expect(delta.removed).toEqual(["cnv_5a4b3c2d1e0f5a4b3c2d1e0f"]);
    expect(v.safeParse(w.events["queue.updated"], { conversations: delta.added }).success).toBe(false);
    const page = parseAck(fixture("client/agent/messages.before.json").ack, w.PageAck);
    expect(page.ok && [page.value.messages.map((m) => m.seq), page.value.has_earlier]).toEqual([[2], true]);
  });

  it("reads the page trail of visitor.pages", () => {
    const ack = parseAck(fixture("client/agent/visitor.pages.json").ack, w.PagesAck);
    expect(ack.ok && ack.value.pages.length).toBeGreaterThan(0);
  });
});

describe("the tenant's contract", () => {
  const tenant = { id: "ten_1", slug: "acme", name: "ACME", plan: "contract", demo_ends_at: null, allowed_origins: [], ip_truncation: true, auto_assign: true, visitor_timeout_minutes: 30 };

  it("parses the dates of a terminated contract and the hold as a flag", () => {
    const contract = { state: "terminated", demo_ends_at: null, contract_ends_at: "2027-07-01T00:00:00+00:00", chat_data_deleted_at: "2028-01-01T00:00:00+00:00", export_until: "2028-01-01T00:00:00+00:00", master_data_deleted_at: "2031-07-01T00:00:00+00:00", legal_hold: true };
    const parsed = v.parse(w.Tenant, { ...tenant, contract });
    expect(parsed.contract).toEqual(contract);
  });

  it("reads a tenant of a server that sends no contract", () => {
    expect(v.parse(w.Tenant, tenant).contract).toBeNull();
  });

  it("refuses a contract without its state", () => {
    expect(v.safeParse(w.Tenant, { ...tenant, contract: { legal_hold: false } }).success).toBe(false);
  });
});
