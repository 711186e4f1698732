import { describe, expect, it } from "vitest";
import * as v from "valibot";
import { fixture } from "../shared/fixtures";
import { TYPING_STALE_MS } from "../shared/typing";
import { Message } from "../shared/wire";
import { badgeCount, initialState, reduce, titleFor, transferTargets, type Action, type State } from "./state";
import { AgentConversation, AgentState, events, User } from "./wire";

const assigned = v.parse(events["chat.assigned"], fixture("server/agent/chat.assigned.json").payload);
const delta = v.parse(events["queue.updated"], fixture("server/agent/queue.updated.json").payload);
const queued = delta.added;
const presence = v.parse(AgentState, fixture("server/agent/agents.presence.json").payload);
const visitorMessage = v.parse(Message, (fixture("server/agent/message.new.json").payload as { message: unknown }).message);
const me = v.parse(User, {
  id: assigned.conversation.agent!.id,
  tenant_id: "ten_0a1b2c3d4e5f60718293a4b5",
  login: "anna",
  display_name: "Anna",
  role: "admin",
  max_chats: 3,
  disabled: false,
  photo_url: null,
  created_at: "2026-11-29T08:00:00.000000+00:00",
});
const conv = assigned.conversation;
const id = conv.id;

function run(...actions: Action[]): State {
  return actions.reduce(reduce, { ...initialState, me });
}

function msg(seq: number, kind: "visitor" | "agent" = "visitor", conversation_id = id): Message {
  const sender = kind === "visitor" ? visitorMessage.sender : { kind, id: me.id, display_name: "Anna", photo_url: null };
  return { ...visitorMessage, conversation_id, id: `msg_${conversation_id}_${seq}`, seq, client_id: `c-${seq}`, sender };
}

function other(n: number): AgentConversation {
  return { ...conv, id: `cnv_${String(n).padStart(24, "0")}`, agent_read_seq: 0 };
}

describe("reduce", () => {
  it("opens an assigned chat as a tab with its history and counts the visitor's messages as unread", () => {
    const state = run({ type: "select", id: "x" }, { type: "assigned", conversation: conv, messages: assigned.messages, hasEarlier: false, focused: true });
    expect(state.tabs).toEqual([id]);
    expect(state.chats[id]!.thread.messages.map((m) => m.seq)).toEqual([2, 3]);
    expect(state.chats[id]!.unread).toBe(1);
  });

  it("does not count what the previous agent read in a chat transferred to me", () => {
    const state = run({ type: "select", id: "x" }, { type: "assigned", conversation: { ...conv, agent_read_seq: 3 }, messages: assigned.messages, hasEarlier: false, focused: true });
    expect(state.chats[id]!.unread).toBe(0);
  });

  it("takes an assigned chat out of the queue", () => {
    const state = run({ type: "queue", conversations: [...queued, { ...queued[0]!, id }] }, { type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true });
    expect(state.queue.map((c) => c.id)).not.toContain(id);
  });

  it("does not count messages of the chat in front of a focused agent, and never twice", () => {
    let state = run({ type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true });
    expect(state.active).toBe(id);
    state = reduce(state, { type: "message", message: msg(4), focused: true });
    expect(state.chats[id]!.unread).toBe(0);
    state = reduce(state, { type: "message", message: msg(5), focused: false });
    state = reduce(state, { type: "message", message: msg(5), focused: false });
    expect(state.chats[id]!.unread).toBe(1);
    expect(state.chats[id]!.thread.messages).toHaveLength(1 + 1);
  });

  it("counts unread per tab; selecting a tab clears its count", () => {
    const second = other(2);
    let state = run(
      { type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true },
      { type: "assigned", conversation: second, messages: [msg(1, "visitor", second.id)], hasEarlier: false, focused: true },
      { type: "message", message: msg(2, "visitor", second.id), focused: true },
      { type: "message", message: msg(3, "agent", second.id), focused: true },
    );
    expect(state.active).toBe(id);
    expect(state.chats[second.id]!.unread).toBe(2);
    expect(badgeCount(state)).toBe(2);
    expect(titleFor(badgeCount(state))).toBe("(2) wsChat");
    state = reduce(state, { type: "select", id: second.id });
    expect(state.chats[second.id]!.unread).toBe(0);
    expect(titleFor(badgeCount(state))).toBe("wsChat");
  });

  it("adds waiting chats to the badge", () => {
    expect(badgeCount(run({ type: "queue", conversations: queued }))).toBe(queued.length);
  });

  it("merges messages.sync after a reconnect without duplicates", () => {
    let state = run({ type: "assigned", conversation: conv, messages: assigned.messages, hasEarlier: false, focused: true });
    state = reduce(state, { type: "synced", conversation: conv, messages: [...assigned.messages, msg(4), msg(5)] });
    expect(state.chats[id]!.thread.messages.map((m) => m.seq)).toEqual([2, 3, 4, 5]);
    expect(state.chats[id]!.gone).toBeNull();
  });

  it("marks a chat that closed or went to someone else while we were away", () => {
    let state = run({ type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true });
    state = reduce(state, { type: "synced", conversation: { ...conv, status: "closed", closed_by: "visitor" }, messages: [] });
    expect(state.chats[id]!.gone).toEqual({ reason: "ended", by: "visitor" });
    state = run({ type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true });
    state = reduce(state, { type: "synced", conversation: { ...conv, agent: { id: "usr_1", display_name: "Bert", photo_url: null } }, messages: [] });
    expect(state.chats[id]!.gone).toEqual({ reason: "transferred", by: "Bert" });
  });

  it("shows typing until the visitor's message or the timeout", () => {
    let state = run(
      { type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true },
      { type: "typing", conversation_id: id, typing: true, name: "Sam", now: 1000 },
    );
    expect(state.chats[id]!.typing?.name).toBe("Sam");
    expect(reduce(state, { type: "typingExpired", now: 1000 + TYPING_STALE_MS - 1 }).chats[id]!.typing).not.toBeNull();
    expect(reduce(state, { type: "typingExpired", now: 1000 + TYPING_STALE_MS }).chats[id]!.typing).toBeNull();
    state = reduce(state, { type: "message", message: msg(9), focused: true });
    expect(state.chats[id]!.typing).toBeNull();
  });

  it("keeps a pending message until its ack, and marks a failure", () => {
    let state = run(
      { type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true },
      { type: "pending", conversation_id: id, pending: { client_id: "c-4", text: "Hi", failed: null } },
    );
    state = reduce(state, { type: "sendFailed", conversation_id: id, client_id: "c-4", error: "timeout" });
    expect(state.chats[id]!.pending[0]!.failed).toBe("timeout");
    state = reduce(state, { type: "sent", conversation_id: id, client_id: "c-4", message: { ...msg(4, "agent"), client_id: "c-4" } });
    expect(state.chats[id]!.pending).toEqual([]);
    expect(state.chats[id]!.thread.lastSeq).toBe(4);
  });

  it("ends, transfers away and dismisses tabs", () => {
    const second = other(2);
    let state = run(
      { type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true },
      { type: "assigned", conversation: second, messages: [], hasEarlier: false, focused: true },
      { type: "ended", conversation_id: id, by: "visitor" },
    );
    expect(state.chats[id]!.conversation.status).toBe("closed");
    state = reduce(state, { type: "dismiss", id });
    expect(state.tabs).toEqual([second.id]);
    expect(state.active).toBe(second.id);
    state = reduce(state, { type: "transferred", conversation_id: second.id, to: "Bert" });
    expect(state.chats[second.id]!.gone).toEqual({ reason: "transferred", by: "Bert" });
  });

  it("keeps a chat transferred away gone when an older chats.list answer still lists it", () => {
    let state = run(
      { type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true },
      { type: "transferred", conversation_id: id, to: "Bert" },
      { type: "chats", conversations: [conv] }, // read before the transfer, arrived after its event
    );
    expect(state.chats[id]!.gone).toEqual({ reason: "transferred", by: "Bert" });
    state = reduce(state, { type: "chats", conversations: [{ ...conv, epoch: conv.epoch + 2 }] }); // handed back
    expect(state.chats[id]!.gone).toBeNull();
  });

  it("marks my chat that went back to the queue, and takes it back on accept", () => {
    let state = run({ type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true });
    state = reduce(state, { type: "queue", conversations: [{ ...conv, status: "queued", agent: null }] });
    expect(state.chats[id]!.gone).toEqual({ reason: "requeued", by: "" });
    state = reduce(state, { type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true });
    expect(state.chats[id]!.gone).toBeNull();
  });

  it("updates the visitor everywhere and keeps the live list current", () => {
    const live = v.parse(events["visitor.updated"], fixture("server/agent/visitor.updated.json").payload).visitor;
    let state = run(
      { type: "assigned", conversation: { ...conv, visitor: { ...conv.visitor, id: live.id } }, messages: [], hasEarlier: false, focused: true },
      { type: "live", visitors: [] },
      { type: "visitor", visitor: { ...live, alias: "<img src=x onerror=alert(1)>", current_page: { url: "https://a.example/", title: null, entered_at: null } } },
    );
    expect(state.chats[id]!.conversation.visitor.alias).toBe("<img src=x onerror=alert(1)>");
    expect(state.live).toHaveLength(1);
    state = reduce(state, { type: "visitor", visitor: { ...live, current_page: null } });
    expect(state.live).toHaveLength(0);
  });

  it("offers only online colleagues with a free slot for a transfer", () => {
    const state = run({
      type: "agents",
      agents: [
        { ...presence, agent_id: me.id },
        { ...presence, agent_id: "usr_free", display_name: "Free" },
        { ...presence, agent_id: "usr_full", open_chats: 3, max_chats: 3, available: false },
        { ...presence, agent_id: "usr_away", status: "away", available: false },
      ],
    });
    expect(transferTargets(state).map((a) => a.agent_id)).toEqual(["usr_free"]);
  });

  it("follows my own status from agents.presence", () => {
    const state = run({ type: "presence", agent: { ...presence, agent_id: me.id, status: "away" } });
    expect(state.status).toBe("away");
  });

  it("applies queue deltas: longest waiting first, no duplicates, previews of chats that left dropped", () => {
    const [a, b, c] = [1, 2, 3].map((n) => ({ ...queued[0]!, id: `cnv_${n}`, created_at: `2026-11-29T08:0${n}:00.000000+00:00` }));
    let state = run({ type: "queue", conversations: [a!, c!] }, { type: "message", message: msg(2, "visitor", c!.id), focused: true });
    expect(state.queuePreview).toEqual({ [c!.id]: visitorMessage.text });
    // b started between a and c; a is added again (a delta that crossed queue.list): it stays once.
    state = reduce(state, { type: "queueDelta", added: [b!, a!], removed: [] });
    expect(state.queue.map((q) => q.id)).toEqual([a!.id, b!.id, c!.id]);
    state = reduce(state, { type: "queueDelta", added: [], removed: [c!.id, "cnv_unknown"] });
    expect(state.queue.map((q) => q.id)).toEqual([a!.id, b!.id]);
    expect(state.queuePreview).toEqual({});
    expect(badgeCount(state)).toBe(2);
  });

  it("marks my chat that a queue delta adds back to the queue", () => {
    let state = run({ type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true });
    state = reduce(state, { type: "queueDelta", added: [{ ...conv, status: "queued", agent: null }], removed: [] });
    expect(state.chats[id]!.gone).toEqual({ reason: "requeued", by: "" });
    expect(state.queue.map((q) => q.id)).toEqual([id]);
  });

  it("drops a queued view that the chat's assignment to me overtook on the way", () => {
    // queue.list was answered (or "added" sent) while the chat was queued, and arrived after chat.assigned.
    const stale = { ...conv, status: "queued" as const, agent: null, epoch: conv.epoch - 1 };
    let state = run({ type: "assigned", conversation: conv, messages: [], hasEarlier: false, focused: true });
    state = reduce(state, { type: "queue", conversations: [stale] });
    state = reduce(state, { type: "queueDelta", added: [stale], removed: [] });
    expect(state.chats[id]!.gone).toBeNull();
    expect(state.queue).toEqual([]);
    // A newer view (I went offline and the chat was requeued) still counts.
    state = reduce(state, { type: "queueDelta", added: [{ ...stale, epoch: conv.epoch + 1 }], removed: [] });
    expect(state.chats[id]!.gone).toEqual({ reason: "requeued", by: "" });
  });

  it("prepends earlier pages without gaps or duplicates until there is nothing earlier", () => {
    const seqs = (s: State) => s.chats[id]!.thread.messages.map((m) => m.seq);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));
    let state = run({ type: "select", id: "x" }, { type: "assigned", conversation: { ...conv, agent_read_seq: 0 }, messages: range(101, 150), hasEarlier: true, focused: false });
    expect(state.chats[id]!.earlier).toBe(true);
    const unread = state.chats[id]!.unread;
    expect(unread).toBe(50);
    state = reduce(state, { type: "page", conversation_id: id, messages: range(51, 100), hasEarlier: true });
    state = reduce(state, { type: "page", conversation_id: id, messages: range(1, 60), hasEarlier: false });
    expect(seqs(state)).toEqual(range(1, 150).map((m) => m.seq));
    expect(state.chats[id]!.earlier).toBe(false);
    expect(state.chats[id]!.thread.lastSeq).toBe(150);
    expect(state.chats[id]!.unread).toBe(unread); // old news
  });

  it("replaces a thread that a later page does not join, so that paging back leaves no gap", () => {
    let state = run({ type: "assigned", conversation: conv, messages: [msg(1), msg(2)], hasEarlier: false, focused: true });
    state = reduce(state, { type: "transferred", conversation_id: id, to: "Bert" });
    const later = Array.from({ length: 50 }, (_, i) => msg(400 + i));
    state = reduce(state, { type: "assigned", conversation: conv, messages: later, hasEarlier: true, focused: true });
    expect(state.chats[id]!.thread.messages[0]!.seq).toBe(400);
    expect(state.chats[id]!.earlier).toBe(true);
    // A page that joins keeps what was there, and whether there is more before it.
    state = reduce(state, { type: "page", conversation_id: id, messages: [msg(449), msg(450)], hasEarlier: true });
    expect(state.chats[id]!.thread.messages.map((m) => m.seq)).toEqual([...later.map((m) => m.seq), 450]);
    expect(state.chats[id]!.earlier).toBe(true);
  });

  it("counts as unread only what the agent side has not read when a reload reads the newest page", () => {
    let state = run({ type: "chats", conversations: [{ ...conv, agent_read_seq: 8 }, other(2)] });
    state = reduce(state, { type: "page", conversation_id: other(2).id, messages: [msg(7, "visitor", other(2).id)], hasEarlier: true });
    state = reduce(state, { type: "page", conversation_id: id, messages: [msg(7), msg(8), msg(9), msg(10, "agent")], hasEarlier: true });
    expect(state.active).toBe(id);
    expect(state.chats[id]!.unread).toBe(0); // in front of the agent
    expect(state.chats[other(2).id]!.unread).toBe(1);
    expect(state.chats[other(2).id]!.earlier).toBe(true);
    state = reduce(reduce(state, { type: "select", id: null }), { type: "page", conversation_id: id, messages: [msg(11)], hasEarlier: true });
    expect(state.chats[id]!.unread).toBe(1);
  });

  it("keeps a preview of a queued chat's latest message", () => {
    const state = run({ type: "queue", conversations: queued }, { type: "message", message: msg(2, "visitor", queued[0]!.id), focused: true });
    expect(state.queuePreview[queued[0]!.id]).toBe(visitorMessage.text);
  });
});
