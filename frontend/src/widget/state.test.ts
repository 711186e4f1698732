import { describe, expect, it } from "vitest";
import * as v from "valibot";
import { fixture } from "../shared/fixtures";
import { Conversation, Message } from "../shared/wire";
import { AssignedEvent, SyncResult } from "./wire";
import { initialState, reduce, seenByAgent, toResend, unreadCount, view, type Action, type WidgetState } from "./state";

const sync = v.parse(SyncResult, fixture("client/visitor/messages.sync.json").ack);
const conversation = sync.conversation;
const [assignedMsg, visitorMsg] = sync.messages as [Message, Message];
const agentMsg: Message = {
  ...visitorMsg,
  id: "msg_agent",
  seq: 4,
  client_id: "a-1",
  text: "Hi Sam",
  sender: { kind: "agent", id: "usr_9f8e7d6c5b4a39281706f5e4", display_name: "Anna", photo_url: null },
};
const queued: Conversation = { ...conversation, status: "queued", agent: null };

const run = (state: WidgetState, ...actions: Action[]) => actions.reduce(reduce, state);
const ready = (online = true) => run(initialState(), { type: "current", conversation: null, online });

describe("views", () => {
  it("is loading until chat.current answered", () => {
    expect(view(initialState())).toBe("loading");
  });

  it("offers a chat when online and the message form when nobody is", () => {
    expect(view(ready(true))).toBe("start");
    expect(view(ready(false))).toBe("offline");
    expect(view(reduce(ready(false), { type: "online", online: true }))).toBe("start");
  });

  it("shows the chat once there is a conversation, also a closed one", () => {
    const state = run(ready(), { type: "synced", conversation, messages: sync.messages });
    expect(view(state)).toBe("chat");
    const ended = reduce(state, { type: "ended", conversationId: conversation.id, by: "agent", at: "t" });
    expect(view(ended)).toBe("chat");
    expect(ended.conversation?.status).toBe("closed");
    expect(view(reduce(ended, { type: "newChat" }))).toBe("start");
  });

  it("locks nothing up when the chat is unavailable", () => {
    expect(view(reduce(ready(), { type: "unavailable" }))).toBe("unavailable");
  });
});

describe("messages", () => {
  it("shows a message once, whether it came as ack, event or sync", () => {
    let state = run(ready(), { type: "synced", conversation, messages: sync.messages });
    state = run(state, { type: "message", message: visitorMsg }, { type: "message", message: agentMsg });
    state = reduce(state, { type: "synced", conversation, messages: [agentMsg, visitorMsg, assignedMsg] });
    expect(state.thread.messages.map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(state.thread.lastSeq).toBe(4);
  });

  it("ignores messages of another conversation and agent-only ones", () => {
    let state = run(ready(), { type: "conversation", conversation });
    state = reduce(state, { type: "message", message: { ...agentMsg, conversation_id: "cnv_other" } });
    state = reduce(state, { type: "message", message: { ...agentMsg, visibility: "agents" } });
    expect(state.thread.messages).toEqual([]);
  });

  it("starts a fresh thread when the conversation changes", () => {
    let state = run(ready(), { type: "synced", conversation, messages: sync.messages });
    state = reduce(state, { type: "current", conversation: { ...queued, id: "cnv_new" }, online: true });
    expect(state.thread.messages).toEqual([]);
  });

  it("keeps a chat that closed while away until sync tells its end", () => {
    let state = run(ready(), { type: "synced", conversation, messages: sync.messages });
    state = reduce(state, { type: "current", conversation: null, online: false });
    expect(state.conversation?.id).toBe(conversation.id);
    expect(state.thread.messages).toHaveLength(2);
  });
});

describe("pending messages", () => {
  const sending: Action = { type: "sending", clientId: "c-7f3a", text: "Hello, is anyone there?", at: "t" };

  it("disappears when the stored message arrives", () => {
    let state = run(ready(), { type: "conversation", conversation }, sending);
    expect(state.pending).toHaveLength(1);
    state = reduce(state, { type: "message", message: visitorMsg });
    expect(state.pending).toEqual([]);
  });

  it("is resent after a network failure, not after a refusal", () => {
    let state = run(ready(), sending, { type: "sending", clientId: "c-2", text: "x".repeat(5000), at: "t" });
    state = run(
      state,
      { type: "sendFailed", clientId: "c-7f3a", reason: "network" },
      { type: "sendFailed", clientId: "c-2", reason: "invalid" },
    );
    expect(toResend(state).map((p) => p.clientId)).toEqual(["c-7f3a"]);
    state = reduce(state, { type: "retry", clientId: "c-2" });
    expect(toResend(state).map((p) => p.clientId)).toEqual(["c-7f3a", "c-2"]);
  });
});

describe("agent side", () => {
  const assigned = v.parse(AssignedEvent, fixture("server/visitor/chat.assigned.json").payload);

  it("follows assignment and re-queueing", () => {
    let state = run(ready(), { type: "conversation", conversation: queued });
    state = reduce(state, { type: "assigned", conversationId: assigned.conversation_id, agent: assigned.agent });
    expect([state.conversation?.status, state.conversation?.agent?.display_name]).toEqual(["active", "Anna"]);
    state = reduce(state, { type: "assigned", conversationId: conversation.id, agent: null });
    expect([state.conversation?.status, state.conversation?.agent]).toEqual(["queued", null]);
  });

  it("shows typing until the agent's message arrives", () => {
    let state = run(ready(), { type: "conversation", conversation });
    state = reduce(state, { type: "typing", conversationId: conversation.id, typing: true, by: "Anna" });
    expect(state.agentTyping).toBe("Anna");
    expect(reduce(state, { type: "message", message: agentMsg }).agentTyping).toBeNull();
    expect(reduce(state, { type: "typing", conversationId: "cnv_x", typing: false, by: "" }).agentTyping).toBe("Anna");
  });

  it("puts the read receipt under the newest message the agent has read, never moving back", () => {
    const unread = { ...conversation, agent_read_seq: 0 };
    let state = run(ready(), { type: "synced", conversation: unread, messages: sync.messages });
    expect(seenByAgent(state)).toBeNull();
    state = reduce(state, { type: "read", conversationId: conversation.id, seq: 3 });
    expect(seenByAgent(state)).toBe(3);
    expect(reduce(state, { type: "read", conversationId: conversation.id, seq: 1 })).toBe(state);
  });
});

describe("unread badge", () => {
  it("counts the agent side's messages the visitor has not seen", () => {
    let state = run(ready(), { type: "synced", conversation, messages: [...sync.messages, agentMsg] });
    expect(unreadCount(state)).toBe(2);
    state = reduce(state, { type: "seen", conversationId: conversation.id, seq: 4 });
    expect(unreadCount(state)).toBe(0);
  });

  it("remembers what was seen across a reload (per conversation)", () => {
    const state = run(initialState({ conversationId: conversation.id, seq: 3 }), {
      type: "synced",
      conversation,
      messages: [...sync.messages, agentMsg],
    });
    expect(unreadCount(state)).toBe(1);
    const other = reduce(state, { type: "seen", conversationId: "cnv_other", seq: 1 });
    expect(unreadCount(other)).toBe(2);
  });
});
